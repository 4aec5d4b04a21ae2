//! The desk: this workstation's open clinic and who is logged in at it.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use clinic_core::auth::Session;
use clinic_core::clock::Clock;
use clinic_core::store::OsKeychain;
use clinic_core::backup::{self, Restored};
use clinic_core::{Clinic, ClinicThread, Code, Error, Result};

use crate::reminders::ReminderSettings;

/// The OS keychain entries of this app: the database key, the sync token.
pub fn keychain() -> OsKeychain {
    OsKeychain::new("clinic-desk")
}

pub struct Desk {
    /// The clinic, or why it could not be opened (no keychain, a damaged file). Replaced whole
    /// when a backup is restored.
    clinic: RwLock<std::result::Result<ClinicThread, Error>>,
    /// The clinic's database file.
    store_path: PathBuf,
    clock: Arc<dyn Clock>,
    session: Mutex<Option<Session>>,
    reminders: Mutex<ReminderSettings>,
    reminders_file: PathBuf,
    /// Where printed documents are saved (prescriptions), to open or print from.
    pub documents: PathBuf,
    /// What the start-up integrity check found wrong, once it has run.
    integrity: Arc<Mutex<Option<Error>>>,
}

impl Desk {
    pub fn open(data_dir: PathBuf, clock: Arc<dyn Clock>) -> Desk {
        let store_path = data_dir.join("clinic.db");
        let integrity = Arc::new(Mutex::new(None));
        let clinic = std::fs::create_dir_all(&data_dir)
            .map_err(|e| Error::new(Code::StoreUnavailable, format!("The folder {} cannot be created: {e}", data_dir.display())))
            .and_then(|_| open_clinic(&store_path, clock.clone(), &integrity));
        let reminders_file = data_dir.join("reminders.json");
        let reminders = std::fs::read(&reminders_file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let documents = data_dir.join("documents");
        Desk { clinic: RwLock::new(clinic), store_path, clock, session: Mutex::new(None), reminders: Mutex::new(reminders), reminders_file, documents, integrity }
    }

    pub fn clinic(&self) -> Result<ClinicThread> {
        self.clinic.read().expect("clinic lock").clone()
    }

    pub fn store_path(&self) -> &std::path::Path {
        &self.store_path
    }

    /// Restores a backup in place of this workstation's data (`clinic_core::backup::restore`):
    /// the clinic is closed, restored on a thread of its own, and opened again whatever the
    /// outcome (a refused restore left the data as it was). Whoever was logged in is logged out.
    pub async fn restore(&self, backup: PathBuf, code: String) -> Result<Restored> {
        if let Ok(clinic) = self.clinic() {
            let _ = clinic.run(|c| async move { c.store().close().await }).await;
        }
        let (path, clock) = (self.store_path.clone(), self.clock.clone());
        let (answer, answered) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
            let _ = answer.send(runtime.block_on(backup::restore(&path, &keychain(), &backup, &code, clock)));
        });
        let restored = answered.await.unwrap_or_else(|_| Err(Error::new(Code::Internal, "The restore stopped unexpectedly.")));
        self.set_session(None);
        *self.integrity.lock().expect("integrity lock") = None;
        *self.clinic.write().expect("clinic lock") = open_clinic(&self.store_path, self.clock.clone(), &self.integrity);
        restored
    }

    pub fn session(&self) -> Result<Session> {
        self.session
            .lock()
            .expect("session lock")
            .clone()
            .ok_or_else(|| Error::new(Code::PermissionDenied, "Log in first."))
    }

    pub fn integrity_problem(&self) -> Option<Error> {
        self.integrity.lock().expect("integrity lock").clone()
    }

    pub fn reminder_settings(&self) -> ReminderSettings {
        *self.reminders.lock().expect("reminders lock")
    }

    /// This workstation's reminder settings, kept beside its database.
    pub fn set_reminder_settings(&self, settings: ReminderSettings) -> Result<()> {
        if !(1..=240).contains(&settings.lead_minutes) || !(1..=480).contains(&settings.wait_minutes) {
            return Err(Error::invalid("reminders", "Remind 1 to 240 minutes ahead, and after 1 to 480 minutes of waiting."));
        }
        std::fs::write(&self.reminders_file, serde_json::to_vec(&settings).expect("json"))
            .map_err(|e| Error::new(Code::Internal, format!("The reminder settings could not be saved: {e}")))?;
        *self.reminders.lock().expect("reminders lock") = settings;
        Ok(())
    }

    pub fn current_session(&self) -> Option<Session> {
        self.session.lock().expect("session lock").clone()
    }

    pub fn set_session(&self, session: Option<Session>) {
        *self.session.lock().expect("session lock") = session;
    }

    /// Runs a use case on the clinic's thread.
    pub async fn run<T, F, Fut>(&self, work: F) -> Result<T>
    where
        F: FnOnce(Arc<Clinic>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + 'static,
        T: Send + 'static,
    {
        self.clinic()?.run(work).await?
    }

    /// Runs a use case as the logged-in staff member.
    pub async fn run_as<T, F, Fut>(&self, work: F) -> Result<T>
    where
        F: FnOnce(Arc<Clinic>, Session) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + 'static,
        T: Send + 'static,
    {
        let session = self.session()?;
        self.run(move |c| work(c, session)).await
    }
}

/// Opens the clinic on its thread, and checks its integrity once the window is up, on a thread
/// that is not the clinic's (it reads and decrypts every page: seconds on a large clinic). A
/// failure is kept for the window to show, and logged.
fn open_clinic(path: &std::path::Path, clock: Arc<dyn Clock>, integrity: &Arc<Mutex<Option<Error>>>) -> Result<ClinicThread> {
    let path = path.to_path_buf();
    let clinic = ClinicThread::start(move || async move { Clinic::open(&path, &keychain(), clock).await })?;
    let (checked, found) = (clinic.clone(), integrity.clone());
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        let Ok(store) = checked.run(|c| async move { c.store().clone() }).await else { return };
        if let Err(e) = store.check_integrity().await {
            tracing::error!(error = %e.message, "integrity check failed");
            *found.lock().expect("integrity lock") = Some(e);
        }
    });
    Ok(clinic)
}
