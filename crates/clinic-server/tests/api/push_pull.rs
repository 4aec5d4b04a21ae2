use clinic_sync::{Op, Outcome};
use serde_json::json;
use uuid::Uuid;

use crate::harness::*;

#[tokio::test]
async fn pushed_changes_reach_the_other_desk_and_a_replay_changes_nothing() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let b = Desk::enrol(&server, org, None).await.unwrap();

    let patient = Uuid::now_v7();
    let batch = vec![
        a.mutation(staff.reception, "patient", patient, Op::Insert, None, &patient_fields("Ana")),
        a.mutation(staff.reception, "patient", patient, Op::Update, None, &[("email", json!("ana@example.org"))]),
    ];
    let first = a.push(&server, &batch).await;
    assert!(matches!(first[1], Outcome::Applied { version: 2, .. }), "{first:?}");
    let before = server.counts().await;
    let replay = a.push(&server, &batch).await;
    assert_eq!(replay, first.iter().map(|o| Outcome::Duplicate { first: Box::new(o.clone()) }).collect::<Vec<_>>());
    assert_eq!(server.counts().await, before, "a replay changes nothing");

    let records = b.pull_all(&server).await;
    let ana = records.iter().find(|r| r.entity_id == patient).expect("the patient reached the other desk");
    assert_eq!((ana.version, ana.data["given_name"].as_str(), ana.data["email"].as_str()), (2, Some("Ana"), Some("ana@example.org")));
    assert_eq!(ana.data["org_id"], json!(a.clinic_id));
    assert_eq!(records.iter().filter(|r| r.entity == "staff").count(), 5, "the four of the set-up and the fixture doctor");
    // In server order, each record once, at its latest state.
    assert!(records.windows(2).all(|w| w[0].server_seq < w[1].server_seq));
}

#[tokio::test]
async fn different_fields_merge_the_same_field_goes_to_the_later_clock_and_sensitive_ones_to_a_person() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let mut b = Desk::enrol(&server, org, None).await.unwrap();
    let id = Uuid::now_v7();
    let created = a.mutation(staff.reception, "patient", id, Op::Insert, None, &patient_fields("Ana"));
    a.push(&server, &[created]).await;

    // Both desks edit version 1 offline: different fields, the same field, and a sensitive one.
    let from_a = a.mutation(staff.reception, "patient", id, Op::Update, Some(1), &[("email", json!("a@example.org")), ("notes", json!("from A")),
        ("sex", json!("male")), ("birth_date", json!("1980-01-02"))]);
    let from_b = b.mutation(staff.reception, "patient", id, Op::Update, Some(1), &[("address", json!("1 High St")), ("notes", json!("from B")),
        ("sex", json!("other")), ("birth_date", json!("1980-01-03"))]);
    assert!(from_b.hlc > from_a.hlc);
    a.push(&server, &[from_a]).await;
    let outcome = b.push(&server, &[from_b]).await;
    let Outcome::Conflict { conflict_id, version: 3, .. } = outcome[0] else { panic!("{outcome:?}") };

    let records = a.pull_all(&server).await;
    let ana = records.iter().find(|r| r.entity_id == id).unwrap();
    assert_eq!(ana.data["email"], json!("a@example.org"));
    assert_eq!(ana.data["address"], json!("1 High St"), "different fields merge");
    assert_eq!(ana.data["notes"], json!("from B"), "the same field: the later clock wins");
    assert_eq!(ana.data["sex"], json!("male"), "a sensitive field is not overwritten");
    let conflict = records.iter().find(|r| r.entity_id == conflict_id).expect("the conflict reaches every desk");
    assert_eq!((conflict.data["field"].as_str(), conflict.data["theirs"].as_str(), conflict.data["yours"].as_str()),
        (Some("birth_date"), Some("\"1980-01-02\""), Some("\"1980-01-03\"")));
    // Each sensitive field in dispute has a conflict of its own: no value not applied is lost.
    let disputed: Vec<&str> = records.iter().filter(|r| r.entity == "sync_conflict").filter_map(|r| r.data["field"].as_str()).collect();
    assert_eq!(disputed, vec!["birth_date", "sex"]);
    // Both values of the same field stay in the history.
    let notes: Vec<String> = sqlx::query_scalar("SELECT changes->'notes'->>'new' FROM change_log WHERE entity_id = $1 AND changes ? 'notes' ORDER BY server_seq")
        .bind(id).fetch_all(&server.server.db).await.unwrap();
    assert_eq!(notes, vec!["from A", "from B"]);
}

#[tokio::test]
async fn a_clash_booked_offline_is_kept_and_opened_as_a_conflict() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let mut b = Desk::enrol(&server, org, None).await.unwrap();
    let practitioner = a.fixture("practitioner");
    let nine = 1_795_000_000_000;
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    let from_a = a.mutation(staff.reception, "appointment", first, Op::Insert, None, &appointment_fields(practitioner, nine));
    let from_b = b.mutation(staff.reception, "appointment", second, Op::Insert, None, &appointment_fields(practitioner, nine + 900_000));
    assert!(matches!(a.push(&server, &[from_a]).await[0], Outcome::Applied { .. }));
    let Outcome::Conflict { conflict_id, .. } = b.push(&server, &[from_b]).await[0] else { panic!("a clash must open a conflict") };
    let records = a.pull_all(&server).await;
    assert!(records.iter().any(|r| r.entity_id == second), "the clashing booking is kept, never dropped");
    let conflict = records.iter().find(|r| r.entity_id == conflict_id).unwrap();
    assert_eq!((conflict.data["kind"].as_str(), conflict.data["other_id"].as_str()), (Some("appointment_clash"), Some(first.to_string().as_str())));

    // Cancelling the first frees the time: moving the second there now holds.
    let cancel = a.mutation(staff.reception, "appointment", first, Op::Update, Some(1), &[("status", json!("cancelled"))]);
    a.push(&server, &[cancel]).await;
    let again = b.mutation(staff.reception, "appointment", second, Op::Update, Some(1), &[("notes", json!("rebooked"))]);
    assert!(matches!(b.push(&server, &[again]).await[0], Outcome::Applied { .. }));
    // Another clash with it now is refused a slot the same way; a deliberate double booking by a doctor holds no slot.
    let third = Uuid::now_v7();
    let mut fields = appointment_fields(practitioner, nine + 900_000);
    fields.push(("double_booked", json!(true)));
    let deliberate = a.mutation(staff.doctor, "appointment", third, Op::Insert, None, &fields);
    assert!(matches!(a.push(&server, &[deliberate]).await[0], Outcome::Applied { .. }));
}

#[tokio::test]
async fn a_booking_that_lost_a_clash_takes_its_time_once_it_is_free() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let practitioner = a.fixture("practitioner");
    let ten = 1_795_000_000_000;
    let (x, y, z) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let first = a.mutation(staff.reception, "appointment", x, Op::Insert, None, &appointment_fields(practitioner, ten));
    let clash = a.mutation(staff.reception, "appointment", y, Op::Insert, None, &appointment_fields(practitioner, ten));
    let outcomes = a.push(&server, &[first, clash]).await;
    assert!(matches!(outcomes[1], Outcome::Conflict { .. }));
    // X is cancelled: Y, which waited, now holds 10:00, so a new booking there is a clash with Y.
    let cancel = a.mutation(staff.reception, "appointment", x, Op::Update, Some(1), &[("status", json!("cancelled"))]);
    a.push(&server, &[cancel]).await;
    let later = a.mutation(staff.reception, "appointment", z, Op::Insert, None, &appointment_fields(practitioner, ten + 600_000));
    let Outcome::Conflict { conflict_id, .. } = a.push(&server, &[later]).await[0] else { panic!("the third booking must clash with Y") };
    let records = a.pull_all(&server).await;
    let conflict = records.iter().find(|r| r.entity_id == conflict_id).unwrap();
    assert_eq!(conflict.data["other_id"].as_str(), Some(y.to_string().as_str()));
}
