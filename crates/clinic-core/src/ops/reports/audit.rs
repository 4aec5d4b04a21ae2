//! Who opened which patient's chart, from the audit trail (every workstation's, as synced): per
//! staff member, how many charts they opened, how many patients, and how many in an emergency
//! ("break the glass"); then the log itself, newest first. An admin's report. The trail is read a
//! month at a time, so a long period shows its progress and can be stopped.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Months, NaiveDate};
use uuid::Uuid;

use super::{step, ChartKind, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::Result;

/// How many lines of the log the report lists (the counts above it cover them all).
pub const MOST_LINES: usize = 2_000;

#[derive(Default)]
struct Reader {
    opened: i64,
    emergencies: i64,
    patients: HashSet<Uuid>,
}

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let site = crate::ops::setup::site_settings(clinic, &mut conn).await?;
    let staff = match scope.practitioner_id {
        Some(p) => sqlx::query_scalar!(r#"SELECT staff_id AS "id!: Uuid" FROM practitioner WHERE id = ?"#, p).fetch_optional(&mut *conn).await?,
        None => None,
    };
    let months = months(scope.period.from, scope.period.to);
    let mut readers: HashMap<Uuid, Reader> = HashMap::new();
    let mut log = Vec::new();
    // Newest month first, so the log's first lines are the newest.
    for (done, (first, last)) in months.iter().rev().enumerate() {
        let (from, _) = crate::ops::calendar::day_bounds(site.time_zone, *first, 1);
        let (_, to) = crate::ops::calendar::day_bounds(site.time_zone, *last, 1);
        let rows = sqlx::query!(
            r#"SELECT a.at, a.staff_id AS "staff_id: Uuid", a.entity_id AS "patient_id: Uuid", a.action,
                      p.given_name || ' ' || p.family_name AS "patient: String", p.mrn AS "mrn: String"
               FROM audit_event a LEFT JOIN patient p ON p.id = a.entity_id
               WHERE a.at >= ?1 AND a.at < ?2 AND a.entity = 'patient' AND a.action IN ('view_chart', 'view_chart_history', 'break_the_glass')
                 AND (?3 IS NULL OR a.staff_id = ?3)
               ORDER BY a.at DESC"#,
            from, to, staff
        ).fetch_all(&mut *conn).await?;
        for r in rows {
            let reader = readers.entry(r.staff_id.unwrap_or_default()).or_default();
            reader.opened += 1;
            reader.emergencies += i64::from(r.action == "break_the_glass");
            if let Some(p) = r.patient_id {
                reader.patients.insert(p);
            }
            if log.len() < MOST_LINES {
                log.push((r.at, r.staff_id.unwrap_or_default(), r.patient.unwrap_or_else(|| "Unknown".into()), r.mrn.unwrap_or_default(), r.action));
            }
        }
        step(progress, done as u32 + 1, months.len() as u32)?;
    }
    let names = super::names(&mut conn).await?;
    let mut by_staff = Table::new("By staff member", &[("Staff member", Kind::Text), ("Charts opened", Kind::Count), ("Patients", Kind::Count),
        ("Emergency reads", Kind::Count)]);
    let mut listed: Vec<(String, Reader)> = readers.into_iter().map(|(id, r)| (names.of(id), r)).collect();
    listed.sort_by(|a, b| b.1.opened.cmp(&a.1.opened).then_with(|| a.0.cmp(&b.0)));
    let opened: i64 = listed.iter().map(|(_, r)| r.opened).sum();
    by_staff.rows = listed.into_iter().map(|(n, r)| vec![n.into(), r.opened.into(), (r.patients.len() as i64).into(), r.emergencies.into()]).collect();
    let by_staff = by_staff.chart(ChartKind::Bars, &["Charts opened"], site.currency);
    let mut lines = Table::new("Charts opened", &[("When", Kind::Text), ("Staff member", Kind::Text), ("Patient", Kind::Text), ("Record number", Kind::Text),
        ("How", Kind::Text)]);
    lines.rows = log.into_iter().map(|(at, who, patient, mrn, action)| {
        let when = from_millis(at).with_timezone(&site.time_zone).format("%Y-%m-%d %H:%M").to_string();
        let how = match action.as_str() { "break_the_glass" => "Emergency read", "view_chart_history" => "History", _ => "Chart" };
        vec![when.into(), names.of(who).into(), patient.into(), mrn.into(), how.into()]
    }).collect();
    if opened as usize > MOST_LINES {
        lines.note = Some(format!("The newest {MOST_LINES} of {opened} chart openings; choose a shorter period or one staff member to see the others."));
    }
    Ok(Report { title: "Who opened which chart".into(), subtitle: scope.subtitle.clone(), currency: site.currency, tables: vec![by_staff, lines] })
}

/// The period cut into calendar months: (first day, last day) of each part.
fn months(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let next = (start.with_day(1).expect("the first") + Months::new(1)).min(to + chrono::Duration::days(1));
        out.push((start, next - chrono::Duration::days(1)));
        start = next;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_period_is_cut_into_its_months() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(super::months(d("2026-11-20"), d("2027-01-05")),
            [(d("2026-11-20"), d("2026-11-30")), (d("2026-12-01"), d("2026-12-31")), (d("2027-01-01"), d("2027-01-05"))]);
        assert_eq!(super::months(d("2026-11-23"), d("2026-11-23")), [(d("2026-11-23"), d("2026-11-23"))]);
    }
}
