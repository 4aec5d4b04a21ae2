//! Revenue over a period, by day or by month: what was invoiced (and its tax), credited, received
//! and refunded, and what each payment method brought in. Money is counted on the site's day it
//! happened; with a practitioner chosen, only what their appointments and consultations charged.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Period;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::{Currency, Money};
use crate::error::Result;
use crate::ops::billing::Method;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    Day,
    Month,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct RevenueInput {
    pub period: Period,
    pub grain: Grain,
    pub practitioner_id: Option<Uuid>,
}

/// One day's or month's money, in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct RevenueRow {
    /// "2026-11-23", or "2026-11" by month; "Total" for the period.
    pub when: String,
    /// Invoices issued, tax included.
    pub invoiced: i64,
    pub tax: i64,
    pub credited: i64,
    pub received: i64,
    pub refunded: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MethodRow {
    pub method: Method,
    pub received: i64,
    pub refunded: i64,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RevenueReport {
    pub currency: Currency,
    /// Every day (or month) of the period, those without money too.
    pub rows: Vec<RevenueRow>,
    pub by_method: Vec<MethodRow>,
    pub total: RevenueRow,
}

pub async fn revenue(clinic: &Clinic, session: &Session, input: RevenueInput) -> Result<RevenueReport> {
    crate::auth::authorize(clinic, session, Permission::ViewReports).await?;
    let period = input.period.checked()?;
    let mut conn = clinic.store().pool().acquire().await?;
    let site = crate::ops::setup::site_settings(clinic, &mut conn).await?;
    if let Some(p) = input.practitioner_id {
        sqlx::query_scalar!("SELECT 1 AS one FROM practitioner WHERE id = ?", p).fetch_optional(&mut *conn).await?
            .ok_or_else(|| crate::error::Error::not_found("The practitioner"))?;
    }
    let (from, to) = crate::ops::calendar::day_bounds(site.time_zone, period.from, period.days());
    let entries = sqlx::query!(
        r#"WITH mine AS (
               SELECT id FROM invoice i WHERE ?3 IS NULL
                   OR (SELECT practitioner_id FROM appointment WHERE id = i.appointment_id) = ?3
                   OR (SELECT practitioner_id FROM encounter WHERE id = i.encounter_id) = ?3)
           SELECT at AS "at!: i64", kind AS "kind!: String", method, amount AS "amount!: i64", tax AS "tax!: i64" FROM (
               SELECT issued_at AS at, 'invoiced' AS kind, NULL AS method, total_minor AS amount, tax_minor AS tax FROM invoice
                   WHERE issued_at >= ?1 AND issued_at < ?2 AND id IN mine
               UNION ALL SELECT issued_at, 'credited', NULL, total_minor, tax_minor FROM credit_note WHERE issued_at >= ?1 AND issued_at < ?2 AND invoice_id IN mine
               UNION ALL SELECT received_at, 'received', method, amount_minor, 0 FROM payment WHERE received_at >= ?1 AND received_at < ?2 AND invoice_id IN mine
               UNION ALL SELECT refunded_at, 'refunded', method, amount_minor, 0 FROM refund WHERE refunded_at >= ?1 AND refunded_at < ?2 AND invoice_id IN mine)"#,
        from, to, input.practitioner_id
    ).fetch_all(&mut *conn).await?;
    let bucket = |day: NaiveDate| match input.grain {
        Grain::Day => day.to_string(),
        Grain::Month => format!("{:04}-{:02}", day.year(), day.month()),
    };
    let mut rows: Vec<RevenueRow> = Vec::new();
    for day in period.from.iter_days().take(period.days() as usize) {
        let when = bucket(day);
        if rows.last().is_none_or(|r| r.when != when) {
            rows.push(RevenueRow { when, ..RevenueRow::default() });
        }
    }
    let mut by_method: Vec<MethodRow> = Vec::new();
    let mut total = RevenueRow { when: "Total".into(), ..RevenueRow::default() };
    for e in entries {
        let when = bucket(from_millis(e.at).with_timezone(&site.time_zone).date_naive());
        let Some(row) = rows.iter_mut().find(|r| r.when == when) else { continue };
        for r in [row, &mut total] {
            match e.kind.as_str() {
                "invoiced" => (r.invoiced, r.tax) = (r.invoiced + e.amount, r.tax + e.tax),
                "credited" => (r.credited, r.tax) = (r.credited + e.amount, r.tax - e.tax),
                "received" => r.received += e.amount,
                _ => r.refunded += e.amount,
            }
        }
        if let Some(method) = e.method.as_deref() {
            let method = Method::named(method)?;
            let m = match by_method.iter_mut().find(|m| m.method == method) {
                Some(m) => m,
                None => {
                    by_method.push(MethodRow { method, received: 0, refunded: 0 });
                    by_method.last_mut().expect("just pushed")
                }
            };
            if e.kind == "received" { m.received += e.amount } else { m.refunded += e.amount }
        }
    }
    by_method.sort_by_key(|m| m.method.as_str());
    Ok(RevenueReport { currency: site.currency, rows, by_method, total })
}

/// The report as CSV: one line per day (or month), then the total; amounts as plain numbers
/// (`1234.50`: no grouping a spreadsheet could misread).
pub fn revenue_csv(report: &RevenueReport) -> String {
    let amount = |minor: i64| Money { minor, currency: report.currency }.amount().replace(',', "");
    let rows: Vec<Vec<String>> = report.rows.iter().chain([&report.total]).map(|r| {
        vec![r.when.clone(), amount(r.invoiced), amount(r.tax), amount(r.credited), amount(r.received), amount(r.refunded)]
    }).collect();
    super::csv::csv(&["Date", "Invoiced", "Tax", "Credited", "Received", "Refunded"], &rows)
}
