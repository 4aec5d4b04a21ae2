//! When a practitioner can be booked: their weekly hours less breaks, less their time off and the
//! site's closed days, less the appointments that hold their time. Booking and the free-slot
//! search both ask this one place, so a slot shown as free can always be booked.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::local_to_utc_lenient;
use crate::clock::from_millis;
use crate::domain::WeeklyHours;
use crate::error::Result;
use crate::ops::practitioners::Practitioner;

/// Appointment types last at most 8 h plus a 2 h buffer: no appointment that started earlier than
/// this before a window can reach into it. Bounds the index scan.
pub(crate) const LONGEST_VISIT_MS: i64 = 10 * 3600 * 1000;

pub(crate) struct Busy {
    pub id: Uuid,
    pub start: i64,
    pub busy_until: i64,
}

pub(crate) struct TimeOffSpan {
    pub start: i64,
    pub end: i64,
    pub reason: String,
}

pub(crate) enum Obstacle {
    OutsideHours,
    TimeOff(String),
    Clash(Busy),
}

/// One practitioner's hours, time off and bookings over a window.
pub(crate) struct Schedule {
    pub zone: Tz,
    pub hours: WeeklyHours,
    pub time_off: Vec<TimeOffSpan>,
    pub busy: Vec<Busy>,
}

impl Schedule {
    /// Loads what matters for a practitioner of `site_id` between `from` and `to` (unix ms),
    /// leaving out appointment `exclude` (the one being moved).
    pub async fn load(
        conn: &mut SqliteConnection,
        practitioner: &Practitioner,
        site_id: Uuid,
        zone: Tz,
        (from, to): (i64, i64),
        exclude: Option<Uuid>,
    ) -> Result<Schedule> {
        let practitioner_id = practitioner.id;
        let earliest = from - LONGEST_VISIT_MS;
        let busy = sqlx::query_as!(
            Busy,
            r#"SELECT id AS "id: Uuid", starts_at AS start, busy_until FROM appointment
               WHERE practitioner_id = ? AND starts_at > ? AND starts_at < ? AND busy_until > ?
                 AND status IN ('booked', 'arrived', 'in_consultation', 'completed') AND deleted_at IS NULL
                 AND id IS NOT ?
               ORDER BY starts_at"#,
            practitioner_id, earliest, to, from, exclude
        )
        .fetch_all(&mut *conn)
        .await?;
        let time_off = sqlx::query_as!(
            TimeOffSpan,
            r#"SELECT starts_at AS start, ends_at AS end, reason FROM time_off
               WHERE site_id = ? AND (practitioner_id = ? OR practitioner_id IS NULL)
                 AND starts_at < ? AND ends_at > ? AND deleted_at IS NULL"#,
            site_id, practitioner_id, to, from
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(Schedule { zone, hours: practitioner.weekly_hours.clone(), time_off, busy })
    }

    /// The working spans of a local date (hours less breaks), as UTC instants.
    pub fn working_spans(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let Some(day) = self.hours.day(chrono::Datelike::weekday(&date)) else { return Vec::new() };
        let mut spans = Vec::new();
        let mut from = day.start.time();
        for b in day.breaks.iter().chain(std::iter::once(&crate::domain::Period { start: day.end, end: day.end })) {
            if b.start.time() > from {
                spans.push((local_to_utc_lenient(self.zone, date.and_time(from)), local_to_utc_lenient(self.zone, date.and_time(b.start.time()))));
            }
            from = b.end.time();
        }
        spans
    }

    /// What stands in the way of a visit from `start` to `end`, keeping the practitioner busy until
    /// `busy_until` (unix ms).
    pub fn obstacles(&self, start: i64, end: i64, busy_until: i64) -> Vec<Obstacle> {
        let mut found = Vec::new();
        let local_date = from_millis(start).with_timezone(&self.zone).date_naive();
        let within_hours = self
            .working_spans(local_date)
            .iter()
            .any(|(s, e)| s.timestamp_millis() <= start && end <= e.timestamp_millis());
        if !within_hours {
            found.push(Obstacle::OutsideHours);
        }
        for t in self.time_off.iter().filter(|t| t.start < end && start < t.end) {
            found.push(Obstacle::TimeOff(t.reason.clone()));
        }
        if let Some(b) = self.first_clash(start, busy_until) {
            found.push(Obstacle::Clash(Busy { id: b.id, start: b.start, busy_until: b.busy_until }));
        }
        found
    }

    fn first_clash(&self, start: i64, busy_until: i64) -> Option<&Busy> {
        self.busy.iter().find(|b| b.start < busy_until && start < b.busy_until)
    }

    /// When a visit from `start` to `end` (busy until `busy_until`) is blocked by time off or
    /// another appointment, the instant the blocking ends; `None` when it is free.
    fn blocked_until(&self, start: i64, end: i64, busy_until: i64) -> Option<i64> {
        let off = self.time_off.iter().filter(|t| t.start < end && start < t.end).map(|t| t.end);
        let busy = self.first_clash(start, busy_until).map(|b| b.busy_until);
        off.chain(busy).max()
    }

    /// The earliest free starts for a visit of `length` plus `buffer`, packed back to back in each
    /// working span of `date`, none before `not_before` (unix ms).
    pub fn free_starts(&self, date: NaiveDate, length: Duration, buffer: Duration, not_before: i64) -> Vec<i64> {
        let (length, buffer) = (length.num_milliseconds(), buffer.num_milliseconds());
        let step = Duration::minutes(5).num_milliseconds();
        let mut starts = Vec::new();
        for (span_start, span_end) in self.working_spans(date) {
            let (mut t, end) = (span_start.timestamp_millis(), span_end.timestamp_millis());
            if t < not_before {
                t += (not_before - t + step - 1) / step * step;
            }
            // Candidates lie within the working span by construction; only time off and other
            // appointments can block them, and a blocked candidate jumps past what blocks it.
            while t + length <= end {
                match self.blocked_until(t, t + length, t + length + buffer) {
                    None => {
                        starts.push(t);
                        t += length + buffer;
                    }
                    Some(free_at) => t += ((free_at - t).max(1) + step - 1) / step * step,
                }
            }
        }
        starts
    }
}
