//! The encrypted local store: one SQLCipher database per workstation.

mod key;

pub use key::{DatabaseKey, KeyStore, MemoryKeyStore, OsKeychain};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{Code, Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/client");

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
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
            // 32 MiB of decrypted pages: search and calendars stay in memory on a large clinic.
            .pragma("cache_size", "-32768");
        // One connection: a workstation has one user at a time, and a second connection would
        // have its page cache thrown away by every write of the first, so each statement would
        // read and decrypt its pages again (measured: 2–3× slower bookings and searches).
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            // A local file needs no liveness ping before every use case.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| cannot_open(path, e))?;
        let store = Store { pool, path: path.to_path_buf() };
        store.check_integrity().await?;
        MIGRATOR.run(&store.pool).await?;
        Ok(store)
    }

    async fn check_integrity(&self) -> Result<()> {
        let result: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| cannot_open(&self.path, e))?;
        if result != "ok" {
            tracing::error!(%result, "quick_check failed");
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

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The keychain entry of a store: one per database file.
fn keychain_account(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    format!("database-key:{}", absolute.display())
}

fn cannot_open(path: &Path, e: sqlx::Error) -> Error {
    tracing::error!(error = %e, path = %path.display(), "cannot open store");
    let detail = match &e {
        sqlx::Error::Database(db) if db.message().contains("not a database") => {
            "it cannot be decrypted with this workstation's key (wrong key, or not a clinic database)"
        }
        _ => "the file could not be opened",
    };
    Error::new(Code::StoreUnavailable, format!("The clinic database at {} cannot be opened: {detail}.", path.display()))
}
