//! This workstation's backups (docs/backups.md): every day and on demand, the whole database
//! copied at one instant into a file encrypted with a key derived from the recovery code, with
//! the attachments' files beside it; each one read back and checked before it counts; kept as 7
//! daily, 4 weekly and 12 monthly. Restoring is `restore`.

mod code;
mod file;
mod restore;
mod rotation;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

pub use code::RecoveryCode;
pub use restore::{inspect, restore, BackupInfo, Restored};

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::ops::reports::{OnProgress, Progress};
use crate::store::KeyStore;
use crate::write::Write;

/// The extension of a backup file; `.partial` while it is written.
const EXTENSION: &str = "cdbackup";

/// Where this workstation's backups stand, for the admin's Backups page.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BackupStatus {
    pub folder: Option<String>,
    /// Names the recovery sheet whose code opens the backups made now.
    pub key_label: Option<String>,
    pub code_made_at: Option<i64>,
    pub last_at: Option<i64>,
    pub last_file: Option<String>,
    /// Why the last attempt failed, until one succeeds.
    pub last_error: Option<String>,
    /// The backups in the folder, newest first.
    pub backups: Vec<BackupFile>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BackupFile {
    pub path: String,
    pub made_at: i64,
    pub megabytes: f64,
    /// The recovery sheet that opens it.
    pub key_label: String,
}

struct Settings {
    folder: Option<String>,
    key: Option<crate::store::DatabaseKey>,
    key_label: Option<String>,
    code_made_at: Option<i64>,
    last_at: Option<i64>,
    last_file: Option<String>,
    last_error: Option<String>,
    last_tried_at: Option<i64>,
}

async fn settings(clinic: &Clinic) -> Result<Settings> {
    let row = sqlx::query!("SELECT folder, key, key_label, code_made_at, last_at, last_file, last_error, last_tried_at FROM backup_settings WHERE id = 1")
        .fetch_one(clinic.store().pool()).await?;
    Ok(Settings {
        folder: row.folder,
        key: row.key.map(|k| crate::store::DatabaseKey::from_bytes(&k)).transpose()?,
        key_label: row.key_label, code_made_at: row.code_made_at, last_at: row.last_at, last_file: row.last_file,
        last_error: row.last_error, last_tried_at: row.last_tried_at,
    })
}

pub async fn status(clinic: &Clinic, session: &Session) -> Result<BackupStatus> {
    crate::auth::authorize(clinic, session, Permission::ManageBackups).await?;
    let s = settings(clinic).await?;
    let backups = match &s.folder {
        Some(folder) => list(&destination(clinic, Path::new(folder))?),
        None => Vec::new(),
    };
    Ok(BackupStatus { folder: s.folder, key_label: s.key_label, code_made_at: s.code_made_at, last_at: s.last_at,
        last_file: s.last_file, last_error: s.last_error, backups })
}

/// The latest backup made and checked, for the screen that says the data is damaged (a path: no
/// permission needed to know it, and the recovery code is still needed to use it).
pub async fn latest(clinic: &Clinic) -> Result<Option<String>> {
    Ok(settings(clinic).await?.last_file)
}

/// Chooses the folder backups go to (a USB disk, a network share): it must be there and take a file.
pub async fn choose_folder(clinic: &Clinic, session: &Session, folder: &str) -> Result<BackupStatus> {
    let mut w = Write::begin(clinic, session, Permission::ManageBackups).await?;
    let path = PathBuf::from(folder.trim());
    if !path.is_absolute() {
        return Err(Error::invalid("folder", "Give the backup folder's full path (it starts with /)."));
    }
    writable(&path).map_err(|e| Error::invalid("folder", e.message))?;
    let folder = path.display().to_string();
    sqlx::query!("UPDATE backup_settings SET folder = ? WHERE id = 1", folder).execute(w.conn()).await?;
    w.audit("choose_backup_folder", "backup", None, crate::audit::Details::facts(json!({"folder": folder})));
    w.commit().await?;
    status(clinic, session).await
}

/// A recovery code just made, to show once (it is never stored), and its sheet's label.
pub struct RecoveryCodeMade {
    pub code: RecoveryCode,
    /// The four symbols the file names of the backups it opens end in.
    pub key_label: String,
}

/// A new recovery code (an admin's, on demand): from now on backups open with it. Backups made
/// before still need the code they were made with; the sheet says which is which. Only the key it
/// gives is kept, and the making audited.
pub async fn new_recovery_code(clinic: &Clinic, session: &Session) -> Result<RecoveryCodeMade> {
    let mut w = Write::begin(clinic, session, Permission::ManageBackups).await?;
    let code = RecoveryCode::generate();
    let key = code.backup_key();
    let (bytes, key_label, now) = (key.as_bytes().to_vec(), code::key_label(&key), w.now);
    sqlx::query!("UPDATE backup_settings SET key = ?, key_label = ?, code_made_at = ? WHERE id = 1", bytes, key_label, now).execute(w.conn()).await?;
    w.audit("new_recovery_code", "backup", None, crate::audit::Details::facts(json!({"sheet": key_label})));
    w.commit().await?;
    Ok(RecoveryCodeMade { code, key_label })
}

/// The recovery sheet of the current code, as a PDF to print. The code is the one just shown (it
/// is never stored): one that is not the current code prints nothing.
pub async fn recovery_sheet(clinic: &Clinic, session: &Session, code: &str) -> Result<crate::ops::clinical::PrintedDocument> {
    crate::auth::authorize(clinic, session, Permission::ManageBackups).await?;
    let code = RecoveryCode::parse("code", code)?;
    let s = settings(clinic).await?;
    let key = { let code = code.clone(); tokio::task::spawn_blocking(move || code.backup_key()).await.map_err(|e| Error::new(Code::Internal, e.to_string()))? };
    if s.key.as_ref() != Some(&key) {
        return Err(Error::invalid("code", "This is not this workstation's current recovery code."));
    }
    let device = clinic.device()?;
    let mut conn = clinic.store().pool().acquire().await?;
    let letterhead = crate::ops::setup::letterhead(&mut conn, device.site_id).await?;
    let workstation: String = sqlx::query_scalar!("SELECT name FROM device WHERE id = ?", device.id).fetch_one(&mut *conn).await?;
    drop(conn);
    let zone = crate::ops::setup::site_zone(clinic).await?;
    let made = s.code_made_at.and_then(DateTime::<Utc>::from_timestamp_millis).unwrap_or_else(|| clinic.clock().now());
    let made = made.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    let label = code::key_label(&key);
    let bytes = crate::print::recovery_sheet_pdf(&crate::print::RecoverySheet {
        clinic: &letterhead, workstation: &workstation, code: &code.grouped(), label: &label, made: &made,
    }, clinic.clock().now())?;
    Ok(crate::ops::clinical::PrintedDocument { file_name: format!("Recovery sheet {label}.pdf"), bytes, copy: false })
}

/// Who may restore over this workstation's data: on a workstation holding a clinic, an admin; on
/// an empty one (a new computer), whoever has the backup and its recovery code.
pub async fn may_restore(clinic: &Clinic, session: Option<&Session>) -> Result<()> {
    if !clinic.is_set_up() {
        return Ok(());
    }
    let session = session.ok_or_else(|| Error::new(Code::PermissionDenied, "Log in as an admin to restore a backup over this workstation's data."))?;
    crate::auth::authorize(clinic, session, Permission::ManageBackups).await
}

/// Backs up now, for an admin, with progress.
pub async fn back_up_now(clinic: &Clinic, session: &Session, keys: &dyn KeyStore, progress: OnProgress<'_>) -> Result<BackupFile> {
    crate::auth::authorize(clinic, session, Permission::ManageBackups).await?;
    back_up(clinic, keys, Some(session.staff_id), progress).await
}

/// The daily backup: made when the folder and the code are set and none was made today (the
/// site's day); after a failure, tried again an hour later. Returns what it made, if it ran.
pub async fn back_up_if_due(clinic: &Clinic, keys: &dyn KeyStore) -> Result<Option<BackupFile>> {
    let s = settings(clinic).await?;
    let now = clinic.clock().now();
    let zone = crate::ops::setup::site_zone(clinic).await?;
    let day = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.with_timezone(&zone).date_naive());
    let done_today = s.last_at.and_then(day) == Some(now.with_timezone(&zone).date_naive());
    let tried_lately = s.last_error.is_some() && s.last_tried_at.is_some_and(|t| now.timestamp_millis() - t < 3_600_000);
    if s.folder.is_none() || s.key.is_none() || done_today || tried_lately {
        return Ok(None);
    }
    back_up(clinic, keys, None, &|_| ControlFlow::Continue(())).await.map(Some)
}

async fn back_up(clinic: &Clinic, keys: &dyn KeyStore, by: Option<Uuid>, progress: OnProgress<'_>) -> Result<BackupFile> {
    let started = clinic.clock().now();
    let made = write_backup(clinic, keys, started, progress).await;
    let mut w = Write::begin_as(clinic, by).await?;
    let at = started.timestamp_millis();
    match &made {
        Ok(backup) => {
            sqlx::query!("UPDATE backup_settings SET last_at = ?, last_file = ?, last_error = NULL, last_tried_at = ? WHERE id = 1",
                backup.made_at, backup.path, at).execute(w.conn()).await?;
            w.audit("backup", "backup", None, crate::audit::Details::facts(json!({"file": backup.path, "megabytes": backup.megabytes})));
        }
        Err(e) => {
            sqlx::query!("UPDATE backup_settings SET last_error = ?, last_tried_at = ? WHERE id = 1", e.message, at).execute(w.conn()).await?;
            w.audit("backup_failed", "backup", None, crate::audit::Details::facts(json!({"why": e.message})));
        }
    }
    w.commit().await?;
    made
}

async fn write_backup(clinic: &Clinic, keys: &dyn KeyStore, at: DateTime<Utc>, progress: OnProgress<'_>) -> Result<BackupFile> {
    let s = settings(clinic).await?;
    let folder = s.folder.ok_or_else(|| Error::invalid("folder", "Choose the folder backups go to first."))?;
    let (key, label) = s.key.zip(s.key_label).ok_or_else(|| Error::invalid("code", "Make a recovery code first: it is what opens the backups."))?;
    writable(Path::new(&folder))?;
    let dir = destination(clinic, Path::new(&folder))?;
    std::fs::create_dir_all(dir.join("files")).map_err(|e| failed(&dir, e))?;

    // The attachments first, so a backup never names a file its folder lacks. They are sealed
    // under a key kept in the database, so they are copied as they are, once (named by content).
    // Off the clinic's thread: copying scans and syncing a large file to disk take seconds, and
    // the front desk's use cases run on that thread meanwhile.
    let (from, to) = (crate::files::folder_of(clinic.store().path()), dir.join("files"));
    let copied = blocking(move || copy_files(&from, &to)).await?;
    tracing::info!(copied, "attachments' files backed up");

    let name = format!("clinic-{}-{label}.{EXTENSION}", at.format("%Y-%m-%dT%H%M%SZ"));
    let (file, partial) = (dir.join(&name), dir.join(format!("{name}.partial")));
    let _ = std::fs::remove_file(&partial);
    let written = async {
        let expected = database_bytes(clinic.store().path());
        let export = file::export(clinic.store().path(), clinic.store().key(), &partial, &key);
        tokio::pin!(export);
        // The copy is one statement: its progress is how far the new file has grown. What it has
        // written is sent on to the disk as it goes (`start_writing`), one call at a time: a busy
        // disk may hold a call up, and they must not pile up behind it.
        let mut writing: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            tokio::select! {
                done = &mut export => break done?,
                () = tokio::time::sleep(std::time::Duration::from_millis(200)) => {
                    let grown = std::fs::metadata(&partial).map_or(0, |m| m.len());
                    let _ = progress(Progress { done: (grown.min(expected) / 1024) as u32, total: (expected / 1024).max(1) as u32 });
                    if writing.as_ref().is_none_or(|w| w.is_finished()) {
                        let partial = partial.clone();
                        writing = Some(tokio::task::spawn_blocking(move || file::start_writing(&partial)));
                    }
                }
            }
        }
        let org = sqlx::query!(r#"SELECT id AS "id: Uuid", name FROM organisation WHERE deleted_at IS NULL LIMIT 1"#)
            .fetch_optional(clinic.store().pool()).await?;
        let token = keys.load(&crate::sync::token_account(clinic.store().path())).ok().flatten().map(|t| t.as_bytes().to_vec());
        let manifest = file::Manifest { org_id: org.as_ref().map(|o| o.id), clinic_name: org.map(|o| o.name), device_id: clinic.device().ok().map(|d| d.id),
            made_at: at.timestamp_millis(), sync_token: token };
        file::write_manifest(&partial, &key, &manifest).await?;
        // Read back: every page opens under the backup's key and the manifest is there.
        let mut check = file::open_checked(&partial, &key).await?;
        file::read_manifest(&mut check, &partial).await?;
        let _ = sqlx::Connection::close(check).await;
        let (partial, file) = (partial.clone(), file.clone());
        blocking(move || {
            file::sync_to_disk(&partial)?;
            std::fs::rename(&partial, &file).map_err(|e| failed(&file, e))?;
            file::sync_to_disk(&file)
        }).await
    }.await;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let _ = progress(Progress { done: 1, total: 1 });
    rotate(&dir, clinic).await?;
    let megabytes = std::fs::metadata(&file).map_or(0.0, |m| m.len() as f64 / 1_048_576.0);
    Ok(BackupFile { path: file.display().to_string(), made_at: at.timestamp_millis(), megabytes, key_label: label })
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::new(Code::Internal, format!("internal: {e}")))?
}

/// This workstation's folder inside the chosen one: several workstations may share a disk.
fn destination(clinic: &Clinic, folder: &Path) -> Result<PathBuf> {
    let device = clinic.device()?;
    Ok(folder.join("clinic-desk-backups").join(format!("{}-workstation-{:02}", &device.org_id.simple().to_string()[..8], device.number)))
}

/// The folder is there and takes a file: a USB disk unplugged or a share not mounted says so.
fn writable(folder: &Path) -> Result<()> {
    if !folder.is_dir() {
        return Err(Error::new(Code::BackupFailed, format!(
            "The backup folder {} is not there: is the USB disk plugged in, or the network share connected?", folder.display())));
    }
    let probe = folder.join(".clinic-desk-probe");
    std::fs::write(&probe, b"probe").and_then(|()| std::fs::remove_file(&probe)).map_err(|e| failed(folder, e))
}

fn failed(path: &Path, e: std::io::Error) -> Error {
    let why = match e.raw_os_error() {
        Some(28) => "the disk is full".to_string(),
        Some(30) => "the disk is read-only".to_string(),
        _ if e.kind() == std::io::ErrorKind::PermissionDenied => "this computer's user may not write there".to_string(),
        _ => e.to_string(),
    };
    Error::new(Code::BackupFailed, format!("{} could not be written: {why}. The backup was not made.", path.display()))
}

/// The database's size, for the progress of its copy.
fn database_bytes(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Copies each attachment's sealed file the backup folder does not have yet (laid out as the
/// store's: `ab/ab12…`).
fn copy_files(from: &Path, to: &Path) -> Result<usize> {
    let Ok(groups) = std::fs::read_dir(from) else { return Ok(0) };
    let mut copied = 0;
    for entry in groups.flatten().flat_map(|group| std::fs::read_dir(group.path()).into_iter().flatten().flatten()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !clinic_sync::files::is_sha256(&name) || crate::files::held_in(to, &name) {
            continue;
        }
        let target = crate::files::path_in(to, &name);
        let partial = target.with_extension("partial");
        std::fs::create_dir_all(target.parent().expect("a group folder")).map_err(|e| failed(to, e))?;
        std::fs::copy(entry.path(), &partial).map_err(|e| failed(&partial, e))?;
        file::sync_to_disk(&partial)?;
        std::fs::rename(&partial, &target).map_err(|e| failed(to, e))?;
        copied += 1;
    }
    Ok(copied)
}

/// The backups in a workstation's backup folder, newest first (named by the instant they were made).
fn list(dir: &Path) -> Vec<BackupFile> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut backups: Vec<BackupFile> = entries.flatten().filter_map(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stem = name.strip_prefix("clinic-")?.strip_suffix(&format!(".{EXTENSION}"))?;
        let (instant, label) = stem.rsplit_once('-')?;
        let made_at = chrono::NaiveDateTime::parse_from_str(instant, "%Y-%m-%dT%H%M%SZ").ok()?.and_utc().timestamp_millis();
        let megabytes = entry.metadata().ok()?.len() as f64 / 1_048_576.0;
        Some(BackupFile { path: entry.path().display().to_string(), made_at, megabytes, key_label: label.to_string() })
    }).collect();
    backups.sort_by_key(|b| std::cmp::Reverse(b.made_at));
    backups
}

/// Removes the backups rotation does not keep (days by the site's calendar).
async fn rotate(dir: &Path, clinic: &Clinic) -> Result<()> {
    let zone = crate::ops::setup::site_zone(clinic).await?;
    let backups = list(dir);
    let days: Vec<(i64, chrono::NaiveDate)> = backups.iter()
        .map(|b| (b.made_at, DateTime::<Utc>::from_timestamp_millis(b.made_at).expect("a listed instant").with_timezone(&zone).date_naive()))
        .collect();
    let kept = rotation::keep(&days);
    for (_, backup) in backups.iter().enumerate().filter(|(i, _)| !kept.contains(i)) {
        match std::fs::remove_file(&backup.path) {
            Ok(()) => tracing::info!(file = %backup.path, "old backup removed by rotation"),
            Err(e) => tracing::warn!(error = %e, file = %backup.path, "an old backup could not be removed"),
        }
    }
    Ok(())
}
