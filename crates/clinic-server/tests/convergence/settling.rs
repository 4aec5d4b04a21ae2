//! Settling what needs attention, across desks: a duplicate made on two desks apart is renamed or
//! retired, a clash is moved in one step, a refused change is applied again or dismissed. Each
//! settlement reaches every desk; a wrong one changes nothing.

use clinic_core::auth::login;
use clinic_core::ops::calendar::{book_appointment, cancel_appointment, day_calendar, AppointmentStatus, BookingInput};
use clinic_core::ops::patients::{edit_patient, open_patient, register_patient, search_patients};
use clinic_core::ops::staff::{create_staff, set_staff_active, NewStaff};
use clinic_core::sync::{apply_again, dismiss, needs_attention, resolve, status, Conflict, Resolution, Way};
use clinic_core::Code;
use uuid::Uuid;

use crate::desks::*;
use crate::server_harness::TestServer;
use crate::stories::{assert_converged, two_desks, two_desks_and_a_patient};

fn jo(full_name: &str, password: &str) -> NewStaff {
    NewStaff { full_name: full_name.into(), username: "joana".into(), password: password.into(), roles: vec!["receptionist".into()] }
}

/// Two admins apart each create the username `joana`; both records reach both desks.
async fn two_jos(server: &TestServer) -> (Desk, Desk, Conflict) {
    let (a, b, clinic) = two_desks(server).await;
    create_staff(&a.clinic, &clinic.admin, jo("Jo Almeida", "first password 1")).await.unwrap();
    create_staff(&b.clinic, &b.log_in("ada").await, jo("Jo Bento", "second password 2")).await.unwrap();
    assert_converged(&[&a, &b]).await;
    let attention = needs_attention(&a.clinic, &a.log_in("ada").await).await.unwrap();
    let conflict = attention.conflicts.into_iter().find(|c| c.kind == "duplicate").expect("a duplicate username is opened as a conflict");
    (a, b, conflict)
}

fn record_named(conflict: &Conflict, name: &str) -> Uuid {
    conflict.records.iter().find(|r| r.label.starts_with(name)).unwrap_or_else(|| panic!("{name} in {:?}", conflict.records)).id
}

async fn usernames(desk: &Desk) -> Vec<(String, String, bool)> {
    sqlx::query_as("SELECT full_name, username, active FROM staff WHERE full_name LIKE 'Jo %' ORDER BY full_name")
        .fetch_all(desk.clinic.store().pool()).await.unwrap()
}

#[tokio::test]
async fn a_duplicate_username_is_settled_by_renaming_one_and_a_wrong_rename_changes_nothing() {
    let server = TestServer::start().await;
    let (a, b, conflict) = two_jos(&server).await;
    let ada = a.log_in("ada").await;
    assert_eq!(conflict.ways, vec![Way::Rename, Way::Retire], "staff are renamed or retired, not merged");
    let labels: Vec<&str> = conflict.records.iter().map(|r| r.label.as_str()).collect();
    assert!(labels.contains(&"Jo Almeida (joana)") && labels.contains(&"Jo Bento (joana)"), "{labels:?}");
    let bento = record_named(&conflict, "Jo Bento");
    // A receptionist does not see it, and may not settle it.
    let rita = a.log_in("rita").await;
    let hers = needs_attention(&a.clinic, &rita).await.unwrap();
    assert!(hers.conflicts.is_empty() && hers.for_others >= 1, "{hers:?}");
    // The header counts what each may settle, as the list shows it.
    assert_eq!(status(&a.clinic, Some(&rita)).await.unwrap().needs_attention, 0);
    assert_eq!(status(&a.clinic, Some(&ada)).await.unwrap().needs_attention, 1);
    assert_eq!(resolve(&a.clinic, &rita, conflict.id, Resolution::Rename { record: bento, value: "jo.bento".into() }).await.unwrap_err().code, Code::PermissionDenied);
    // Wrong settlements: the same name, a name that is not a username, a record not of the two,
    // a way staff are not settled: each refused, and nothing changes.
    let before = usernames(&a).await;
    for (wrong, code) in [
        (Resolution::Rename { record: bento, value: "joana".into() }, Code::Invalid),
        (Resolution::Rename { record: bento, value: "Jo Bento!".into() }, Code::Invalid),
        (Resolution::Rename { record: Uuid::now_v7(), value: "jo.bento".into() }, Code::Invalid),
        (Resolution::Rename { record: bento, value: "rita".into() }, Code::AlreadyExists),
        (Resolution::Merge { keep: bento }, Code::Invalid),
        (Resolution::ChooseYours, Code::Invalid),
    ] {
        let refused = resolve(&a.clinic, &ada, conflict.id, wrong.clone()).await.expect_err(&format!("{wrong:?} is refused"));
        assert_eq!(refused.code, code, "{wrong:?}: {}", refused.message);
    }
    assert_eq!(usernames(&a).await, before);
    assert_eq!(needs_attention(&a.clinic, &ada).await.unwrap().conflicts.len(), 1, "still open");

    resolve(&a.clinic, &ada, conflict.id, Resolution::Rename { record: bento, value: " jo.bento ".into() }).await.unwrap();
    assert_converged(&[&a, &b]).await;
    for desk in [&a, &b] {
        assert_eq!(usernames(desk).await, vec![("Jo Almeida".into(), "joana".into(), true), ("Jo Bento".into(), "jo.bento".into(), true)]);
        assert!(needs_attention(&desk.clinic, &desk.log_in("ada").await).await.unwrap().conflicts.is_empty(), "settled on every desk");
    }
    assert_eq!(login(&b.clinic, "jo.bento", "second password 2").await.unwrap().full_name, "Jo Bento");
    let again = resolve(&b.clinic, &b.log_in("ada").await, conflict.id, Resolution::Retire { record: bento }).await.unwrap_err();
    assert_eq!(again.code, Code::WrongState, "{}", again.message);
}

#[tokio::test]
async fn a_duplicate_username_is_settled_by_retiring_one() {
    let server = TestServer::start().await;
    let (a, b, conflict) = two_jos(&server).await;
    let almeida = record_named(&conflict, "Jo Almeida");
    resolve(&b.clinic, &b.log_in("ada").await, conflict.id, Resolution::Retire { record: almeida }).await.unwrap();
    assert_converged(&[&a, &b]).await;
    for desk in [&a, &b] {
        assert_eq!(usernames(desk).await, vec![("Jo Almeida".into(), "joana".into(), false), ("Jo Bento".into(), "joana".into(), true)]);
        assert!(login(&desk.clinic, "joana", "first password 1").await.is_err(), "the retired Jo cannot log in");
        assert_eq!(login(&desk.clinic, "joana", "second password 2").await.unwrap().full_name, "Jo Bento");
    }
}

#[tokio::test]
async fn a_refused_change_is_applied_again_or_dismissed_by_a_person_who_may_make_it() {
    let server = TestServer::start().await;
    let (a, b, clinic, _rita_a, rita_b, ana) = two_desks_and_a_patient(&server).await;
    let visit = book_appointment(&b.clinic, &rita_b, BookingInput { patient_id: ana.id, practitioner_id: clinic.practitioner.id,
        type_id: clinic.visit.id, starts: at("2026-11-24 10:00"), notes: None, override_schedule: false }).await.unwrap().appointment;
    assert_converged(&[&a, &b]).await;
    // Rita's account is disabled on desk A while desk B, not synced yet, still lets her edit a
    // patient, register another, book him a visit and cancel another: the server refuses all four.
    set_staff_active(&a.clinic, &clinic.admin, rita_b.staff_id, false).await.unwrap();
    a.sync().await;
    let mut input = person("Ana", "Quaresma");
    input.notes = Some("Prefers mornings".into());
    edit_patient(&b.clinic, &rita_b, ana.id, input).await.unwrap();
    let rui = register_patient(&b.clinic, &rita_b, person("Rui", "Lopes"), true).await.unwrap();
    let ruis_visit = book_appointment(&b.clinic, &rita_b, BookingInput { patient_id: rui.id, practitioner_id: clinic.practitioner.id,
        type_id: clinic.visit.id, starts: at("2026-11-24 11:00"), notes: None, override_schedule: false }).await.unwrap().appointment;
    cancel_appointment(&b.clinic, &rita_b, visit.id, "Called to cancel").await.unwrap();
    b.sync().await;
    let marta = b.log_in("marta").await;
    assert!(search_patients(&b.clinic, &marta, "Rui Lopes", 10).await.unwrap().is_empty(), "the refused registration is undone here");
    let refused = needs_attention(&b.clinic, &marta).await.unwrap().refused;
    assert_eq!(refused.len(), 4, "{refused:?}");
    // A cancellation has rules of its own (the queue, the day): it is made again from the calendar, not here.
    let cancellation = refused.iter().find(|r| r.entity_id == visit.id).unwrap();
    assert!(cancellation.not_made_again.is_some(), "{cancellation:?}");
    assert_eq!(apply_again(&b.clinic, &marta, cancellation.mutation_id).await.unwrap_err().code, Code::WrongState);
    let day = day_calendar(&b.clinic, &marta, chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()).await.unwrap();
    assert_eq!(day.practitioners[0].appointments[0].status, AppointmentStatus::Booked, "nothing changed");
    dismiss(&b.clinic, &marta, cancellation.mutation_id).await.unwrap();
    let edit = refused.iter().find(|r| r.entity_id == ana.id).unwrap();
    assert!(edit.values.iter().any(|v| v.field == "notes" && v.value == "\"Prefers mornings\""), "the refused values are shown: {:?}", edit.values);
    let registration = refused.iter().find(|r| r.entity_id == rui.id).unwrap();

    // Nothing to apply or dismiss: refused, nothing changes.
    assert_eq!(apply_again(&b.clinic, &marta, Uuid::now_v7()).await.unwrap_err().code, Code::NotFound);
    assert_eq!(dismiss(&b.clinic, &marta, Uuid::now_v7()).await.unwrap_err().code, Code::NotFound);
    assert_eq!(needs_attention(&b.clinic, &marta).await.unwrap().refused.len(), 3);
    assert!(refused.iter().filter(|r| r.entity_id != visit.id).all(|r| r.not_made_again.is_none()), "a booking's creation is made again whole: {refused:?}");
    let booking = refused.iter().find(|r| r.entity_id == ruis_visit.id).unwrap();

    // Marta, a manager, makes all three again as her own changes; they reach desk A.
    apply_again(&b.clinic, &marta, edit.mutation_id).await.unwrap();
    apply_again(&b.clinic, &marta, registration.mutation_id).await.unwrap();
    apply_again(&b.clinic, &marta, booking.mutation_id).await.unwrap();
    assert!(needs_attention(&b.clinic, &marta).await.unwrap().refused.is_empty());
    assert_eq!(apply_again(&b.clinic, &marta, edit.mutation_id).await.unwrap_err().code, Code::NotFound, "made again once");
    assert_converged(&[&a, &b]).await;
    let marta_a = a.log_in("marta").await;
    assert_eq!(open_patient(&a.clinic, &marta_a, ana.id).await.unwrap().notes.as_deref(), Some("Prefers mornings"));
    assert_eq!(open_patient(&a.clinic, &marta_a, rui.id).await.unwrap().family_name, "Lopes");
    let day = day_calendar(&a.clinic, &marta_a, chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()).await.unwrap();
    let booked: Vec<(Uuid, AppointmentStatus)> = day.practitioners[0].appointments.iter().map(|x| (x.id, x.status)).collect();
    assert_eq!(booked, vec![(visit.id, AppointmentStatus::Booked), (ruis_visit.id, AppointmentStatus::Booked)], "Rui's visit reached desk A");
    assert!(needs_attention(&b.clinic, &marta).await.unwrap().refused.is_empty(), "accepted this time");

    // A refused change on a field someone has changed since is not made again over theirs; dismissed, it stays undone.
    set_staff_active(&a.clinic, &clinic.admin, marta_a.staff_id, false).await.unwrap();
    a.sync().await;
    let mut input = person("Ana", "Quaresma");
    input.notes = Some("Evenings only".into());
    edit_patient(&b.clinic, &marta, ana.id, input.clone()).await.unwrap();
    b.sync().await;
    input.notes = Some("Call first".into());
    edit_patient(&a.clinic, &a.log_in("house").await, ana.id, input).await.unwrap();
    assert_converged(&[&a, &b]).await;
    let house = b.log_in("house").await;
    let refused = needs_attention(&b.clinic, &house).await.unwrap().refused;
    assert_eq!(refused.len(), 1, "{refused:?}");
    let since = apply_again(&b.clinic, &house, refused[0].mutation_id).await.unwrap_err();
    assert_eq!(since.code, Code::WrongState, "{}", since.message);
    assert!(since.message.contains("notes was changed since"), "{}", since.message);
    dismiss(&b.clinic, &house, refused[0].mutation_id).await.unwrap();
    assert!(needs_attention(&b.clinic, &house).await.unwrap().refused.is_empty());
    assert_converged(&[&a, &b]).await;
    assert_eq!(open_patient(&b.clinic, &house, ana.id).await.unwrap().notes.as_deref(), Some("Call first"));
}

fn at(text: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}
