//! Practitioner utilisation: the time booked (every appointment not cancelled, no-shows too: their
//! time was held) against the working hours (the week's hours less breaks, time off and days the
//! site was closed), per practitioner and per day (or month). Booked minutes come from the
//! appointment tally; working hours are worked out from each practitioner's week.

use std::collections::HashMap;

use uuid::Uuid;

use super::{step, Cell, ChartKind, OverTime, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::domain::WeeklyHours;
use crate::error::Result;
use crate::ops::calendar::availability::{Schedule, TimeOffSpan};
use crate::ops::reports::appointments::rate;

#[derive(Default, Clone, Copy)]
struct Time {
    working: i64,
    booked: i64,
}

impl Time {
    fn cells(self, first: String) -> Vec<Cell> {
        vec![first.into(), self.working.into(), self.booked.into(), rate(self.booked, self.working).into()]
    }
}

fn table(title: &str, first: &str) -> Table {
    Table::new(title, &[(first, Kind::Text), ("Working hours", Kind::Minutes), ("Booked", Kind::Minutes), ("Utilisation", Kind::Percent)])
}

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let currency = crate::ops::setup::site_settings(clinic, &mut conn).await?.currency;
    let (from, to) = scope.period.bounds();
    let practitioners = sqlx::query!(
        r#"SELECT p.id AS "id!: Uuid", p.site_id AS "site_id!: Uuid", p.display_name, p.weekly_hours, s.time_zone
           FROM practitioner p JOIN site s ON s.id = p.site_id
           WHERE p.deleted_at IS NULL AND (?1 IS NULL OR p.site_id = ?1) AND (?2 IS NULL OR p.id = ?2) ORDER BY p.display_name"#,
        scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    let mut by_when: OverTime<Time> = OverTime::new(scope);
    let mut by_practitioner: HashMap<Uuid, Time> = HashMap::new();
    for p in &practitioners {
        let zone: chrono_tz::Tz = p.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let (start, end) = crate::ops::calendar::day_bounds(zone, scope.period.from, scope.period.days());
        let time_off = sqlx::query_as!(TimeOffSpan,
            r#"SELECT starts_at AS start, ends_at AS end, reason FROM time_off
               WHERE site_id = ? AND (practitioner_id = ? OR practitioner_id IS NULL) AND starts_at < ? AND ends_at > ? AND deleted_at IS NULL"#,
            p.site_id, p.id, end, start
        ).fetch_all(&mut *conn).await?;
        let hours: WeeklyHours = serde_json::from_str(&p.weekly_hours)?;
        let schedule = Schedule { zone, hours, time_off, busy: Vec::new() };
        let mine = by_practitioner.entry(p.id).or_default();
        for day in scope.period.from.iter_days().take(scope.period.days() as usize) {
            let working: i64 = schedule.working_spans(day).into_iter().map(|(a, b)| {
                let (a, b) = (a.timestamp_millis(), b.timestamp_millis());
                let off: i64 = schedule.time_off.iter().map(|t| (b.min(t.end) - a.max(t.start)).max(0)).sum();
                (b - a - off).max(0) / 60_000
            }).sum();
            mine.working += working;
            if let Some(row) = by_when.at(&day.to_string()) {
                row.working += working;
            }
        }
    }
    step(progress, 1, 2)?;
    let booked = sqlx::query!(
        r#"SELECT day AS "day!: String", practitioner_id AS "practitioner_id!: Uuid", sum(minutes) AS "minutes!: i64"
           FROM appointment_tally WHERE day >= ?1 AND day <= ?2 AND status != 'cancelled'
               AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4)
           GROUP BY day, practitioner_id"#,
        from, to, scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    for b in &booked {
        by_practitioner.entry(b.practitioner_id).or_default().booked += b.minutes;
        if let Some(row) = by_when.at(&b.day) {
            row.booked += b.minutes;
        }
    }
    let total = by_practitioner.values().fold(Time::default(), |a, t| Time { working: a.working + t.working, booked: a.booked + t.booked });
    let names = super::names(&mut conn).await?;
    let mut mine = table("By practitioner", "Practitioner");
    let mut listed: Vec<(String, Time)> = by_practitioner.into_iter().map(|(id, t)| (names.of(id), t)).collect();
    listed.sort_by(|a, b| rate(b.1.booked, b.1.working).cmp(&rate(a.1.booked, a.1.working)).then_with(|| a.0.cmp(&b.0)));
    mine.rows = listed.into_iter().map(|(n, t)| t.cells(n)).collect();
    mine.total = Some(total.cells("Total".into()));
    mine.note = Some("Booked: every appointment not cancelled (a no-show's time was held). Working hours: the week's hours less breaks, time off and days the site was closed.".into());
    let mine = mine.chart(ChartKind::Bars, &["Utilisation"], currency);
    let mut when = table(super::when_title(scope.grain), "When");
    when.rows = by_when.rows().map(|(b, t)| t.cells(b)).collect();
    when.total = Some(total.cells("Total".into()));
    let when = when.chart(ChartKind::Line, &["Utilisation"], currency);
    step(progress, 2, 2)?;
    Ok(Report { title: "Practitioner utilisation".into(), subtitle: scope.subtitle.clone(), currency, tables: vec![mine, when] })
}
