//! The encrypted local store: one SQLCipher database per workstation.

pub mod functions;
mod key;

pub use key::{DatabaseKey, KeyStore, MemoryKeyStore, OsKeychain};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{Code, Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/client");

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    options: SqliteConnectOptions,
    /// For the backup's copy, read on a connection of its own.
    key: DatabaseKey,
    checkpointer: Arc<tokio::sync::Mutex<Option<sqlx::SqliteConnection>>>,
    /// Set when the integrity check fails; shared by every copy of this store.
    damaged: Arc<std::sync::atomic::AtomicBool>,
}

impl Store {
    /// Opens the store at `path`, creating it (and its key) on first run. The key comes from
    /// `keys`; a store whose key is missing refuses to open and says why.
    pub async fn open(path: &Path, keys: &dyn KeyStore) -> Result<Store> {
        let account = keychain_account(path);
        let key = match keys.load(&account)? {
            Some(key) => key,
            None if path.exists() => {
                return Err(Error::new(
                    Code::KeyUnavailable,
                    format!(
                        "The key of the clinic database at {} is not in this computer's keychain, so the data cannot be \
                         opened. Restore the keychain, or restore a backup onto a freshly set-up workstation.",
                        path.display()
                    ),
                ));
            }
            None => {
                let key = DatabaseKey::generate();
                keys.save(&account, &key)?;
                key
            }
        };
        Store::open_with_key(path, &key).await
    }

    pub async fn open_with_key(path: &Path, key: &DatabaseKey) -> Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(Error::from)?
            .filename(path)
            .create_if_missing(true)
            .pragma("key", key.pragma_value())
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Bookings and payments must survive a power cut.
            .synchronous(SqliteSynchronous::Full)
            // Up to 128 MiB of decrypted pages (filled only as pages are read): on a clinic of a
            // million patients a day's calendar touches a page per patient, and re-reading means
            // re-decrypting (measured: 17 ms a calendar with 32 MiB, 6.6 ms with 128 MiB).
            .pragma("cache_size", "-131072")
            // Checkpoints are the clinic thread's background job (`checkpoint`), so a booking never
            // waits for one; this larger limit is only the safety net when none runs.
            .pragma("wal_autocheckpoint", "10000")
            // Statement logging would write the key pragma into the logs.
            .disable_statement_logging();
        // One connection: a workstation has one user at a time, and a second connection would
        // have its page cache thrown away by every write of the first, so each statement would
        // read and decrypt its pages again (measured: 2–3× slower bookings and searches).
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            // A local file needs no liveness ping before every use case.
            .test_before_acquire(false)
            // The triggers that keep the reports' tallies call `local_day`.
            .after_connect(|conn, _| Box::pin(async move {
                let mut handle = conn.lock_handle().await?;
                // SAFETY: the locked handle is this connection's, used by no other thread meanwhile.
                match unsafe { functions::register(handle.as_raw_handle().as_ptr()) } {
                    libsqlite3_sys::SQLITE_OK => Ok(()),
                    rc => Err(sqlx::Error::Protocol(format!("the store's SQL functions could not be registered ({rc})"))),
                }
            }))
            .connect_with(options.clone())
            .await
            .map_err(|e| cannot_open(path, e))?;
        let store = Store { pool, path: path.to_path_buf(), options, key: key.clone(), checkpointer: Arc::default(), damaged: Arc::default() };
        MIGRATOR.run(&store.pool).await?;
        Ok(store)
    }

    /// `PRAGMA quick_check` over the whole file, on a connection of its own so the clinic keeps
    /// working meanwhile (it reads and decrypts every page: seconds on a large clinic). The app
    /// runs it at every start; a failure must be shown to the user, never ignored.
    pub async fn check_integrity(&self) -> Result<()> {
        use sqlx::Connection;
        // One pass over every page: a small cache is enough, and keeps the app's memory down.
        let mut conn = sqlx::SqliteConnection::connect_with(&self.options.clone().read_only(true).pragma("cache_size", "-2048"))
            .await
            .map_err(|e| cannot_open(&self.path, e))?;
        let result: Result<String, sqlx::Error> = sqlx::query_scalar("PRAGMA quick_check").fetch_one(&mut conn).await;
        let _ = conn.close().await;
        let result = result.unwrap_or_else(|e| e.to_string());
        if result != "ok" {
            tracing::error!(%result, "quick_check failed");
            self.damaged.store(true, std::sync::atomic::Ordering::SeqCst);
            return Err(Error::new(
                Code::StoreUnavailable,
                format!(
                    "The clinic database at {} failed its integrity check. Stop using this workstation and restore \
                     the latest backup; ask your administrator.",
                    self.path.display()
                ),
            ));
        }
        Ok(())
    }

    /// Refuses a change once the integrity check has failed: what is written onto damaged pages can
    /// be lost or spread the damage, and sync would carry it to every workstation. Reading (and
    /// exporting) goes on, so the clinic can work from what is there until the backup is restored.
    pub fn ensure_writable(&self) -> Result<()> {
        if self.damaged.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::new(
                Code::StoreUnavailable,
                format!(
                    "Nothing was saved: the clinic database at {} failed its integrity check, so this workstation \
                     can only look things up and export now. Restore the latest backup, or call your administrator.",
                    self.path.display()
                ),
            ));
        }
        Ok(())
    }

    /// Copies what the write-ahead log holds into the database file, on a connection of its own,
    /// without waiting for readers or writers (a passive checkpoint).
    pub async fn checkpoint(&self) -> Result<()> {
        use sqlx::Connection;
        let mut conn = self.checkpointer.lock().await;
        if self.pool.is_closed() {
            return Ok(()); // closed for good (a restore is replacing the file)
        }
        if conn.is_none() {
            *conn = Some(sqlx::SqliteConnection::connect_with(&self.options).await.map_err(|e| cannot_open(&self.path, e))?);
        }
        let conn = conn.as_mut().expect("just opened");
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(conn).await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn key(&self) -> &DatabaseKey {
        &self.key
    }

    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(conn) = self.checkpointer.lock().await.take() {
            use sqlx::Connection;
            let _ = conn.close().await;
        }
    }
}

/// The keychain entry of a store: one per database file.
pub fn keychain_account(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    format!("database-key:{}", absolute.display())
}

fn cannot_open(path: &Path, e: sqlx::Error) -> Error {
    tracing::error!(error = %e, path = %path.display(), "cannot open store");
    let detail = match &e {
        sqlx::Error::Database(db) if db.message().contains("not a database") => {
            "it cannot be decrypted with this workstation's key (wrong key, or not a clinic database)".to_string()
        }
        // The store's own words, for whoever helps: a full disk, a permission, a locked file.
        other => format!("the file could not be opened ({other})"),
    };
    Error::new(Code::StoreUnavailable, format!("The clinic database at {} cannot be opened: {detail}.", path.display()))
}
