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
    /// An amount as a person typed it: `12.5`, `12,50`, `1 234.50`, `1,234.50` (the last
    /// separator followed by at most the currency's digits is the decimal one). Refused when it
    /// has more decimals than the currency has (`12.345` euros), is negative, or is not a number.
    pub fn parse(field: &'static str, typed: &str, currency: Currency) -> Result<Self> {
        let digits = currency.minor_digits as usize;
        let cleaned: String = typed.trim().chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}').collect();
        let unreadable = || Error::invalid(field, format!("“{}” is not an amount: type it as, e.g., {}.", typed.trim(), example(currency)));
        if cleaned.is_empty() {
            return Err(Error::invalid(field, "An amount is required."));
        }
        if cleaned.starts_with('-') {
            return Err(Error::invalid(field, "An amount cannot be negative."));
        }
        if !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
            return Err(unreadable());
        }
        // The last separator is the decimal one, unless it occurs more than once (then every
        // separator groups thousands: `1.234.567`). Predictable beats clever: `1.234` is one
        // euro and 234 thousandths, refused, never silently 1,234 euros.
        let (whole, fraction) = match cleaned.rfind(['.', ',']) {
            Some(at) if cleaned.matches(cleaned.as_bytes()[at] as char).count() == 1 => (&cleaned[..at], &cleaned[at + 1..]),
            _ => (cleaned.as_str(), ""),
        };
        if fraction.len() > digits {
            return Err(Error::invalid(field, match digits {
                0 => format!("{} has no smaller unit: type a whole amount.", currency.code()),
                d => format!("{} has {d} decimal places: “{}” has {}.", currency.code(), typed.trim(), fraction.len()),
            }));
        }
        // Thousands are grouped by three: every group after the first has three digits.
        let mut groups = whole.split(['.', ',']);
        groups.next();
        if groups.any(|group| group.len() != 3) {
            return Err(unreadable());
        }
        let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
        if whole.is_empty() && fraction.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()) || whole.len() > 12 {
            return Err(unreadable());
        }
        let scale = 10i64.pow(digits as u32);
        let major: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| unreadable())? };
        let minor: i64 = format!("{fraction:0<digits$}").parse().unwrap_or(0);
        Ok(Money { minor: major * scale + minor, currency })
    }

    /// As the clinic reads it: `1,234.50 EUR`.
    pub fn display(&self) -> String {
        format!("{} {}", self.amount(), self.currency.code())
    }

    /// The figure alone, `1,234.50`: for a column of amounts whose currency is said once above it.
    pub fn amount(&self) -> String {
        let digits = self.currency.minor_digits as u32;
        let scale = 10u64.pow(digits);
        let (sign, abs) = (if self.minor < 0 { "-" } else { "" }, self.minor.unsigned_abs());
        let major = (abs / scale).to_string();
        let grouped: Vec<String> = major.as_bytes().rchunks(3).rev().map(|g| String::from_utf8_lossy(g).into_owned()).collect();
        let fraction = if digits == 0 { String::new() } else { format!(".{:0width$}", abs % scale, width = digits as usize) };
        format!("{sign}{}{fraction}", grouped.join(","))
    }

    /// A price: not negative, at most 10 million major units.
    pub fn price(field: &'static str, minor: i64, currency: Currency) -> Result<Self> {
        let cap = 10_000_000 * 10i64.pow(currency.minor_digits as u32);
        if !(0..=cap).contains(&minor) {
            return Err(Error::invalid(field, "A price cannot be negative or absurdly large."));
        }
        Ok(Money { minor, currency })
    }
}

fn example(currency: Currency) -> String {
    match currency.minor_digits {
        0 => "1500".into(),
        d => format!("12.{}", "5".repeat(d as usize)),
    }
}

/// `amount × numerator / denominator`, rounded half away from zero (DESIGN.md §7b): a tax or a
/// percentage of an amount in minor units. Exact: worked in 128 bits.
pub fn share(amount: i64, numerator: i64, denominator: i64) -> i64 {
    assert!(denominator > 0, "a share of a positive whole");
    let product = amount as i128 * numerator as i128;
    let (quotient, remainder) = (product / denominator as i128, product % denominator as i128);
    let rounded = if 2 * remainder.abs() >= denominator as i128 { quotient + product.signum() } else { quotient };
    rounded as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        for (typed, minor) in [("12", 1200), ("12.5", 1250), ("12,50", 1250), ("0.05", 5), (".5", 50), ("1 234.50", 123450), ("1,234.50", 123450),
            ("1.234,50", 123450), ("1.234.567", 123456700), ("1234", 123400)] {
            assert_eq!(Money::parse("amount", typed, eur()).unwrap().minor, minor, "{typed}");
        }
        assert_eq!(Money::parse("amount", "1500", Currency::parse("JPY").unwrap()).unwrap().minor, 1500);
        assert_eq!(Money::parse("amount", "1.250", Currency::parse("BHD").unwrap()).unwrap().minor, 1250);
    }

    #[test]
    fn an_amount_with_more_decimals_than_its_currency_is_refused() {
        let e = Money::parse("amount", "12.345", eur()).unwrap_err();
        assert_eq!(e.field, Some("amount"));
        assert!(e.message.contains("EUR has 2 decimal places"), "{}", e.message);
        assert!(Money::parse("amount", "1500.5", Currency::parse("JPY").unwrap()).unwrap_err().message.contains("whole amount"));
        for bad in ["", "-5", "12a", "1.234", "1,2.3", "€12", "."] {
            assert!(Money::parse("amount", bad, eur()).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_are_shown_with_their_currency() {
        assert_eq!(Money { minor: 123450, currency: eur() }.display(), "1,234.50 EUR");
        assert_eq!(Money { minor: -5, currency: eur() }.display(), "-0.05 EUR");
        assert_eq!(Money { minor: 1500, currency: Currency::parse("JPY").unwrap() }.display(), "1,500 JPY");
        assert_eq!(Money { minor: -123456789, currency: Currency::parse("BHD").unwrap() }.amount(), "-123,456.789");
        assert_eq!(Money { minor: i64::MIN, currency: eur() }.amount(), "-92,233,720,368,547,758.08");
    }

    #[test]
    fn shares_round_half_away_from_zero() {
        // 23% of 0.50: 11.5 cents, up; of -0.50 (a credit): down.
        assert_eq!(share(50, 2300, 10_000), 12);
        assert_eq!(share(-50, 2300, 10_000), -12);
        assert_eq!(share(49, 2300, 10_000), 11);
        assert_eq!(share(1, 5000, 10_000), 1);
        assert_eq!(share(i64::MAX / 2, 10_000, 10_000), i64::MAX / 2);
    }
}
