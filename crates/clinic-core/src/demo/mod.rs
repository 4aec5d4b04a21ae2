//! The demo clinic: a realistic practice to try the app on, and the database the benchmarks run
//! against. Staff, practitioners and appointment types are made through the ordinary use cases.
//! Patients and appointments are seeded in bulk (a million rows take a minute, not hours): this
//! is the one writer besides the use cases, it writes no outbox (a demo clinic is never enrolled
//! for sync) and it leaves one audit entry that says what it seeded.

mod clinical;
mod money;

pub use clinical::{long_history, History};
mod names;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::{login, Session};
use crate::clinic::Clinic;
use crate::domain::{DayHours, Mrn, Period, TimeOfDay};
use crate::error::Result;
use crate::ops::appointment_types::{create_appointment_type, AppointmentType, AppointmentTypeInput};
use crate::ops::calendar::local_to_utc_lenient;
use crate::ops::practitioners::{add_practitioner, Practitioner, PractitionerInput};
use crate::ops::setup::{set_up_clinic, ClinicSetup};
use crate::ops::staff::{create_staff, NewStaff};
use crate::write::{next_in_series, Write};
use names::CULTURES;

#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    pub patients: usize,
    pub practitioners: usize,
    pub appointments: usize,
}

impl DemoSize {
    /// What "open the demo clinic" makes: a busy small clinic with a year of appointments.
    pub const CLINIC: DemoSize = DemoSize { patients: 5_000, practitioners: 6, appointments: 20_000 };
}

/// The demo's logins, shown to whoever opens it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub roles: &'static str,
}

pub const DEMO_PASSWORD: &str = "demo-clinic";

pub const DEMO_LOGINS: [DemoLogin; 4] = [
    DemoLogin { username: "admin", password: DEMO_PASSWORD, roles: "admin" },
    DemoLogin { username: "reception", password: DEMO_PASSWORD, roles: "receptionist" },
    DemoLogin { username: "manager", password: DEMO_PASSWORD, roles: "manager" },
    DemoLogin { username: "dr.silva", password: DEMO_PASSWORD, roles: "doctor" },
];

#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct Progress {
    pub stage: &'static str,
    pub done: usize,
    pub total: usize,
}

pub struct DemoClinic {
    pub admin: Session,
    pub practitioners: Vec<Practitioner>,
    pub types: Vec<AppointmentType>,
}

const DOCTORS: [(&str, &str, &str); 20] = [
    ("dr.silva", "Helena Silva", "General practice"), ("dr.okafor", "Chidi Okafor", "Paediatrics"),
    ("dr.nguyen", "Thu Nguyễn", "Dermatology"), ("dr.muller", "Jonas Müller", "Cardiology"),
    ("dr.patel", "Anjali Patel", "General practice"), ("dr.garcia", "Pablo García", "Orthopaedics"),
    ("dr.haddad", "Rania Haddad", "Gynaecology"), ("dr.smith", "Oliver Smith", "General practice"),
    ("dr.ivanova", "Olga Ivanova", "Neurology"), ("dr.chen", "Wei Chen", "Ophthalmology"),
    ("dr.mensah", "Kofi Mensah", "General practice"), ("dr.costa", "Inês Costa", "Psychiatry"),
    ("dr.lindqvist", "Åsa Lindqvist", "Endocrinology"), ("dr.khan", "Imran Khan", "General practice"),
    ("dr.papadopoulos", "Νίκος Παπαδόπουλος", "ENT"), ("dr.ferreira", "Rui Ferreira", "Urology"),
    ("dr.sorensen", "Lars Sørensen", "Rheumatology"), ("dr.saleh", "Layla Saleh", "Paediatrics"),
    ("dr.martins", "Joana Martins", "General practice"), ("dr.wang", "Mei Wang", "Dermatology"),
];

fn t(hm: &str) -> TimeOfDay {
    TimeOfDay::parse("hours", hm).expect("valid demo time")
}

fn demo_hours() -> Vec<DayHours> {
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
        .into_iter()
        .map(|weekday| DayHours { weekday, start: t("09:00"), end: t("17:30"), breaks: vec![Period { start: t("13:00"), end: t("14:00") }] })
        .collect()
}

/// Fills a fresh (not yet set up) store with a demo clinic of `size`, reporting progress.
pub async fn create_demo_clinic(clinic: &Clinic, size: DemoSize, progress: impl Fn(Progress)) -> Result<DemoClinic> {
    let admin = set_up_clinic(clinic, ClinicSetup {
        organisation_name: "Riverside Family Clinic (demo)".into(),
        site_name: "Riverside".into(),
        site_code: Some("RV".into()),
        address: "12 Rua do Rio, 1100-001 Lisboa".into(),
        time_zone: "Europe/Lisbon".into(),
        currency: "EUR".into(),
        tax_id: Some("PT500000000".into()),
        admin_full_name: "Demo Administrator".into(),
        admin_username: "admin".into(),
        admin_password: DEMO_PASSWORD.into(),
        device_name: "Demo workstation".into(),
    })
    .await?;
    for (username, full_name, roles) in [("reception", "Rita Recepção", "receptionist"), ("manager", "Marta Gestora", "manager")] {
        create_staff(clinic, &admin, NewStaff { full_name: full_name.into(), username: username.into(), password: DEMO_PASSWORD.into(), roles: vec![roles.into()] }).await?;
    }
    let manager = login(clinic, "manager", DEMO_PASSWORD).await?;
    let mut practitioners = Vec::new();
    for (i, (username, name, specialisation)) in DOCTORS.iter().cycle().take(size.practitioners).enumerate() {
        let username = if i < DOCTORS.len() { username.to_string() } else { format!("{username}{}", i / DOCTORS.len()) };
        let staff = create_staff(clinic, &admin, NewStaff { full_name: name.to_string(), username, password: DEMO_PASSWORD.into(), roles: vec!["doctor".into()] }).await?;
        let input = PractitionerInput { specialisation: specialisation.to_string(), consultation_fee_minor: 4500 + 500 * (i as i64 % 5), weekly_hours: demo_hours() };
        practitioners.push(add_practitioner(clinic, &manager, staff.id, input).await?);
        progress(Progress { stage: "staff", done: i + 1, total: size.practitioners });
    }
    let mut types = Vec::new();
    for (name, minutes, buffer, price, colour) in
        [("Consultation", 30, 0, 4500, "#3A7BD5"), ("Follow-up", 15, 0, 2500, "#2E9E6A"), ("Check-up", 45, 15, 7000, "#C27C0E"), ("Vaccination", 10, 5, 1500, "#8E44AD")]
    {
        let input = AppointmentTypeInput { name: name.into(), duration_minutes: minutes, buffer_minutes: buffer, price_minor: price, colour: colour.into() };
        types.push(create_appointment_type(clinic, &manager, input).await?);
    }
    clinical::formulary_and_templates(clinic, &manager, &types).await?;
    money::price_list(clinic, &admin, &manager).await?;
    let mut rng = StdRng::seed_from_u64(20261121);
    let patients = seed_patients(clinic, &admin, size.patients, &mut rng, &progress).await?;
    seed_appointments(clinic, &admin, &patients, &practitioners, &types, size.appointments, &mut rng, &progress).await?;
    if !practitioners.is_empty() {
        // The first doctor's last 300 completed visits have their consultation on record.
        let doctor = login(clinic, DOCTORS[0].0, DEMO_PASSWORD).await?;
        let seen = clinical::history(clinic, &doctor, &mut rng, 300).await?;
        progress(Progress { stage: "consultations", done: seen, total: seen });
    }
    Ok(DemoClinic { admin, practitioners, types })
}

const BATCH: usize = 10_000;

async fn seed_patients(clinic: &Clinic, admin: &Session, count: usize, rng: &mut StdRng, progress: &impl Fn(Progress)) -> Result<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(count);
    let today = clinic.clock().now().date_naive();
    while ids.len() < count {
        let mut w = Write::begin_as(clinic, Some(admin.staff_id)).await?;
        let n = BATCH.min(count - ids.len());
        let first_seq = next_in_series(w.conn(), "mrn").await?;
        let reserve = n as i64 - 1;
        sqlx::query!("UPDATE series SET next = next + ? WHERE name = 'mrn'", reserve).execute(w.conn()).await?;
        let (org, now, hlc, by) = (w.org_id(), w.now, w.hlc.clone(), w.actor.staff_id);
        for i in 0..n {
            let culture = CULTURES.choose(rng).expect("cultures");
            let female = rng.random_bool(0.52);
            let given = if female { culture.given_female } else { culture.given_male }.choose(rng).expect("names");
            let family = culture.family.choose(rng).expect("names");
            let birth = today - Duration::days(rng.random_range(0..95 * 365));
            let phone = format!("{}{}{:08}", culture.phone.0, culture.phone.1, rng.random_range(0..100_000_000));
            let phones = json!([phone]).to_string();
            let mrn = Mrn::new("RV", 1, first_seq + i as i64);
            let (id, sex, birth) = (Uuid::now_v7(), if female { "female" } else { "male" }, birth.format("%Y-%m-%d").to_string());
            let allergies = if rng.random_bool(0.1) { r#"["Penicillin"]"# } else { "[]" };
            sqlx::query!(
                "INSERT INTO patient (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, mrn, given_name, family_name,
                                      sex, birth_date, birth_date_estimated, phones, allergies)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                id, org, now, by, now, hlc, by, mrn.as_str(), given, family, sex, birth, phones, allergies
            )
            .execute(w.conn())
            .await?;
            ids.push(id);
        }
        w.audit("demo_seed", "patient", None, crate::audit::Details::facts(json!({"patients": n})));
        w.commit().await?;
        progress(Progress { stage: "patients", done: ids.len(), total: count });
    }
    Ok(ids)
}

/// Appointments for every practitioner on every working day, back from a month ahead until the
/// count is reached: past ones completed (or a few no-shows and cancellations), future ones booked.
#[allow(clippy::too_many_arguments)]
async fn seed_appointments(
    clinic: &Clinic,
    admin: &Session,
    patients: &[Uuid],
    practitioners: &[Practitioner],
    types: &[AppointmentType],
    count: usize,
    rng: &mut StdRng,
    progress: &impl Fn(Progress),
) -> Result<()> {
    if practitioners.is_empty() || patients.is_empty() {
        return Ok(());
    }
    let zone: chrono_tz::Tz = "Europe/Lisbon".parse().expect("zone");
    let now = clinic.clock().now();
    let mut day: NaiveDate = (now + Duration::days(30)).with_timezone(&zone).date_naive();
    let mut made = 0;
    while made < count {
        let mut w = Write::begin_as(clinic, Some(admin.staff_id)).await?;
        let (org, site, stamp, hlc, by) = (w.org_id(), w.site_id(), w.now, w.hlc.clone(), w.actor.staff_id);
        let (batch_start, batch_end) = (made, (made + BATCH).min(count));
        while made < batch_end {
            day -= Duration::days(1);
            if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                continue;
            }
            for p in practitioners {
                // Fill the day from 09:00, skipping lunch, with random types and a few gaps.
                let mut at = day.and_hms_opt(9, 0, 0).expect("time");
                while made < batch_end {
                    let kind = types.choose(rng).expect("types");
                    let end = at + Duration::minutes(kind.duration_minutes);
                    if at.hour_minute() < (13, 0) && end.hour_minute() > (13, 0) {
                        at = day.and_hms_opt(14, 0, 0).expect("time");
                        continue;
                    }
                    if end.hour_minute() > (17, 30) {
                        break;
                    }
                    let busy = end + Duration::minutes(kind.buffer_minutes);
                    if rng.random_bool(0.8) {
                        let start = local_to_utc_lenient(zone, at);
                        let status = if start > now { "booked" } else {
                            match rng.random_range(0..100) { 0..=4 => "no_show", 5..=12 => "cancelled", _ => "completed" }
                        };
                        let (id, patient) = (Uuid::now_v7(), *patients.choose(rng).expect("patients"));
                        let (s, e, b) = (start.timestamp_millis(), local_to_utc_lenient(zone, end).timestamp_millis(), local_to_utc_lenient(zone, busy).timestamp_millis());
                        sqlx::query!(
                            "INSERT INTO appointment (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, site_id, patient_id,
                                                      practitioner_id, type_id, starts_at, ends_at, busy_until, time_zone, status)
                             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Europe/Lisbon', ?)",
                            id, org, stamp, by, stamp, hlc, by, site, patient, p.id, kind.id, s, e, b, status
                        )
                        .execute(w.conn())
                        .await?;
                        made += 1;
                    }
                    at = busy;
                }
            }
        }
        w.audit("demo_seed", "appointment", None, crate::audit::Details::facts(json!({"appointments": batch_end - batch_start})));
        w.commit().await?;
        progress(Progress { stage: "appointments", done: made, total: count });
    }
    Ok(())
}

trait HourMinute {
    fn hour_minute(&self) -> (u32, u32);
}

impl HourMinute for chrono::NaiveDateTime {
    fn hour_minute(&self) -> (u32, u32) {
        use chrono::Timelike;
        (self.hour(), self.minute())
    }
}
