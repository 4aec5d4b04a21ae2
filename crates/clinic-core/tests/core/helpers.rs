use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use clinic_core::auth::Session;
use clinic_core::clock::ManualClock;
use clinic_core::ops::setup::{set_up_clinic, ClinicSetup};
use clinic_core::store::MemoryKeyStore;
use clinic_core::Clinic;
use tempfile::TempDir;

pub const ADMIN_PASSWORD: &str = "correct horse battery";

pub struct TestClinic {
    pub clinic: Clinic,
    pub clock: Arc<ManualClock>,
    pub keys: Arc<MemoryKeyStore>,
    pub admin: Session,
    pub path: PathBuf,
    _dir: TempDir,
}

pub fn setup_input(time_zone: &str) -> ClinicSetup {
    ClinicSetup {
        organisation_name: "Harbour Health".into(),
        site_name: "Harbour Clinic".into(),
        site_code: Some("HC".into()),
        address: "1 Quay Street".into(),
        time_zone: time_zone.into(),
        currency: "EUR".into(),
        tax_id: Some("PT123456789".into()),
        admin_full_name: "Ada Admin".into(),
        admin_username: "ada".into(),
        admin_password: ADMIN_PASSWORD.into(),
        device_name: "Front desk 1".into(),
    }
}

/// A Monday morning, 2026-11-23 08:00 UTC.
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

pub async fn open_empty(at: DateTime<Utc>) -> (Clinic, Arc<ManualClock>, Arc<MemoryKeyStore>, PathBuf, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    let clock = Arc::new(ManualClock::new(at));
    let keys = Arc::new(MemoryKeyStore::default());
    let clinic = Clinic::open(&path, &*keys, clock.clone()).await.unwrap();
    (clinic, clock, keys, path, dir)
}

pub async fn clinic_in(time_zone: &str, at: DateTime<Utc>) -> TestClinic {
    let (clinic, clock, keys, path, dir) = open_empty(at).await;
    let admin = set_up_clinic(&clinic, setup_input(time_zone)).await.unwrap();
    TestClinic { clinic, clock, keys, admin, path, _dir: dir }
}

pub async fn clinic() -> TestClinic {
    clinic_in("Europe/Lisbon", monday()).await
}

impl TestClinic {
    /// Row counts of the tables a rejected use case must leave alone.
    pub async fn snapshot(&self) -> Vec<(String, i64)> {
        let mut counts = Vec::new();
        for table in ["staff", "practitioner", "time_off", "appointment_type", "patient", "appointment", "queue_entry", "outbox", "audit_event"] {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"))).fetch_one(self.clinic.store().pool()).await.unwrap();
            counts.push((table.to_string(), n));
        }
        let changed: i64 = sqlx::query_scalar("SELECT coalesce(max(updated_at), 0) + coalesce(sum(length(updated_hlc)), 0) FROM (SELECT updated_at, updated_hlc FROM patient UNION ALL SELECT updated_at, updated_hlc FROM appointment UNION ALL SELECT updated_at, updated_hlc FROM staff UNION ALL SELECT updated_at, updated_hlc FROM queue_entry)")
            .fetch_one(self.clinic.store().pool()).await.unwrap();
        counts.push(("updates".into(), changed));
        counts
    }
}
