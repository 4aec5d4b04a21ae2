//! The manager's dashboard and reports (`clinic_core::ops::reports`). A report streams its
//! progress to the window through a channel, and stops at its next step when the window cancels
//! it or starts another; its tables are saved as CSV in the workstation's documents folder.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use clinic_core::ops::clinical::PrintedDocument;
use clinic_core::ops::reports::choices::{self, ReportChoices};
use clinic_core::ops::reports::dashboard::{self, Dashboard};
use clinic_core::ops::reports::{self, Progress, Report, ReportRequest};
use clinic_core::{Error, Result};
use tauri::ipc::Channel;
use tauri::State;

use super::printing::{deliver, PrintOutcome};
use crate::desk::Desk;

/// The report the window waits for: each run takes the next number, and Cancel moves it on. A run
/// whose number is no longer the latest stops at its next step, so a manager who changes the
/// period half-way is not kept waiting for the old answer.
#[derive(Default)]
pub struct Running(Arc<AtomicU64>);

/// One run of a report, which knows whether it is still the one waited for.
struct Run {
    latest: Arc<AtomicU64>,
    number: u64,
}

impl Running {
    fn start(&self) -> Run {
        Run { latest: self.0.clone(), number: self.0.fetch_add(1, Ordering::SeqCst) + 1 }
    }

    fn cancel(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Run {
    fn wanted(&self) -> bool {
        self.latest.load(Ordering::SeqCst) == self.number
    }
}

#[tauri::command]
#[specta::specta]
pub async fn dashboard(desk: State<'_, Desk>) -> Result<Dashboard> {
    desk.run_as(|c, s| async move { dashboard::dashboard(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn report_choices(desk: State<'_, Desk>) -> Result<ReportChoices> {
    desk.run_as(|c, s| async move { choices::report_choices(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn run_report(desk: State<'_, Desk>, running: State<'_, Running>, request: ReportRequest, on_progress: Channel<Progress>) -> Result<Report> {
    let run = running.start();
    desk.run_as(move |c, s| async move {
        // A window that is gone (the send fails) wants no answer either.
        let progress = move |p: Progress| {
            if run.wanted() && on_progress.send(p).is_ok() { ControlFlow::Continue(()) } else { ControlFlow::Break(()) }
        };
        reports::run(&c, &s, request, &progress).await
    }).await
}

/// Stops the report running now; it answers `cancelled`.
#[tauri::command]
#[specta::specta]
pub async fn cancel_report(running: State<'_, Running>) -> Result<()> {
    running.cancel();
    Ok(())
}

/// Saves one table of the report as CSV (for a spreadsheet) in the documents folder; answers where.
#[tauri::command]
#[specta::specta]
pub async fn save_report_csv(desk: State<'_, Desk>, request: ReportRequest, table: u32) -> Result<PrintOutcome> {
    let report = desk.run_as(move |c, s| async move { reports::run(&c, &s, request, &reports::no_progress).await }).await?;
    let title = &report.tables.get(table as usize).ok_or_else(|| Error::invalid("table", "This report has no such table."))?.title;
    let file_name = csv_name(&report, title);
    deliver(&desk, PrintedDocument { file_name, bytes: report.csv(table as usize).into_bytes(), copy: false }, None).await
}

/// "Revenue 1–30 November 2026 · Lisbon, By day.csv": named as the report's PDF is, with its table;
/// nothing in it a file system would refuse.
fn csv_name(report: &Report, table: &str) -> String {
    let name: String = format!("{} {}, {table}", report.title, report.subtitle).chars().map(|c| if "/\\:*?\"<>|".contains(c) { '-' } else { c }).collect();
    format!("{name}.csv")
}

#[cfg(test)]
mod tests {
    use super::Running;

    #[test]
    fn a_run_stops_when_cancelled_or_when_another_starts() {
        let running = Running::default();
        let first = running.start();
        assert!(first.wanted());
        let second = running.start();
        assert!(!first.wanted(), "a newer run supersedes the first");
        assert!(second.wanted());
        running.cancel();
        assert!(!second.wanted(), "Cancel stops the one running");
        assert!(running.start().wanted(), "and the next runs");
    }
}
