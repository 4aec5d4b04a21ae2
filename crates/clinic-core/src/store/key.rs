//! The database key: 32 random bytes made on first run, kept in the OS keychain, handed to
//! SQLCipher as a raw key (no slow passphrase derivation). There is no plain-text fallback.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::RngCore;

use crate::error::{Code, Error, Result};

#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey([u8; 32]);

impl DatabaseKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        DatabaseKey(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        bytes.try_into().map(DatabaseKey).map_err(|_| {
            Error::new(Code::KeyUnavailable, "The database key kept in the keychain is damaged (it is not 32 bytes).")
        })
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The value of `PRAGMA key` for a raw key.
    pub(crate) fn pragma_value(&self) -> String {
        format!("\"x'{}'\"", hex::encode_upper(self.0))
    }
}

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

/// Where a workstation keeps its database key. The app uses the OS keychain; unit tests may use
/// memory.
pub trait KeyStore: Send + Sync {
    fn load(&self, account: &str) -> Result<Option<DatabaseKey>>;
    fn save(&self, account: &str, key: &DatabaseKey) -> Result<()>;
}

/// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
pub struct OsKeychain {
    service: String,
}

impl OsKeychain {
    pub fn new(service: impl Into<String>) -> Self {
        OsKeychain { service: service.into() }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(unreachable_keychain)
    }
}

fn unreachable_keychain(e: keyring::Error) -> Error {
    tracing::error!(error = %e, "keychain");
    Error::new(
        Code::KeyUnavailable,
        format!(
            "The OS keychain could not be reached ({e}). The clinic's data stays locked until it can be. \
             On Linux, a Secret Service (such as GNOME Keyring) must be running and unlocked in your session."
        ),
    )
}

impl KeyStore for OsKeychain {
    fn load(&self, account: &str) -> Result<Option<DatabaseKey>> {
        match self.entry(account)?.get_secret() {
            Ok(bytes) => DatabaseKey::from_bytes(&bytes).map(Some),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }

    fn save(&self, account: &str, key: &DatabaseKey) -> Result<()> {
        self.entry(account)?.set_secret(key.as_bytes()).map_err(unreachable_keychain)
    }
}

/// Keys in memory: for unit tests and benchmarks only.
#[derive(Default)]
pub struct MemoryKeyStore(Mutex<HashMap<String, DatabaseKey>>);

impl KeyStore for MemoryKeyStore {
    fn load(&self, account: &str) -> Result<Option<DatabaseKey>> {
        Ok(self.0.lock().expect("key map").get(account).cloned())
    }

    fn save(&self, account: &str, key: &DatabaseKey) -> Result<()> {
        self.0.lock().expect("key map").insert(account.to_string(), key.clone());
        Ok(())
    }
}
