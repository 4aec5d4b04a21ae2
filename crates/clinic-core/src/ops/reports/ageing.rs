//! Outstanding invoices and their ageing, as they stood at the end of the period's last day: each
//! invoice still owing then (its total less what was credited, paid and refunded by then), its
//! days since issue, and the totals per band (0–30, 31–60, 61–90, over 90 days). Only invoices
//! the balance tally says could have been owing then are looked at (those not settled before).

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{step, Cell, ChartKind, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::error::Result;

/// The bands' upper ends in days; past the last, "over 90 days".
pub const BANDS: [i64; 3] = [30, 60, 90];
const BAND_NAMES: [&str; 4] = ["0–30 days", "31–60 days", "61–90 days", "Over 90 days"];

/// How many of the oldest invoices the list shows (the bands count them all).
pub const MOST_LISTED: usize = 1_000;

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let site = crate::ops::setup::site_settings(clinic, &mut conn).await?;
    let as_of = scope.period.to;
    let (_, end) = crate::ops::calendar::day_bounds(site.time_zone, as_of, 1);
    // What each was owed then: its balance now, unless something happened to it since (then
    // worked out from its entries up to then).
    let candidates = sqlx::query!(
        r#"SELECT b.invoice_id AS "id!: Uuid", b.issued_on AS "issued_on!: String",
                  CASE WHEN b.last_at < ?1 THEN b.owed ELSE
                      (SELECT total_minor FROM invoice WHERE id = b.invoice_id)
                      - COALESCE((SELECT SUM(total_minor) FROM credit_note WHERE invoice_id = b.invoice_id AND issued_at < ?1), 0)
                      - COALESCE((SELECT SUM(amount_minor) FROM payment WHERE invoice_id = b.invoice_id AND received_at < ?1), 0)
                      + COALESCE((SELECT SUM(amount_minor) FROM refund WHERE invoice_id = b.invoice_id AND refunded_at < ?1), 0) END AS "owed!: i64"
           FROM invoice_balance b
           WHERE b.settled_at >= ?1 AND b.issued_at < ?1 AND (?2 IS NULL OR b.site_id = ?2) AND (?3 IS NULL OR b.practitioner_id = ?3)
           ORDER BY b.issued_at, b.invoice_id"#, end, scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    step(progress, 1, 2)?;
    let (mut bands, mut counts) = ([0i64; 4], [0i64; 4]);
    let mut oldest = Vec::new();
    for c in candidates.into_iter().filter(|c| c.owed > 0) {
        let issued_on: NaiveDate = c.issued_on.parse().map_err(|_| crate::error::Error::new(crate::error::Code::Internal, "a tally's day is not a date"))?;
        let days = (as_of - issued_on).num_days();
        let band = BANDS.iter().position(|upto| days <= *upto).unwrap_or(BANDS.len());
        bands[band] += c.owed;
        counts[band] += 1;
        if oldest.len() < MOST_LISTED {
            oldest.push((c.id, issued_on, days, c.owed));
        }
    }
    let ids = serde_json::Value::Array(oldest.iter().map(|o| serde_json::json!(o.0.simple().to_string())).collect()).to_string();
    let details: HashMap<Uuid, (String, String)> = sqlx::query!(
        r#"SELECT i.id AS "id!: Uuid", i.number, COALESCE(p.given_name || ' ' || p.family_name, i.customer_name, 'Counter sale') AS "billed_to!: String"
           FROM invoice i LEFT JOIN patient p ON p.id = i.patient_id WHERE i.id IN (SELECT unhex(value) FROM json_each(?))"#, ids
    ).fetch_all(&mut *conn).await?.into_iter().map(|r| (r.id, (r.number, r.billed_to))).collect();
    let total: i64 = bands.iter().sum();
    let owing: i64 = counts.iter().sum();
    let mut invoices = Table::new("Outstanding invoices", &[("Invoice", Kind::Text), ("Billed to", Kind::Text), ("Issued", Kind::Text),
        ("Days", Kind::Count), ("Owed", Kind::Money)]);
    invoices.rows = oldest.into_iter().map(|(id, issued_on, days, owed)| {
        let (number, billed_to) = details.get(&id).cloned().unwrap_or_default();
        vec![number.into(), billed_to.into(), issued_on.to_string().into(), days.into(), owed.into()]
    }).collect();
    invoices.total = Some(vec!["Total".into(), Cell::Text(String::new()), Cell::Text(String::new()), Cell::Text(String::new()), total.into()]);
    invoices.note = Some(if owing as usize > MOST_LISTED {
        format!("As they stood at the end of {as_of}: the {MOST_LISTED} oldest of {owing} invoices owing; the total and the ageing count them all.")
    } else {
        format!("As they stood at the end of {as_of}; oldest first.")
    });
    let mut ageing = Table::new("Ageing", &[("Age", Kind::Text), ("Invoices", Kind::Count), ("Owed", Kind::Money)]);
    ageing.rows = (0..4).map(|b| vec![BAND_NAMES[b].into(), counts[b].into(), bands[b].into()]).collect();
    ageing.total = Some(vec!["Total".into(), owing.into(), total.into()]);
    let ageing = ageing.chart(ChartKind::Bars, &["Owed"], site.currency);
    step(progress, 2, 2)?;
    Ok(Report { title: "Outstanding invoices".into(), subtitle: format!("As on {}{}", as_of.format("%-d %B %Y"), scope.filters),
        currency: site.currency, tables: vec![ageing, invoices] })
}
