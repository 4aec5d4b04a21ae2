//! Workstations for the convergence tests: each an encrypted store of its own in a temp folder.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use clinic_core::auth::{login, Session};
use clinic_core::clock::ManualClock;
use clinic_core::ops::appointment_types::{create_appointment_type, AppointmentType, AppointmentTypeInput};
use clinic_core::ops::patients::{register_patient, Patient, PatientInput};
use clinic_core::ops::practitioners::{add_practitioner, Practitioner, PractitionerInput};
use clinic_core::ops::setup::{set_up_clinic, ClinicSetup};
use clinic_core::ops::staff::{create_staff, NewStaff};
use clinic_core::store::MemoryKeyStore;
use clinic_core::sync::{self, EnrolInput};
use clinic_core::Clinic;
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";

pub struct Desk {
    pub clinic: Clinic,
    path: std::path::PathBuf,
    pub keys: Arc<MemoryKeyStore>,
    pub clock: Arc<ManualClock>,
    _dir: TempDir,
}

impl Desk {
    /// An empty workstation on Monday 2026-11-23, 08:00 UTC.
    pub async fn empty() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()));
        let keys = Arc::new(MemoryKeyStore::default());
        let path = dir.path().join("clinic.db");
        let clinic = Clinic::open(&path, &*keys, clock.clone()).await.unwrap();
        Desk { clinic, path, keys, clock, _dir: dir }
    }

    /// A new computer (another keychain, an empty data folder) restored from `backup` with its
    /// recovery code, as of `now`.
    pub async fn restored(backup: &std::path::Path, code: &str, now: chrono::DateTime<Utc>) -> Result<(Desk, clinic_core::backup::Restored), clinic_core::Error> {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(now));
        let keys = Arc::new(MemoryKeyStore::default());
        let path = dir.path().join("clinic.db");
        let restored = clinic_core::backup::restore(&path, &*keys, backup, code, clock.clone()).await?;
        let clinic = Clinic::open(&path, &*keys, clock.clone()).await.unwrap();
        Ok((Desk { clinic, path, keys, clock, _dir: dir }, restored))
    }

    /// The workstation stops dead and starts again: only what was committed survives.
    pub async fn crash_and_restart(&mut self) {
        self.clinic.store().close().await;
        self.clinic = Clinic::open(&self.path, &*self.keys, self.clock.clone()).await.unwrap();
    }

    pub async fn log_in(&self, username: &str) -> Session {
        login(&self.clinic, username, PASSWORD).await.unwrap()
    }

    /// Enrols over plain HTTP to loopback (no fingerprint).
    pub async fn enrol(&self, server: &str, code: &str, admin: Option<&Session>) -> Result<sync::SyncStatus, clinic_core::Error> {
        self.enrol_pinned(server, "", code, admin).await
    }

    pub async fn enrol_pinned(&self, server: &str, fingerprint: &str, code: &str, admin: Option<&Session>) -> Result<sync::SyncStatus, clinic_core::Error> {
        let input = EnrolInput { server_url: server.into(), fingerprint: fingerprint.into(), code: code.into(), device_name: "Desk".into() };
        sync::enrol(&self.clinic, admin, &*self.keys, input).await
    }

    pub async fn sync(&self) -> sync::Round {
        sync::sync_once(&self.clinic, &*self.keys).await.unwrap()
    }

    /// Every synced table's rows, each as JSON, sorted: what must be equal everywhere.
    pub async fn snapshot(&self) -> Vec<(String, Vec<String>)> {
        let mut all = Vec::new();
        // Every synced table, from the declaration: a new kind of record is compared without a word here.
        for table in clinic_sync::ENTITIES.iter().map(|e| e.name) {
            all.push((table.to_string(), rows_as_json(&self.clinic, table).await));
        }
        all
    }
}

async fn rows_as_json(clinic: &Clinic, table: &str) -> Vec<String> {
    let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{table}')")))
        .fetch_all(clinic.store().pool()).await.unwrap();
    let pairs: Vec<String> = columns.iter()
        .map(|c| format!("'{c}', CASE WHEN typeof({c}) = 'blob' THEN hex({c}) ELSE {c} END"))
        .collect();
    let sql = format!("SELECT json_object({}) AS row FROM {table} ORDER BY row", pairs.join(", "));
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(clinic.store().pool()).await.unwrap()
}

/// The clinic on its first workstation: an admin, a receptionist, a doctor who can be booked,
/// and a 30-minute visit type.
pub struct Clinic1 {
    pub admin: Session,
    pub practitioner: Practitioner,
    pub visit: AppointmentType,
}

pub async fn set_up(desk: &Desk) -> Clinic1 {
    let admin = set_up_clinic(&desk.clinic, ClinicSetup {
        organisation_name: "Harbour Health".into(), site_name: "Harbour Clinic".into(), site_code: Some("HC".into()),
        address: "1 Quay Street".into(), time_zone: "Europe/Lisbon".into(), currency: "EUR".into(), tax_id: None,
        admin_full_name: "Ada Admin".into(), admin_username: "ada".into(), admin_password: PASSWORD.into(), device_name: "Desk 1".into(),
    }).await.unwrap();
    for (username, role) in [("rita", "receptionist"), ("marta", "manager"), ("house", "doctor")] {
        create_staff(&desk.clinic, &admin, NewStaff { full_name: format!("{username} tester"), username: username.into(),
            password: PASSWORD.into(), roles: vec![role.into()] }).await.unwrap();
    }
    let manager = desk.log_in("marta").await;
    let doctor = login(&desk.clinic, "house", PASSWORD).await.unwrap();
    let hours = serde_json::from_value(serde_json::json!(
        ["Mon", "Tue", "Wed", "Thu", "Fri"].map(|d| serde_json::json!({"weekday": d, "start": "09:00", "end": "17:00"}))
    )).unwrap();
    let practitioner = add_practitioner(&desk.clinic, &manager, doctor.staff_id, PractitionerInput {
        specialisation: "General practice".into(), consultation_fee_minor: 4500, weekly_hours: hours,
    }).await.unwrap();
    let visit = create_appointment_type(&desk.clinic, &manager, AppointmentTypeInput {
        name: "Consultation".into(), duration_minutes: 30, buffer_minutes: 0, price_minor: 4500, colour: "#3A7BD5".into(),
    }).await.unwrap();
    Clinic1 { admin, practitioner, visit }
}

/// A clinic set up on a new workstation, enrolled with `code` at `url`, and synced.
pub async fn enrolled_clinic(url: &str, code: &str) -> (Desk, Clinic1) {
    let desk = Desk::empty().await;
    let clinic = set_up(&desk).await;
    desk.enrol(url, code, Some(&clinic.admin)).await.unwrap();
    desk.sync().await;
    (desk, clinic)
}

pub fn person(given: &str, family: &str) -> PatientInput {
    serde_json::from_value(serde_json::json!({
        "given_name": given, "family_name": family, "sex": "female", "birth_date": "1980-02-03", "age_years": null,
        "phones": ["+351 912 000 001"], "email": null, "address": null, "national_id": null, "emergency_contact": null,
        "blood_group": null, "notes": null
    })).unwrap()
}

pub async fn register(desk: &Desk, session: &Session, given: &str) -> Patient {
    register_patient(&desk.clinic, session, person(given, "Quaresma"), true).await.unwrap()
}

pub fn differences(a: &[(String, Vec<String>)], b: &[(String, Vec<String>)]) -> Vec<String> {
    a.iter().zip(b).filter(|(x, y)| x != y).map(|(x, y)| {
        let only_a: Vec<&String> = x.1.iter().filter(|r| !y.1.contains(r)).collect();
        let only_b: Vec<&String> = y.1.iter().filter(|r| !x.1.contains(r)).collect();
        format!("{}: only on the first {only_a:?}; only on the second {only_b:?}", x.0)
    }).collect()
}

/// A name for the n-th made-up person (names take letters only): "Aa", "Ab", …
pub fn name_for(mut n: usize) -> String {
    let mut letters = vec![b'a' + (n % 26) as u8];
    n /= 26;
    loop {
        letters.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    letters.reverse();
    let mut name = String::from_utf8(letters).unwrap();
    name[..1].make_ascii_uppercase();
    name
}
