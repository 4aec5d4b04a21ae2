use clinic_core::auth::login;
use clinic_core::store::{KeyStore, MemoryKeyStore};
use clinic_core::{Clinic, Code};

use crate::helpers::*;

#[tokio::test]
async fn the_database_file_is_encrypted_and_unreadable_without_its_key() {
    let t = clinic().await;
    t.clinic.store().close().await;
    let bytes = std::fs::read(&t.path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"), "the file header must not be plain SQLite");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("Harbour"), "clinic names must not appear in the file");

    // Plain SQLite (no key) cannot read it.
    let plain = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from sqlite_master').fetchone())"])
        .arg(&t.path)
        .output()
        .unwrap();
    assert!(!plain.status.success(), "plain sqlite3 must fail on the encrypted file");

    // Another key cannot open it either, and says so.
    let wrong = MemoryKeyStore::default();
    wrong.save(&format!("database-key:{}", t.path.display()), &clinic_core::store::DatabaseKey::generate()).unwrap();
    let err = Clinic::open(&t.path, &wrong, t.clock.clone()).await.err().unwrap();
    assert_eq!(err.code, Code::StoreUnavailable);
    assert!(err.message.contains("cannot be decrypted"), "{}", err.message);

    // With no key at all it refuses to open rather than create a plain store.
    let err = Clinic::open(&t.path, &MemoryKeyStore::default(), t.clock.clone()).await.err().unwrap();
    assert_eq!(err.code, Code::KeyUnavailable);

    // The right key opens it, with the data intact.
    let clinic = Clinic::open(&t.path, &*t.keys, t.clock.clone()).await.unwrap();
    assert!(clinic.is_set_up());
    login(&clinic, "ada", ADMIN_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn the_store_runs_with_wal_full_sync_and_foreign_keys() {
    let t = clinic().await;
    let pool = t.clinic.store().pool();
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(pool).await.unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(pool).await.unwrap();
    let cipher: String = sqlx::query_scalar("PRAGMA cipher_version").fetch_one(pool).await.unwrap();
    assert_eq!((journal.as_str(), synchronous, fk), ("wal", 2, 1));
    assert!(cipher.starts_with('4'), "SQLCipher 4 expected, got {cipher}");
}

#[tokio::test]
async fn a_damaged_file_fails_the_integrity_check_and_says_where() {
    let t = clinic().await;
    // Enough rows to spread over many pages.
    let desk = t.staff("rita", &["receptionist"]).await;
    for i in 0..300 {
        t.patient(&desk, "Ana", &format!("Silva{}", "x".repeat(i % 50)), "1980-01-01").await;
    }
    t.clinic.store().check_integrity().await.unwrap();
    t.clinic.store().close().await;
    // Flip bytes in one of the last pages (patient rows and their search index, written last;
    // not the schema or the device, which opening reads), as a failing disk would.
    let mut bytes = std::fs::read(&t.path).unwrap();
    let middle = bytes.len() - 3 * 4096 + 100;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0xFF;
    }
    std::fs::write(&t.path, bytes).unwrap();
    let clinic = Clinic::open(&t.path, &*t.keys, t.clock.clone()).await.unwrap();
    let err = clinic.store().check_integrity().await.unwrap_err();
    assert_eq!(err.code, Code::StoreUnavailable);
    assert!(err.message.contains(&t.path.display().to_string()), "{}", err.message);
}
