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
        for table in ["staff", "practitioner", "time_off", "appointment_type", "patient", "appointment", "queue_entry", "outbox", "audit_event",
            "price_item", "invoice_draft", "invoice", "payment", "refund", "credit_note", "cash_session"] {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"))).fetch_one(self.clinic.store().pool()).await.unwrap();
            counts.push((table.to_string(), n));
        }
        let changed: i64 = sqlx::query_scalar("SELECT coalesce(max(updated_at), 0) + coalesce(sum(length(updated_hlc)), 0) FROM (SELECT updated_at, updated_hlc FROM patient UNION ALL SELECT updated_at, updated_hlc FROM appointment UNION ALL SELECT updated_at, updated_hlc FROM staff UNION ALL SELECT updated_at, updated_hlc FROM queue_entry UNION ALL SELECT updated_at, updated_hlc FROM site)")
            .fetch_one(self.clinic.store().pool()).await.unwrap();
        counts.push(("updates".into(), changed));
        // The numbers a refused use case took would be gaps in a series: it must take none.
        let numbers: i64 = sqlx::query_scalar("SELECT coalesce(sum(next), 0) FROM series WHERE name != 'device_seq'").fetch_one(self.clinic.store().pool()).await.unwrap();
        counts.push(("series".into(), numbers));
        let money: i64 = sqlx::query_scalar("SELECT coalesce(sum(length(lines) + length(discount) + length(status)), 0) + coalesce(sum(updated_at), 0) FROM invoice_draft")
            .fetch_one(self.clinic.store().pool()).await.unwrap();
        counts.push(("drafts".into(), money));
        counts
    }
}

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use clinic_core::auth::login;
use clinic_core::domain::{DayHours, Period, TimeOfDay};
use clinic_core::ops::appointment_types::{create_appointment_type, AppointmentType, AppointmentTypeInput};
use clinic_core::ops::patients::{register_patient, Patient, PatientInput};
use clinic_core::ops::practitioners::{add_practitioner, Practitioner, PractitionerInput};
use clinic_core::ops::staff::{create_staff, NewStaff};

pub const STAFF_PASSWORD: &str = "a long staff password";

pub fn hours(days: &[Weekday], start: &str, end: &str, breaks: &[(&str, &str)]) -> Vec<DayHours> {
    days.iter()
        .map(|d| DayHours {
            weekday: *d,
            start: TimeOfDay::parse("t", start).unwrap(),
            end: TimeOfDay::parse("t", end).unwrap(),
            breaks: breaks.iter().map(|(s, e)| Period::new(TimeOfDay::parse("t", s).unwrap(), TimeOfDay::parse("t", e).unwrap()).unwrap()).collect(),
        })
        .collect()
}

pub fn weekdays() -> Vec<Weekday> {
    vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
}

pub fn at(date: &str, time: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap()
}

pub fn date(d: &str) -> NaiveDate {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
}

pub fn person(given: &str, family: &str, birth: &str) -> PatientInput {
    PatientInput {
        given_name: given.into(),
        family_name: family.into(),
        sex: "female".into(),
        birth_date: Some(birth.into()),
        ..Default::default()
    }
}

impl TestClinic {
    /// A staff member with these roles, logged in.
    pub async fn staff(&self, username: &str, roles: &[&str]) -> Session {
        create_staff(&self.clinic, &self.admin, NewStaff {
            full_name: format!("{} Tester", capitalise(username)),
            username: username.into(),
            password: STAFF_PASSWORD.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        })
        .await
        .unwrap();
        login(&self.clinic, username, STAFF_PASSWORD).await.unwrap()
    }

    /// A doctor working weekdays 09:00–17:00 with lunch 12:30–13:30, and their session.
    pub async fn doctor(&self, manager: &Session, username: &str) -> (Practitioner, Session) {
        let session = self.staff(username, &["doctor"]).await;
        let p = add_practitioner(&self.clinic, manager, session.staff_id, PractitionerInput {
            specialisation: "General practice".into(),
            consultation_fee_minor: 4500,
            weekly_hours: hours(&weekdays(), "09:00", "17:00", &[("12:30", "13:30")]),
        })
        .await
        .unwrap();
        (p, session)
    }

    pub async fn visit_type(&self, manager: &Session, minutes: i64, buffer: i64) -> AppointmentType {
        create_appointment_type(&self.clinic, manager, AppointmentTypeInput {
            name: format!("Consultation {minutes}"),
            duration_minutes: minutes,
            buffer_minutes: buffer,
            price_minor: 4500,
            colour: "#3A7BD5".into(),
        })
        .await
        .unwrap()
    }

    pub async fn patient(&self, desk: &Session, given: &str, family: &str, birth: &str) -> Patient {
        register_patient(&self.clinic, desk, person(given, family, birth), true).await.unwrap()
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A clinic with a manager, a receptionist, a doctor (practitioner) and a 30-minute visit type.
pub struct Front {
    pub t: TestClinic,
    pub manager: Session,
    pub desk: Session,
    pub doctor: Session,
    pub practitioner: Practitioner,
    pub visit: AppointmentType,
}

pub async fn front_desk_in(time_zone: &str, now: DateTime<Utc>) -> Front {
    let t = clinic_in(time_zone, now).await;
    let manager = t.staff("maria", &["manager"]).await;
    let desk = t.staff("rita", &["receptionist"]).await;
    let (practitioner, doctor) = t.doctor(&manager, "house").await;
    let visit = t.visit_type(&manager, 30, 0).await;
    Front { t, manager, desk, doctor, practitioner, visit }
}

pub async fn front_desk() -> Front {
    front_desk_in("Europe/Lisbon", monday()).await
}

impl TestClinic {
    /// The person of `session` comes back to the desk after the clock moved on: they unlock it, so
    /// the idle lock lets their session (and every copy of it) act again.
    pub async fn resume(&self, session: &Session) {
        let password = if session.staff_id == self.admin.staff_id { ADMIN_PASSWORD } else { STAFF_PASSWORD };
        clinic_core::auth::unlock(&self.clinic, &mut session.clone(), password).await.unwrap();
    }
}

/// Runs `futures` at once (each makes progress while the others wait) and answers their outputs in order.
pub async fn all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()).filter(|(_, o)| o.is_none()) {
            match future.as_mut().poll(cx) {
                std::task::Poll::Ready(value) => *output = Some(value),
                std::task::Poll::Pending => pending = true,
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("finished")).collect()
}
