//! Appointments per day (or month), practitioner and type: how many were booked, attended,
//! missed (no-show) or cancelled, and the rates. From the appointment tally.

use std::collections::HashMap;

use uuid::Uuid;

use super::{step, ChartKind, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::error::Result;

/// A share in basis points (1234 = 12.34 %), none of nothing.
pub fn rate(part: i64, whole: i64) -> i64 {
    if whole == 0 { 0 } else { (part * 10_000 + whole / 2) / whole }
}

#[derive(Default, Clone, Copy)]
struct Counts {
    all: i64,
    attended: i64,
    no_shows: i64,
    cancelled: i64,
}

impl Counts {
    fn add(&mut self, status: &str, n: i64) {
        self.all += n;
        match status {
            "arrived" | "in_consultation" | "completed" => self.attended += n,
            "no_show" => self.no_shows += n,
            "cancelled" => self.cancelled += n,
            _ => {}
        }
    }

    /// The row's figures: no-shows are counted against what was not cancelled.
    fn cells(self, first: String) -> Vec<super::Cell> {
        vec![first.into(), self.all.into(), self.attended.into(), self.no_shows.into(), self.cancelled.into(),
             rate(self.no_shows, self.all - self.cancelled).into(), rate(self.cancelled, self.all).into()]
    }
}

fn table(title: &str, first: &str) -> Table {
    Table::new(title, &[(first, Kind::Text), ("Appointments", Kind::Count), ("Attended", Kind::Count), ("No-shows", Kind::Count),
        ("Cancelled", Kind::Count), ("No-show rate", Kind::Percent), ("Cancellation rate", Kind::Percent)])
}

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let currency = crate::ops::setup::site_settings(clinic, &mut conn).await?.currency;
    let (from, to) = scope.period.bounds();
    // Summed in SQL per day, practitioner, type and status: the few rows left are folded here.
    let rows = sqlx::query!(
        r#"SELECT day AS "day!: String", practitioner_id AS "practitioner_id!: Uuid", type_id AS "type_id!: Uuid", status AS "status!: String",
                  sum(appointments) AS "n!: i64"
           FROM appointment_tally WHERE day >= ?1 AND day <= ?2 AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4)
           GROUP BY day, practitioner_id, type_id, status HAVING sum(appointments) != 0"#,
        from, to, scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    step(progress, 1, 2)?;
    let names = super::names(&mut conn).await?;
    let buckets = scope.grain.buckets(scope.period);
    let mut by_when: Vec<Counts> = vec![Counts::default(); buckets.len()];
    let index: HashMap<&str, usize> = buckets.iter().enumerate().map(|(i, b)| (b.as_str(), i)).collect();
    let (mut by_practitioner, mut by_type): (HashMap<Uuid, Counts>, HashMap<Uuid, Counts>) = Default::default();
    let mut total = Counts::default();
    for r in &rows {
        let bucket = scope.grain.bucket(&r.day);
        if let Some(i) = index.get(bucket.as_str()) {
            by_when[*i].add(&r.status, r.n);
        }
        by_practitioner.entry(r.practitioner_id).or_default().add(&r.status, r.n);
        by_type.entry(r.type_id).or_default().add(&r.status, r.n);
        total.add(&r.status, r.n);
    }
    let mut when = table(super::when_title(scope.grain), "When");
    when.rows = buckets.into_iter().zip(by_when).map(|(b, c)| c.cells(b)).collect();
    when.total = Some(total.cells("Total".into()));
    let when = when.chart(ChartKind::Stacked, &["Attended", "No-shows", "Cancelled"], currency);
    let named = |title: &str, first: &str, counts: HashMap<Uuid, Counts>| {
        let mut t = table(title, first);
        let mut rows: Vec<(String, Counts)> = counts.into_iter().map(|(id, c)| (names.of(id), c)).collect();
        rows.sort_by(|a, b| b.1.all.cmp(&a.1.all).then_with(|| a.0.cmp(&b.0)));
        t.rows = rows.into_iter().map(|(n, c)| c.cells(n)).collect();
        t.total = Some(total.cells("Total".into()));
        t.chart(ChartKind::Bars, &["Appointments", "Attended"], currency)
    };
    let tables = vec![when, named("By practitioner", "Practitioner", by_practitioner), named("By type", "Type", by_type)];
    step(progress, 2, 2)?;
    Ok(Report { title: "Appointments".into(), subtitle: scope.subtitle.clone(), currency, tables })
}
