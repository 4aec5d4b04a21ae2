//! Every pushed mutation is checked against its entity's declaration (clinic-sync entities.rs):
//! values of the wrong kind, a new record missing what it needs, operations and guarded fields
//! either way, the clinic's last admin, and unique keys used on two workstations apart.

use clinic_sync::entities::ENTITIES;
use clinic_sync::{Op, Outcome};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::*;


#[tokio::test]
async fn values_no_workstation_can_store_are_refused_one_by_one_and_change_nothing() {
    let (server, _, mut a, staff) = riverside().await;
    let before = server.counts().await;
    let r = staff.reception;
    let batch = vec![
        a.mutation(r, "audit_event", Uuid::now_v7(), Op::Insert, None, &[("seq", json!("x"))]),
        a.mutation(r, "queue_entry", Uuid::now_v7(), Op::Insert, None, &[("priority", json!(7))]),
        a.exact(r, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Ana")), // no record number
        a.mutation(r, "patient", Uuid::now_v7(), Op::Insert, None, &[("sex", json!("dragon"))]),
        a.mutation(r, "patient", Uuid::now_v7(), Op::Insert, None, &[("birth_date", json!("1990-02-30"))]),
        a.mutation(r, "patient", Uuid::now_v7(), Op::Insert, None, &[("given_name", json!("x".repeat(201)))]),
        a.mutation(r, "patient", Uuid::now_v7(), Op::Insert, None, &[("phones", json!([1, 2]))]),
        a.mutation(r, "patient", Uuid::now_v7(), Op::Insert, None, &[("mrn", json!(null))]),
        // A unique key's value is looked up before it is checked: a NUL must not fail the batch.
        a.mutation(r, "patient", Uuid::now_v7(), Op::Insert, None, &[("mrn", json!("RC1-\u{0}-X"))]),
        a.mutation(r, "patient", Uuid::now_v7(), Op::Insert, None, &[("favourite_colour", json!("red"))]),
        a.mutation(r, "appointment", Uuid::now_v7(), Op::Insert, None, &[("status", json!("maybe"))]),
        a.mutation(r, "appointment", Uuid::now_v7(), Op::Insert, None, &[("starts_at", json!(-5))]),
        a.mutation(staff.admin, "staff", Uuid::now_v7(), Op::Insert, None, &[("roles", json!("admin,king"))]),
        a.mutation(staff.admin, "staff", Uuid::now_v7(), Op::Insert, None, &[("active", json!("yes"))]),
    ];
    let outcomes = a.push(&server, &batch).await;
    for (outcome, m) in outcomes.iter().zip(&batch) {
        assert!(matches!(refusal(outcome), Some("bad_value" | "bad_field")), "{} {:?} was not refused: {outcome:?}", m.entity, m.changes.keys());
    }
    assert_eq!(server.counts().await.0, before.0, "no record was written");
    // The answer says why, in words.
    let Outcome::Rejected { reason, .. } = &outcomes[1] else { unreachable!() };
    assert!(reason.contains("priority") && reason.contains("0 to 2"), "{reason}");
}

#[tokio::test]
async fn operations_and_guarded_fields_are_checked_both_ways() {
    let (server, _, mut a, staff) = riverside().await;
    let (ana, rui) = (Uuid::now_v7(), Uuid::now_v7());
    let registered = [
        a.mutation(staff.reception, "patient", ana, Op::Insert, None, &patient_fields("Ana")),
        a.mutation(staff.reception, "patient", rui, Op::Insert, None, &patient_fields("Rui")),
    ];
    a.push(&server, &registered).await;
    let merged = a.mutation(staff.manager, "patient", rui, Op::Update, Some(1), &[("merged_into", json!(ana))]);
    assert_eq!(refusal(&a.push(&server, &[merged]).await[0]), None, "a manager merges");
    let before = server.counts().await;
    let attempts = [
        // A patient is never deleted, by an op or by a tombstone.
        a.mutation(staff.reception, "patient", ana, Op::Delete, Some(1), &[]),
        a.mutation(staff.reception, "patient", ana, Op::Update, Some(1), &[("deleted_at", json!(1_790_000_000_000_i64))]),
        a.mutation(staff.manager, "patient", ana, Op::Delete, Some(1), &[]),
        // Clearing a guarded field needs its role as much as setting it (an unmerge).
        a.mutation(staff.reception, "patient", rui, Op::Update, Some(2), &[("merged_into", json!(null))]),
        // Nobody deletes a staff record; an admin disables it.
        a.mutation(staff.admin, "staff", staff.reception, Op::Delete, Some(1), &[]),
        // A tombstone at time 0 is a tombstone.
        a.mutation(staff.reception, "patient", ana, Op::Update, Some(1), &[("deleted_at", json!(0))]),
        // An "insert" of a record the server holds is a change to it, and needs what a change needs.
        a.mutation(staff.reception, "patient", rui, Op::Insert, None, &[("merged_into", json!(null))]),
    ];
    let outcomes = a.push(&server, &attempts).await;
    assert!(outcomes.iter().all(|o| refusal(o) == Some("permission_denied")), "{outcomes:?}");
    assert_eq!(server.counts().await.0, before.0);
    // Unchanged values of guarded fields are no change: a receptionist edits a merged record's notes.
    let notes = a.mutation(staff.reception, "patient", rui, Op::Update, Some(2), &[("notes", json!("called")), ("merged_into", json!(ana))]);
    assert_eq!(refusal(&a.push(&server, &[notes]).await[0]), None);
    let unmerge = a.mutation(staff.manager, "patient", rui, Op::Update, Some(3), &[("merged_into", json!(null))]);
    assert_eq!(refusal(&a.push(&server, &[unmerge]).await[0]), None, "a manager unmerges");
    // A deliberate double booking takes a doctor or a manager; moving it to a free time (which
    // clears the flag) is open to the front desk.
    let (booked, practitioner) = (Uuid::now_v7(), a.fixture("practitioner"));
    let on_purpose = a.mutation(staff.doctor, "appointment", booked, Op::Insert, None, &[
        appointment_fields(practitioner, 1_795_000_000_000), vec![("double_booked", json!(true))]].concat());
    let by_desk = a.mutation(staff.reception, "appointment", Uuid::now_v7(), Op::Insert, None, &[
        appointment_fields(practitioner, 1_796_000_000_000), vec![("double_booked", json!(true))]].concat());
    let moved = a.mutation(staff.reception, "appointment", booked, Op::Update, Some(1), &[("double_booked", json!(false)), ("starts_at", json!(1_795_000_600_000_i64))]);
    let outcomes = a.push(&server, &[on_purpose, by_desk, moved]).await;
    assert_eq!(outcomes.iter().map(refusal).collect::<Vec<_>>(), [None, Some("permission_denied"), None], "{outcomes:?}");
}

#[tokio::test]
async fn the_clinic_always_keeps_an_active_admin() {
    let (server, _, mut a, staff) = riverside().await;
    let before = server.counts().await;
    let last = [
        a.mutation(staff.admin, "staff", staff.admin, Op::Update, Some(1), &[("roles", json!("manager"))]),
        a.mutation(staff.admin, "staff", staff.admin, Op::Update, Some(1), &[("active", json!(false))]),
    ];
    let outcomes = a.push(&server, &last).await;
    assert!(outcomes.iter().all(|o| refusal(o) == Some("last_admin")), "{outcomes:?}");
    assert_eq!(server.counts().await.0, before.0);
    // With a second admin, the first may step down.
    let promote = a.mutation(staff.admin, "staff", staff.manager, Op::Update, Some(1), &[("roles", json!("manager,admin"))]);
    let step_down = a.mutation(staff.admin, "staff", staff.admin, Op::Update, Some(1), &[("roles", json!("manager"))]);
    let outcomes = a.push(&server, &[promote, step_down]).await;
    assert!(outcomes.iter().all(|o| refusal(o).is_none()), "{outcomes:?}");
    // Now the second is the last one.
    let demote = a.mutation(staff.manager, "staff", staff.manager, Op::Update, Some(2), &[("roles", json!("manager"))]);
    assert_eq!(refusal(&a.push(&server, &[demote]).await[0]), Some("last_admin"));
}

#[tokio::test]
async fn one_username_made_on_two_workstations_apart_keeps_both_and_opens_a_conflict() {
    let (server, org, mut a, staff) = riverside().await;
    let mut b = Desk::enrol(&server, org, None).await.unwrap();
    let (jo_a, jo_b) = (Uuid::now_v7(), Uuid::now_v7());
    let by_a = a.mutation(staff.admin, "staff", jo_a, Op::Insert, None, &[("username", json!("joana")), ("full_name", json!("Jo Almeida"))]);
    let by_b = b.mutation(staff.admin, "staff", jo_b, Op::Insert, None, &[("username", json!("joana")), ("full_name", json!("Jo Bento"))]);
    assert!(matches!(a.push(&server, &[by_a]).await[0], Outcome::Applied { .. }));
    let Outcome::Conflict { conflict_id, .. } = b.push(&server, &[by_b]).await[0] else { panic!("the second jo opens a conflict") };
    let records = a.pull_all(&server).await;
    let jos: Vec<&Value> = records.iter().filter(|r| r.entity == "staff" && r.data["username"] == json!("joana")).map(|r| &r.data["full_name"]).collect();
    assert_eq!(jos.len(), 2, "both are kept");
    let conflict = records.iter().find(|r| r.entity_id == conflict_id).unwrap();
    assert_eq!((conflict.data["kind"].as_str(), conflict.data["field"].as_str()), (Some("duplicate"), Some("username")));
    assert_eq!(conflict.data["other_id"], json!(jo_a));
    // Renaming one settles the clash: no further conflict.
    let renamed = b.mutation(staff.admin, "staff", jo_b, Op::Update, Some(1), &[("username", json!("joana.bento"))]);
    assert!(matches!(b.push(&server, &[renamed]).await[0], Outcome::Applied { .. }));
    // The same doctor made bookable on two workstations, and a record number used twice, alike.
    let (p1, p2) = (Uuid::now_v7(), Uuid::now_v7());
    let twice = [
        a.mutation(staff.manager, "practitioner", p1, Op::Insert, None, &[("staff_id", json!(staff.doctor))]),
        b.mutation(staff.manager, "practitioner", p2, Op::Insert, None, &[("staff_id", json!(staff.doctor))]),
    ];
    assert!(matches!(a.push(&server, &twice[..1]).await[0], Outcome::Applied { .. }));
    assert!(matches!(b.push(&server, &twice[1..]).await[0], Outcome::Conflict { .. }));
    let mut same_mrn = patient_fields("Ana");
    same_mrn.push(("mrn", json!("RC1-000001-X")));
    let both = [
        a.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &same_mrn),
        a.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &same_mrn),
    ];
    let outcomes = a.push(&server, &both).await;
    assert!(matches!((&outcomes[0], &outcomes[1]), (Outcome::Applied { .. }, Outcome::Conflict { .. })), "{outcomes:?}");
}

#[tokio::test]
async fn a_refusal_carries_the_record_as_the_server_holds_it() {
    let (server, _, mut a, staff) = riverside().await;
    let ana = Uuid::now_v7();
    let registered = a.mutation(staff.reception, "patient", ana, Op::Insert, None, &patient_fields("Ana"));
    a.push(&server, &[registered]).await;
    let merge = a.mutation(staff.reception, "patient", ana, Op::Update, Some(1), &[("merged_into", json!(Uuid::now_v7()))]);
    let replay = merge.clone();
    let never = a.mutation(staff.admin, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Rui"));
    let outcomes = a.push(&server, &[merge, never]).await;
    let Outcome::Rejected { current: Some(current), .. } = &outcomes[0] else { panic!("{outcomes:?}") };
    assert_eq!((current.version, current.data["given_name"].as_str(), current.data.get("merged_into")), (1, Some("Ana"), None));
    assert!(matches!(&outcomes[1], Outcome::Rejected { current: None, .. }), "a record the server never had: none");
    // A replay is answered with the record as it is then.
    let edit = a.mutation(staff.reception, "patient", ana, Op::Update, Some(1), &[("notes", json!("seen"))]);
    a.push(&server, &[edit]).await;
    let Outcome::Duplicate { first } = &a.push(&server, &[replay]).await[0] else { panic!() };
    let Outcome::Rejected { current: Some(current), .. } = first.as_ref() else { panic!("{first:?}") };
    assert_eq!((current.version, current.data["notes"].as_str()), (2, Some("seen")));
    // A refusal followed, in the same push, by a change that applies: the record as the push left it.
    let refused = a.mutation(staff.reception, "patient", ana, Op::Update, Some(2), &[("merged_into", json!(Uuid::now_v7()))]);
    let applied = a.mutation(staff.reception, "patient", ana, Op::Update, Some(2), &[("notes", json!("seen twice"))]);
    let outcomes = a.push(&server, &[refused, applied]).await;
    let Outcome::Rejected { current: Some(current), .. } = &outcomes[0] else { panic!("{outcomes:?}") };
    assert_eq!((current.version, current.data["notes"].as_str()), (3, Some("seen twice")));
}

#[tokio::test]
async fn every_declared_unique_key_has_its_index_led_by_the_value() {
    let server = TestServer::start().await;
    let indexes: Vec<(String, String)> = sqlx::query_as("SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'record'")
        .fetch_all(&server.server.db).await.unwrap();
    for e in ENTITIES {
        for field in e.unique {
            let name = format!("record_unique_{}_{field}", e.name);
            let def = indexes.iter().find(|(n, _)| *n == name).map(|(_, d)| d.as_str())
                .unwrap_or_else(|| panic!("{name} is missing: add it in a migration (migrations/server)"));
            // The lookup finds holders by value alone (unique.rs says why).
            assert!(def.contains(&format!("(((data ->> '{field}'::text)), org_id) WHERE (entity = '{}'::text)", e.name)), "{name}: {def}");
        }
    }
}

#[tokio::test]
async fn a_reference_to_a_record_the_server_never_received_is_refused() {
    let (server, _, mut a, staff) = riverside().await;
    let before = server.counts().await;
    let (nobody, visit) = (Uuid::now_v7(), Uuid::now_v7());
    let mut booking = appointment_fields(a.fixture("practitioner"), 1_795_000_000_000);
    booking.push(("patient_id", json!(nobody)));
    let attempts = [
        a.mutation(staff.reception, "appointment", visit, Op::Insert, None, &booking),
        a.mutation(staff.manager, "time_off", Uuid::now_v7(), Op::Insert, None, &[("practitioner_id", json!(Uuid::now_v7()))]),
        a.mutation(staff.manager, "patient", a.fixture("patient"), Op::Update, Some(1), &[("merged_into", json!(nobody))]),
    ];
    let outcomes = a.push(&server, &attempts).await;
    assert!(outcomes.iter().all(|o| refusal(o) == Some("unknown_reference")), "{outcomes:?}");
    let Outcome::Rejected { reason, .. } = &outcomes[0] else { unreachable!() };
    assert_eq!(reason, "patient_id refers to a patient the server never received.");
    assert_eq!(server.counts().await.0, before.0, "nothing was written");
    // The patient first, in the same batch: then the booking stands.
    let both = [
        a.mutation(staff.reception, "patient", nobody, Op::Insert, None, &patient_fields("Nadia")),
        a.mutation(staff.reception, "appointment", visit, Op::Insert, None, &booking),
    ];
    let outcomes = a.push(&server, &both).await;
    assert!(outcomes.iter().all(|o| refusal(o).is_none()), "{outcomes:?}");
}
