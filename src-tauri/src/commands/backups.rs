//! This workstation's backups (`clinic_core::backup`): the folder, the recovery code and its
//! printed sheet, backing up now with progress, and restoring.

use std::ops::ControlFlow;
use std::path::PathBuf;

use clinic_core::backup::{self, BackupFile, BackupInfo, BackupStatus, Restored};
use clinic_core::ops::reports::Progress;
use clinic_core::{print, Code, Error, Result};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use super::printing::{deliver, PrintOutcome};
use crate::desk::{keychain, Desk};

#[tauri::command]
#[specta::specta]
pub async fn backup_status(desk: State<'_, Desk>) -> Result<BackupStatus> {
    desk.run_as(|c, s| async move { backup::status(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn choose_backup_folder(desk: State<'_, Desk>, folder: String) -> Result<BackupStatus> {
    desk.run_as(move |c, s| async move { backup::choose_folder(&c, &s, &folder).await }).await
}

/// A new recovery code, shown once.
#[derive(Serialize, specta::Type)]
pub struct NewRecoveryCode {
    pub code: String,
    /// The sheet's name, in the file names of the backups it opens.
    pub key_label: String,
}

#[tauri::command]
#[specta::specta]
pub async fn new_recovery_code(desk: State<'_, Desk>) -> Result<NewRecoveryCode> {
    let made = desk.run_as(|c, s| async move { backup::new_recovery_code(&c, &s).await }).await?;
    Ok(NewRecoveryCode { code: made.code.grouped(), key_label: made.key_label })
}

/// The recovery sheet: sent to `printer` only (the code is not left in a file on this computer),
/// or, with no printer, saved as a PDF to print elsewhere.
#[tauri::command]
#[specta::specta]
pub async fn print_recovery_sheet(desk: State<'_, Desk>, code: String, printer: Option<String>) -> Result<PrintOutcome> {
    let sheet = desk.run_as(move |c, s| async move { backup::recovery_sheet(&c, &s, &code).await }).await?;
    match printer {
        None => deliver(&desk, sheet, None).await,
        Some(name) => {
            let (title, bytes, to) = (sheet.file_name.trim_end_matches(".pdf").to_string(), sheet.bytes, name.clone());
            let job = tauri::async_runtime::spawn_blocking(move || print::send(&to, &title, &bytes, 1)).await
                .map_err(|e| Error::new(Code::Internal, e.to_string()))??;
            Ok(PrintOutcome { path: String::new(), copy: false, printer: Some(name), job: Some(job) })
        }
    }
}

#[tauri::command]
#[specta::specta]
pub async fn back_up_now(desk: State<'_, Desk>, on_progress: Channel<Progress>) -> Result<BackupFile> {
    desk.run_as(move |c, s| async move {
        let progress = move |p: Progress| {
            let _ = on_progress.send(p);
            ControlFlow::Continue(())
        };
        backup::back_up_now(&c, &s, &keychain(), &progress).await
    }).await
}

/// Opens a backup with its code and says what it holds, changing nothing.
#[tauri::command]
#[specta::specta]
pub async fn inspect_backup(desk: State<'_, Desk>, file: String, code: String) -> Result<BackupInfo> {
    may_restore(&desk).await?;
    let path = desk.store_path().to_path_buf();
    backup::inspect(&path, &keychain(), &PathBuf::from(file), &code).await
}

/// Restores a backup over this workstation's data; everyone is logged out, and the window starts
/// again from the workstation's first screen.
#[tauri::command]
#[specta::specta]
pub async fn restore_backup(desk: State<'_, Desk>, file: String, code: String) -> Result<Restored> {
    may_restore(&desk).await?;
    desk.restore(PathBuf::from(file), code).await
}

/// A workstation whose data cannot be opened at all (the key lost) may be restored by whoever has
/// the backup and its code; otherwise the core decides.
async fn may_restore(desk: &Desk) -> Result<()> {
    if desk.clinic().is_err() {
        return Ok(());
    }
    let session = desk.current_session();
    desk.run(move |c| async move { backup::may_restore(&c, session.as_ref()).await }).await
}
