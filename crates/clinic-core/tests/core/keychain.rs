//! A real round trip through the OS keychain (the Secret Service on Linux). The test command runs
//! it inside a D-Bus session with GNOME Keyring and sets CLINIC_REQUIRE_KEYCHAIN, so there it
//! cannot pass by skipping.

use std::sync::Arc;

use clinic_core::clock::SystemClock;
use clinic_core::store::{KeyStore, OsKeychain};
use clinic_core::Clinic;

#[tokio::test(flavor = "multi_thread")]
async fn the_database_key_round_trips_through_the_os_keychain() {
    let required = std::env::var_os("CLINIC_REQUIRE_KEYCHAIN").is_some();
    let service = format!("clinic-desk-test-{}", uuid::Uuid::now_v7());
    let keychain = OsKeychain::new(&service);
    if let Err(e) = keychain.load("probe") {
        assert!(!required, "the OS keychain is required here but unreachable: {}", e.message);
        eprintln!("not run: no OS keychain on this machine ({})", e.message);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    let clinic = Clinic::open(&path, &keychain, Arc::new(SystemClock)).await.unwrap();
    clinic.store().close().await;

    // A fresh handle on the same keychain finds the key the store was made with, and opens it.
    let again = OsKeychain::new(&service);
    let account = format!("database-key:{}", std::path::absolute(&path).unwrap().display());
    let key = again.load(&account).unwrap().expect("the key was saved in the keychain");
    assert_eq!(key.as_bytes().len(), 32);
    Clinic::open(&path, &again, Arc::new(SystemClock)).await.unwrap();
}
