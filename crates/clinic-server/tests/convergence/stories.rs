use chrono::NaiveDate;
use clinic_core::auth::Session;
use clinic_core::ops::patients::Patient;
use clinic_core::ops::calendar::{book_appointment, BookingInput};
use clinic_core::ops::patients::{edit_patient, open_patient, search_patients};
use clinic_core::sync::{needs_attention, resolve, Resolution};

use crate::desks::*;

use crate::server_harness::TestServer;

fn at(day: &str, time: &str) -> chrono::NaiveDateTime {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap().and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap())
}

/// A clinic on desk A, enrolled; desk B joined empty. Both synced.
pub(crate) async fn two_desks(server: &TestServer) -> (Desk, Desk, Clinic1) {
    let org = server.organisation("Harbour Health").await;
    let (a, clinic) = enrolled_clinic(&server.url, &server.code(org).await).await;
    let b = Desk::empty().await;
    let status = b.enrol(&server.url, &server.code(org).await, None).await.unwrap();
    assert!(status.enrolled && b.clinic.is_set_up(), "the empty desk received the clinic and joined it");
    (a, b, clinic)
}

/// Two desks, the receptionist logged in on each, and a patient registered on A whom both know.
pub(crate) async fn two_desks_and_a_patient(server: &TestServer) -> (Desk, Desk, Clinic1, Session, Session, Patient) {
    let (a, b, clinic) = two_desks(server).await;
    let (rita_a, rita_b) = (a.log_in("rita").await, b.log_in("rita").await);
    let ana = register(&a, &rita_a, "Ana").await;
    assert_converged(&[&a, &b]).await;
    (a, b, clinic, rita_a, rita_b, ana)
}

pub(crate) async fn assert_converged(desks: &[&Desk]) {
    for d in desks {
        d.sync().await;
    }
    for d in desks {
        d.sync().await; // everyone has now seen everyone's last push
    }
    let first = desks[0].snapshot().await;
    if std::env::var_os("SHOW_SNAPSHOT").is_some() {
        for (table, rows) in &first {
            eprintln!("{table}: {} rows; first: {:?}", rows.len(), rows.first());
        }
    }
    for (i, d) in desks.iter().enumerate().skip(1) {
        let diff = differences(&first, &d.snapshot().await);
        assert!(diff.is_empty(), "desk {i} differs from desk 0:\n{}", diff.join("\n"));
    }
    for d in desks {
        let status = clinic_core::sync::status(&d.clinic, None).await.unwrap();
        assert_eq!(status.waiting, 0, "nothing left to push");
    }
}

#[tokio::test]
async fn a_second_desk_receives_the_clinic_and_each_sees_the_others_patients() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    // Staff log in on the new desk with the passwords they have (their hashes came with them).
    let rita_b = b.log_in("rita").await;
    let ana = register(&b, &rita_b, "Ana").await;
    assert!(ana.mrn.contains("-"), "{}", ana.mrn);
    b.sync().await;
    a.sync().await;
    let rita_a = a.log_in("rita").await;
    let found = search_patients(&a.clinic, &rita_a, "ana quar", 20).await.unwrap();
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), vec![ana.id], "found by typing part of the name on the other desk");
    // A walk-in on A, and time off for the doctor: B's queue and calendar show them.
    let rui = register(&a, &rita_a, "Rui").await;
    assert_ne!(rui.mrn.split('-').next(), ana.mrn.split('-').next(), "each desk numbers its own records");
    clinic_core::ops::queue::add_walk_in(&a.clinic, &rita_a, clinic_core::ops::queue::WalkInInput {
        patient: clinic_core::ops::queue::WalkInPatient::Existing(rui.id), reason: "Fever".into(),
        priority: clinic_core::ops::queue::Priority::Urgent, practitioner_id: None,
    }).await.unwrap();
    let manager = a.log_in("marta").await;
    clinic_core::ops::practitioners::add_time_off(&a.clinic, &manager, clinic_core::ops::practitioners::TimeOffInput {
        practitioner_id: Some(clinic.practitioner.id), starts: at("2026-11-25", "09:00"), ends: at("2026-11-25", "13:00"), reason: "Course".into(),
    }).await.unwrap();
    assert_converged(&[&a, &b]).await;
    let queue = clinic_core::ops::queue::today_list(&b.clinic, &rita_b).await.unwrap();
    assert_eq!(queue.iter().map(|q| q.patient_id).collect::<Vec<_>>(), vec![rui.id], "the walk-in is in B's queue");
    let off = clinic_core::ops::practitioners::upcoming_time_off(&b.clinic, &rita_b, None).await.unwrap();
    assert_eq!(off.iter().map(|o| o.reason.as_str()).collect::<Vec<_>>(), vec!["Course"]);
}

#[tokio::test]
async fn two_desks_edit_one_patient_offline() {
    let server = TestServer::start().await;
    let (a, b, _, rita_a, rita_b, ana) = two_desks_and_a_patient(&server).await;

    // Offline: A changes the phone and the notes, B the address and the notes.
    let mut on_a = person("Ana", "Quaresma");
    on_a.phones = vec!["+351 913 000 002".into()];
    on_a.notes = Some("prefers mornings".into());
    edit_patient(&a.clinic, &rita_a, ana.id, on_a).await.unwrap();
    let mut on_b = person("Ana", "Quaresma");
    on_b.address = Some("2 Quay Street".into());
    on_b.notes = Some("prefers afternoons".into());
    edit_patient(&b.clinic, &rita_b, ana.id, on_b).await.unwrap();

    assert_converged(&[&a, &b]).await;
    let merged = open_patient(&a.clinic, &rita_a, ana.id).await.unwrap();
    assert_eq!(merged.phones, vec!["+351913000002"], "A's field");
    assert_eq!(merged.address.as_deref(), Some("2 Quay Street"), "B's field");
    assert_eq!(merged.notes.as_deref(), Some("prefers afternoons"), "the same field: the later change");
}

#[tokio::test]
async fn two_desks_book_the_same_slot_offline_and_settle_it() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    let (rita_a, rita_b) = (a.log_in("rita").await, b.log_in("rita").await);
    let ana = register(&a, &rita_a, "Ana").await;
    let rui = register(&a, &rita_a, "Rui").await;
    assert_converged(&[&a, &b]).await;

    let booking = |patient| BookingInput { patient_id: patient, practitioner_id: clinic.practitioner.id, type_id: clinic.visit.id,
        starts: at("2026-11-24", "10:00"), notes: None, override_schedule: false };
    let first = book_appointment(&a.clinic, &rita_a, booking(ana.id)).await.unwrap().appointment;
    let second = book_appointment(&b.clinic, &rita_b, booking(rui.id)).await.unwrap().appointment;
    assert_converged(&[&a, &b]).await;

    for desk in [&a, &b] {
        let session = desk.log_in("rita").await;
        let attention = needs_attention(&desk.clinic, &session).await.unwrap();
        assert_eq!(attention.conflicts.len(), 1, "the clash is in the needs-attention list on both desks");
        let clash = &attention.conflicts[0];
        assert_eq!((clash.kind.as_str(), clash.appointment.as_ref().map(|x| x.id), clash.other.as_ref().map(|x| x.id)),
            ("appointment_clash", Some(second.id), Some(first.id)));
    }
    // The receptionist on A cancels the one booked offline; both desks see it settled.
    let conflict = needs_attention(&a.clinic, &rita_a).await.unwrap().conflicts[0].id;
    resolve(&a.clinic, &rita_a, conflict, Resolution::Cancel { reason: "Booked twice offline".into() }).await.unwrap();
    assert_converged(&[&a, &b]).await;
    assert!(needs_attention(&b.clinic, &rita_b).await.unwrap().conflicts.is_empty());
}

#[tokio::test]
async fn another_organisation_receives_nothing() {
    let server = TestServer::start().await;
    let (a, _b, _) = two_desks(&server).await;
    let rita = a.log_in("rita").await;
    register(&a, &rita, "Ana").await;
    a.sync().await;

    let elsewhere = server.organisation("Elsewhere").await;
    let c = Desk::empty().await;
    let other = set_up(&c).await;
    c.enrol(&server.url, &server.code(elsewhere).await, Some(&other.admin)).await.unwrap();
    c.sync().await;
    let snapshot = c.snapshot().await;
    let patients = &snapshot.iter().find(|(t, _)| t == "patient").unwrap().1;
    assert!(patients.is_empty(), "no patient of another organisation");
    let staff = &snapshot.iter().find(|(t, _)| t == "staff").unwrap().1;
    assert_eq!(staff.len(), 4, "only its own staff");
}

#[tokio::test]
async fn a_sensitive_field_changed_on_two_desks_waits_for_a_person_to_choose() {
    let server = TestServer::start().await;
    let (a, b, _, rita_a, rita_b, ana) = two_desks_and_a_patient(&server).await;
    let mut on_a = person("Ana", "Quaresma");
    on_a.birth_date = Some("1980-02-04".into());
    edit_patient(&a.clinic, &rita_a, ana.id, on_a).await.unwrap();
    let mut on_b = person("Ana", "Quaresma");
    on_b.birth_date = Some("1981-02-03".into());
    edit_patient(&b.clinic, &rita_b, ana.id, on_b).await.unwrap();
    assert_converged(&[&a, &b]).await;

    let conflicts = needs_attention(&b.clinic, &rita_b).await.unwrap().conflicts;
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!((c.kind.as_str(), c.field.as_deref(), c.theirs.as_deref(), c.yours.as_deref()),
        ("field", Some("birth_date"), Some("\"1980-02-04\""), Some("\"1981-02-03\"")));
    assert_eq!(open_patient(&b.clinic, &rita_b, ana.id).await.unwrap().birth_date.to_string(), "1980-02-04", "the first value stays meanwhile");
    // The receptionist on B checks the ID card: B's value is right.
    resolve(&b.clinic, &rita_b, c.id, Resolution::ChooseYours).await.unwrap();
    assert_eq!(resolve(&b.clinic, &rita_b, c.id, Resolution::ChooseTheirs).await.unwrap_err().code, clinic_core::Code::WrongState);
    assert_converged(&[&a, &b]).await;
    for (desk, session) in [(&a, &rita_a), (&b, &rita_b)] {
        assert_eq!(open_patient(&desk.clinic, session, ana.id).await.unwrap().birth_date.to_string(), "1981-02-03");
        assert!(needs_attention(&desk.clinic, session).await.unwrap().conflicts.is_empty());
    }
}

#[tokio::test]
async fn a_desk_offline_for_a_day_of_work_catches_up() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    let (rita_a, rita_b) = (a.log_in("rita").await, b.log_in("rita").await);
    // A whole day on B with no server: registrations, bookings through the day, walk-ins, edits.
    let mut booked = 0;
    for i in 0..40 {
        let p = register(&b, &rita_b, &name_for(i)).await;
        let minutes = 9 * 60 + 15 * i as u32;
        let starts = at("2026-11-24", &format!("{:02}:{:02}", minutes / 60, minutes % 60));
        let booking = BookingInput { patient_id: p.id, practitioner_id: clinic.practitioner.id, type_id: clinic.visit.id, starts,
            notes: None, override_schedule: false };
        booked += usize::from(book_appointment(&b.clinic, &rita_b, booking).await.is_ok());
        if i % 5 == 0 {
            let mut edited = person(&name_for(i), "Quaresma");
            edited.notes = Some("came back in the afternoon".into());
            edit_patient(&b.clinic, &rita_b, p.id, edited).await.unwrap();
        }
    }
    assert!(booked >= 10, "the day had bookings ({booked})");
    // Meanwhile A worked online.
    register(&a, &rita_a, "Ana").await;
    a.sync().await;
    let waiting = clinic_core::sync::status(&b.clinic, None).await.unwrap().waiting;
    assert!(waiting >= 40 + 8 + 10, "B's day is waiting to be pushed ({waiting})");
    assert_converged(&[&a, &b]).await;
    let found = search_patients(&a.clinic, &rita_a, "quaresma", 100).await.unwrap();
    assert_eq!(found.len(), 41, "B's day (and A's Ana) is on A");
}

#[tokio::test]
async fn a_desk_that_could_not_join_yet_can_enrol_again() {
    let server = TestServer::start().await;
    let org = server.organisation("Harbour Health").await;
    // The clinic's desk is enrolled but has not synced: the server holds no site yet.
    let a = Desk::empty().await;
    let clinic = set_up(&a).await;
    a.enrol(&server.url, &server.code(org).await, Some(&clinic.admin)).await.unwrap();
    let b = Desk::empty().await;
    let refused = b.enrol(&server.url, &server.code(org).await, None).await.unwrap_err();
    assert_eq!(refused.code, clinic_core::Code::SyncUnavailable, "{}", refused.message);
    assert!(!b.clinic.is_set_up() && !clinic_core::sync::status(&b.clinic, None).await.unwrap().enrolled, "not left half enrolled");
    a.sync().await;
    b.enrol(&server.url, &server.code(org).await, None).await.unwrap();
    assert!(b.clinic.is_set_up());
    assert_converged(&[&a, &b]).await;
}

#[tokio::test]
async fn a_clash_is_settled_by_moving_the_offline_booking() {
    let server = TestServer::start().await;
    let (a, b, clinic, rita_a, rita_b, ana) = two_desks_and_a_patient(&server).await;
    let booking = |starts| BookingInput { patient_id: ana.id, practitioner_id: clinic.practitioner.id, type_id: clinic.visit.id,
        starts, notes: None, override_schedule: false };
    book_appointment(&a.clinic, &rita_a, booking(at("2026-11-24", "10:00"))).await.unwrap();
    let offline = book_appointment(&b.clinic, &rita_b, booking(at("2026-11-24", "10:00"))).await.unwrap().appointment;
    assert_converged(&[&a, &b]).await;
    let conflict = needs_attention(&b.clinic, &rita_b).await.unwrap().conflicts[0].clone();
    assert_eq!(conflict.appointment.as_ref().map(|x| x.id), Some(offline.id));
    // A receptionist may not keep both: that is a deliberate double booking.
    assert_eq!(conflict.ways, vec![clinic_core::sync::Way::Move, clinic_core::sync::Way::Cancel]);
    let kept = resolve(&b.clinic, &rita_b, conflict.id, Resolution::KeepBoth).await.unwrap_err();
    assert_eq!(kept.code, clinic_core::Code::Invalid, "{}", kept.message);
    // "Move it": the offline booking to a time that is taken is refused, and the conflict stays open.
    let taken = resolve(&b.clinic, &rita_b, conflict.id, Resolution::Move { starts: at("2026-11-24", "10:00") }).await.unwrap_err();
    assert_eq!(taken.code, clinic_core::Code::DoubleBooking, "{}", taken.message);
    assert_eq!(needs_attention(&b.clinic, &rita_b).await.unwrap().conflicts.len(), 1);
    // To 11:00, and the conflict is settled as rebooked, in one step.
    resolve(&b.clinic, &rita_b, conflict.id, Resolution::Move { starts: at("2026-11-24", "11:00") }).await.unwrap();
    assert_converged(&[&a, &b]).await;
    assert!(needs_attention(&a.clinic, &rita_a).await.unwrap().conflicts.is_empty());
    // Both bookings stand, at 10:00 and 11:00, on the other desk too.
    let day = clinic_core::ops::calendar::day_calendar(&a.clinic, &rita_a, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()).await.unwrap();
    let times: Vec<String> = day.practitioners[0].appointments.iter().map(|x| x.local_start.format("%H:%M").to_string()).collect();
    assert_eq!(times, vec!["10:00", "11:00"]);
}

#[tokio::test]
async fn a_desk_hears_of_another_desks_change_once_enrolled() {
    let server = TestServer::start().await;
    let org = server.organisation("Harbour Health").await;
    let lone = Desk::empty().await;
    // Not enrolled: nothing to wait for, and the answer comes at once (the app listens again later).
    assert!(!clinic_core::sync::wait_for_changes(&lone.clinic, &*lone.keys).await.unwrap());
    let (a, _) = enrolled_clinic(&server.url, &server.code(org).await).await;
    let b = Desk::empty().await;
    b.enrol(&server.url, &server.code(org).await, None).await.unwrap();
    let listening = clinic_core::sync::wait_for_changes(&a.clinic, &*a.keys);
    let change = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        register(&b, &b.log_in("rita").await, "Ana").await;
        b.sync().await;
    };
    let (heard, ()) = tokio::time::timeout(std::time::Duration::from_secs(10), async { tokio::join!(listening, change) }).await
        .expect("A is poked when B pushes");
    assert!(heard.unwrap());
}
