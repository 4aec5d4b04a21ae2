//! The app's commands: each takes what the window sends, runs one use case, returns its answer.
//! Here: opening the workstation and who is at it; the front desk's and the settings' commands
//! are in their own files.

pub mod attachments;
pub mod backups;
pub mod doctor;
pub mod front_desk;
pub mod money;
pub mod printing;
pub mod reports;
pub mod settings;
pub mod sync;
pub mod updates;

use clinic_core::auth::{self, Session};
use clinic_core::demo::{self, DemoLogin, DemoSize};
use clinic_core::ops::setup::{set_up_clinic, ClinicSetup};
use clinic_core::{Error, Result};
use serde::Serialize;
use tauri::State;

use crate::desk::Desk;

#[derive(Serialize, specta::Type)]
pub struct Workstation {
    /// Why the clinic cannot be opened, if it cannot (no keychain, a damaged file).
    pub problem: Option<Error>,
    /// The start-up integrity check found the data damaged: stop and restore a backup.
    pub integrity_problem: Option<Error>,
    /// The latest backup made here, offered when the data is found damaged.
    pub last_backup: Option<String>,
    pub set_up: bool,
    pub session: Option<Session>,
}

#[tauri::command]
#[specta::specta]
pub async fn workstation(desk: State<'_, Desk>) -> Result<Workstation> {
    let set_up = match desk.run(|c| async move { Ok(c.is_set_up()) }).await {
        Ok(set_up) => set_up,
        Err(problem) => return Ok(Workstation { problem: Some(problem), integrity_problem: None, last_backup: None, set_up: false, session: None }),
    };
    let last_backup = desk.run(|c| async move { clinic_core::backup::latest(&c).await }).await.ok().flatten();
    Ok(Workstation { problem: None, integrity_problem: desk.integrity_problem(), last_backup, set_up, session: desk.current_session() })
}

/// Fills this (new) workstation with the demo clinic and says how to log in.
#[tauri::command]
#[specta::specta]
pub async fn open_demo(desk: State<'_, Desk>) -> Result<Vec<DemoLogin>> {
    desk.run(|c| async move { demo::create_demo_clinic(&c, DemoSize::CLINIC, |_| {}).await.map(drop) }).await?;
    Ok(demo::DEMO_LOGINS.to_vec())
}

#[tauri::command]
#[specta::specta]
pub async fn set_up(desk: State<'_, Desk>, input: ClinicSetup) -> Result<Session> {
    let session = desk.run(|c| async move { set_up_clinic(&c, input).await }).await?;
    desk.set_session(Some(session.clone()));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn log_in(desk: State<'_, Desk>, username: String, password: String) -> Result<Session> {
    let session = desk.run(move |c| async move { auth::login(&c, &username, &password).await }).await?;
    desk.set_session(Some(session.clone()));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn log_out(desk: State<'_, Desk>) -> Result<()> {
    // The session ends here whatever happens next; then the trail records it.
    let session = desk.current_session();
    desk.set_session(None);
    match session {
        Some(session) => desk.run(move |c| async move { auth::log_out(&c, &session).await }).await,
        None => Ok(()),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn lock(desk: State<'_, Desk>) -> Result<Session> {
    let session = desk.run_as(|c, mut s| async move { auth::lock(&c, &mut s).await.map(|_| s) }).await?;
    desk.set_session(Some(session.clone()));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn unlock(desk: State<'_, Desk>, password: String) -> Result<Session> {
    let session = desk.run_as(move |c, mut s| async move { auth::unlock(&c, &mut s, &password).await.map(|_| s) }).await?;
    desk.set_session(Some(session.clone()));
    Ok(session)
}

/// The logged-in staff member changes their own password.
#[tauri::command]
#[specta::specta]
pub async fn change_password(desk: State<'_, Desk>, current: String, replacement: String) -> Result<()> {
    desk.run_as(move |c, s| async move { auth::change_password(&c, &s, &current, &replacement).await }).await
}

/// The window shows its first usable screen (login, set-up, or the reason it cannot open).
/// Prints how long that took from process start, for the start-up figure.
#[tauri::command]
#[specta::specta]
pub async fn ready() -> Result<()> {
    if let Some(started) = crate::STARTED.get() {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(ms, "interactive");
        if std::env::var_os("CLINIC_DESK_REPORT_STARTUP").is_some() {
            eprintln!("clinic-desk interactive after {ms:.0} ms");
        }
    }
    Ok(())
}
