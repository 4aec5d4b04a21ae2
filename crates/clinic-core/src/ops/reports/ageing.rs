//! Outstanding invoices and their ageing, as they stood at the end of the period's last day: each
//! invoice still owing then (its total less what was credited, paid and refunded by then), its
//! days since issue, and the totals per band (0–30, 31–60, 61–90, over 90 days). Only invoices
//! the balance tally says could have been owing then are looked at (those settled since).

use uuid::Uuid;

use super::{step, Cell, ChartKind, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::Result;

/// The bands' upper ends in days; past the last, "over 90 days".
pub const BANDS: [i64; 3] = [30, 60, 90];
const BAND_NAMES: [&str; 4] = ["0–30 days", "31–60 days", "61–90 days", "Over 90 days"];

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let site = crate::ops::setup::site_settings(clinic, &mut conn).await?;
    let as_of = scope.period.to;
    let (_, end) = crate::ops::calendar::day_bounds(site.time_zone, as_of, 1);
    let rows = sqlx::query!(
        r#"SELECT i.id AS "id!: Uuid", i.number, i.issued_at, (SELECT time_zone FROM site WHERE id = i.site_id) AS "zone?: String",
                  COALESCE(p.given_name || ' ' || p.family_name, i.customer_name, 'Counter sale') AS "billed_to!: String",
                  i.total_minor - COALESCE((SELECT SUM(total_minor) FROM credit_note WHERE invoice_id = i.id AND issued_at < ?1), 0)
                      - COALESCE((SELECT SUM(amount_minor) FROM payment WHERE invoice_id = i.id AND received_at < ?1), 0)
                      + COALESCE((SELECT SUM(amount_minor) FROM refund WHERE invoice_id = i.id AND refunded_at < ?1), 0) AS "owed!: i64"
           FROM invoice_balance b JOIN invoice i ON i.id = b.invoice_id LEFT JOIN patient p ON p.id = i.patient_id
           WHERE b.settled_at >= ?1 AND i.issued_at < ?1 AND i.deleted_at IS NULL AND (?2 IS NULL OR i.site_id = ?2)
             AND (?3 IS NULL OR (SELECT practitioner_id FROM invoice_practitioner WHERE invoice_id = i.id) = ?3)
           ORDER BY i.issued_at, i.id"#, end, scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    step(progress, 1, 2)?;
    let mut invoices = Table::new("Outstanding invoices", &[("Invoice", Kind::Text), ("Billed to", Kind::Text), ("Issued", Kind::Text),
        ("Days", Kind::Count), ("Owed", Kind::Money)]);
    let (mut bands, mut counts) = ([0i64; 4], [0i64; 4]);
    for r in rows.into_iter().filter(|r| r.owed > 0) {
        let zone = r.zone.as_deref().and_then(|z| z.parse::<chrono_tz::Tz>().ok()).unwrap_or(site.time_zone);
        let issued_on = from_millis(r.issued_at).with_timezone(&zone).date_naive();
        let days = (as_of - issued_on).num_days();
        let band = BANDS.iter().position(|upto| days <= *upto).unwrap_or(BANDS.len());
        bands[band] += r.owed;
        counts[band] += 1;
        invoices.rows.push(vec![r.number.into(), r.billed_to.into(), issued_on.to_string().into(), days.into(), r.owed.into()]);
    }
    let total: i64 = bands.iter().sum();
    invoices.total = Some(vec!["Total".into(), Cell::Text(String::new()), Cell::Text(String::new()), Cell::Text(String::new()), total.into()]);
    invoices.note = Some(format!("As they stood at the end of {as_of}; oldest first."));
    let mut ageing = Table::new("Ageing", &[("Age", Kind::Text), ("Invoices", Kind::Count), ("Owed", Kind::Money)]);
    ageing.rows = (0..4).map(|b| vec![BAND_NAMES[b].into(), counts[b].into(), bands[b].into()]).collect();
    ageing.total = Some(vec!["Total".into(), counts.iter().sum::<i64>().into(), total.into()]);
    let ageing = ageing.chart(ChartKind::Bars, &["Owed"], site.currency);
    step(progress, 2, 2)?;
    Ok(Report { title: "Outstanding invoices".into(), subtitle: format!("As on {}{}", as_of.format("%-d %B %Y"), scope.filters),
        currency: site.currency, tables: vec![ageing, invoices] })
}
