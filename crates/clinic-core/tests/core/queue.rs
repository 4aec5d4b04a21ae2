use chrono::Duration;
use clinic_core::ops::calendar::{book_appointment, mark_arrived, AppointmentStatus, BookingInput};
use clinic_core::ops::queue::*;
use clinic_core::Code;

use crate::helpers::*;

fn walk_in(patient: WalkInPatient, reason: &str, priority: Priority) -> WalkInInput {
    WalkInInput { patient, reason: reason.into(), priority, practitioner_id: None }
}

#[tokio::test]
async fn walk_ins_wait_by_priority_then_arrival_and_are_called_in_that_order() {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let rui = f.t.patient(&f.desk, "Rui", "Costa", "1981-01-01").await;
    add_walk_in(&f.t.clinic, &f.desk, walk_in(WalkInPatient::Existing(ana.id), "Cough", Priority::Normal)).await.unwrap();
    f.t.clock.advance(Duration::minutes(5));
    add_walk_in(&f.t.clinic, &f.desk, walk_in(WalkInPatient::Existing(rui.id), "Chest pain", Priority::Urgent)).await.unwrap();
    f.t.clock.advance(Duration::minutes(2));
    // A new patient registered at the desk and queued in one step.
    let new = WalkInPatient::New { details: Box::new(person("Lena", "Vogel", "1995-05-05")), confirmed_new: false };
    let lena = add_walk_in(&f.t.clinic, &f.desk, walk_in(new, "Sprained ankle", Priority::Normal)).await.unwrap();
    assert!(lena.patient_mrn.starts_with("HC01-"));
    f.t.clock.advance(Duration::minutes(10));

    let list = today_list(&f.t.clinic, &f.desk).await.unwrap();
    let order: Vec<(&str, i64)> = list.iter().map(|e| (e.patient_name.as_str(), e.waiting_minutes)).collect();
    assert_eq!(order, [("Rui Costa", 12), ("Ana Silva", 17), ("Lena Vogel", 10)]);

    // The doctor, away for 17 minutes, unlocks the desk first.
    f.t.resume(&f.doctor).await;
    let first = call_next(&f.t.clinic, &f.doctor, f.practitioner.id).await.unwrap().unwrap();
    assert_eq!((first.patient_name.as_str(), first.status, first.waiting_minutes), ("Rui Costa", QueueStatus::Called, 12));
    assert_eq!(first.practitioner_name.as_deref(), Some("House Tester"));
    assert_eq!(mark_served(&f.t.clinic, &f.doctor, first.id).await.unwrap().status, QueueStatus::Served);
    let second = call_next(&f.t.clinic, &f.doctor, f.practitioner.id).await.unwrap().unwrap();
    assert_eq!(second.patient_name, "Ana Silva");
    let list = today_list(&f.t.clinic, &f.desk).await.unwrap();
    assert_eq!(list.iter().map(|e| e.status).collect::<Vec<_>>(), [QueueStatus::Called, QueueStatus::Waiting, QueueStatus::Served]);
    assert_eq!(mark_left(&f.t.clinic, &f.desk, lena.id).await.unwrap().status, QueueStatus::Left);
    mark_served(&f.t.clinic, &f.doctor, second.id).await.unwrap();
    assert!(call_next(&f.t.clinic, &f.doctor, f.practitioner.id).await.unwrap().is_none());
}

#[tokio::test]
async fn a_checked_in_appointment_joins_the_same_list_for_its_practitioner() {
    let f = front_desk().await;
    let (wilson, wilson_session) = f.t.doctor(&f.manager, "wilson").await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let rui = f.t.patient(&f.desk, "Rui", "Costa", "1981-01-01").await;
    let a = book_appointment(&f.t.clinic, &f.desk, BookingInput {
        patient_id: ana.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at("2026-11-23", "09:00"), notes: None, override_schedule: false,
    }).await.unwrap().appointment;
    add_walk_in(&f.t.clinic, &f.desk, walk_in(WalkInPatient::Existing(rui.id), "Rash", Priority::Normal)).await.unwrap();
    f.t.clock.advance(Duration::minutes(1));
    mark_arrived(&f.t.clinic, &f.desk, a.id).await.unwrap();
    let list = today_list(&f.t.clinic, &f.desk).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].appointment_id, Some(a.id));
    assert_eq!(list[1].reason, "Consultation 30 at 09:00");

    // Wilson gets the walk-in; House's own patient waits for House.
    let w = call_next(&f.t.clinic, &wilson_session, wilson.id).await.unwrap().unwrap();
    assert_eq!(w.patient_name, "Rui Costa");
    assert!(call_next(&f.t.clinic, &wilson_session, wilson.id).await.unwrap().is_none());
    let h = call_next(&f.t.clinic, &f.doctor, f.practitioner.id).await.unwrap().unwrap();
    assert_eq!(h.appointment_id, Some(a.id));
    let appointment = clinic_core::ops::calendar::patient_appointments(&f.t.clinic, &f.desk, ana.id).await.unwrap().remove(0);
    assert_eq!(appointment.status, AppointmentStatus::InConsultation);
    mark_served(&f.t.clinic, &f.doctor, h.id).await.unwrap();
    let appointment = clinic_core::ops::calendar::patient_appointments(&f.t.clinic, &f.desk, ana.id).await.unwrap().remove(0);
    assert_eq!(appointment.status, AppointmentStatus::Completed);
}

#[tokio::test]
async fn bad_queue_input_is_refused_and_changes_nothing() {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let entry = add_walk_in(&f.t.clinic, &f.desk, walk_in(WalkInPatient::Existing(ana.id), "Cough", Priority::Normal)).await.unwrap();
    let before = f.t.snapshot().await;
    assert_eq!(add_walk_in(&f.t.clinic, &f.desk, walk_in(WalkInPatient::Existing(ana.id), "Again", Priority::Normal)).await.unwrap_err().code, Code::WrongState);
    assert_eq!(add_walk_in(&f.t.clinic, &f.desk, walk_in(WalkInPatient::Existing(uuid::Uuid::now_v7()), "x", Priority::Normal)).await.unwrap_err().code, Code::NotFound);
    assert_eq!(add_walk_in(&f.t.clinic, &f.desk, walk_in(WalkInPatient::Existing(ana.id), " ", Priority::Normal)).await.unwrap_err().field, Some("reason"));
    let bad_new = WalkInPatient::New { details: Box::new(person("", "Vogel", "1995-05-05")), confirmed_new: false };
    assert_eq!(add_walk_in(&f.t.clinic, &f.desk, walk_in(bad_new, "Ankle", Priority::Normal)).await.unwrap_err().field, Some("given_name"));
    let twin = WalkInPatient::New { details: Box::new(person("Ana", "Silva", "1980-01-01")), confirmed_new: false };
    assert_eq!(add_walk_in(&f.t.clinic, &f.desk, walk_in(twin, "Ankle", Priority::Normal)).await.unwrap_err().code, Code::PossibleDuplicate);
    assert_eq!(mark_served(&f.t.clinic, &f.desk, entry.id).await.unwrap_err().code, Code::WrongState, "not called yet");
    assert_eq!(f.t.snapshot().await, before);
}

#[tokio::test]
async fn check_in_is_for_today_and_once() {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let book = |day: &str| BookingInput {
        patient_id: ana.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at(day, "10:00"), notes: None, override_schedule: false,
    };
    let tomorrow = book_appointment(&f.t.clinic, &f.desk, book("2026-11-24")).await.unwrap().appointment;
    assert_eq!(mark_arrived(&f.t.clinic, &f.desk, tomorrow.id).await.unwrap_err().code, Code::WrongState);
    let today = book_appointment(&f.t.clinic, &f.desk, book("2026-11-23")).await.unwrap().appointment;
    add_walk_in(&f.t.clinic, &f.desk, walk_in(WalkInPatient::Existing(ana.id), "Early", Priority::Normal)).await.unwrap();
    let err = mark_arrived(&f.t.clinic, &f.desk, today.id).await.unwrap_err();
    assert_eq!(err.message, "This patient is already in today's queue.");
}
