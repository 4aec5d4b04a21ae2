//! The sync figures, printed (not asserted): run with `cargo bench -p clinic-server`, against
//! CLINIC_TEST_DATABASE_URL (default: the local PostgreSQL), each on a fresh database.
//!
//! 1. First sync of 100,000 records into an empty workstation (a real encrypted store).
//! 2. Push of 10,000 mutations from a real workstation; and the server's apply rate.
//! 3. 50 simulated workstations pushing and pulling at once for 60 s: errors, losses, latency.
//! 4. An idle round (nothing to push or pull): the workstation's CPU for it.
//! 5. What signing a change (the workstation) and verifying it (the server) cost, each.

#[path = "../tests/api/harness.rs"]
#[allow(dead_code)]
mod harness;
#[path = "../tests/convergence/desks.rs"]
#[allow(dead_code)]
mod desks;

use std::time::{Duration, Instant};

use clinic_sync::{Op, Outcome};
use harness::{patient_fields, Desk as SimulatedDesk, TestServer};
use serde_json::json;
use uuid::Uuid;

#[tokio::main]
async fn main() {
    let seconds = std::env::var("SYNC_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let only = std::env::var("SYNC_BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "first" { first_sync(100_000).await; }
    // 5,000 registrations: 10,000 mutations with their audit entries.
    if only.is_empty() || only == "push" { push(5_000, 10_000).await; }
    if only.is_empty() || only == "many" { many_workstations(50, Duration::from_secs(seconds)).await; }
    if only.is_empty() || only == "idle" { idle_rounds(500).await; }
    if only.is_empty() || only == "signing" { signing(10_000); }
}

/// Signs and verifies a patient's registration, as a workstation and the server do for every
/// change: the cost of each, per change.
fn signing(n: usize) {
    let mut desk_seq = 0;
    let signer = clinic_sync::signing::Signer::from_seed(&[3; 32]);
    let public_key = signer.public_key();
    let mut changes: Vec<clinic_sync::Mutation> = (0..n).map(|_| {
        desk_seq += 1;
        clinic_sync::Mutation {
            mutation_id: Uuid::now_v7(), device_seq: desk_seq, hlc: format!("{:016x}-bench", desk_seq), at: 1_790_000_000_000, entity: "patient".into(),
            entity_id: Uuid::now_v7(), op: Op::Insert, base_version: None, user_id: Some(Uuid::now_v7()), signature: None,
            changes: patient_fields("Signed").into_iter().map(|(k, v)| (k.to_string(), clinic_sync::FieldChange { old: json!(null), new: v })).collect(),
        }
    }).collect();
    let started = Instant::now();
    for m in &mut changes {
        m.signature = Some(signer.sign(m));
    }
    let signing = started.elapsed();
    let started = Instant::now();
    assert!(changes.iter().all(|m| clinic_sync::signing::verify(&public_key, m).is_ok()));
    let verifying = started.elapsed();
    println!("signing: {n} patient registrations signed at {:.1} µs each (the workstation), verified at {:.1} µs each (the server)",
        signing.as_secs_f64() * 1e6 / n as f64, verifying.as_secs_f64() * 1e6 / n as f64);
}

/// A workstation with nothing to push or pull runs `rounds` rounds; what it spent on the CPU (its
/// threads only: the server runs in this process on threads of its own, named "server").
async fn idle_rounds(rounds: usize) {
    let (sender, started) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("server").enable_all().build().unwrap();
        runtime.block_on(async {
            let server = TestServer::start().await;
            let org = server.organisation("Idle").await;
            sender.send((server.url.clone(), server.code(org).await)).unwrap();
            std::future::pending::<()>().await;
        });
    });
    let (url, code) = started.recv().unwrap();
    let (desk, _) = desks::enrolled_clinic(&url, &code).await;
    // Rounds at 40 a second, under the server's rate limit (the app runs one every 3 s); the
    // sleeps cost no CPU.
    let pause = Duration::from_millis(25);
    for _ in 0..20 {
        desk.sync().await; // everything pushed and pulled; the connection open
        tokio::time::sleep(pause).await;
    }
    let (cpu_before, wall) = (workstation_cpu(), Instant::now());
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let one = Instant::now();
        assert_eq!(desk.sync().await, Default::default(), "an idle round");
        times.push(one.elapsed());
        tokio::time::sleep(pause).await;
    }
    let cpu = workstation_cpu() - cpu_before;
    times.sort();
    println!("idle round: {rounds} rounds with nothing to do, the workstation's CPU {:.2} ms a round (budget 2 ms); wall p50 {:.2} ms, p99 {:.2} ms; {:.1} s in all, with the pauses",
        cpu.as_secs_f64() * 1000.0 / rounds as f64, times[rounds / 2].as_secs_f64() * 1000.0,
        times[rounds * 99 / 100].as_secs_f64() * 1000.0, wall.elapsed().as_secs_f64());
}

/// CPU time of this process's threads that are not the server's (from /proc, in nanoseconds).
fn workstation_cpu() -> Duration {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if name.trim() == "server" {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        total += stat.split_whitespace().next().and_then(|ns| ns.parse::<u64>().ok()).unwrap_or(0);
    }
    Duration::from_nanos(total)
}

fn per_second(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}

/// A clinic on desk A, enrolled and synced, then 100,000 patient records added on the server
/// (in bulk, as if from other workstations); desk B enrols empty and receives everything.
async fn first_sync(n: usize) {
    let server = TestServer::start().await;
    let org = server.organisation("Bench").await;
    let (a, _) = desks::enrolled_clinic(&server.url, &server.code(org).await).await;
    let clinic_id = a.clinic.device().unwrap().org_id;
    sqlx::query(
        "INSERT INTO record (org_id, entity, entity_id, version, server_seq, data)
         SELECT $1, 'patient', id, 1, nextval('server_seq'), jsonb_build_object(
             'id', id, 'org_id', $2::uuid, 'created_at', 1790000000000, 'created_by', null, 'updated_at', 1790000000000,
             'updated_hlc', '0000000000000000-bench', 'updated_by', null, 'mrn', 'BN9-' || i,
             'given_name', (ARRAY['Ana','Rui','Inês','João','Marta','Tiago'])[1 + i % 6], 'family_name', 'Bench' || (i % 997),
             'sex', 'female', 'birth_date', '1980-01-01', 'birth_date_estimated', false,
             'phones', jsonb_build_array('+351' || (910000000 + i)), 'allergies', '[]'::jsonb, 'email', null, 'address', null,
             'national_id', null, 'emergency_contact', null, 'blood_group', null, 'notes', null, 'merged_into', null)
         FROM (SELECT i, gen_random_uuid() AS id FROM generate_series(1, $3) AS i) AS seed",
    )
    .bind(org).bind(clinic_id).bind(n as i64)
    .execute(&server.server.db).await.unwrap();

    let b = desks::Desk::empty().await;
    let started = Instant::now();
    b.enrol(&server.url, &server.code(org).await, None).await.unwrap();
    let took = started.elapsed();
    let patients: i64 = sqlx::query_scalar("SELECT count(*) FROM patient").fetch_one(b.clinic.store().pool()).await.unwrap();
    assert_eq!(patients as usize, n, "every record arrived");
    println!("first sync: {n} records into an empty workstation in {:.2} s ({:.0} rows/s; budget 5 s, 20,000 rows/s)",
        took.as_secs_f64(), per_second(n, took));
}

/// Patients registered on a real workstation while offline (each a mutation and an audit entry),
/// then pushed in one round; and `n` mutations pushed straight over HTTP, to time the server alone.
async fn push(registrations: usize, n: usize) {
    let server = TestServer::start().await;
    // The figure before this one loaded 100,000 records: PostgreSQL writes them out for a while
    // after. Each figure starts on a database at rest, as the one before left it written out.
    sqlx::query("CHECKPOINT").execute(&server.server.db).await.unwrap();
    let org = server.organisation("Bench").await;
    let (a, _) = desks::enrolled_clinic(&server.url, &server.code(org).await).await;
    let rita = a.log_in("rita").await;
    for i in 0..registrations {
        clinic_core::ops::patients::register_patient(&a.clinic, &rita, desks::person(&desks::name_for(i), "Push"), true).await.unwrap();
    }
    let started = Instant::now();
    let round = a.sync().await;
    let took = started.elapsed();
    println!("push: {} mutations ({registrations} registrations and their audit entries) from a workstation in {:.2} s ({:.0}/s; budget 2 s for 10,000)",
        round.pushed, took.as_secs_f64(), per_second(round.pushed, took));

    let mut desk = SimulatedDesk::first(&server, server.organisation("Apply").await).await;
    let staff = desk.set_up(&server).await;
    let batches: Vec<Vec<_>> = (0..n / 500).map(|_| (0..500).map(|_| {
        desk.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Apply"))
    }).collect()).collect();
    let started = Instant::now();
    for batch in &batches {
        assert!(desk.push(&server, batch).await.iter().all(|o| matches!(o, Outcome::Applied { .. })));
    }
    let took = started.elapsed();
    println!("server apply: {n} mutations in batches of 500 over HTTP in {:.2} s ({:.0} mutations/s; budget 5,000/s)",
        took.as_secs_f64(), per_second(n, took));
}

/// Workstations that each push a few changes and pull, again and again, all at once.
async fn many_workstations(count: usize, run_for: Duration) {
    let server = std::sync::Arc::new(TestServer::start().await);
    let org = server.organisation("Many").await;
    let mut first = SimulatedDesk::first(&server, org).await;
    let staff = first.set_up(&server).await;
    let fixture = first.fixture("patient");
    let mut desks = vec![first];
    for _ in 1..count {
        desks.push(SimulatedDesk::enrol(&server, org, None).await.unwrap());
    }
    let reception = staff.reception;
    let tasks: Vec<_> = desks.into_iter().map(|mut desk| {
        let server = server.clone();
        tokio::spawn(async move {
            let (mut latencies, mut acked, mut errors) = (Vec::new(), 0usize, 0usize);
            let started = Instant::now();
            while started.elapsed() < run_for {
                let id = Uuid::now_v7();
                let batch = vec![
                    desk.mutation(reception, "patient", id, Op::Insert, None, &patient_fields("Many")),
                    desk.mutation(reception, "patient", id, Op::Update, Some(1), &[("notes", json!("seen"))]),
                ];
                let sent = Instant::now();
                let outcomes = desk.push(&server, &batch).await;
                latencies.push(sent.elapsed());
                acked += outcomes.iter().filter(|o| matches!(o, Outcome::Applied { .. })).count();
                errors += outcomes.iter().filter(|o| !matches!(o, Outcome::Applied { .. })).count();
                let (status, _) = server.get("/v1/sync/pull?cursor=0&limit=100", Some(&desk.token)).await;
                errors += usize::from(status != 200);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            (latencies, acked, errors)
        })
    }).collect();
    let (mut latencies, mut acked, mut errors) = (Vec::new(), 0, 0);
    for task in tasks {
        let (l, a, e) = task.await.unwrap();
        latencies.extend(l);
        acked += a;
        errors += e;
    }
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    // Beside the set-up's patient, which the workstations' records may refer to.
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM change_log WHERE entity = 'patient' AND entity_id != $1")
        .bind(fixture).fetch_one(&server.server.db).await.unwrap();
    println!("{count} workstations for {} s: {} pushes, {acked} mutations acknowledged, {stored} in the server's log, {errors} errors; push p50 {:.1} ms, p99 {:.1} ms",
        run_for.as_secs(), latencies.len(), pick(0.5), pick(0.99));
    assert_eq!(stored as usize, acked, "no acknowledged mutation lost, none applied twice");
}
