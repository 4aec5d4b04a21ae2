//! The clinic-core benchmark: the figures over a generated clinic of 1,000,000 patients
//! and 1,000,000 appointments (20 practitioners), each beside the same work as bare SQLite on the
//! same file, so the difference is what our layers cost. Prints a table; asserts nothing.
//!
//!   cargo bench -p clinic-core            (first run generates the database, ~ a few minutes)
//!   CLINIC_BENCH_DIR=… to keep the database elsewhere; CLINIC_BENCH_PATIENTS=… for a smaller one.

mod bare;
mod clinical;
mod money;
mod reports;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bare::{Arg, Bare};
use chrono::{Datelike, NaiveDate, Utc, Weekday};
use clinic_core::auth::login;
use clinic_core::clock::SystemClock;
use clinic_core::demo::{create_demo_clinic, DemoSize, DEMO_PASSWORD};
use clinic_core::domain::fold;
use clinic_core::ops::calendar::{book_appointment, day_calendar, free_slots, local_to_utc_lenient, BookingInput};
use clinic_core::ops::patients::search_patients;
use clinic_core::ops::practitioners::list_practitioners;
use clinic_core::ops::appointment_types::list_appointment_types;
use clinic_core::store::{DatabaseKey, KeyStore, MemoryKeyStore};
use clinic_core::{Clinic, ClinicThread};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

struct Row {
    what: &'static str,
    ours: Vec<Duration>,
    bare: Vec<Duration>,
    budget: &'static str,
}

fn print(rows: &mut [Row]) {
    println!("\n{:<44} {:>6} {:>11} {:>11} {:>11} {:>11}   budget", "operation", "n", "ours p50", "ours p99", "bare p50", "bare p99");
    for r in rows.iter_mut() {
        let n = r.ours.len();
        println!(
            "{:<44} {:>6} {:>11} {:>11} {:>11} {:>11}   {}",
            r.what, n, ms(percentile(&mut r.ours, 0.5)), ms(percentile(&mut r.ours, 0.99)),
            ms(percentile(&mut r.bare, 0.5)), ms(percentile(&mut r.bare, 0.99)), r.budget
        );
    }
}

/// Runs a use case on the clinic's thread as the given session.
macro_rules! ours {
    ($clinic:expr, $session:expr, |$c:ident, $s:ident| $body:expr) => {{
        let $s = $session.clone();
        $clinic.run(move |$c| async move { let $s = &*$s; $body.await }).await.unwrap()
    }};
}

fn main() {
    // RUST_LOG=sqlx=debug shows every statement with its time, for finding where time goes.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).with_writer(std::io::stderr).init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let patients: usize = std::env::var("CLINIC_BENCH_PATIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = std::env::var_os("CLINIC_BENCH_DIR").map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/clinic-desk/bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = std::path::absolute(dir.join(format!("clinic-{patients}.db"))).unwrap();
    let key_file = path.with_extension("key");
    let ready = path.with_extension("ready");
    // A database made by an older schema (its migrations changed) is made again.
    if ready.exists() && std::fs::read_to_string(&ready).unwrap_or_default() != schema_fingerprint() {
        std::fs::remove_file(&ready).unwrap();
    }
    if !ready.exists() {
        for stale in [&path, &key_file] {
            let _ = std::fs::remove_file(stale);
        }
        let _ = std::fs::remove_file(path.with_extension("db-wal"));
        let key = DatabaseKey::generate();
        std::fs::write(&key_file, hex::encode(key.as_bytes())).unwrap();
        let keys = MemoryKeyStore::default();
        keys.save(&format!("database-key:{}", path.display()), &key).unwrap();
        let clinic = Clinic::open(&path, &keys, Arc::new(SystemClock)).await.unwrap();
        let started = Instant::now();
        let size = DemoSize { patients, practitioners: 20, appointments: patients };
        create_demo_clinic(&clinic, size, |p| {
            if p.done == p.total || p.done % 100_000 == 0 {
                eprintln!("generating {}: {}/{} ({:.0?})", p.stage, p.done, p.total, started.elapsed());
            }
        })
        .await
        .unwrap();
        sqlx::query("PRAGMA optimize").execute(clinic.store().pool()).await.unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!("generated {patients} patients and {patients} appointments in {secs:.1} s ({:.0} rows/s)", 2.0 * patients as f64 / secs);
        clinic.store().close().await;
        std::fs::write(&ready, schema_fingerprint()).unwrap();
    }
    let key_hex = std::fs::read_to_string(&key_file).unwrap();
    let key = DatabaseKey::from_bytes(&hex::decode(key_hex.trim()).unwrap()).unwrap();
    let keys = MemoryKeyStore::default();
    keys.save(&format!("database-key:{}", path.display()), &key).unwrap();
    let started = Instant::now();
    // As the app does: the clinic on its own thread, every use case sent to it.
    let open_path = path.clone();
    let clinic = ClinicThread::start(move || async move { Clinic::open(&open_path, &keys, Arc::new(SystemClock)).await }).unwrap();
    println!("opened {} ({:.1} MB) in {:.0?}", path.display(), std::fs::metadata(&path).unwrap().len() as f64 / 1e6, started.elapsed());
    let raw = Bare::open(&path, &key_hex);
    let desk = Arc::new(clinic.run(|c| async move { login(&c, "reception", DEMO_PASSWORD).await.unwrap() }).await.unwrap());
    let mut rng = StdRng::seed_from_u64(7);
    if std::env::var_os("CLINIC_BENCH_PLANS").is_some() {
        clinic.run(|c| async move {
            for q in [
                "SELECT id, starts_at AS start, busy_until FROM appointment WHERE practitioner_id = ?1 AND starts_at > ?2 AND starts_at < ?3 AND busy_until > ?4 AND status IN ('booked', 'arrived', 'in_consultation', 'completed') AND deleted_at IS NULL AND id IS NOT ?5 ORDER BY starts_at",
                "SELECT id FROM appointment_view WHERE site_id = ?1 AND starts_at >= ?2 AND starts_at < ?3 ORDER BY starts_at",
                "SELECT id FROM appointment_view WHERE site_id = (SELECT site_id FROM device) AND starts_at >= ?2 AND starts_at < ?3 ORDER BY starts_at",
                "SELECT a.starts_at FROM appointment a WHERE a.patient_id = ?1 AND a.id != ?2 AND a.starts_at > ?3 AND a.starts_at < ?4 AND a.ends_at > ?5 AND a.status IN ('booked', 'arrived', 'in_consultation') AND a.deleted_at IS NULL",
            ] {
                let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {q}"))).fetch_all(c.store().pool()).await.unwrap();
                println!("PLAN {:?}", plan.iter().map(|p| &p.3).collect::<Vec<_>>());
            }
        }).await.unwrap();
    }
    let mut rows = Vec::new();

    // 1. Patient search as you type: 3+ characters, first 20 results.
    let words: Vec<String> = {
        let names: Vec<(String, String)> = clinic.run(|c| async move {
            sqlx::query_as("SELECT given_name, family_name FROM patient WHERE rowid % 997 = 0").fetch_all(c.store().pool()).await.unwrap()
        }).await.unwrap();
        names.into_iter().flat_map(|(g, f)| [g, f]).map(|n| fold(&n)).collect()
    };
    let typed: Vec<String> = (0..2000).map(|i| {
        let word = words.choose(&mut rng).unwrap();
        let chars: Vec<char> = word.chars().filter(|c| c.is_alphanumeric()).collect();
        let take = rng.random_range(3.min(chars.len())..=chars.len());
        let first: String = chars[..take].iter().collect();
        if i % 4 == 0 { format!("{} {}", first, &words.choose(&mut rng).unwrap().chars().take(3).collect::<String>()) } else { first }
    }).collect();
    let mut search = raw.prepare(
        "SELECT p.id, p.mrn, p.given_name, p.family_name, p.sex, p.birth_date, p.phones FROM patient_search s JOIN patient p ON p.rowid = s.rowid
         WHERE patient_search MATCH ?1 ORDER BY s.rowid DESC LIMIT 20");
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for q in &typed {
        let t = Instant::now();
        let q2 = q.clone();
        std::hint::black_box(ours!(clinic, desk, |c, s| search_patients(&c, s, &q2, 20)).unwrap());
        ours.push(t.elapsed());
        let fts: String = q.split_whitespace().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
        let t = Instant::now();
        search.run(&[Arg::Text(&fts)]);
        bare.push(t.elapsed());
    }
    rows.push(Row { what: "patient search as you type (20 results)", ours, bare, budget: "p50 ≤ 2 ms, p99 ≤ 10 ms" });

    // 2. Book an appointment (conflict check, row, outbox, audit) into free slots of the next month.
    let practitioners = ours!(clinic, desk, |c, s| list_practitioners(&c, s)).unwrap();
    let follow_up = ours!(clinic, desk, |c, s| list_appointment_types(&c, s)).unwrap().into_iter().find(|t| t.name == "Follow-up").unwrap();
    let (patient_ids, device): (Vec<Uuid>, Vec<u8>) = clinic.run(|c| async move {
        let ids = sqlx::query_scalar("SELECT id FROM patient WHERE rowid % 29 = 0").fetch_all(c.store().pool()).await.unwrap();
        let device = sqlx::query_scalar("SELECT id FROM device").fetch_one(c.store().pool()).await.unwrap();
        (ids, device)
    }).await.unwrap();
    let today = Utc::now().date_naive();
    let zone: chrono_tz::Tz = "Europe/Lisbon".parse().unwrap();
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    let conflicts = raw.prepare(
        "SELECT a.id, a.starts_at, a.busy_until FROM appointment a WHERE a.practitioner_id = ?1 AND a.starts_at > ?2 AND a.starts_at < ?3
         AND a.busy_until > ?4 AND a.status IN ('booked','arrived','in_consultation','completed') AND a.deleted_at IS NULL");
    let mut conflicts = conflicts;
    let mut insert = raw.prepare(
        "INSERT INTO appointment (id, org_id, created_at, updated_at, updated_hlc, site_id, patient_id, practitioner_id, type_id,
         starts_at, ends_at, busy_until, time_zone, status) SELECT ?1, org_id, ?2, ?2, 'bench', site_id, ?3, ?4, ?5, ?6, ?7, ?7, 'Europe/Lisbon', 'booked' FROM device");
    // The same reads as the use case: who is acting, the patient, the practitioner, the type, the
    // practitioner's time off, and the patient's other appointments.
    let mut time_off = raw.prepare("SELECT starts_at, ends_at, reason FROM time_off WHERE site_id = (SELECT site_id FROM device) AND (practitioner_id = ?1 OR practitioner_id IS NULL) AND starts_at < ?2 AND ends_at > ?3 AND deleted_at IS NULL");
    let mut staff_check = raw.prepare("SELECT roles, active FROM staff WHERE id = ?1 AND deleted_at IS NULL");
    let mut patient_check = raw.prepare("SELECT given_name, family_name, mrn, merged_into FROM patient WHERE id = ?1 AND deleted_at IS NULL");
    let mut practitioner_row = raw.prepare("SELECT * FROM practitioner WHERE id = ?1");
    let mut type_row = raw.prepare("SELECT * FROM appointment_type WHERE id = ?1");
    let mut elsewhere = raw.prepare("SELECT starts_at, (SELECT display_name FROM practitioner WHERE id = a.practitioner_id) FROM appointment a WHERE patient_id = ?1 AND id != ?2 AND starts_at > ?3 AND starts_at < ?4 AND ends_at > ?5 AND status IN ('booked', 'arrived', 'in_consultation') AND deleted_at IS NULL");
    let mut seq = raw.prepare("UPDATE series SET next = next + 1 WHERE name = ?1 RETURNING next - 1");
    let mut outbox = raw.prepare(
        "INSERT INTO outbox (mutation_id, device_seq, hlc, entity, entity_id, op, changes, created_at) VALUES (?1, (SELECT next - 1 FROM series WHERE name = 'device_seq'), 'bench', 'appointment', ?2, 'insert', '{}', ?3)");
    let mut last_entry = raw.prepare("SELECT seq, hash FROM audit_event WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1");
    // Bare SQL writes its audit entries under a device of its own: the clinic keeps its own
    // chain's head in memory, and the same work costs the same under any device id.
    let mut audit = raw.prepare(
        "INSERT INTO audit_event (id, org_id, device_id, seq, at, action, entity, entity_id, details, prev_hash, hash)
         SELECT ?1, org_id, zeroblob(16), (SELECT coalesce(max(seq), 0) + 1 FROM audit_event WHERE device_id = zeroblob(16)), ?2, 'bench', 'appointment', ?3, '{}', 'x', 'x' FROM device");
    // Two free slots a time, beyond the demo's last booked day so every run finds room (earlier
    // runs' bookings stay). Ours book the first, bare SQL the second, in separate passes: a write on
    // one connection empties the other's page cache, which would slow both.
    let mut pairs = Vec::new();
    let mut used = std::collections::HashSet::new();
    while pairs.len() < 1000 {
        let p = practitioners.choose(&mut rng).unwrap();
        let day = today + chrono::Duration::days(rng.random_range(31..1500));
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) || !used.insert((p.id, day)) {
            continue;
        }
        let (pid, tid) = (p.id, follow_up.id);
        let slots = ours!(clinic, desk, |c, s| free_slots(&c, s, pid, tid, day, 1)).unwrap();
        if let [first, second, ..] = &slots[..] {
            pairs.push((p.id, first.local_start, second.local_start));
        }
    }
    for (practitioner_id, starts, _) in &pairs {
        let input = BookingInput { patient_id: *patient_ids.choose(&mut rng).unwrap(), practitioner_id: *practitioner_id,
            type_id: follow_up.id, starts: *starts, notes: None, override_schedule: false };
        let t = Instant::now();
        ours!(clinic, desk, |c, s| book_appointment(&c, s, input)).unwrap();
        ours.push(t.elapsed());
    }
    for (practitioner_id, _, starts) in &pairs {
        let start = local_to_utc_lenient(zone, *starts).timestamp_millis();
        let end = start + 15 * 60_000;
        let (id, mutation, event) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let patient = patient_ids.choose(&mut rng).unwrap();
        let now = Utc::now().timestamp_millis();
        let t = Instant::now();
        raw.exec("BEGIN IMMEDIATE");
        staff_check.run(&[Arg::Blob(desk.staff_id.as_bytes())]);
        patient_check.run(&[Arg::Blob(patient.as_bytes())]);
        practitioner_row.run(&[Arg::Blob(practitioner_id.as_bytes())]);
        type_row.run(&[Arg::Blob(follow_up.id.as_bytes())]);
        conflicts.run(&[Arg::Blob(practitioner_id.as_bytes()), Arg::Int(start - 36_000_000), Arg::Int(end), Arg::Int(start)]);
        time_off.run(&[Arg::Blob(practitioner_id.as_bytes()), Arg::Int(end), Arg::Int(start)]);
        insert.run(&[Arg::Blob(id.as_bytes()), Arg::Int(now), Arg::Blob(patient.as_bytes()), Arg::Blob(practitioner_id.as_bytes()),
            Arg::Blob(follow_up.id.as_bytes()), Arg::Int(start), Arg::Int(end)]);
        elsewhere.run(&[Arg::Blob(patient.as_bytes()), Arg::Blob(id.as_bytes()), Arg::Int(start - 36_000_000), Arg::Int(end), Arg::Int(start)]);
        seq.run(&[Arg::Text("device_seq")]);
        outbox.run(&[Arg::Blob(mutation.as_bytes()), Arg::Blob(id.as_bytes()), Arg::Int(now)]);
        last_entry.run(&[Arg::Blob(&device)]);
        audit.run(&[Arg::Blob(event.as_bytes()), Arg::Int(now), Arg::Blob(id.as_bytes())]);
        raw.exec("COMMIT");
        bare.push(t.elapsed());
    }
    rows.push(Row { what: "book an appointment (check, outbox, audit)", ours, bare, budget: "p50 ≤ 1 ms, p99 ≤ 5 ms" });

    // 3. A day's calendar of the 20 practitioners.
    let mut day_query = raw.prepare("SELECT * FROM appointment_view WHERE site_id = (SELECT site_id FROM device) AND starts_at >= ?1 AND starts_at < ?2 ORDER BY starts_at");
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    let mut appointments = 0;
    while ours.len() < 200 {
        let day = today - chrono::Duration::days(rng.random_range(0..300));
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        // Both connections read the day once first: the figures are of a calendar in use, not of
        // the disk (the first opening of a day reads its pages from disk and decrypts them).
        let (from, to) = bounds(zone, day, 1);
        day_query.run(&[Arg::Int(from), Arg::Int(to)]);
        ours!(clinic, desk, |c, s| day_calendar(&c, s, day)).unwrap();
        let t = Instant::now();
        let cal = ours!(clinic, desk, |c, s| day_calendar(&c, s, day)).unwrap();
        ours.push(t.elapsed());
        appointments += cal.practitioners.iter().map(|p| p.appointments.len()).sum::<usize>();
        let t = Instant::now();
        day_query.run(&[Arg::Int(from), Arg::Int(to)]);
        bare.push(t.elapsed());
    }
    println!("(a day's calendar holds {} appointments on average)", appointments / 200);
    rows.push(Row { what: "a day's calendar, 20 practitioners", ours, bare, budget: "≤ 10 ms" });

    // 4. Free slots of one practitioner for a week.
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let p = practitioners.choose(&mut rng).unwrap();
        let from = today + chrono::Duration::days(rng.random_range(0..28));
        let (start, end) = bounds(zone, from, 7);
        let (pid, tid) = (p.id, follow_up.id);
        ours!(clinic, desk, |c, s| free_slots(&c, s, pid, tid, from, 7)).unwrap();
        conflicts.run(&[Arg::Blob(p.id.as_bytes()), Arg::Int(start - 36_000_000), Arg::Int(end), Arg::Int(start)]);
        let t = Instant::now();
        std::hint::black_box(ours!(clinic, desk, |c, s| free_slots(&c, s, pid, tid, from, 7)).unwrap());
        ours.push(t.elapsed());
        let t = Instant::now();
        conflicts.run(&[Arg::Blob(p.id.as_bytes()), Arg::Int(start - 36_000_000), Arg::Int(end), Arg::Int(start)]);
        time_off.run(&[Arg::Blob(p.id.as_bytes()), Arg::Int(end), Arg::Int(start)]);
        bare.push(t.elapsed());
    }
    rows.push(Row { what: "free slots of one practitioner for a week", ours, bare, budget: "≤ 5 ms" });
    clinical::figures(&clinic, &raw, &mut rows).await;
    money::figures(&clinic, &raw, &mut rows).await;
    reports::figures(&clinic, &raw, &mut rows).await;
    print(&mut rows);
}

/// The client migrations' text, summarised: the generated database belongs to this schema.
fn schema_fingerprint() -> String {
    use std::hash::{Hash, Hasher};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations/client");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        std::fs::read(f).unwrap().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn bounds(zone: chrono_tz::Tz, day: NaiveDate, days: i64) -> (i64, i64) {
    let start = local_to_utc_lenient(zone, day.and_hms_opt(0, 0, 0).unwrap()).timestamp_millis();
    let end = local_to_utc_lenient(zone, (day + chrono::Duration::days(days)).and_hms_opt(0, 0, 0).unwrap()).timestamp_millis();
    (start, end)
}
