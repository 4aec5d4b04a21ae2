//! Outstanding invoices and their ageing, as they stood at the end of a day: each invoice still
//! owing (its total less what was credited, paid and refunded by then), how many days since it
//! was issued, and the totals per band (0–30, 31–60, 61–90, over 90 days).

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::Currency;
use crate::error::Result;

/// The bands' upper ends in days; past the last, "over 90 days".
pub const BANDS: [i64; 3] = [30, 60, 90];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Outstanding {
    pub invoice_id: Uuid,
    pub number: String,
    pub billed_to: String,
    pub issued_on: NaiveDate,
    pub days: i64,
    /// Which band: 0 for 0–30 days, … 3 for over 90.
    pub band: usize,
    pub owed: i64,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AgeingReport {
    pub currency: Currency,
    pub as_of: NaiveDate,
    /// Oldest first.
    pub invoices: Vec<Outstanding>,
    /// Owed per band: 0–30, 31–60, 61–90, over 90 days.
    pub bands: [i64; 4],
    pub total: i64,
}

pub async fn outstanding(clinic: &Clinic, session: &Session, as_of: NaiveDate) -> Result<AgeingReport> {
    crate::auth::authorize(clinic, session, Permission::ViewReports).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let site = crate::ops::setup::site_settings(clinic, &mut conn).await?;
    let (_, end) = crate::ops::calendar::day_bounds(site.time_zone, as_of, 1);
    let rows = sqlx::query!(
        r#"SELECT i.id AS "id!: Uuid", i.number, i.issued_at,
                  COALESCE(p.given_name || ' ' || p.family_name, i.customer_name, 'Counter sale') AS "billed_to!: String",
                  i.total_minor - COALESCE((SELECT SUM(total_minor) FROM credit_note WHERE invoice_id = i.id AND issued_at < ?1), 0)
                      - COALESCE((SELECT SUM(amount_minor) FROM payment WHERE invoice_id = i.id AND received_at < ?1), 0)
                      + COALESCE((SELECT SUM(amount_minor) FROM refund WHERE invoice_id = i.id AND refunded_at < ?1), 0) AS "owed!: i64"
           FROM invoice i LEFT JOIN patient p ON p.id = i.patient_id
           WHERE i.issued_at < ?1 AND i.deleted_at IS NULL
           ORDER BY i.issued_at, i.id"#, end
    ).fetch_all(&mut *conn).await?;
    let mut report = AgeingReport { currency: site.currency, as_of, invoices: Vec::new(), bands: [0; 4], total: 0 };
    for r in rows.into_iter().filter(|r| r.owed > 0) {
        let issued_on = from_millis(r.issued_at).with_timezone(&site.time_zone).date_naive();
        let days = (as_of - issued_on).num_days();
        let band = BANDS.iter().position(|upto| days <= *upto).unwrap_or(BANDS.len());
        report.bands[band] += r.owed;
        report.total += r.owed;
        report.invoices.push(Outstanding { invoice_id: r.id, number: r.number, billed_to: r.billed_to, issued_on, days, band, owed: r.owed });
    }
    Ok(report)
}
