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

/// Currencies a clinic may price in: code and minor-unit digits (ISO 4217).
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2), ("ARS", 2), ("AUD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3), ("BRL", 2), ("CAD", 2), ("CHF", 2),
    ("CLP", 0), ("CNY", 2), ("COP", 2), ("CZK", 2), ("DKK", 2), ("DZD", 2), ("EGP", 2), ("ETB", 2), ("EUR", 2),
    ("GBP", 2), ("GHS", 2), ("HKD", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("ISK", 0),
    ("JOD", 3), ("JPY", 0), ("KES", 2), ("KRW", 0), ("KWD", 3), ("LKR", 2), ("MAD", 2), ("MXN", 2), ("MYR", 2),
    ("NGN", 2), ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PEN", 2), ("PHP", 2), ("PKR", 2), ("PLN", 2),
    ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2), ("SAR", 2), ("SEK", 2), ("SGD", 2), ("THB", 2), ("TND", 3),
    ("TRY", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0), ("USD", 2), ("UYU", 2), ("VND", 0), ("XAF", 0),
    ("XOF", 0), ("ZAR", 2),
];

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
