//! Backups and restore on real encrypted stores: a backup opens on a new computer with only its
//! recovery code (attachments and all); restoring onto this workstation keeps what it replaced;
//! a wrong code, a typo, a damaged, cut-short or foreign backup, a missing folder are each refused
//! with the data left exactly as it was; rotation keeps 7 daily, 4 weekly and 12 monthly.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use clinic_core::backup::{self, RecoveryCode};
use clinic_core::clock::{Clock, ManualClock};
use clinic_core::ops::attachments::{add_attachment, open_attachment, AttachmentInput};
use clinic_core::store::{KeyStore, MemoryKeyStore};
use clinic_core::{Clinic, Code};
use sha2::{Digest, Sha256};

use crate::helpers::*;

fn no_progress() -> impl Fn(clinic_core::ops::reports::Progress) -> ControlFlow<()> + Send + Sync {
    |_| ControlFlow::Continue(())
}

/// A clinic with a patient, a scan and a finalised, paid invoice; its backups going to a folder
/// of their own, with a recovery code.
struct Backed {
    f: Front,
    code: RecoveryCode,
    _folder: tempfile::TempDir,
    scan: Vec<u8>,
    scan_id: uuid::Uuid,
}

async fn backed() -> Backed {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let scan: Vec<u8> = b"%PDF-1.4\n".iter().copied().chain((0..2_500_000u32).map(|i| (i * 31 % 251) as u8)).collect();
    let added = add_attachment(&f.t.clinic, &f.doctor,
        AttachmentInput { patient_id: ana.id, encounter_id: None, file_name: "referral.pdf".into(), description: None, bytes: scan.clone() })
        .await.unwrap();
    let folder = tempfile::tempdir().unwrap();
    backup::choose_folder(&f.t.clinic, &f.t.admin, folder.path().to_str().unwrap()).await.unwrap();
    let code = backup::new_recovery_code(&f.t.clinic, &f.t.admin).await.unwrap().code;
    Backed { f, code, _folder: folder, scan, scan_id: added.id }
}

/// What a restore must bring back: every table's rows.
async fn contents(clinic: &Clinic) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name NOT IN ('backup_settings', 'backup_manifest') ORDER BY name")
        .fetch_all(clinic.store().pool()).await.unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM \"{table}\""))).fetch_one(clinic.store().pool()).await.unwrap();
        counts.push((table, n));
    }
    counts
}

/// Every byte of a database and the files beside it, to prove a refusal changed nothing (but
/// SQLite's shared-memory index, and an empty write-ahead log, which a reader leaves: no data).
fn fingerprint(store: &Path) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(store.parent().unwrap()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file() && !name.ends_with("-shm") && entry.metadata().unwrap().len() > 0 {
            all.push((entry.file_name().to_string_lossy().into_owned(), hex::encode(Sha256::digest(std::fs::read(entry.path()).unwrap()))));
        }
    }
    all.sort();
    all
}

#[tokio::test]
async fn a_backup_opens_on_a_new_computer_with_only_the_recovery_code() {
    let b = backed().await;
    let (c, admin) = (&b.f.t.clinic, &b.f.t.admin);
    // As the backup holds it: its own audit entry comes after.
    let before = contents(c).await;
    let made = backup::back_up_now(c, admin, &*b.f.t.keys, &no_progress()).await.unwrap();
    assert!(made.path.ends_with(&format!("-{}.cdbackup", made.key_label)), "{}", made.path);
    let status = backup::status(c, admin).await.unwrap();
    assert_eq!(status.backups.len(), 1);
    assert_eq!((status.last_file.as_deref(), status.last_error.as_deref()), (Some(made.path.as_str()), None));
    assert_eq!(status.key_label.as_deref(), Some(made.key_label.as_str()));
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_event WHERE action IN ('backup', 'new_recovery_code', 'choose_backup_folder')")
        .fetch_one(c.store().pool()).await.unwrap();
    assert_eq!(audited, 3);
    // Not readable as plain SQLite, nor with this workstation's own key.
    let bytes = std::fs::read(&made.path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!bytes.windows(8).any(|w| w == b"Quaresma"));

    // A new computer: another keychain, an empty data folder, the backup folder and the code.
    let new_computer = tempfile::tempdir().unwrap();
    let path = new_computer.path().join("clinic.db");
    let keys = MemoryKeyStore::default();
    let clock = Arc::new(ManualClock::new(b.f.t.clock.now() + Duration::days(2)));
    // The app has made its empty store there already (its first screen): holding no clinic, it is not kept.
    Clinic::open(&path, &keys, clock.clone()).await.unwrap().store().close().await;
    let info = backup::inspect(&path, &keys, Path::new(&made.path), &b.code.grouped()).await.unwrap();
    assert_eq!((info.clinic_name.as_deref(), info.made_at), (Some("Harbour Health"), made.made_at));
    let restored = backup::restore(&path, &keys, Path::new(&made.path), &b.code.grouped().to_lowercase(), clock.clone()).await.unwrap();
    assert_eq!((restored.caught_up, restored.previous), (None, None), "a clinic that does not sync, onto an empty computer");
    let left: Vec<_> = std::fs::read_dir(new_computer.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(left.iter().all(|f| !f.contains("before-restore")), "the empty store is not kept: {left:?}");

    let there = Clinic::open(&path, &keys, clock.clone()).await.unwrap();
    assert_eq!(contents(&there).await, before, "every row of every table");
    let doctor = clinic_core::auth::login(&there, "house", STAFF_PASSWORD).await.unwrap();
    let opened = open_attachment(&there, &doctor, b.scan_id).await.unwrap();
    assert!(opened.bytes == b.scan, "the scan, from the backup's files");
    // The audit trail came whole.
    let admin_there = clinic_core::auth::login(&there, "ada", ADMIN_PASSWORD).await.unwrap();
    let report = clinic_core::audit::verify(&there, &admin_there).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // The manifest (with any sync token) stays in the backup only.
    let manifests: i64 = sqlx::query_scalar("SELECT count(*) FROM backup_manifest").fetch_one(there.store().pool()).await.unwrap();
    assert_eq!(manifests, 0);
    // It carries on backing up where it did, with the same code.
    let again = backup::back_up_now(&there, &admin_there, &keys, &no_progress()).await.unwrap();
    assert_eq!(again.key_label, made.key_label);
}

/// A store the restore cannot read (its key lost from the keychain, or the file damaged) may still
/// hold the clinic's newest data: it is kept aside, byte for byte, never discarded as empty.
#[tokio::test]
async fn a_store_that_does_not_open_is_kept_when_a_backup_replaces_it() {
    let b = backed().await;
    let t = &b.f.t;
    let made = backup::back_up_now(&t.clinic, &t.admin, &*t.keys, &no_progress()).await.unwrap();
    for (case, damage) in [("its key lost", None), ("damaged", Some(b"not a database at all".repeat(300)))] {
        let computer = tempfile::tempdir().unwrap();
        let path = computer.path().join("clinic.db");
        let keys = MemoryKeyStore::default();
        match &damage {
            // The clinic's own file, whose key this computer's keychain does not have.
            None => std::fs::copy(made.path.as_str(), &path).map(|_| ()).unwrap(),
            Some(bytes) => std::fs::write(&path, bytes).unwrap(),
        }
        let before = std::fs::read(&path).unwrap();
        let restored = backup::restore(&path, &keys, Path::new(&made.path), &b.code.grouped(), t.clock.clone()).await.unwrap();
        let kept = PathBuf::from(restored.previous.unwrap_or_else(|| panic!("{case}: the replaced store is kept")));
        assert_eq!(std::fs::read(&kept).unwrap(), before, "{case}: kept as it was");
    }
}

#[tokio::test]
async fn restoring_onto_this_workstation_brings_back_the_backup_and_keeps_what_it_replaced() {
    let b = backed().await;
    let t = &b.f.t;
    let at_backup = contents(&t.clinic).await;
    let made = backup::back_up_now(&t.clinic, &t.admin, &*t.keys, &no_progress()).await.unwrap();
    t.patient(&b.f.desk, "Bruno", "Later", "1990-01-01").await;
    t.clinic.store().close().await;

    let restored = backup::restore(&t.path, &*t.keys, Path::new(&made.path), &b.code.grouped(), t.clock.clone()).await.unwrap();
    let previous = PathBuf::from(restored.previous.expect("the replaced data is kept"));
    let back = Clinic::open(&t.path, &*t.keys, t.clock.clone()).await.unwrap();
    assert_eq!(contents(&back).await, at_backup);
    // What it replaced opens with this workstation's key, Bruno and all.
    let kept = clinic_core::store::Store::open_with_key(&previous, &t.keys.load(&clinic_core::store::keychain_account(&t.path)).unwrap().unwrap()).await.unwrap();
    let brunos: i64 = sqlx::query_scalar("SELECT count(*) FROM patient WHERE family_name = 'Later'").fetch_one(kept.pool()).await.unwrap();
    assert_eq!(brunos, 1);
}

#[tokio::test]
async fn a_wrong_code_a_typo_a_damaged_or_foreign_backup_is_refused_and_changes_nothing() {
    let b = backed().await;
    let t = &b.f.t;
    let made = backup::back_up_now(&t.clinic, &t.admin, &*t.keys, &no_progress()).await.unwrap();
    let good = std::fs::read(&made.path).unwrap();
    t.clinic.store().close().await;
    let untouched = fingerprint(&t.path);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let mut tampered = good.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x40;
    let other = {
        let other = clinic_in("Europe/Lisbon", monday()).await;
        let folder = tempfile::tempdir().unwrap().keep();
        backup::choose_folder(&other.clinic, &other.admin, folder.to_str().unwrap()).await.unwrap();
        let code = backup::new_recovery_code(&other.clinic, &other.admin).await.unwrap().code;
        sqlx::query("UPDATE organisation SET name = 'Hillside Care'").execute(other.clinic.store().pool()).await.unwrap();
        (backup::back_up_now(&other.clinic, &other.admin, &*other.keys, &no_progress()).await.unwrap(), code)
    };
    let cases: Vec<(&str, PathBuf, String, &str, &str)> = vec![
        ("a wrong code", PathBuf::from(&made.path), RecoveryCode::generate().grouped(), "code", "does not open"),
        ("a typo", PathBuf::from(&made.path), typo(&b.code.grouped()), "code", "typo"),
        ("too short", PathBuf::from(&made.path), "K7QF-2M9X".into(), "code", "six groups of four"),
        ("a changed byte", write("tampered.cdbackup", &tampered), b.code.grouped(), "", ""),
        ("cut short", write("short.cdbackup", &good[..good.len() / 3]), b.code.grouped(), "", ""),
        ("not a backup", write("notes.cdbackup", b"shopping list"), b.code.grouped(), "code", "not a Clinic Desk backup"),
        ("no such file", dir.path().join("gone.cdbackup"), b.code.grouped(), "backup", "no backup file"),
        ("another clinic's", PathBuf::from(&other.0.path), other.1.grouped(), "backup", "Hillside Care"),
    ];
    for (what, file, code, field, words) in cases {
        let e = backup::restore(&t.path, &*t.keys, &file, &code, t.clock.clone()).await.expect_err(what);
        assert_eq!(e.code, Code::Invalid, "{what}: {e:?}");
        if !field.is_empty() {
            assert_eq!(e.field.as_deref(), Some(field), "{what}: {e:?}");
            assert!(e.message.contains(words), "{what}: {}", e.message);
        }
        assert_eq!(fingerprint(&t.path), untouched, "{what}: the data is exactly as it was");
    }
}

/// The code with one symbol changed.
fn typo(code: &str) -> String {
    let mut bytes = code.as_bytes().to_vec();
    bytes[5] = if bytes[5] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_missing_folder_or_no_code_says_so_and_makes_no_backup() {
    let f = front_desk().await;
    let (c, admin) = (&f.t.clinic, &f.t.admin);
    let e = backup::back_up_now(c, admin, &*f.t.keys, &no_progress()).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("folder"), "{e:?}");
    let e = backup::choose_folder(c, admin, "/nowhere/usb").await.unwrap_err();
    assert!(e.message.contains("is not there"), "{}", e.message);
    let e = backup::choose_folder(c, admin, "backups").await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("folder"));

    let usb = tempfile::tempdir().unwrap();
    backup::choose_folder(c, admin, usb.path().to_str().unwrap()).await.unwrap();
    let e = backup::back_up_now(c, admin, &*f.t.keys, &no_progress()).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("code"), "{e:?}");
    backup::new_recovery_code(c, admin).await.unwrap();
    // The disk is unplugged.
    let gone = usb.path().to_path_buf();
    drop(usb);
    let e = backup::back_up_now(c, admin, &*f.t.keys, &no_progress()).await.unwrap_err();
    assert_eq!(e.code, Code::BackupFailed);
    assert!(e.message.contains("USB disk"), "{}", e.message);
    let status = backup::status(c, admin).await.unwrap();
    assert_eq!((status.last_at, status.last_error.as_deref()), (None, Some(e.message.as_str())), "the failure is shown until a backup succeeds");
    assert!(!gone.exists());
    // Only an admin.
    let e = backup::back_up_now(c, &f.manager, &*f.t.keys, &no_progress()).await.unwrap_err();
    assert_eq!(e.code, Code::PermissionDenied);
}

#[tokio::test]
async fn daily_backups_over_forty_days_keep_seven_days_four_weeks_and_the_months() {
    let f = front_desk_in("Europe/Lisbon", Utc.with_ymd_and_hms(2026, 10, 26, 3, 0, 0).unwrap()).await;
    let (c, admin) = (&f.t.clinic, &f.t.admin);
    let usb = tempfile::tempdir().unwrap();
    backup::choose_folder(c, admin, usb.path().to_str().unwrap()).await.unwrap();
    backup::new_recovery_code(c, admin).await.unwrap();
    for day in 0..40 {
        f.t.clock.set(Utc.with_ymd_and_hms(2026, 10, 26, 3, 0, 0).unwrap() + Duration::days(day));
        assert!(backup::back_up_if_due(c, &*f.t.keys).await.unwrap().is_some(), "day {day}");
        f.t.clock.advance(Duration::hours(5));
        assert!(backup::back_up_if_due(c, &*f.t.keys).await.unwrap().is_none(), "one a day");
    }
    f.t.resume(admin).await;
    let kept: Vec<String> = backup::status(c, admin).await.unwrap().backups.iter()
        .map(|b| chrono::DateTime::from_timestamp_millis(b.made_at).unwrap().format("%Y-%m-%d").to_string()).collect();
    // 2026-10-26 (a Monday) to 2026-12-04 (a Friday): the last 7 days, the newest of the two
    // weeks before (ISO weeks end on Sunday), and October's last day.
    assert_eq!(kept, ["2026-12-04", "2026-12-03", "2026-12-02", "2026-12-01", "2026-11-30", "2026-11-29", "2026-11-28",
        "2026-11-22", "2026-11-15", "2026-10-31"]);
}

/// The recovery sheet, as printed: the code in its six groups, the sheet's label that ends its
/// backups' names, the clinic and workstation, and how to restore; only for the current code.
#[tokio::test]
async fn the_recovery_sheet_carries_the_code_and_what_it_opens() {
    let b = backed().await;
    let (c, admin) = (&b.f.t.clinic, &b.f.t.admin);
    let sheet = backup::recovery_sheet(c, admin, &b.code.grouped().to_lowercase()).await.unwrap();
    let label = backup::status(c, admin).await.unwrap().key_label.expect("the code's label");
    assert_eq!(sheet.file_name, format!("Recovery sheet {label}.pdf"));
    let text = crate::print::read_back("recovery-sheet.pdf", &sheet.bytes);
    for expected in [b.code.grouped().as_str(), &format!("Sheet {label}"), &format!("-{label}.cdbackup"), "Backup recovery sheet",
        "Restore from a backup", "apart from the backups"] {
        assert!(text.contains(expected), "the sheet does not say “{expected}”:\n{text}");
    }

    // Another code (a typo'd one is refused before, at its box) prints nothing.
    let other = RecoveryCode::generate();
    let refused = backup::recovery_sheet(c, admin, &other.grouped()).await.unwrap_err();
    assert_eq!((refused.code, refused.message.as_str()), (Code::Invalid, "This is not this workstation's current recovery code."));
    // And only an admin prints it.
    assert_eq!(backup::recovery_sheet(c, &b.f.desk, &b.code.grouped()).await.unwrap_err().code, Code::PermissionDenied);
}
