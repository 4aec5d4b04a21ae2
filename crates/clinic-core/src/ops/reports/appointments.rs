//! Appointments per day (or month), practitioner and type: how many were booked, attended,
//! missed (no-show) or cancelled, and the rates. From the appointment tally.

use uuid::Uuid;

use super::{step, ChartKind, OverTime, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::error::Result;

/// A share in basis points (1234 = 12.34 %), none of nothing.
pub fn rate(part: i64, whole: i64) -> i64 {
    if whole == 0 { 0 } else { (part * 10_000 + whole / 2) / whole }
}

/// A row's counts, as the tally sums them.
#[derive(Default, Clone, Copy)]
struct Counts {
    all: i64,
    attended: i64,
    no_shows: i64,
    cancelled: i64,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.all += o.all;
        self.attended += o.attended;
        self.no_shows += o.no_shows;
        self.cancelled += o.cancelled;
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
    let (site, practitioner) = (scope.site_id, scope.practitioner_id);
    let days = sqlx::query!(
        r#"SELECT day AS "key!: String", sum(appointments) AS "all!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status IN ('arrived', 'in_consultation', 'completed')), 0) AS "attended!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status = 'no_show'), 0) AS "no_shows!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status = 'cancelled'), 0) AS "cancelled!: i64"
           FROM appointment_tally WHERE day >= ?1 AND day <= ?2 AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4)
           GROUP BY day"#,
        from, to, site, practitioner
    ).fetch_all(&mut *conn).await?;
    step(progress, 1, 3)?;
    let [m1, m2, h1, h2, t1, t2] = scope.period.keys();
    let practitioners = sqlx::query!(
        r#"SELECT practitioner_id AS "key!: Uuid", sum(appointments) AS "all!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status IN ('arrived', 'in_consultation', 'completed')), 0) AS "attended!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status = 'no_show'), 0) AS "no_shows!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status = 'cancelled'), 0) AS "cancelled!: i64"
           FROM appointment_tally WHERE ((day >= ?1 AND day <= ?2) OR (day >= ?3 AND day <= ?4) OR (day >= ?5 AND day <= ?6))
               AND (?7 IS NULL OR site_id = ?7) AND (?8 IS NULL OR practitioner_id = ?8)
           GROUP BY practitioner_id HAVING sum(appointments) != 0"#,
        m1, m2, h1, h2, t1, t2, site, practitioner
    ).fetch_all(&mut *conn).await?;
    step(progress, 2, 3)?;
    let types = sqlx::query!(
        r#"SELECT type_id AS "key!: Uuid", sum(appointments) AS "all!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status IN ('arrived', 'in_consultation', 'completed')), 0) AS "attended!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status = 'no_show'), 0) AS "no_shows!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status = 'cancelled'), 0) AS "cancelled!: i64"
           FROM appointment_tally WHERE ((day >= ?1 AND day <= ?2) OR (day >= ?3 AND day <= ?4) OR (day >= ?5 AND day <= ?6))
               AND (?7 IS NULL OR site_id = ?7) AND (?8 IS NULL OR practitioner_id = ?8)
           GROUP BY type_id HAVING sum(appointments) != 0"#,
        m1, m2, h1, h2, t1, t2, site, practitioner
    ).fetch_all(&mut *conn).await?;
    let names = super::names(&mut conn).await?;
    let mut by_when: OverTime<Counts> = OverTime::new(scope);
    let mut total = Counts::default();
    for d in &days {
        let counts = Counts { all: d.all, attended: d.attended, no_shows: d.no_shows, cancelled: d.cancelled };
        if let Some(row) = by_when.at(&d.key) {
            row.add(counts);
        }
        total.add(counts);
    }
    let mut when = table(super::when_title(scope.grain), "When");
    when.rows = by_when.rows().map(|(b, c)| c.cells(b)).collect();
    when.total = Some(total.cells("Total".into()));
    let when = when.chart(ChartKind::Stacked, &["Attended", "No-shows", "Cancelled"], currency);
    let named = |title: &str, first: &str, mut rows: Vec<(String, Counts)>| {
        let mut t = table(title, first);
        rows.sort_by(|a, b| b.1.all.cmp(&a.1.all).then_with(|| a.0.cmp(&b.0)));
        t.rows = rows.into_iter().map(|(n, c)| c.cells(n)).collect();
        t.total = Some(total.cells("Total".into()));
        t.chart(ChartKind::Bars, &["Appointments", "Attended"], currency)
    };
    let practitioners = practitioners.iter().map(|r| (names.of(r.key), Counts { all: r.all, attended: r.attended, no_shows: r.no_shows, cancelled: r.cancelled })).collect();
    let types = types.iter().map(|r| (names.of(r.key), Counts { all: r.all, attended: r.attended, no_shows: r.no_shows, cancelled: r.cancelled })).collect();
    let tables = vec![when, named("By practitioner", "Practitioner", practitioners), named("By type", "Type", types)];
    step(progress, 3, 3)?;
    Ok(Report { title: "Appointments".into(), subtitle: scope.subtitle.clone(), currency, tables })
}
