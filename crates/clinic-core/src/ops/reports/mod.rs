//! Reports: over a period of the sites' days, from the whole organisation's synced data, worked
//! out when asked. Every report has one shape, [`Report`]: tables of typed columns, each with the
//! chart drawn from it. The window shows them, and CSV and PDF are made from them, one way for all.
//!
//! A year of a large clinic is read from daily tallies (`tally.rs`, kept by the store's triggers
//! as rows are written, here or by sync), not from the rows themselves: docs/reports.md says why.

pub mod ageing;
pub mod appointments;
pub mod audit;
pub mod choices;
pub mod csv;
pub mod dashboard;
pub mod diagnoses;
pub mod patients;
pub mod pdf;
pub mod revenue;
mod shape;
pub mod utilisation;
pub mod waiting;

use std::ops::ControlFlow;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};

pub use shape::{Cell, Chart, ChartKind, Column, Kind, Report, Table};

/// The longest period a report covers: ten years of a clinic's days.
pub const MOST_DAYS: i64 = 3_660;

/// From the first day to the last, both included, at each site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
// The window's name for it: `Period` there is already the schedule's (a span of a day's hours).
#[serde(rename = "ReportPeriod")]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Refused when it ends before it starts, or is longer than ten years.
    pub fn checked(self) -> Result<Period> {
        let days = (self.to - self.from).num_days() + 1;
        if days < 1 {
            return Err(Error::invalid("to", "The period ends before it starts."));
        }
        if days > MOST_DAYS {
            return Err(Error::invalid("from", "A report covers at most ten years: choose a shorter period."));
        }
        Ok(self)
    }

    pub fn days(self) -> u32 {
        ((self.to - self.from).num_days() + 1) as u32
    }

    /// Its days as the site's calendar names them ("2026-11-23"), for tallies kept by day.
    pub fn bounds(self) -> (String, String) {
        (self.from.to_string(), self.to.to_string())
    }

    /// The tally keys that add up to the period: its whole months ("M2026-01" to "M2026-11"),
    /// and the days before and after them. Each pair is a range; an empty one runs backwards.
    pub fn keys(self) -> [String; 6] {
        let first_of = |d: NaiveDate| d.with_day(1).expect("the first");
        let whole_from = if self.from.day() == 1 { self.from } else { first_of(self.from) + chrono::Months::new(1) };
        let after = self.to + chrono::Duration::days(1);
        let whole_to = first_of(after); // the day after the last whole month
        if whole_from >= whole_to {
            return [String::from("M9"), String::from("M0"), self.from.to_string(), self.to.to_string(), "9".into(), "0".into()];
        }
        let month = |d: NaiveDate| format!("M{:04}-{:02}", d.year(), d.month());
        let day_before = |d: NaiveDate| (d - chrono::Duration::days(1)).to_string();
        [month(whole_from), month(whole_to - chrono::Duration::days(1)), self.from.to_string(), day_before(whole_from),
         whole_to.to_string(), self.to.to_string()]
    }
}

/// Rows by day, or by month (a long period reads better by month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    Day,
    Month,
}

impl Grain {
    /// The row a day falls in: "2026-11-23", or "2026-11".
    pub fn bucket(self, day: &str) -> String {
        match self {
            Grain::Day => day.to_string(),
            Grain::Month => day[..7].to_string(),
        }
    }

    /// Every row of the period in order, those without anything in them too.
    pub fn buckets(self, period: Period) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for day in period.from.iter_days().take(period.days() as usize) {
            let b = self.bucket(&day.to_string());
            if out.last() != Some(&b) {
                out.push(b);
            }
        }
        out
    }
}

/// A table's rows over time: every day (or month) of the period in order, those without anything
/// in them too, each adding up what falls in it.
pub(crate) struct OverTime<T> {
    grain: Grain,
    buckets: Vec<String>,
    index: std::collections::HashMap<String, usize>,
    sums: Vec<T>,
}

impl<T: Default + Clone> OverTime<T> {
    pub fn new(scope: &Scope) -> OverTime<T> {
        let buckets = scope.grain.buckets(scope.period);
        let index = buckets.iter().enumerate().map(|(i, b)| (b.clone(), i)).collect();
        OverTime { grain: scope.grain, sums: vec![T::default(); buckets.len()], buckets, index }
    }

    /// The row a day ("2026-11-23") falls in, if the period holds it.
    pub fn at(&mut self, day: &str) -> Option<&mut T> {
        let i = *self.index.get(&self.grain.bucket(day))?;
        Some(&mut self.sums[i])
    }

    /// Each row's name ("2026-11-23", or "2026-11") and its sums, in order.
    pub fn rows(self) -> impl Iterator<Item = (String, T)> {
        self.buckets.into_iter().zip(self.sums)
    }
}

/// The reports there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ReportName {
    Appointments,
    Utilisation,
    Revenue,
    Outstanding,
    Patients,
    Waiting,
    Diagnoses,
    ChartAccess,
}

impl ReportName {
    pub const ALL: [ReportName; 8] = [
        ReportName::Appointments, ReportName::Utilisation, ReportName::Revenue, ReportName::Outstanding,
        ReportName::Patients, ReportName::Waiting, ReportName::Diagnoses, ReportName::ChartAccess,
    ];

    /// Who may run it: who opened which chart is the audit trail's, an admin's; the rest a manager's.
    pub fn permission(self) -> Permission {
        match self {
            ReportName::ChartAccess => Permission::ViewAudit,
            _ => Permission::ViewReports,
        }
    }
}

/// What the manager chose: a report, its period, and whom it is about.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ReportRequest {
    pub report: ReportName,
    /// For outstanding invoices, as they stood at the end of `period.to`.
    pub period: Period,
    pub grain: Grain,
    /// None: every site of the organisation.
    pub site_id: Option<Uuid>,
    /// None: every practitioner.
    pub practitioner_id: Option<Uuid>,
}

/// How far a long report has got: `done` of `total` steps (a step is a table, or a month of a
/// long list).
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

/// Called between steps; `Break` stops the report (the window's Cancel).
pub type OnProgress<'a> = &'a (dyn Fn(Progress) -> ControlFlow<()> + Send + Sync);

/// The filters checked and named, as every report needs them.
pub(crate) struct Scope {
    pub period: Period,
    pub grain: Grain,
    pub site_id: Option<Uuid>,
    pub practitioner_id: Option<Uuid>,
    /// "1–30 November 2026 · Lisbon · Dr Ana Sousa": said under the report's title.
    pub subtitle: String,
    /// The filters alone: " · Lisbon · Dr Ana Sousa", or nothing.
    pub filters: String,
}

/// Runs a report: the role checked, the filters checked (each refusal at its field), then the
/// report, reporting progress between its steps.
pub async fn run(clinic: &Clinic, session: &Session, request: ReportRequest, progress: OnProgress<'_>) -> Result<Report> {
    crate::auth::authorize(clinic, session, request.report.permission()).await?;
    let scope = scope(clinic, &request).await?;
    let report = match request.report {
        ReportName::Appointments => appointments::report(clinic, &scope, progress).await,
        ReportName::Utilisation => utilisation::report(clinic, &scope, progress).await,
        ReportName::Revenue => revenue::report(clinic, &scope, progress).await,
        ReportName::Outstanding => ageing::report(clinic, &scope, progress).await,
        ReportName::Patients => patients::report(clinic, &scope, progress).await,
        ReportName::Waiting => waiting::report(clinic, &scope, progress).await,
        ReportName::Diagnoses => diagnoses::report(clinic, &scope, progress).await,
        ReportName::ChartAccess => audit::report(clinic, &scope, progress).await,
    }?;
    // Only this one names patients: reading it is itself on the trail (written after the read, so
    // a long report never holds the store's write lock).
    if request.report == ReportName::ChartAccess {
        let mut w = crate::write::Write::reading(clinic, session, request.report.permission()).await?;
        let facts = serde_json::json!({"report": "chart_access", "from": scope.period.from, "to": scope.period.to});
        w.audit("view_report", "audit_event", None, crate::audit::Details::facts(facts));
        w.commit().await?;
    }
    Ok(report)
}

async fn scope(clinic: &Clinic, request: &ReportRequest) -> Result<Scope> {
    let period = request.period.checked()?;
    let pool = clinic.store().pool();
    let mut said = Vec::new();
    if let Some(site) = request.site_id {
        let name = sqlx::query_scalar!("SELECT name FROM site WHERE id = ? AND deleted_at IS NULL", site).fetch_optional(pool).await?
            .ok_or_else(|| Error::invalid("site_id", "That site does not exist (any more). Choose another."))?;
        said.push(name);
    }
    if let Some(p) = request.practitioner_id {
        let name = sqlx::query_scalar!("SELECT display_name FROM practitioner WHERE id = ? AND deleted_at IS NULL", p).fetch_optional(pool).await?
            .ok_or_else(|| Error::invalid("practitioner_id", "That practitioner does not exist (any more). Choose another."))?;
        said.push(name);
    }
    let filters: String = said.iter().map(|s| format!(" · {s}")).collect();
    Ok(Scope { period, grain: request.grain, site_id: request.site_id, practitioner_id: request.practitioner_id,
        subtitle: format!("{}{filters}", period_words(period)), filters })
}

/// "23–29 November 2026", "1 November 2026 – 31 January 2027", "23 November 2026".
pub fn period_words(p: Period) -> String {
    let day = |d: NaiveDate| d.format("%-d %B %Y").to_string();
    if p.from == p.to {
        day(p.from)
    } else if (p.from.year(), p.from.month()) == (p.to.year(), p.to.month()) {
        format!("{}–{}", p.from.day(), day(p.to))
    } else {
        format!("{} – {}", day(p.from), day(p.to))
    }
}

/// "By day" or "By month": the title of a report's table over time.
pub(crate) fn when_title(grain: Grain) -> &'static str {
    match grain {
        Grain::Day => "By day",
        Grain::Month => "By month",
    }
}

/// The names reports show for ids: practitioners, appointment types, staff, sites, patients are not
/// here (a report names no patient but the chart-access one, which reads them itself).
pub(crate) struct Names(std::collections::HashMap<Uuid, String>);

impl Names {
    /// Its name, "None" for the empty id of "no practitioner", "Unknown" for one not synced yet.
    pub fn of(&self, id: Uuid) -> String {
        if id.is_nil() {
            return "None".into();
        }
        self.0.get(&id).cloned().unwrap_or_else(|| "Unknown".into())
    }
}

pub(crate) async fn names(conn: &mut sqlx::SqliteConnection) -> Result<Names> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!: Uuid", display_name AS "name!: String" FROM practitioner
           UNION ALL SELECT id, name FROM appointment_type
           UNION ALL SELECT id, full_name FROM staff
           UNION ALL SELECT id, name FROM site"#
    ).fetch_all(conn).await?;
    Ok(Names(rows.into_iter().map(|r| (r.id, r.name)).collect()))
}

/// Between steps: stops when asked.
pub(crate) fn step(progress: OnProgress<'_>, done: u32, total: u32) -> Result<()> {
    match progress(Progress { done, total }) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(Error::new(Code::Cancelled, "The report was stopped.")),
    }
}

/// A progress that never stops: for tests and callers without a window.
pub fn no_progress(_: Progress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_period_ends_after_it_starts_and_within_ten_years() {
        assert_eq!(Period { from: d("2026-11-01"), to: d("2026-11-30") }.checked().unwrap().days(), 30);
        assert_eq!(Period { from: d("2026-11-23"), to: d("2026-11-23") }.checked().unwrap().days(), 1);
        assert_eq!(Period { from: d("2026-11-30"), to: d("2026-11-01") }.checked().unwrap_err().field, Some("to"));
        assert_eq!(Period { from: d("2000-01-01"), to: d("2026-11-01") }.checked().unwrap_err().field, Some("from"));
    }

    #[test]
    fn months_and_days_are_every_one_of_the_period() {
        let p = Period { from: d("2026-11-29"), to: d("2027-01-02") };
        assert_eq!(Grain::Month.buckets(p), ["2026-11", "2026-12", "2027-01"]);
        assert_eq!(Grain::Day.buckets(p).len(), 35);
        assert_eq!(period_words(p), "29 November 2026 – 2 January 2027");
        assert_eq!(period_words(Period { from: d("2026-11-23"), to: d("2026-11-29") }), "23–29 November 2026");
    }

    #[test]
    fn a_period_is_its_whole_months_and_the_days_around_them() {
        let keys = |from: &str, to: &str| Period { from: d(from), to: d(to) }.keys();
        assert_eq!(keys("2025-12-06", "2026-12-05"), ["M2026-01", "M2026-11", "2025-12-06", "2025-12-31", "2026-12-01", "2026-12-05"]);
        assert_eq!(keys("2026-11-01", "2026-11-30"), ["M2026-11", "M2026-11", "2026-11-01", "2026-10-31", "2026-12-01", "2026-11-30"]);
        assert_eq!(keys("2026-11-23", "2026-11-29"), ["M9", "M0", "2026-11-23", "2026-11-29", "9", "0"]);
        assert_eq!(keys("2026-11-15", "2026-12-31"), ["M2026-12", "M2026-12", "2026-11-15", "2026-11-30", "2027-01-01", "2026-12-31"]);
    }
}
