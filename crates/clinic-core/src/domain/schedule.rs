use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A wall-clock time of day at the site, "HH:MM".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(try_from = "String", into = "String")]
#[specta(type = String)]
pub struct TimeOfDay(NaiveTime);

impl TimeOfDay {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        NaiveTime::parse_from_str(raw.trim(), "%H:%M")
            .map(TimeOfDay)
            .map_err(|_| Error::invalid(field, format!("“{}” is not a time; use 24-hour HH:MM, e.g. 08:30.", raw.trim())))
    }

    pub fn time(self) -> NaiveTime {
        self.0
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        TimeOfDay::parse("time", &s)
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> String {
        t.0.format("%H:%M").to_string()
    }
}

/// A span of one day, start before end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Period {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

impl Period {
    pub fn new(start: TimeOfDay, end: TimeOfDay) -> Result<Self> {
        if start >= end {
            return Err(Error::invalid("hours", "The end time must be after the start time."));
        }
        Ok(Period { start, end })
    }
}

/// The hours of one weekday: one working span with breaks inside it (a split shift is a long break).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DayHours {
    pub weekday: Weekday,
    pub start: TimeOfDay,
    pub end: TimeOfDay,
    #[serde(default)]
    pub breaks: Vec<Period>,
}

/// A practitioner's regular week. Days not listed are days off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(transparent)]
pub struct WeeklyHours(Vec<DayHours>);

impl WeeklyHours {
    pub fn parse(days: Vec<DayHours>) -> Result<Self> {
        let mut days = days;
        days.sort_by_key(|d| d.weekday.num_days_from_monday());
        for pair in days.windows(2) {
            if pair[0].weekday == pair[1].weekday {
                return Err(Error::invalid("hours", format!("{} is listed twice.", pair[0].weekday)));
            }
        }
        for day in &mut days {
            Period::new(day.start, day.end)
                .map_err(|_| Error::invalid("hours", format!("On {}, the end of the day must be after its start.", day.weekday)))?;
            // The declaration's limit (clinic-sync): what the server takes.
            if day.breaks.len() > 10 {
                return Err(Error::invalid("hours", format!("{} has more than 10 breaks; join some of them.", day.weekday)));
            }
            day.breaks.sort_by_key(|b| b.start);
            for b in &day.breaks {
                if b.start >= b.end || b.start < day.start || b.end > day.end {
                    return Err(Error::invalid("hours", format!("A break on {} must lie within the working hours.", day.weekday)));
                }
            }
            if day.breaks.windows(2).any(|w| w[0].end > w[1].start) {
                return Err(Error::invalid("hours", format!("Two breaks on {} overlap.", day.weekday)));
            }
        }
        Ok(WeeklyHours(days))
    }

    pub fn day(&self, weekday: Weekday) -> Option<&DayHours> {
        self.0.iter().find(|d| d.weekday == weekday)
    }

    pub fn days(&self) -> &[DayHours] {
        &self.0
    }
}

/// A display colour, "#RRGGBB".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Colour(String);

impl Colour {
    pub fn parse(raw: &str) -> Result<Self> {
        let c = raw.trim();
        let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|h| h.is_ascii_hexdigit());
        if !ok {
            return Err(Error::invalid("colour", "Choose a colour like #3A7BD5."));
        }
        Ok(Colour(c.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
