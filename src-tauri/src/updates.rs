//! Signed updates from the clinic's own sync server (docs/updates.md). The workstation asks at
//! start and then daily, through tauri-plugin-updater, over the connection its sync rounds use
//! (the core's `UpdateSource`: the pinned certificate, the device token). What it finds is shown to
//! everyone; only an admin installs it (the core checks `InstallUpdates`). The updater checks the
//! package's signature against the key built into the app (tauri.conf.json) and the version it was
//! signed for (`requireSignedVersion`) before anything is installed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clinic_core::sync::{self, UpdateSource};
use clinic_core::{Code, Error, Result};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Update, Updater, UpdaterExt};

use crate::desk::{keychain, Desk};

/// How often a workstation asks, once it has asked successfully.
const DAILY: Duration = Duration::from_secs(24 * 60 * 60);
/// How soon it asks again when it could not (no server yet, the network).
const SOON: Duration = Duration::from_secs(15 * 60);
/// The public half of the TEST-ONLY key (tests/updates/): whoever has the repository can sign with it.
const TEST_ONLY_KEY: &str = include_str!("../../tests/updates/TEST-ONLY-update-signing.key.pub");
/// The updater's own placeholders: it names the running app's platform (`linux-x86_64-deb`) itself.
pub const THIS_PLATFORM: &str = "{{target}}-{{arch}}-{{bundle_type}}";

/// What the window shows about updates.
#[derive(Debug, Clone, Default, Serialize, specta::Type)]
pub struct UpdateStatus {
    /// The version running.
    pub running: String,
    /// A newer release the server offers, checked to be newer than the one running.
    pub available: Option<AvailableUpdate>,
    /// When the server was last asked successfully (milliseconds since 1970, UTC).
    pub checked_at: Option<i64>,
    /// Why the last check or install did not work, in words for the admin.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AvailableUpdate {
    pub version: String,
    pub notes: String,
}

/// What the last check found, kept for the window and for Install.
#[derive(Default)]
pub struct Updates {
    status: Mutex<UpdateStatus>,
    found: Mutex<Option<Update>>,
}

impl Updates {
    pub fn status(&self) -> UpdateStatus {
        self.status.lock().expect("updates").clone()
    }

    fn set(&self, change: impl FnOnce(&mut UpdateStatus)) {
        change(&mut self.status.lock().expect("updates"));
    }
}

/// The updater for this workstation's server: the manifest for `platform`, asked with the device
/// token over the pinned connection. A release older than the one running is never offered as an
/// update; the server offering one is said so (`offered_older`).
pub fn updater<R: Runtime>(app: &AppHandle<R>, source: &UpdateSource, platform: &str, offered_older: Arc<Mutex<Option<String>>>) -> Result<Updater> {
    let refused = |e: tauri_plugin_updater::Error| Error::new(Code::Internal, format!("The updater cannot be set up: {e}"));
    let endpoint = source.manifest_url(platform).parse::<tauri::Url>().map_err(|_| Error::new(Code::Internal, "The sync server's address is not a URL."))?;
    app.updater_builder()
        .endpoints(vec![endpoint]).map_err(refused)?
        .header("Authorization", source.authorization()).map_err(refused)?
        .configure_client(source.pinned())
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .version_comparator(move |running, release| {
            if release.version < running {
                *offered_older.lock().expect("offered older") = Some(format!(
                    "The sync server offers version {}, older than the {running} running here: it was not installed. Tell the server's admin.",
                    release.version));
            }
            release.version > running
        })
        .build().map_err(refused)
}

/// Asks the server now. Not enrolled yet: nothing to ask (answers false).
pub async fn check<R: Runtime>(app: &AppHandle<R>) -> Result<bool> {
    refuse_the_test_key_in_release_builds(app)?;
    let desk = app.state::<Desk>();
    let Some(source) = desk.run(|c| async move { sync::update_source(&c, &keychain()).await }).await? else { return Ok(false) };
    let offered_older = Arc::new(Mutex::new(None));
    let found = updater(app, &source, THIS_PLATFORM, offered_older.clone())?.check().await.map_err(|e| refusal("checking for updates", e))?;
    let updates = app.state::<Updates>();
    let now = chrono::Utc::now().timestamp_millis();
    let problem = offered_older.lock().expect("offered older").take();
    updates.set(|s| {
        s.checked_at = Some(now);
        s.problem = problem;
        s.available = found.as_ref().map(|u| AvailableUpdate { version: u.version.clone(), notes: u.body.clone().unwrap_or_default() });
    });
    *updates.found.lock().expect("updates") = found;
    Ok(true)
}

/// Downloads the update found, checks its signature and installs it, once the core has checked
/// that the person at the desk may (and recorded it); then the app starts again, updated. A
/// package that fails its checks is not installed, and the app runs on as it was.
pub async fn install<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    refuse_the_test_key_in_release_builds(app)?;
    let update = app.state::<Updates>().found.lock().expect("updates").clone()
        .ok_or_else(|| Error::wrong_state("No update is waiting to be installed."))?;
    let (running, offered) = (update.current_version.clone(), update.version.clone());
    app.state::<Desk>().run_as(move |c, s| async move { clinic_core::ops::updates::approve_update(&c, &s, &running, &offered).await }).await?;
    if let Err(e) = update.download_and_install(|_, _| {}, || {}).await {
        let refused = refusal("installing the update", e);
        app.state::<Updates>().set(|s| s.problem = Some(refused.message.clone()));
        return Err(refused);
    }
    tracing::info!(version = %update.version, "update installed; starting again");
    app.restart()
}

/// At start, then daily: asks the server (sooner again when it could not).
pub async fn keep_up_to_date(app: AppHandle) {
    // Let the window and the first sync round come first.
    tokio::time::sleep(Duration::from_secs(5)).await;
    loop {
        let wait = match check(&app).await {
            Ok(true) => DAILY,
            Ok(false) => SOON,
            Err(e) => {
                tracing::info!(error = %e.message, "update check failed; asking again later");
                app.state::<Updates>().set(|s| s.problem = Some(e.message.clone()));
                SOON
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// A release build that still trusts the TEST-ONLY key would install whatever anyone signs with
/// it: such a build asks for no update at all, and says so.
fn refuse_the_test_key_in_release_builds<R: Runtime>(app: &AppHandle<R>) -> Result<()> {
    let key = app.config().plugins.0.get("updater").and_then(|u| u.get("pubkey")).and_then(|k| k.as_str()).unwrap_or_default();
    if cfg!(not(debug_assertions)) && key.trim() == TEST_ONLY_KEY.trim() {
        return Err(Error::new(Code::WrongState,
            "Updates are off: this build trusts only the test signing key. Build it with the release key (docs/updates.md)."));
    }
    Ok(())
}

/// The updater's failure in words for the admin: a refused package says why; nothing was installed.
pub fn refusal(doing: &str, e: tauri_plugin_updater::Error) -> Error {
    use tauri_plugin_updater::Error as E;
    tracing::warn!(error = %e, "{doing}");
    let message = match e {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => "The update's signature is not the clinic software's: it was refused and nothing was installed. \
            Tell the server's admin.".to_string(),
        E::SignedVersionMismatch { signed, announced } => format!("The server offers version {announced}, but the package was signed as {signed}: \
            it was refused and nothing was installed. Tell the server's admin."),
        E::MissingSignedVersion => "The update's signature does not name its version: it was refused and nothing was installed.".to_string(),
        E::Reqwest(_) | E::Network(_) => format!("The sync server cannot be reached for updates ({doing}); it will be asked again."),
        E::InvalidUpdaterFormat => "The update is not a package this workstation can install: nothing was installed.".to_string(),
        E::PackageInstallFailed | E::AuthenticationFailed | E::DebInstallFailed =>
            "The package manager did not install the update (it needs the computer's administrator): the app runs on as it was.".to_string(),
        other => format!("The update did not work ({doing}): {other}. Nothing was installed."),
    };
    let code = if message.contains("cannot be reached") { Code::SyncUnavailable } else { Code::WrongState };
    Error::new(code, message)
}
