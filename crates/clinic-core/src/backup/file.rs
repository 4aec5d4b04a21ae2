//! A backup file: the whole database copied at one instant into a new SQLCipher file under
//! another key, and read back to prove it opens.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use uuid::Uuid;

use crate::error::{Code, Error, Result};
use crate::store::DatabaseKey;

/// The layout of the backup files this version writes and reads.
pub(crate) const FORMAT: i64 = 1;

/// Who a backup belongs to and when it was made (its `backup_manifest` row).
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    pub org_id: Option<Uuid>,
    pub clinic_name: Option<String>,
    pub device_id: Option<Uuid>,
    pub made_at: i64,
    pub sync_token: Option<Vec<u8>>,
}

fn options(path: &Path, key: &DatabaseKey) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str("sqlite:").map_err(Error::from)?
        .filename(path)
        .pragma("key", key.pragma_value())
        // Copying rows table by table: references are whole only at the end.
        .foreign_keys(false)
        .pragma("cache_size", "-8192")
        .disable_statement_logging())
}

/// Copies the database at `from` (opened with `from_key`) into a new file `to` encrypted with
/// `to_key` (not yet durable: `sync_to_disk` it before it counts), with `sqlcipher_export`: one read of one snapshot on a connection of its own, so
/// in WAL mode the clinic's own connection goes on writing meanwhile. The copy's triggers and
/// views are put in after its rows, so copying fires none of them.
pub(crate) async fn export(from: &Path, from_key: &DatabaseKey, to: &Path, to_key: &DatabaseKey) -> Result<()> {
    // The copy is made by ATTACH, which may create a file only if this connection may.
    if !from.is_file() {
        return Err(Error::new(Code::StoreUnavailable, format!("There is no database at {}.", from.display())));
    }
    let mut conn = SqliteConnection::connect_with(&options(from, from_key)?.create_if_missing(true)).await.map_err(|e| unreadable(from, e))?;
    let result = async {
        sqlx::query("ATTACH DATABASE ?1 AS copy KEY ?2")
            .bind(to.to_string_lossy().into_owned())
            .bind(format!("x'{}'", hex::encode_upper(to_key.as_bytes())))
            .execute(&mut conn).await?;
        // The copy is a new file, made durable by one fsync when it is whole (`sync_to_disk`)
        // before it counts: no journal and no sync per table (a hundred commits of a copy).
        sqlx::query("PRAGMA copy.journal_mode = OFF").execute(&mut conn).await?;
        sqlx::query("PRAGMA copy.synchronous = OFF").execute(&mut conn).await?;
        sqlx::query("SELECT sqlcipher_export('copy')").execute(&mut conn).await?;
        sqlx::query("DETACH DATABASE copy").execute(&mut conn).await?;
        Ok::<_, sqlx::Error>(())
    }.await;
    let _ = conn.close().await;
    result.map_err(|e| not_written(to, e))
}

/// Starts writing what `file` holds so far to the disk, without waiting for it. Called as the copy
/// grows, so a large clinic's copy never leaves a gigabyte to be written at once when it is synced:
/// that burst held up the front desk's own commits on the same disk (a booking took 0.3 s, where
/// the budget is 50 ms). Linux only; elsewhere the final sync writes it all.
pub(crate) fn start_writing(file: &Path) {
    #[cfg(target_os = "linux")]
    if let Ok(f) = std::fs::File::open(file) {
        use std::os::fd::AsRawFd;
        // SAFETY: a plain system call on a file descriptor this function owns; it only schedules writeback.
        unsafe { libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
    }
}

/// Opens a backup (or a copy being restored) with `key` and checks every page: a wrong key, a
/// file cut short or changed after it was written, or not a database at all, each says so.
pub(crate) async fn open_checked(path: &Path, key: &DatabaseKey) -> Result<SqliteConnection> {
    if !path.is_file() {
        return Err(Error::invalid("backup", format!("There is no backup file at {}.", path.display())));
    }
    let mut conn = SqliteConnection::connect_with(&options(path, key)?.read_only(true)).await.map_err(|e| unreadable(path, e))?;
    let check: std::result::Result<String, sqlx::Error> = sqlx::query_scalar("PRAGMA quick_check").fetch_one(&mut conn).await;
    match check {
        Ok(ok) if ok == "ok" => Ok(conn),
        Ok(problem) => Err(damaged(path, &problem)),
        Err(e) => Err(unreadable(path, e)),
    }
}

/// Writes who the backup belongs to into the copy (its only row of `backup_manifest`).
pub(crate) async fn write_manifest(path: &Path, key: &DatabaseKey, manifest: &Manifest) -> Result<()> {
    let mut conn = SqliteConnection::connect_with(&options(path, key)?).await.map_err(|e| unreadable(path, e))?;
    let app_version = env!("CARGO_PKG_VERSION");
    let written = sqlx::query!(
        "INSERT INTO backup_manifest (id, format, org_id, clinic_name, device_id, made_at, app_version, sync_token) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        FORMAT, manifest.org_id, manifest.clinic_name, manifest.device_id, manifest.made_at, app_version, manifest.sync_token,
    ).execute(&mut conn).await;
    let _ = conn.close().await;
    written.map(|_| ()).map_err(|e| not_written(path, e))
}

/// The manifest of an opened backup; a database without one is not a backup of ours.
pub(crate) async fn read_manifest(conn: &mut SqliteConnection, path: &Path) -> Result<Manifest> {
    let row = sqlx::query!(
        r#"SELECT format, org_id AS "org_id: Uuid", clinic_name, device_id AS "device_id: Uuid", made_at, sync_token FROM backup_manifest WHERE id = 1"#
    ).fetch_optional(&mut *conn).await;
    let not_ours = || Error::invalid("backup", format!("{} is not a Clinic Desk backup.", path.display()));
    let row = row.map_err(|_| not_ours())?.ok_or_else(not_ours)?;
    if row.format > FORMAT {
        return Err(Error::invalid("backup", format!(
            "{} was made by a newer version of Clinic Desk: update this workstation first, then restore it.", path.display())));
    }
    Ok(Manifest { org_id: row.org_id, clinic_name: row.clinic_name, device_id: row.device_id, made_at: row.made_at, sync_token: row.sync_token })
}

/// Makes sure what was written is on the disk, name and all, before it counts as a backup.
pub(crate) fn sync_to_disk(file: &Path) -> Result<()> {
    let synced = std::fs::File::open(file).and_then(|f| f.sync_all())
        .and_then(|()| file.parent().map_or(Ok(()), |dir| std::fs::File::open(dir).and_then(|d| d.sync_all())));
    synced.map_err(|e| Error::new(Code::BackupFailed, format!("{} could not be written to the disk: {e}.", file.display())))
}

fn unreadable(path: &Path, e: sqlx::Error) -> Error {
    let text = e.to_string();
    if text.contains("not a database") {
        Error::invalid("code", format!(
            "The recovery code does not open {}: it is a different code (each sheet names the backups it opens), \
             or the file is not a Clinic Desk backup, or it was changed or cut short.", path.display()))
    } else if text.contains("malformed") || text.contains("corrupt") {
        damaged(path, &text)
    } else {
        Error::new(Code::BackupFailed, format!("{} could not be read: {text}.", path.display()))
    }
}

fn damaged(path: &Path, problem: &str) -> Error {
    tracing::error!(%problem, path = %path.display(), "backup check failed");
    Error::invalid("backup", format!("{} is damaged (it was changed or cut short after it was written): choose another backup.", path.display()))
}

fn not_written(path: &Path, e: sqlx::Error) -> Error {
    let text = e.to_string();
    tracing::error!(error = %text, path = %path.display(), "backup not written");
    let why = if text.contains("full") {
        "the disk is full".to_string()
    } else if text.contains("readonly") || text.contains("read-only") || text.contains("unable to open") {
        "the folder cannot be written to (is the disk read-only, or unplugged?)".to_string()
    } else {
        text
    };
    Error::new(Code::BackupFailed, format!("{} could not be written: {why}.", path.display()))
}
