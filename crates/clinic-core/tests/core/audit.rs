use clinic_core::audit::{recent, verify};
use clinic_core::ops::calendar::{book_appointment, BookingInput};
use clinic_core::Code;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn every_change_leaves_an_outbox_mutation_in_device_order_with_old_and_new_values() {
    let f = front_desk().await;
    let p = f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    clinic_core::ops::patients::edit_patient(&f.t.clinic, &f.desk, p.id, person("Amara", "Mensah", "1990-01-01")).await.unwrap();
    book_appointment(&f.t.clinic, &f.desk, BookingInput {
        patient_id: p.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at("2026-11-23", "10:00"), notes: None, override_schedule: false,
    }).await.unwrap();
    let rows: Vec<(i64, String, String, String, String, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT device_seq, hlc, entity, op, changes, user_id FROM outbox ORDER BY device_seq")
            .fetch_all(f.t.clinic.store().pool()).await.unwrap();
    let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(seqs, (1..=rows.len() as i64).collect::<Vec<_>>(), "device sequence has no gap");
    assert!(rows.windows(2).all(|w| w[0].1 <= w[1].1), "hybrid logical clock stamps never go back (one stamp per use case)");
    assert!(rows[rows.len() - 2].1 < rows[rows.len() - 1].1, "a later use case has a later stamp");
    let tail: Vec<(&str, &str)> = rows[rows.len() - 3..].iter().map(|r| (r.2.as_str(), r.3.as_str())).collect();
    assert_eq!(tail, [("patient", "insert"), ("patient", "update"), ("appointment", "insert")]);
    let edit: Value = serde_json::from_str(&rows[rows.len() - 2].4).unwrap();
    assert_eq!(edit, serde_json::json!({"family_name": {"old": "Okafor", "new": "Mensah"}}));
    assert_eq!(rows[rows.len() - 1].5.as_deref(), Some(f.desk.staff_id.as_bytes().as_slice()));
}

#[tokio::test]
async fn the_audit_chain_verifies_and_finds_a_changed_or_missing_entry() {
    let f = front_desk().await;
    f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    let report = verify(&f.t.clinic, &f.t.admin).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.entries_checked, 10, "set-up, 3 staff created and logged in, practitioner, type, patient");
    assert_eq!(verify(&f.t.clinic, &f.desk).await.unwrap_err().code, Code::PermissionDenied);

    let pool = f.t.clinic.store().pool();
    // The store refuses to change or delete an entry…
    assert!(sqlx::query("UPDATE audit_event SET details = '{}' WHERE seq = 3").execute(pool).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_event WHERE seq = 5").execute(pool).await.is_err());
    // …and if someone with the key goes around that, verify finds it.
    sqlx::query("DROP TRIGGER audit_event_no_update").execute(pool).await.unwrap();
    sqlx::query("DROP TRIGGER audit_event_no_delete").execute(pool).await.unwrap();
    sqlx::query("UPDATE audit_event SET details = '{\"forged\":true}' WHERE seq = 3").execute(pool).await.unwrap();
    sqlx::query("DELETE FROM audit_event WHERE seq = 5").execute(pool).await.unwrap();
    let report = verify(&f.t.clinic, &f.t.admin).await.unwrap();
    let problems: Vec<(i64, &str)> = report.problems.iter().map(|p| (p.seq, p.problem.as_str())).collect();
    assert_eq!(problems, [(3, "was changed after it was written"), (6, "entry 5 is missing")]);
}

#[tokio::test]
async fn admins_read_the_trail_with_who_and_what() {
    let f = front_desk().await;
    f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    let entries = recent(&f.t.clinic, &f.t.admin, None, 5).await.unwrap();
    assert_eq!(entries.len(), 5);
    let register = entries.iter().find(|e| e.action == "register").unwrap();
    assert_eq!(register.staff_name.as_deref(), Some("Rita Tester"));
    assert_eq!(register.entity, "patient");
    assert!(register.details["mrn"].as_str().unwrap().starts_with("HC01-"));
    assert_eq!(recent(&f.t.clinic, &f.manager, None, 5).await.unwrap_err().code, Code::PermissionDenied);
}

#[tokio::test]
async fn only_the_server_version_of_an_entry_may_be_set_and_only_once() {
    let f = front_desk().await;
    let pool = f.t.clinic.store().pool();
    for forgery in ["UPDATE audit_event SET version = 1, prev_hash = 'x' WHERE seq = 2", "UPDATE audit_event SET version = 1, action = 'x' WHERE seq = 2"] {
        assert!(sqlx::query(forgery).execute(pool).await.is_err(), "{forgery}");
    }
    sqlx::query("UPDATE audit_event SET version = 7 WHERE seq = 2").execute(pool).await.unwrap();
    assert!(sqlx::query("UPDATE audit_event SET version = 8 WHERE seq = 2").execute(pool).await.is_err());
    assert!(verify(&f.t.clinic, &f.t.admin).await.unwrap().is_intact());
}
