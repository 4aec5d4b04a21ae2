//! Restoring a backup: onto this workstation (its data damaged, or its disk replaced) or onto a
//! new computer that has only the backup folder and the recovery code.
//!
//! Nothing is replaced until the restored copy has opened, passed its check and been brought up
//! to this version's tables; the data it replaces is kept beside it (`clinic.db.before-restore-…`),
//! unless it opened and held no clinic at all (a new computer's first screen).
//! A workstation that syncs catches up with its server as part of the restore, before anyone can
//! write on it: its outbox is pushed (what the server already has is answered `duplicate`), then
//! everything since the backup is pulled (its own later work included), and its number series
//! and audit chain carry on after what the server holds. So nothing is lost, nothing is applied
//! twice, and no invoice or record number is given twice. When the server cannot be reached the
//! restore is undone and says so.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use uuid::Uuid;

use super::code::RecoveryCode;
use super::file;
use crate::clinic::Clinic;
use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::store::{keychain_account, DatabaseKey, KeyStore};

/// What a backup holds, shown before it is restored.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BackupInfo {
    pub clinic_name: Option<String>,
    pub made_at: i64,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Restored {
    pub clinic_name: Option<String>,
    pub made_at: i64,
    /// Records brought from the sync server since the backup was made (a workstation that syncs).
    pub caught_up: Option<u32>,
    /// Where the data it replaced is kept.
    pub previous: Option<String>,
}

/// Opens and checks a backup with its recovery code, changing nothing: a typo, a wrong code, a
/// damaged file or another clinic's backup each says so.
pub async fn inspect(store_path: &Path, keys: &dyn KeyStore, backup: &Path, code: &str) -> Result<BackupInfo> {
    let (manifest, _, _) = checked(store_path, keys, backup, code).await?;
    Ok(BackupInfo { clinic_name: manifest.clinic_name, made_at: manifest.made_at })
}

/// The backup's manifest and key, and what this workstation holds now.
async fn checked(store_path: &Path, keys: &dyn KeyStore, backup: &Path, code: &str) -> Result<(file::Manifest, DatabaseKey, Held)> {
    let code = RecoveryCode::parse("code", code)?;
    let key = tokio::task::spawn_blocking(move || code.backup_key()).await.map_err(|e| Error::new(Code::Internal, e.to_string()))?;
    let mut conn = file::open_checked(backup, &key).await?;
    let manifest = file::read_manifest(&mut conn, backup).await;
    let _ = sqlx::Connection::close(conn).await;
    let manifest = manifest?;
    let held = held(store_path, keys).await;
    if let Held::Clinic(id, name) = &held {
        if manifest.org_id != Some(*id) {
            return Err(Error::invalid("backup", format!(
                "This backup is of {}, not of {name}, the clinic on this workstation. Nothing was changed.",
                manifest.clinic_name.as_deref().unwrap_or("another clinic"))));
        }
    }
    Ok((manifest, key, held))
}

/// What this workstation's store holds now, as far as it can tell.
enum Held {
    /// Its clinic.
    Clinic(Uuid, String),
    /// It opens with its key and has never held a clinic (the store a new computer's first screen makes).
    Nothing,
    /// It does not open (its key lost, the file damaged), or holds only a deleted clinic: it may
    /// hold data, so a restore keeps it.
    Unknown,
}

async fn held(store_path: &Path, keys: &dyn KeyStore) -> Held {
    let Ok(Some(key)) = keys.load(&keychain_account(store_path)) else { return Held::Unknown };
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(store_path).pragma("key", key.pragma_value()).read_only(true);
    let Ok(mut conn) = sqlx::ConnectOptions::connect(&options).await else { return Held::Unknown };
    let live = sqlx::query!(r#"SELECT id AS "id: Uuid", name FROM organisation WHERE deleted_at IS NULL LIMIT 1"#).fetch_optional(&mut conn).await;
    let organisations = sqlx::query_scalar!("SELECT count(*) FROM organisation").fetch_one(&mut conn).await;
    let _ = sqlx::Connection::close(conn).await;
    match (live, organisations) {
        (Ok(Some(o)), _) => Held::Clinic(o.id, o.name),
        (Ok(None), Ok(0)) => Held::Nothing,
        _ => Held::Unknown,
    }
}

/// Restores `backup` as the database at `store_path`. The app closes its own store first and
/// opens it again afterwards.
pub async fn restore(store_path: &Path, keys: &dyn KeyStore, backup: &Path, code: &str, clock: Arc<dyn Clock>) -> Result<Restored> {
    let (manifest, backup_key, held) = checked(store_path, keys, backup, code).await?;
    let account = keychain_account(store_path);
    let key = match keys.load(&account)? {
        Some(key) => key,
        None => {
            let key = DatabaseKey::generate();
            keys.save(&account, &key)?;
            key
        }
    };
    let restoring = with_suffix(store_path, ".restoring");
    remove_database(&restoring);
    let prepared = prepare(backup, &backup_key, &restoring, &key, store_path).await;
    if let Err(e) = prepared {
        remove_database(&restoring);
        return Err(e);
    }

    let previous = store_path.exists().then(|| with_suffix(store_path, &format!(".before-restore-{}", clock.now().format("%Y%m%dT%H%M%S"))));
    if let Some(previous) = &previous {
        move_database(store_path, previous)?;
    }
    move_database(&restoring, store_path)?;

    let token_account = crate::sync::token_account(store_path);
    if let Some(token) = &manifest.sync_token {
        if keys.load(&token_account)?.is_none() {
            keys.save(&token_account, &DatabaseKey::from_bytes(token)?)?;
        }
    }
    match catch_up(store_path, keys, clock).await {
        Ok(caught_up) => {
            // A store that held nothing is not worth keeping once the restore has worked; any
            // other (a clinic, or one that does not open) is kept aside.
            let previous = match previous {
                Some(replaced) if matches!(held, Held::Nothing) => {
                    remove_database(&replaced);
                    None
                }
                kept => kept.map(|p| p.display().to_string()),
            };
            Ok(Restored { clinic_name: manifest.clinic_name, made_at: manifest.made_at, caught_up, previous })
        }
        Err(e) => {
            // Undone: the data that was here is here again, as it was.
            remove_database(store_path);
            if let Some(previous) = &previous {
                move_database(previous, store_path)?;
            }
            Err(Error::new(e.code, format!(
                "The backup was not restored, and nothing was changed: this workstation syncs with its server, and catches up \
                 with it as it is restored so that no number is given twice, but {} Try again when the server answers.", e.message)))
        }
    }
}

/// Copies the backup into a new database under this workstation's key, brings it to this
/// version's tables, checks it, and copies the attachments' files it names.
async fn prepare(backup: &Path, backup_key: &DatabaseKey, restoring: &Path, key: &DatabaseKey, store_path: &Path) -> Result<()> {
    file::export(backup, backup_key, restoring, key).await?;
    let store = crate::store::Store::open_with_key(restoring, key).await?;
    let checked = async {
        store.check_integrity().await?;
        // The sync token travels only inside backups.
        sqlx::query!("DELETE FROM backup_manifest").execute(store.pool()).await?;
        let files: Vec<String> = sqlx::query_scalar!("SELECT DISTINCT sha256 FROM attachment").fetch_all(store.pool()).await?;
        let (from, to) = (backup.parent().map(|d| d.join("files")).unwrap_or_default(), crate::files::folder_of(store_path));
        let cannot = |e: std::io::Error| Error::new(Code::StoreUnavailable, format!("An attachment could not be restored into {}: {e}", to.display()));
        for name in files {
            // A file this backup lacks (never fetched to the workstation) comes from the server.
            if crate::files::held_in(&from, &name) && !crate::files::held_in(&to, &name) {
                let target = crate::files::path_in(&to, &name);
                std::fs::create_dir_all(target.parent().expect("a group folder")).map_err(cannot)?;
                let partial = target.with_extension("partial");
                std::fs::copy(crate::files::path_in(&from, &name), &partial).and_then(|_| std::fs::rename(&partial, &target)).map_err(cannot)?;
            }
        }
        Ok::<_, Error>(())
    }.await;
    store.close().await;
    checked?;
    file::sync_to_disk(restoring)
}

/// A workstation that syncs: one round with its server (push, then pull since the backup), then
/// its series carried on past the numbers it gave after the backup. One that does not: nothing.
async fn catch_up(store_path: &Path, keys: &dyn KeyStore, clock: Arc<dyn Clock>) -> Result<Option<u32>> {
    let clinic = Clinic::open(store_path, keys, clock).await?;
    let caught_up = async {
        let enrolled: bool = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM sync_state) AS "e!: bool""#).fetch_one(clinic.store().pool()).await?;
        if !enrolled {
            return Ok(None);
        }
        let round = crate::sync::sync_once(&clinic, keys).await?;
        carry_on_series(&clinic).await?;
        Ok(Some(round.pulled as u32))
    }.await;
    clinic.store().close().await;
    caught_up
}

/// After catching up, the workstation's own numbers the server returned (patients' record
/// numbers, invoices', credit notes') are behind its series: each series carries on after the
/// highest of them. (The audit chain needs nothing: its next entry follows the last one stored.)
async fn carry_on_series(clinic: &Clinic) -> Result<()> {
    let device = clinic.device()?.number;
    let mut tx = clinic.store().pool().begin().await?;
    sqlx::query!(
        "UPDATE series SET next = max(next, 1 + coalesce((
             SELECT max(CAST(substr(p.mrn, instr(p.mrn, '-') + 1, 6) AS INTEGER)) FROM patient p JOIN site s
             ON substr(p.mrn, 1, instr(p.mrn, '-') - 1) = s.code || printf('%02d', ?1)), 0))
         WHERE name = 'mrn'", device,
    ).execute(&mut *tx).await?;
    // `{prefix}{site}-{device}-{year}`: invoices' series are `invoice:{year}`, credit notes' `credit_note:{year}`.
    sqlx::query!(
        "INSERT INTO series (name, next)
         SELECT kind || substr(series, -4), max(seq) + 1 FROM (
             SELECT 'invoice:' AS kind, i.series, i.seq FROM invoice i JOIN site s ON i.series = s.code || printf('-%02d-', ?1) || substr(i.series, -4)
             UNION ALL
             SELECT 'credit_note:', c.series, c.seq FROM credit_note c JOIN site s ON c.series = 'CN-' || s.code || printf('-%02d-', ?1) || substr(c.series, -4))
         WHERE true GROUP BY kind, substr(series, -4)
         ON CONFLICT (name) DO UPDATE SET next = max(next, excluded.next)", device,
    ).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// A database is its file and, in WAL mode, the two beside it.
fn move_database(from: &Path, to: &Path) -> Result<()> {
    for part in ["", "-wal", "-shm"] {
        let (from, to) = (with_suffix(from, part), with_suffix(to, part));
        if from.exists() {
            std::fs::rename(&from, &to).map_err(|e| Error::new(Code::StoreUnavailable, format!("{} could not be moved to {}: {e}", from.display(), to.display())))?;
        }
    }
    Ok(())
}

fn remove_database(path: &Path) {
    for part in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(path, part));
    }
}
