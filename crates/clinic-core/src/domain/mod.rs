//! Domain values. Each is built by a `parse` that rejects bad input with a message a receptionist
//! can act on, so an invalid name, phone or date cannot exist past the boundary.

pub mod charges;
mod contact;
mod money;
mod mrn;
mod person;
mod schedule;

pub use contact::{Email, Phone};
pub use charges::{tax_rate, totals, Discount, Line, LineAmounts, RateTotal, Totals, WHOLE_BP};
pub use money::{share, Currency, Money};
pub use mrn::Mrn;
pub use person::{BirthDate, BloodGroup, PersonName, Sex};
pub use schedule::{Colour, DayHours, Period, TimeOfDay, WeeklyHours};

use crate::error::{Error, Result};

/// Free text with a length limit: trimmed; `None` when empty.
pub fn optional_text(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > max {
        return Err(Error::invalid(field, format!("This is too long: at most {max} characters.")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid(field, "This contains characters that cannot be stored."));
    }
    Ok(Some(v.to_string()))
}

/// Required free text with a length limit.
pub fn required_text(field: &'static str, label: &str, value: &str, max: usize) -> Result<String> {
    optional_text(field, Some(value), max)?.ok_or_else(|| Error::invalid(field, format!("{label} is required.")))
}

/// Case- and accent-folded form used for comparing names ("José" and "jose" are the same).
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}
