//! The money at the front desk (DESIGN.md §7b, docs/money.md): the price list, invoices (a draft
//! edited freely, then finalised into a numbered invoice that never changes), payments, refunds,
//! credit notes, cash sessions and patients' accounts. Balances are always worked out from the
//! entries, never stored.

pub mod account;
pub mod cash;
pub mod credit_notes;
pub mod documents;
pub mod invoices;
pub mod payments;
pub mod prices;
pub mod settings;
pub mod view;

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::domain::{Currency, Discount, Money, WHOLE_BP};
use crate::error::{Code, Error, Result};
use crate::write::Write;

/// How money is paid (clinic-sync's `money::METHODS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Cash,
    Card,
    Transfer,
    Other,
    /// The patient's credit (an earlier overpayment) spent.
    Credit,
}

impl Method {
    pub const DRAWER: [Method; 4] = [Method::Cash, Method::Card, Method::Transfer, Method::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Cash => "cash",
            Method::Card => "card",
            Method::Transfer => "transfer",
            Method::Other => "other",
            Method::Credit => "credit",
        }
    }

    pub fn named(name: &str) -> Result<Method> {
        [Method::Cash, Method::Card, Method::Transfer, Method::Other, Method::Credit].into_iter().find(|m| m.as_str() == name)
            .ok_or_else(|| Error::new(Code::Internal, format!("internal: unknown payment method {name}")))
    }

    /// As a receipt says it.
    pub fn words(self) -> &'static str {
        match self {
            Method::Cash => "Cash",
            Method::Card => "Card",
            Method::Transfer => "Bank transfer",
            Method::Other => "Other",
            Method::Credit => "Patient credit",
        }
    }
}

/// A percentage as a person typed it ("23", "6 %", "12,5") in basis points: 0 % to 100 %, at
/// most two decimals.
pub fn parse_percent(field: &'static str, typed: &str) -> Result<i64> {
    let cleaned: String = typed.trim().trim_end_matches('%').trim().replace(',', ".");
    let bad = || Error::invalid(field, format!("“{}” is not a percentage: type it as, e.g., 23 or 6.5.", typed.trim()));
    if cleaned.is_empty() {
        return Err(Error::invalid(field, "A percentage is required (0 for none)."));
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() && fraction.is_empty() || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) || whole.len() > 3 {
        return Err(bad());
    }
    if fraction.len() > 2 {
        return Err(Error::invalid(field, "A percentage has at most two decimals."));
    }
    let bp = whole.parse::<i64>().unwrap_or(0) * 100 + format!("{fraction:0<2}").parse::<i64>().map_err(|_| bad())?;
    if bp > WHOLE_BP {
        return Err(Error::invalid(field, "A percentage is between 0 and 100."));
    }
    Ok(bp)
}

/// A discount as typed: empty for none, "10 %" for a percentage, "5.00" for an amount.
pub fn parse_discount(field: &'static str, typed: &str, currency: Currency) -> Result<Discount> {
    let typed = typed.trim();
    if typed.is_empty() {
        Ok(Discount::None)
    } else if typed.ends_with('%') {
        Ok(Discount::Percent(parse_percent(field, typed)?))
    } else {
        Ok(Discount::Amount(Money::parse(field, typed, currency)?.minor))
    }
}

/// A discount as a form shows it again: "10 %", "5.00", "".
pub fn discount_text(discount: Discount, currency: Currency) -> String {
    match discount {
        Discount::None => String::new(),
        Discount::Percent(bp) => format!("{} %", percent_text(bp)),
        Discount::Amount(minor) => Money { minor, currency }.display().trim_end_matches(currency.code()).trim().replace(',', ""),
    }
}

/// 2300 → "23", 650 → "6.5".
pub fn percent_text(bp: i64) -> String {
    let text = format!("{}.{:02}", bp / 100, bp % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What the site's money settings are.
pub(crate) struct MoneySettings {
    pub currency: Currency,
    pub time_zone: chrono_tz::Tz,
    /// The largest discount a receptionist may give, in basis points of what it is taken off.
    pub discount_limit_bp: i64,
    pub invoice_note: Option<String>,
}

/// The discount a receptionist may give when the site set none: 10 %.
pub const DEFAULT_DISCOUNT_LIMIT_BP: i64 = 1000;

pub(crate) async fn settings(w: &mut Write<'_>) -> Result<MoneySettings> {
    let site = w.site().await?;
    Ok(MoneySettings { currency: site.currency, time_zone: site.time_zone,
        discount_limit_bp: site.discount_limit_bp.unwrap_or(DEFAULT_DISCOUNT_LIMIT_BP), invoice_note: site.invoice_note })
}

/// The next number of one of this workstation's yearly series (`{prefix}{site}-{device}-{year}-{seq}`),
/// taken in the use case's transaction: a use case that fails gives its number back, so the
/// series has no gaps, and no other workstation uses this device's numbers.
pub(crate) async fn next_number(w: &mut Write<'_>, kind: &str, prefix: &str, year: i32) -> Result<(String, String, i64)> {
    let code = w.site().await?.code;
    let device = w.actor.device.number;
    let name = format!("{kind}:{year}");
    let seq = sqlx::query_scalar!(
        r#"INSERT INTO series (name, next) VALUES (?, 2) ON CONFLICT (name) DO UPDATE SET next = next + 1 RETURNING next - 1 AS "n!: i64""#, name
    ).fetch_one(w.conn()).await?;
    let series = format!("{prefix}{code}-{device:02}-{year}");
    Ok((format!("{series}-{seq:06}"), series, seq))
}

/// The open cash session of the person taking money at this workstation's drawer; refused when
/// they have none (one open at another desk is that desk's drawer).
pub(crate) async fn open_session_of(conn: &mut SqliteConnection, staff_id: Uuid, device_id: Uuid) -> Result<Uuid> {
    sqlx::query_scalar!(r#"SELECT id AS "id!: Uuid" FROM cash_session WHERE staff_id = ? AND device_id = ? AND closed_at IS NULL AND deleted_at IS NULL
                           ORDER BY opened_at DESC LIMIT 1"#, staff_id, device_id)
        .fetch_optional(conn).await?
        .ok_or_else(|| Error { field: Some("cash_session"), ..Error::wrong_state("Open your cash session first (Money → Cash session): every payment goes into a drawer.") })
}

pub(crate) use crate::record::{create, declared};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_discounts_read_as_typed() {
        assert_eq!(parse_percent("t", "23").unwrap(), 2300);
        assert_eq!(parse_percent("t", "6,5 %").unwrap(), 650);
        assert_eq!(parse_percent("t", "0").unwrap(), 0);
        for bad in ["", "101", "-5", "12.345", "ten"] {
            assert!(parse_percent("t", bad).is_err(), "{bad}");
        }
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(parse_discount("d", "10%", eur).unwrap(), Discount::Percent(1000));
        assert_eq!(parse_discount("d", "5,50", eur).unwrap(), Discount::Amount(550));
        assert_eq!(parse_discount("d", " ", eur).unwrap(), Discount::None);
        assert_eq!(discount_text(Discount::Amount(123_450), eur), "1234.50");
        assert_eq!(discount_text(Discount::Percent(1250), eur), "12.5 %");
        assert_eq!(percent_text(2300), "23");
    }
}
