//! Backup and restore figures (issue 13) on the million-patient clinic the `figures` benchmark
//! generates (run it first): a backup made while the front desk books, with the longest booking
//! during it beside bookings with no backup running; a restore onto a "new computer"; and beside
//! each, bare `sqlcipher_export` of the same file (the floor). Prints a table; asserts nothing.
//!
//!   cargo bench -p clinic-core --bench backups

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc, Weekday};
use clinic_core::auth::login;
use clinic_core::backup;
use clinic_core::clock::SystemClock;
use clinic_core::demo::DEMO_PASSWORD;
use clinic_core::ops::appointment_types::list_appointment_types;
use clinic_core::ops::calendar::{book_appointment, free_slots, BookingInput};
use clinic_core::ops::practitioners::list_practitioners;
use clinic_core::store::{DatabaseKey, KeyStore, MemoryKeyStore};
use clinic_core::{Clinic, ClinicThread};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

fn main() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(run());
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

async fn run() {
    let patients: usize = std::env::var("CLINIC_BENCH_PATIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = std::env::var_os("CLINIC_BENCH_DIR").map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/clinic-desk/bench"));
    let path = std::path::absolute(dir.join(format!("clinic-{patients}.db"))).unwrap();
    let Ok(key_hex) = std::fs::read_to_string(path.with_extension("key")) else {
        eprintln!("{} is not there: run `cargo bench -p clinic-core --bench figures` first, it generates the clinic.", path.display());
        return;
    };
    let key = DatabaseKey::from_bytes(&hex::decode(key_hex.trim()).unwrap()).unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    keys.save(&clinic_core::store::keychain_account(&path), &key).unwrap();
    let open_keys = keys.clone();
    let open_path = path.clone();
    let clinic = ClinicThread::start(move || async move { Clinic::open(&open_path, &*open_keys, Arc::new(SystemClock)).await }).unwrap();
    let megabytes = std::fs::metadata(&path).unwrap().len() as f64 / 1_048_576.0;
    println!("the clinic: {} ({megabytes:.0} MB)", path.display());

    let work = dir.join("backup-figures");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("usb")).unwrap();
    let admin = Arc::new(clinic.run(|c| async move { login(&c, "admin", DEMO_PASSWORD).await.unwrap() }).await.unwrap());
    let desk = Arc::new(clinic.run(|c| async move { login(&c, "reception", DEMO_PASSWORD).await.unwrap() }).await.unwrap());
    let (usb, a) = (work.join("usb").display().to_string(), admin.clone());
    let code = clinic.run(move |c| async move {
        backup::choose_folder(&c, &a, &usb).await.unwrap();
        backup::new_recovery_code(&c, &a).await.unwrap().code
    }).await.unwrap();

    // Bookings: into free slots of weekdays years ahead (so every run finds room), one every 20 ms.
    // Enough for the whole backup (about 20 s on the 2-core machine); the table says if they ran out.
    let bookings = slots(&clinic, &desk, 1600).await;
    let mut bookings = bookings.into_iter();
    let mut quiet = Vec::new();
    for input in bookings.by_ref().take(100) {
        quiet.push(book(&clinic, &desk, input).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The backup, on the clinic's thread as the app runs it, while the desk goes on booking.
    let (c2, a2, k2) = (clinic.clone(), admin.clone(), keys.clone());
    let started = Instant::now();
    let backing_up = tokio::spawn(async move {
        c2.run(move |c| async move { backup::back_up_now(&c, &a2, &*k2, &|_| ControlFlow::Continue(())).await.unwrap() }).await.unwrap()
    });
    let mut during = Vec::new();
    let mut slowest = Vec::new();
    while !backing_up.is_finished() {
        let Some(input) = bookings.next() else { break };
        let at = started.elapsed();
        let took = book(&clinic, &desk, input).await;
        during.push(took);
        slowest.push((took, at));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    slowest.sort();
    let booked_for = started.elapsed();
    let made = backing_up.await.unwrap();
    let backup_took = started.elapsed();
    println!("backup: {} ({:.0} MB)", made.path, made.megabytes);

    // Restore onto a new computer: an empty folder, another keychain, the code.
    let new_computer = work.join("new-computer");
    std::fs::create_dir_all(&new_computer).unwrap();
    let started = Instant::now();
    let restored = backup::restore(&new_computer.join("clinic.db"), &MemoryKeyStore::default(), std::path::Path::new(&made.path),
        &code.grouped(), Arc::new(SystemClock)).await.unwrap();
    let restore_took = started.elapsed();
    assert!(restored.previous.is_none());

    // The floor: bare sqlcipher_export of the same file into a new one, nothing else.
    let floor = {
        let to = work.join("bare.db");
        // The bare connection opens without SQLITE_OPEN_CREATE, and ATTACH takes its flags.
        std::fs::File::create(&to).unwrap();
        let started = Instant::now();
        let db = Bare::open(&path, &key_hex);
        db.exec("PRAGMA foreign_keys = OFF");
        db.exec(&format!("ATTACH DATABASE '{}' AS copy KEY \"x'{}'\"", to.display(), hex::encode_upper([7u8; 32])));
        db.exec("SELECT sqlcipher_export('copy')");
        db.exec("DETACH DATABASE copy");
        started.elapsed()
    };

    quiet.sort();
    during.sort();
    let p50 = |v: &[Duration]| v[v.len() / 2];
    let max = |v: &[Duration]| *v.last().unwrap();
    println!("\n{:<58} {:>12} {:>14}   budget", "", "ours", "bare export");
    println!("{:<58} {:>12} {:>14}   ≤ 60 s", format!("backup of the clinic ({megabytes:.0} MB), checked"), secs(backup_took), secs(floor));
    println!("{:<58} {:>12} {:>14}   ≤ 60 s", "restore onto a new computer (copy, migrate, check)", secs(restore_took), secs(floor));
    println!("{:<58} {:>12}", format!("booking with no backup running: p50 / longest (n={})", quiet.len()), format!("{} / {}", ms(p50(&quiet)), ms(max(&quiet))));
    println!("{:<58} {:>12}   longest ≤ 50 ms", format!("booking during the backup: p50 / longest (n={})", during.len()), format!("{} / {}", ms(p50(&during)), ms(max(&during))));
    println!("(the desk booked during the first {} of the backup's {}; the slowest bookings: {})", secs(booked_for), secs(backup_took),
        slowest.iter().rev().take(5).map(|(took, at)| format!("{} at {}", ms(*took), secs(*at))).collect::<Vec<_>>().join(", "));
    let _ = std::fs::remove_dir_all(&work);
}

async fn book(clinic: &ClinicThread, desk: &Arc<clinic_core::auth::Session>, input: BookingInput) -> Duration {
    let desk = desk.clone();
    let started = Instant::now();
    clinic.run(move |c| async move { book_appointment(&c, &desk, input).await.unwrap() }).await.unwrap();
    started.elapsed()
}

/// `n` bookings of a follow-up, each in a free slot of its own.
async fn slots(clinic: &ClinicThread, desk: &Arc<clinic_core::auth::Session>, n: usize) -> Vec<BookingInput> {
    let d = desk.clone();
    let (practitioners, follow_up, patients) = clinic.run(move |c| async move {
        let practitioners = list_practitioners(&c, &d).await.unwrap();
        let follow_up = list_appointment_types(&c, &d).await.unwrap().into_iter().find(|t| t.name == "Follow-up").unwrap();
        let patients: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM patient WHERE rowid % 97 = 0").fetch_all(c.store().pool()).await.unwrap();
        (practitioners, follow_up, patients)
    }).await.unwrap();
    let mut rng = StdRng::seed_from_u64(13);
    let mut inputs = Vec::new();
    let mut used = std::collections::HashSet::new();
    while inputs.len() < n {
        let p = practitioners.choose(&mut rng).unwrap();
        let day = Utc::now().date_naive() + chrono::Duration::days(rng.random_range(1600..3000));
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) || !used.insert((p.id, day)) {
            continue;
        }
        let (pid, tid, d) = (p.id, follow_up.id, desk.clone());
        let free = clinic.run(move |c| async move { free_slots(&c, &d, pid, tid, day, 1).await.unwrap() }).await.unwrap();
        if let Some(first) = free.first() {
            inputs.push(BookingInput { patient_id: *patients.choose(&mut rng).unwrap(), practitioner_id: p.id, type_id: follow_up.id,
                starts: first.local_start, notes: None, override_schedule: false });
        }
    }
    inputs
}

#[allow(dead_code)]
mod bare;
use bare::Bare;
