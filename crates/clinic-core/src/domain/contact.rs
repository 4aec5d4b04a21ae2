use serde::Serialize;

use crate::error::{Error, Result};

/// A phone number, stored as an optional leading `+` and 7 to 15 digits (E.164's limit).
/// Spaces, dots, dashes and brackets are accepted on input and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let raw = raw.trim();
        let (plus, rest) = match raw.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", raw),
        };
        if let Some(bad) = rest.chars().find(|c| !(c.is_ascii_digit() || " .-()/".contains(*c))) {
            return Err(Error::invalid(field, format!("A phone number cannot contain “{bad}”.")));
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if !(7..=15).contains(&digits.len()) {
            return Err(Error::invalid(field, "A phone number has 7 to 15 digits."));
        }
        Ok(Phone(format!("{plus}{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn digits(&self) -> &str {
        self.0.trim_start_matches('+')
    }
}

/// An e-mail address: one `@`, a local part, a domain with a dot, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self> {
        let email = raw.trim();
        let bad = || Error::invalid("email", "Enter an e-mail address like name@example.com.");
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = email.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain.split('.').all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
