//! Sync: enrolling this workstation, its status, and what needs a person's attention.

use clinic_core::sync::{self, Attention, EnrolInput, Resolution, SyncStatus};
use clinic_core::Result;
use tauri::State;
use uuid::Uuid;

use crate::desk::{keychain, Desk};

#[tauri::command]
#[specta::specta]
pub async fn sync_status(desk: State<'_, Desk>) -> Result<SyncStatus> {
    let session = desk.current_session();
    desk.run(move |c| async move { sync::status(&c, session.as_ref()).await }).await
}

/// Enrols this workstation: from Settings by an admin (it brings its clinic), or at first run on an
/// empty workstation (it receives the organisation's clinic and joins it).
#[tauri::command]
#[specta::specta]
pub async fn enrol_workstation(desk: State<'_, Desk>, input: EnrolInput) -> Result<SyncStatus> {
    let session = desk.current_session();
    desk.run(move |c| async move { sync::enrol(&c, session.as_ref(), &keychain(), input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn needs_attention(desk: State<'_, Desk>) -> Result<Attention> {
    desk.run_as(|c, s| async move { sync::needs_attention(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(desk: State<'_, Desk>, id: Uuid, resolution: Resolution) -> Result<()> {
    desk.run_as(move |c, s| async move { sync::resolve(&c, &s, id, resolution).await }).await
}

/// Makes a change the server refused again, as a new change (checked again).
#[tauri::command]
#[specta::specta]
pub async fn apply_refused_again(desk: State<'_, Desk>, mutation_id: Uuid) -> Result<()> {
    desk.run_as(move |c, s| async move { sync::apply_again(&c, &s, mutation_id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn dismiss_refused(desk: State<'_, Desk>, mutation_id: Uuid) -> Result<()> {
    desk.run_as(move |c, s| async move { sync::dismiss(&c, &s, mutation_id).await }).await
}
