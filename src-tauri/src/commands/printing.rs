//! Printed documents: each is saved as a PDF in the workstation's documents folder, and, when a
//! printer is chosen, sent to it through CUPS. The documents themselves are the core's.

use clinic_core::ops::billing::documents;
use clinic_core::ops::clinical::{self, PrintedDocument};
use clinic_core::ops::reports::{self, ReportRequest};
use clinic_core::print;
use clinic_core::{Code, Error, Result};
use serde::Serialize;
use tauri::State;
use uuid::Uuid;

use crate::desk::Desk;

#[derive(Serialize, specta::Type)]
pub struct Printer {
    pub name: String,
    pub description: String,
    pub default: bool,
}

#[derive(Serialize, specta::Type)]
pub struct PrintOutcome {
    /// Where the PDF was saved, to open.
    pub path: String,
    /// A reprint, marked as a copy.
    pub copy: bool,
    /// The printer it was sent to, and the CUPS job.
    pub printer: Option<String>,
    pub job: Option<String>,
}

/// The printers this computer knows (none without CUPS: then only saving as PDF is offered).
#[tauri::command]
#[specta::specta]
pub async fn printers() -> Result<Vec<Printer>> {
    let found = tauri::async_runtime::spawn_blocking(print::printers).await.map_err(|e| Error::new(Code::Internal, e.to_string()))??;
    Ok(found.into_iter().map(|p| Printer { name: p.name, description: p.description, default: p.default }).collect())
}

/// Saves `printed` in the documents folder, then sends it to `printer` when one is chosen (a
/// report's CSV is saved so too, never printed).
pub(crate) async fn deliver(desk: &Desk, printed: PrintedDocument, printer: Option<String>) -> Result<PrintOutcome> {
    let unsaved = |e: std::io::Error| Error::new(Code::StoreUnavailable, format!("{} could not be saved in {}: {e}", printed.file_name, desk.documents.display()));
    std::fs::create_dir_all(&desk.documents).map_err(unsaved)?;
    let path = desk.documents.join(&printed.file_name);
    std::fs::write(&path, &printed.bytes).map_err(unsaved)?;
    let job = match &printer {
        Some(name) => {
            let (name, title, bytes) = (name.clone(), printed.file_name.trim_end_matches(".pdf").to_string(), printed.bytes);
            let sent = tauri::async_runtime::spawn_blocking(move || print::send(&name, &title, &bytes, 1)).await;
            Some(sent.map_err(|e| Error::new(Code::Internal, e.to_string()))??)
        }
        None => None,
    };
    Ok(PrintOutcome { path: path.display().to_string(), copy: printed.copy, printer, job })
}

#[tauri::command]
#[specta::specta]
pub async fn print_prescriptions(desk: State<'_, Desk>, ids: Vec<Uuid>, printer: Option<String>) -> Result<PrintOutcome> {
    let printed = desk.run_as(move |c, s| async move { clinical::print_prescriptions(&c, &s, ids).await }).await?;
    deliver(&desk, printed, printer).await
}

#[tauri::command]
#[specta::specta]
pub async fn print_invoice(desk: State<'_, Desk>, id: Uuid, printer: Option<String>) -> Result<PrintOutcome> {
    let printed = desk.run_as(move |c, s| async move { documents::invoice_pdf(&c, &s, id).await }).await?;
    deliver(&desk, printed, printer).await
}

#[tauri::command]
#[specta::specta]
pub async fn print_receipt(desk: State<'_, Desk>, invoice_id: Uuid, printer: Option<String>) -> Result<PrintOutcome> {
    let printed = desk.run_as(move |c, s| async move { documents::receipt_pdf(&c, &s, invoice_id).await }).await?;
    deliver(&desk, printed, printer).await
}

#[tauri::command]
#[specta::specta]
pub async fn print_credit_note(desk: State<'_, Desk>, id: Uuid, printer: Option<String>) -> Result<PrintOutcome> {
    let printed = desk.run_as(move |c, s| async move { documents::credit_note_pdf(&c, &s, id).await }).await?;
    deliver(&desk, printed, printer).await
}

#[tauri::command]
#[specta::specta]
pub async fn print_invoices(desk: State<'_, Desk>, ids: Vec<Uuid>, printer: Option<String>) -> Result<PrintOutcome> {
    let printed = desk.run_as(move |c, s| async move { documents::invoices_pdf(&c, &s, ids).await }).await?;
    deliver(&desk, printed, printer).await
}

#[tauri::command]
#[specta::specta]
pub async fn print_cash_up(desk: State<'_, Desk>, session_id: Uuid, printer: Option<String>) -> Result<PrintOutcome> {
    let printed = desk.run_as(move |c, s| async move { documents::cash_up_pdf(&c, &s, session_id).await }).await?;
    deliver(&desk, printed, printer).await
}

#[tauri::command]
#[specta::specta]
pub async fn print_report(desk: State<'_, Desk>, request: ReportRequest, printer: Option<String>) -> Result<PrintOutcome> {
    let printed = desk.run_as(move |c, s| async move { reports::pdf::report_pdf(&c, &s, request, &reports::no_progress).await }).await?;
    deliver(&desk, printed, printer).await
}
