//! Updates of the app (docs/updates.md): what the server offers, shown to everyone at the desk;
//! installing it, an admin's (the core checks).

use clinic_core::{Error, Result};
use tauri::{AppHandle, State};

use crate::desk::Desk;
use crate::updates::{self, UpdateStatus, Updates};

#[tauri::command]
#[specta::specta]
pub async fn update_status(app: AppHandle, desk: State<'_, Desk>, updates: State<'_, Updates>) -> Result<UpdateStatus> {
    desk.session()?;
    Ok(UpdateStatus { running: app.package_info().version.to_string(), ..updates.status() })
}

/// Asks the clinic's sync server now whether a newer version is published (Settings → This
/// workstation), rather than waiting for the daily check.
#[tauri::command]
#[specta::specta]
pub async fn check_for_updates(app: AppHandle, desk: State<'_, Desk>, updates: State<'_, Updates>) -> Result<UpdateStatus> {
    desk.session()?;
    if !updates::check(&app).await? {
        return Err(Error::wrong_state("This workstation is not connected to a sync server, and updates come from the clinic's server (Settings → Sync)."));
    }
    update_status(app, desk, updates).await
}

/// Installs the update the server offers, then starts the app again; refused unless the person
/// logged in may install updates.
#[tauri::command]
#[specta::specta]
pub async fn install_update(app: AppHandle) -> Result<()> {
    updates::install(&app).await
}
