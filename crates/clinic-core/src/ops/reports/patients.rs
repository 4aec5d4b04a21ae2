//! New and returning patients: visits per day (or month) — completed appointments and walk-ins
//! seen — and how many of them were a patient's first visit ever. From the appointment and
//! walk-in tallies and each patient's first visit (kept by the store's triggers).

use super::{step, ChartKind, OverTime, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::error::Result;
use crate::ops::reports::appointments::rate;

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let currency = crate::ops::setup::site_settings(clinic, &mut conn).await?.currency;
    let (from, to) = scope.period.bounds();
    let visits = sqlx::query!(
        r#"SELECT day AS "day!: String", sum(n) AS "n!: i64" FROM (
               SELECT day, appointments AS n FROM appointment_tally WHERE status = 'completed' AND day >= ?1 AND day <= ?2
                   AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4)
               UNION ALL SELECT day, served FROM walk_in_tally WHERE day >= ?1 AND day <= ?2
                   AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4))
           GROUP BY day"#,
        from, to, scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    let first = sqlx::query!(
        r#"SELECT day AS "day!: String", count(*) AS "n!: i64" FROM first_visit WHERE day >= ?1 AND day <= ?2
               AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4) GROUP BY day"#,
        from, to, scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    step(progress, 1, 1)?;
    // (visits, new patients) per row.
    let mut counts: OverTime<(i64, i64)> = OverTime::new(scope);
    for v in &visits {
        if let Some(row) = counts.at(&v.day) {
            row.0 += v.n;
        }
    }
    for f in &first {
        if let Some(row) = counts.at(&f.day) {
            row.1 += f.n;
        }
    }
    let rows: Vec<(String, (i64, i64))> = counts.rows().collect();
    let mut t = Table::new(super::when_title(scope.grain), &[("When", Kind::Text), ("Visits", Kind::Count), ("New patients", Kind::Count),
        ("Returning visits", Kind::Count), ("New", Kind::Percent)]);
    let row = |first: String, (visits, new): (i64, i64)| vec![first.into(), visits.into(), new.into(), (visits - new).into(), rate(new, visits).into()];
    let total = rows.iter().fold((0, 0), |a, (_, c)| (a.0 + c.0, a.1 + c.1));
    t.rows = rows.into_iter().map(|(b, c)| row(b, c)).collect();
    t.total = Some(row("Total".into(), total));
    t.note = Some("A visit is a completed appointment or a walk-in seen. A new patient is one whose first visit ever fell on that day.".into());
    let t = t.chart(ChartKind::Stacked, &["New patients", "Returning visits"], currency);
    Ok(Report { title: "New and returning patients".into(), subtitle: scope.subtitle.clone(), currency, tables: vec![t] })
}
