use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A given or family name: letters from any script, with spaces, hyphens, apostrophes and dots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX: usize = 100;

    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(Error::invalid(field, "The name is required."));
        }
        if name.chars().count() > Self::MAX {
            return Err(Error::invalid(field, format!("The name is too long: at most {} characters.", Self::MAX)));
        }
        if !name.chars().any(char::is_alphabetic) {
            return Err(Error::invalid(field, "A name must contain letters."));
        }
        if let Some(bad) = name.chars().find(|c| !(c.is_alphabetic() || c.is_whitespace() || "-'’.".contains(*c) || is_mark(*c))) {
            return Err(Error::invalid(field, format!("A name cannot contain “{bad}”. Use letters, spaces, hyphens and apostrophes.")));
        }
        Ok(PersonName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    Unknown,
}

impl Sex {
    pub fn parse(raw: &str) -> Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "female" | "f" => Ok(Sex::Female),
            "male" | "m" => Ok(Sex::Male),
            "other" | "o" => Ok(Sex::Other),
            "unknown" | "u" | "" => Ok(Sex::Unknown),
            _ => Err(Error::invalid("sex", "Choose female, male, other or unknown.")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Unknown => "unknown",
        }
    }
}

/// A date of birth, exact or estimated (a patient who knows only their age). Never in the
/// future, never more than 130 years ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct BirthDate {
    pub date: NaiveDate,
    pub estimated: bool,
}

impl BirthDate {
    pub fn parse(raw: &str, estimated: bool, today: NaiveDate) -> Result<Self> {
        let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| Error::invalid("birth_date", "Enter the date of birth as year-month-day, e.g. 1984-03-27."))?;
        Self::new(date, estimated, today)
    }

    pub fn new(date: NaiveDate, estimated: bool, today: NaiveDate) -> Result<Self> {
        if date > today {
            return Err(Error::invalid("birth_date", "The date of birth is in the future."));
        }
        if today.year() - date.year() > 130 {
            return Err(Error::invalid("birth_date", "The date of birth is more than 130 years ago."));
        }
        Ok(BirthDate { date, estimated })
    }

    /// An estimated date of birth from an age in years: 1 July of the year the patient turned that age.
    pub fn from_age(years: u32, today: NaiveDate) -> Result<Self> {
        let year = today.year() - years as i32;
        let date = NaiveDate::from_ymd_opt(year, 7, 1).filter(|_| years <= 130)
            .ok_or_else(|| Error::invalid("birth_date", "The age must be between 0 and 130."))?;
        Self::new(date.min(today), true, today)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub enum BloodGroup {
    #[serde(rename = "A+")] APos,
    #[serde(rename = "A-")] ANeg,
    #[serde(rename = "B+")] BPos,
    #[serde(rename = "B-")] BNeg,
    #[serde(rename = "AB+")] AbPos,
    #[serde(rename = "AB-")] AbNeg,
    #[serde(rename = "O+")] OPos,
    #[serde(rename = "O-")] ONeg,
}

impl BloodGroup {
    const ALL: [(&'static str, BloodGroup); 8] = [
        ("A+", BloodGroup::APos), ("A-", BloodGroup::ANeg), ("B+", BloodGroup::BPos), ("B-", BloodGroup::BNeg),
        ("AB+", BloodGroup::AbPos), ("AB-", BloodGroup::AbNeg), ("O+", BloodGroup::OPos), ("O-", BloodGroup::ONeg),
    ];

    pub fn parse(raw: &str) -> Result<Self> {
        let wanted = raw.trim().to_ascii_uppercase().replace(' ', "").replace('−', "-");
        Self::ALL.iter().find(|(s, _)| *s == wanted).map(|(_, g)| *g)
            .ok_or_else(|| Error::invalid("blood_group", "Blood group must be one of A+, A-, B+, B-, AB+, AB-, O+, O-."))
    }

    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(_, g)| *g == self).map(|(s, _)| *s).unwrap_or("?")
    }
}
