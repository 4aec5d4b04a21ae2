//! Reports (issue 12, started): over a period of the site's days, from the synced data, worked
//! out when asked. Each report is one read; the window draws its chart from the same rows it
//! shows as a table and exports as CSV.

pub mod ageing;
pub mod csv;
pub mod revenue;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};

/// The longest period a report covers: ten years of a clinic's days.
pub const MOST_DAYS: i64 = 3_660;

/// From the first day to the last, both included, at the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Refused when it ends before it starts, or is longer than ten years.
    pub fn checked(self) -> Result<Period> {
        let days = (self.to - self.from).num_days() + 1;
        if days < 1 {
            return Err(Error::invalid("to", "The period ends before it starts."));
        }
        if days > MOST_DAYS {
            return Err(Error::invalid("from", "A report covers at most ten years: choose a shorter period."));
        }
        Ok(self)
    }

    pub fn days(self) -> u32 {
        ((self.to - self.from).num_days() + 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_ends_after_it_starts_and_within_ten_years() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(Period { from: d("2026-11-01"), to: d("2026-11-30") }.checked().unwrap().days(), 30);
        assert_eq!(Period { from: d("2026-11-23"), to: d("2026-11-23") }.checked().unwrap().days(), 1);
        assert_eq!(Period { from: d("2026-11-30"), to: d("2026-11-01") }.checked().unwrap_err().field, Some("to"));
        assert_eq!(Period { from: d("2000-01-01"), to: d("2026-11-01") }.checked().unwrap_err().field, Some("from"));
    }
}
