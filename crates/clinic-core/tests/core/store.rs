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
    let clinic = damage(&t).await;
    let err = clinic.store().check_integrity().await.unwrap_err();
    assert_eq!(err.code, Code::StoreUnavailable);
    assert!(err.message.contains(&t.path.display().to_string()), "{}", err.message);
}

/// Closes the store, flips bytes in one of its last pages (patient rows and their search index,
/// written last), as a failing disk would, and opens it again. Which page opening itself reads
/// (the schema, the device) moves with the data the test made: a page whose damage stops the
/// opening is put back and the one before it damaged instead.
async fn damage(t: &TestClinic) -> Clinic {
    t.clinic.store().close().await;
    let healthy = std::fs::read(&t.path).unwrap();
    for from_the_end in 3..12 {
        let mut bytes = healthy.clone();
        let at = bytes.len() - from_the_end * 4096 + 100;
        for b in &mut bytes[at..at + 64] {
            *b ^= 0xFF;
        }
        std::fs::write(&t.path, bytes).unwrap();
        if let Ok(clinic) = Clinic::open(&t.path, &*t.keys, t.clock.clone()).await {
            return clinic;
        }
        std::fs::write(&t.path, &healthy).unwrap();
    }
    panic!("every damaged page stopped the store from opening");
}

#[tokio::test]
async fn a_damaged_store_refuses_every_change_and_sync_but_can_still_be_read() {
    use clinic_core::ops::calendar::{book_appointment, day_calendar, BookingInput};
    use clinic_core::ops::patients::register_patient;
    let f = front_desk().await;
    let mut patients = Vec::new();
    for i in 0..300 {
        patients.push(f.t.patient(&f.desk, "Ana", &format!("Silva{}", "x".repeat(i % 50)), "1980-01-01").await);
    }
    // Enrolled with a server that is not there: a sync round must be refused before it tries.
    sqlx::query("INSERT INTO sync_state (id, server_url, organisation_id, organisation_name) VALUES (1, 'http://127.0.0.1:9', ?, 'Harbour Health')")
        .bind(f.t.admin.staff_id).execute(f.t.clinic.store().pool()).await.unwrap();
    let token_account = format!("sync-token:{}", std::path::absolute(&f.t.path).unwrap().display());
    f.t.keys.save(&token_account, &clinic_core::store::DatabaseKey::generate()).unwrap();
    let clinic = damage(&f.t).await;
    assert!(clinic.store().check_integrity().await.is_err());

    let booking = BookingInput {
        patient_id: patients[0].id, practitioner_id: f.practitioner.id, type_id: f.visit.id,
        starts: at("2026-11-23", "10:00"), notes: None, override_schedule: false,
    };
    let refusals = [
        register_patient(&clinic, &f.desk, person("Lena", "Vogel", "1995-05-05"), true).await.map(drop).unwrap_err(),
        book_appointment(&clinic, &f.desk, booking).await.map(drop).unwrap_err(),
        clinic_core::sync::sync_once(&clinic, &*f.t.keys).await.map(drop).unwrap_err(),
    ];
    for refused in refusals {
        assert_eq!(refused.code, Code::StoreUnavailable, "{}", refused.message);
        assert!(refused.message.contains("Nothing was saved") && refused.message.contains("backup"), "{}", refused.message);
    }
    // Nothing changed: no booking, and the sync round did not even note its failure.
    let booked: i64 = sqlx::query_scalar("SELECT count(*) FROM appointment").fetch_one(clinic.store().pool()).await.unwrap();
    let noted: Option<String> = sqlx::query_scalar("SELECT last_error FROM sync_state").fetch_one(clinic.store().pool()).await.unwrap();
    assert_eq!((booked, noted), (0, None));
    // Reading goes on.
    let day = day_calendar(&clinic, &f.desk, date("2026-11-23")).await.unwrap();
    assert_eq!(day.practitioners.len(), 1);
}
