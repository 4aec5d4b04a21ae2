use clinic_sync::entities::CURRENCIES;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An ISO 4217 currency with its number of minor-unit digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(try_from = "String", into = "String")]
#[specta(type = String)]
pub struct Currency {
    code: [u8; 3],
    minor_digits: u8,
}

impl Currency {
    pub fn parse(raw: &str) -> Result<Self> {
        let code = raw.trim().to_ascii_uppercase();
        CURRENCIES.iter().find(|(c, _)| *c == code)
            .map(|(c, d)| Currency { code: c.as_bytes().try_into().expect("3 letters"), minor_digits: *d })
            .ok_or_else(|| Error::invalid("currency", format!("“{}” is not a currency code this app knows (e.g. EUR, USD, KES).", raw.trim())))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("ascii")
    }

    pub fn minor_digits(&self) -> u8 {
        self.minor_digits
    }
}

impl TryFrom<String> for Currency {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

/// An amount in integer minor units (cents) of a currency. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// A price: not negative, at most 10 million major units.
    pub fn price(field: &'static str, minor: i64, currency: Currency) -> Result<Self> {
        let cap = 10_000_000 * 10i64.pow(currency.minor_digits as u32);
        if !(0..=cap).contains(&minor) {
            return Err(Error::invalid(field, "A price cannot be negative or absurdly large."));
        }
        Ok(Money { minor, currency })
    }
}
