use std::sync::Mutex;

use clinic_core::audit::verify;
use clinic_core::auth::login;
use clinic_core::demo::{create_demo_clinic, DemoSize, DEMO_LOGINS};
use clinic_core::ops::calendar::day_calendar;
use clinic_core::ops::clinical::{find_formulary_drugs, open_chart};
use clinic_core::ops::patients::search_patients;

use crate::helpers::*;

#[tokio::test]
async fn the_demo_clinic_is_full_plausible_and_consistent() {
    let (clinic, _clock, _keys, _path, _dir) = open_empty(monday()).await;
    let stages = Mutex::new(Vec::new());
    let size = DemoSize { patients: 1_200, practitioners: 4, appointments: 3_000 };
    let demo = create_demo_clinic(&clinic, size, |p| stages.lock().unwrap().push((p.stage, p.done, p.total))).await.unwrap();
    assert_eq!(demo.practitioners.len(), 4);
    assert!(stages.lock().unwrap().contains(&("appointments", 3_000, 3_000)));

    let pool = clinic.store().pool();
    let (patients, appointments): (i64, i64) = sqlx::query_as("SELECT (SELECT count(*) FROM patient), (SELECT count(*) FROM appointment)")
        .fetch_one(pool).await.unwrap();
    assert_eq!((patients, appointments), (1_200, 3_000));
    let overlaps: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM appointment a JOIN appointment b ON a.practitioner_id = b.practitioner_id AND a.id < b.id
         AND a.starts_at < b.busy_until AND b.starts_at < a.busy_until",
    ).fetch_one(pool).await.unwrap();
    assert_eq!(overlaps, 0, "no practitioner is double-booked");
    let distinct_mrn: i64 = sqlx::query_scalar("SELECT count(DISTINCT mrn) FROM patient").fetch_one(pool).await.unwrap();
    assert_eq!(distinct_mrn, 1_200);
    let accented: i64 = sqlx::query_scalar("SELECT count(*) FROM patient WHERE family_name GLOB '*[^ -~]*'").fetch_one(pool).await.unwrap();
    assert!(accented > 50, "names from several cultures, with accents and other scripts");

    for l in DEMO_LOGINS {
        login(&clinic, l.username, l.password).await.unwrap();
    }
    let desk = login(&clinic, "reception", DEMO_LOGINS[1].password).await.unwrap();
    assert!(!search_patients(&clinic, &desk, "silva", 20).await.unwrap().is_empty());
    let today = day_calendar(&clinic, &desk, date("2026-11-24")).await.unwrap();
    assert!(today.practitioners.iter().all(|p| !p.appointments.is_empty()), "a weekday in the demo is busy");
    assert!(verify(&clinic, &demo.admin).await.unwrap().is_intact());

    // A doctor trying the product finds full charts: signed notes that verify, vitals, problems, medicines.
    let doctor = login(&clinic, "dr.silva", DEMO_LOGINS[3].password).await.unwrap();
    let seen: uuid::Uuid = sqlx::query_scalar("SELECT patient_id FROM encounter GROUP BY patient_id ORDER BY count(*) DESC LIMIT 1").fetch_one(pool).await.unwrap();
    let chart = open_chart(&clinic, &doctor, seen, None).await.unwrap();
    assert!(!chart.encounters.items.is_empty() && !chart.vitals.is_empty() && !chart.problems.is_empty());
    assert!(chart.encounters.items.iter().all(|e| e.note.as_ref().is_some_and(|n| n.signature_holds == Some(true))), "every demo note is signed and verifies");
    assert!(!find_formulary_drugs(&clinic, &doctor, "amox").await.unwrap().is_empty());
}
