//! A state machine over three real workstations and a real server, each workstation behind its
//! own fault-injecting proxy: random registrations, edits, bookings and cancellations, syncs,
//! partitions, lost and truncated answers (so pushes are retried: duplicates), and crashes between
//! a local commit and its push. After everyone heals and syncs: every workstation equals the
//! server, every mutation made was applied exactly once, and every clash has a conflict record.

use std::collections::BTreeSet;

use clinic_core::auth::Session;
use clinic_core::ops::calendar::{book_appointment, cancel_appointment, BookingInput};
use clinic_core::ops::patients::{edit_patient, open_patient, PatientInput};
use clinic_core::Code;
use proptest::prelude::*;
use uuid::Uuid;

use crate::desks::*;
use crate::proxy::{faults, Faults, Proxy};
use crate::server_harness::TestServer;

const DESKS: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    Register { desk: usize },
    Edit { desk: usize, patient: usize, what: u8 },
    Book { desk: usize, patient: usize, slot: u8 },
    Cancel { desk: usize, appointment: usize },
    Sync { desk: usize },
    Faults { desk: usize, kind: u8 },
    Crash { desk: usize },
}

fn step() -> impl Strategy<Value = Step> {
    let desk = 0..DESKS;
    prop_oneof![
        3 => desk.clone().prop_map(|desk| Step::Register { desk }),
        3 => (desk.clone(), 0..8usize, 0..3u8).prop_map(|(desk, patient, what)| Step::Edit { desk, patient, what }),
        3 => (desk.clone(), 0..8usize, 0..4u8).prop_map(|(desk, patient, slot)| Step::Book { desk, patient, slot }),
        1 => (desk.clone(), 0..8usize).prop_map(|(desk, appointment)| Step::Cancel { desk, appointment }),
        4 => desk.clone().prop_map(|desk| Step::Sync { desk }),
        2 => (desk.clone(), 0..5u8).prop_map(|(desk, kind)| Step::Faults { desk, kind }),
        1 => desk.prop_map(|desk| Step::Crash { desk }),
    ]
}

struct World {
    server: TestServer,
    desks: Vec<Desk>,
    proxies: Vec<Proxy>,
    sessions: Vec<Session>,
    clinic: Clinic1,
    /// Every mutation a workstation committed locally.
    made: BTreeSet<Uuid>,
    /// Rounds the faults broke (shown with SHOW_MACHINE=1, to see the faults bite).
    failed_rounds: std::sync::atomic::AtomicUsize,
}

impl World {
    async fn new() -> World {
        let server = TestServer::start().await;
        let org = server.organisation("Machine").await;
        let first = Desk::empty().await;
        let clinic = set_up(&first).await;
        let mut desks = vec![first];
        let mut proxies = Vec::new();
        for i in 0..DESKS {
            if i > 0 {
                desks.push(Desk::empty().await);
            }
            proxies.push(Proxy::start(&server.url).await);
        }
        desks[0].enrol(&proxies[0].url, &server.code(org).await, Some(&clinic.admin)).await.unwrap();
        desks[0].sync().await;
        for i in 1..DESKS {
            desks[i].enrol(&proxies[i].url, &server.code(org).await, None).await.unwrap();
        }
        let mut sessions = Vec::new();
        for d in &desks {
            sessions.push(d.log_in("rita").await);
        }
        World { server, desks, proxies, sessions, clinic, made: BTreeSet::new(), failed_rounds: Default::default() }
    }

    async fn ids(&self, desk: usize, sql: &str) -> Vec<Uuid> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(self.desks[desk].clinic.store().pool()).await.unwrap()
    }

    async fn note_made(&mut self, desk: usize) {
        self.made.extend(self.ids(desk, "SELECT mutation_id FROM outbox").await);
    }

    async fn run(&mut self, step: &Step) {
        match *step {
            Step::Register { desk } => {
                let n = self.made.len();
                register(&self.desks[desk], &self.sessions[desk], &name_for(n)).await;
            }
            Step::Edit { desk, patient, what } => {
                let patients = self.ids(desk, "SELECT id FROM patient ORDER BY id").await;
                let Some(&id) = patients.get(patient % patients.len().max(1)) else { return };
                let p = open_patient(&self.desks[desk].clinic, &self.sessions[desk], id).await.unwrap();
                let mut input: PatientInput = serde_json::from_value(serde_json::json!({
                    "given_name": p.given_name, "family_name": p.family_name, "sex": p.sex, "birth_date": p.birth_date,
                    "birth_date_estimated": p.birth_date_estimated, "age_years": null, "phones": p.phones, "email": p.email,
                    "address": p.address, "national_id": p.national_id, "emergency_contact": p.emergency_contact,
                    "blood_group": p.blood_group, "allergies": p.allergies, "notes": p.notes,
                })).unwrap();
                match what {
                    0 => input.notes = Some(format!("note from desk {desk} #{}", self.made.len())),
                    1 => input.phones = vec![format!("+35191{:07}", self.made.len())],
                    _ => input.sex = if p.sex == "male" { "female".into() } else { "male".into() },
                }
                edit_patient(&self.desks[desk].clinic, &self.sessions[desk], id, input).await.unwrap();
            }
            Step::Book { desk, patient, slot } => {
                let patients = self.ids(desk, "SELECT id FROM patient ORDER BY id").await;
                let Some(&id) = patients.get(patient % patients.len().max(1)) else { return };
                let starts = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap().and_hms_opt(9 + slot as u32, 0, 0).unwrap();
                let input = BookingInput { patient_id: id, practitioner_id: self.clinic.practitioner.id, type_id: self.clinic.visit.id,
                    starts, notes: None, override_schedule: false };
                // Refused when this desk already knows of a booking there: that is the point.
                let _ = book_appointment(&self.desks[desk].clinic, &self.sessions[desk], input).await;
            }
            Step::Cancel { desk, appointment } => {
                let booked = self.ids(desk, "SELECT id FROM appointment WHERE status = 'booked' ORDER BY id").await;
                let Some(&id) = booked.get(appointment % booked.len().max(1)) else { return };
                cancel_appointment(&self.desks[desk].clinic, &self.sessions[desk], id, "Phoned to cancel").await.unwrap();
            }
            Step::Sync { desk } => self.sync(desk).await,
            Step::Faults { desk, kind } => self.proxies[desk].set(faults(kind)),
            Step::Crash { desk } => self.desks[desk].crash_and_restart().await,
        }
        if let Step::Register { desk } | Step::Edit { desk, .. } | Step::Book { desk, .. } | Step::Cancel { desk, .. } = *step {
            self.note_made(desk).await;
        }
    }

    async fn sync(&self, desk: usize) {
        match clinic_core::sync::sync_once(&self.desks[desk].clinic, &*self.desks[desk].keys).await {
            Ok(_) => {}
            Err(e) if e.code == Code::SyncUnavailable => {
                // The faults at work; the next round retries.
                self.failed_rounds.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => panic!("desk {desk}: {e:?}"),
        }
    }

    async fn heal_and_settle(&self) {
        for p in &self.proxies {
            p.set(Faults::default());
        }
        for _ in 0..3 {
            for d in 0..DESKS {
                self.sync(d).await;
            }
        }
    }

    async fn check(&self) {
        let first = self.desks[0].snapshot().await;
        for d in 1..DESKS {
            let diff = differences(&first, &self.desks[d].snapshot().await);
            assert!(diff.is_empty(), "desk {d} differs from desk 0:\n{}", diff.join("\n"));
        }
        let db = &self.server.server.db;
        // Every workstation holds every server record at the server's version, and nothing else.
        let mut on_server: Vec<(Uuid, i64)> = sqlx::query_as("SELECT entity_id, version FROM record").fetch_all(db).await.unwrap();
        on_server.sort();
        for d in 0..DESKS {
            let mut held: Vec<(Uuid, i64)> = Vec::new();
            for table in ["organisation", "site", "staff", "practitioner", "time_off", "appointment_type", "patient", "appointment",
                "queue_entry", "audit_event", "sync_conflict"] {
                let rows: Vec<(Uuid, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT id, coalesce(version, -1) FROM {table}")))
                    .fetch_all(self.desks[d].clinic.store().pool()).await.unwrap();
                held.extend(rows);
            }
            held.sort();
            assert_eq!(held, on_server, "desk {d} equals the server");
        }
        // Every mutation made was applied (or refused, on the record) exactly once.
        let made: Vec<Uuid> = self.made.iter().copied().collect();
        let answered: i64 = sqlx::query_scalar("SELECT count(*) FROM applied_mutation WHERE mutation_id = ANY($1)").bind(&made).fetch_one(db).await.unwrap();
        assert_eq!(answered as usize, made.len(), "no mutation lost");
        let twice: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT mutation_id FROM change_log WHERE mutation_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x",
        ).fetch_one(db).await.unwrap();
        assert_eq!(twice, 0, "no mutation applied twice");
        let refused: i64 = sqlx::query_scalar("SELECT count(*) FROM applied_mutation WHERE outcome->>'outcome' = 'rejected'").fetch_one(db).await.unwrap();
        assert_eq!(refused, 0, "the server refused a change a workstation was allowed to make");
        // Every clash of active appointments has a conflict record.
        let unflagged: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM record a JOIN record b
               ON a.entity = 'appointment' AND b.entity = 'appointment' AND a.entity_id < b.entity_id
              AND a.data->>'practitioner_id' = b.data->>'practitioner_id'
              AND (a.data->>'starts_at')::bigint < (b.data->>'busy_until')::bigint
              AND (b.data->>'starts_at')::bigint < (a.data->>'busy_until')::bigint
            WHERE a.data->>'status' IN ('booked', 'arrived', 'in_consultation') AND b.data->>'status' IN ('booked', 'arrived', 'in_consultation')
              AND NOT EXISTS (SELECT 1 FROM record c WHERE c.entity = 'sync_conflict'
                              AND c.data->>'entity_id' IN (a.entity_id::text, b.entity_id::text))",
        ).fetch_one(db).await.unwrap();
        assert_eq!(unflagged, 0, "every clash has a conflict record");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("SYNC_MACHINE_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(12),
        max_shrink_iters: 20,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_interleaving_of_work_faults_and_crashes_converges(steps in proptest::collection::vec(step(), 10..50)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let mut world = World::new().await;
            for s in &steps {
                world.run(s).await;
            }
            world.heal_and_settle().await;
            world.check().await;
            if std::env::var_os("SHOW_MACHINE").is_some() {
                eprintln!("{} steps, {} mutations, {} rounds broken by faults", steps.len(), world.made.len(),
                    world.failed_rounds.load(std::sync::atomic::Ordering::Relaxed));
            }
        });
    }
}

#[tokio::test]
async fn the_proxy_passes_requests_when_healthy_and_fails_them_when_partitioned() {
    let server = TestServer::start().await;
    let proxy = Proxy::start(&server.url).await;
    let http = reqwest::Client::new();
    let answer = http.get(format!("{}/health", proxy.url)).send().await.map(|r| r.status().as_u16());
    assert_eq!(answer.as_ref().ok(), Some(&200), "{answer:?}");
    proxy.set(Faults { partitioned: true, ..Faults::default() });
    assert!(http.get(format!("{}/health", proxy.url)).send().await.is_err(), "a partition lets nothing through");
}
