use chrono::{TimeZone, Utc};
use clinic_core::ops::calendar::*;
use clinic_core::ops::practitioners::{add_practitioner, add_time_off, doctors_without_hours, remove_time_off, upcoming_time_off, PractitionerInput, TimeOffInput};
use clinic_core::Code;
use uuid::Uuid;

use crate::helpers::*;

fn booking(f: &Front, patient_id: Uuid, starts: chrono::NaiveDateTime) -> BookingInput {
    BookingInput { patient_id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts, notes: None, override_schedule: false }
}

fn local_starts(slots: &[FreeSlot]) -> Vec<String> {
    slots.iter().map(|s| s.local_start.format("%H:%M").to_string()).collect()
}

#[tokio::test]
async fn free_slots_follow_hours_breaks_bookings_and_time_off() {
    let f = front_desk().await;
    let p = f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    let slots = free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date("2026-11-23"), 1).await.unwrap();
    assert_eq!(slots.len(), 14, "09:00–12:30 and 13:30–17:00 in 30-minute visits");
    assert_eq!(local_starts(&slots)[..8], ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "13:30"]);

    book_appointment(&f.t.clinic, &f.desk, booking(&f, p.id, at("2026-11-23", "09:30"))).await.unwrap();
    add_time_off(&f.t.clinic, &f.manager, TimeOffInput {
        practitioner_id: Some(f.practitioner.id), starts: at("2026-11-23", "15:00"), ends: at("2026-11-23", "17:00"), reason: "Training".into(),
    }).await.unwrap();
    let slots = local_starts(&free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date("2026-11-23"), 1).await.unwrap());
    assert_eq!(slots, ["09:00", "10:00", "10:30", "11:00", "11:30", "12:00", "13:30", "14:00", "14:30"]);

    // A week: Saturday and Sunday are days off; a site holiday closes Wednesday.
    add_time_off(&f.t.clinic, &f.manager, TimeOffInput {
        practitioner_id: None, starts: at("2026-11-25", "00:00"), ends: at("2026-11-26", "00:00"), reason: "Public holiday".into(),
    }).await.unwrap();
    let week = free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date("2026-11-23"), 7).await.unwrap();
    let days: std::collections::BTreeSet<String> = week.iter().map(|s| s.local_start.format("%a").to_string()).collect();
    assert_eq!(days.into_iter().collect::<Vec<_>>(), ["Fri", "Mon", "Thu", "Tue"]);

    // No slot in the past: at 10:40 the first free start is 11:00.
    f.t.clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 10, 40, 0).unwrap());
    f.t.resume(&f.desk).await;
    let slots = local_starts(&free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date("2026-11-23"), 1).await.unwrap());
    assert_eq!(slots[0], "10:40");
}

#[tokio::test]
async fn a_double_booking_is_refused_unless_a_role_that_may_books_it_on_purpose() {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let rui = f.t.patient(&f.desk, "Rui", "Costa", "1981-01-01").await;
    let first = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "10:00"))).await.unwrap();
    assert_eq!(first.appointment.status, AppointmentStatus::Booked);
    assert_eq!(first.appointment.local_start, at("2026-11-23", "10:00"));

    let before = f.t.snapshot().await;
    let clash = book_appointment(&f.t.clinic, &f.desk, booking(&f, rui.id, at("2026-11-23", "10:15"))).await.unwrap_err();
    assert_eq!(clash.code, Code::DoubleBooking);
    assert_eq!(clash.message, "House Tester already has an appointment from 10:00 to 10:30 (Ana Silva). Choose another time.");
    // A receptionist may not force it.
    let forced = BookingInput { override_schedule: true, ..booking(&f, rui.id, at("2026-11-23", "10:15")) };
    assert_eq!(book_appointment(&f.t.clinic, &f.desk, forced.clone()).await.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(f.t.snapshot().await, before);

    // A manager may, and it is recorded as deliberate.
    let double = book_appointment(&f.t.clinic, &f.manager, forced).await.unwrap();
    assert!(double.appointment.double_booked);
    // Back-to-back is not a clash.
    book_appointment(&f.t.clinic, &f.desk, booking(&f, rui.id, at("2026-11-23", "10:45"))).await.unwrap();
}

#[tokio::test]
async fn the_buffer_after_a_visit_keeps_the_practitioner_busy() {
    let f = front_desk().await;
    let long = f.t.visit_type(&f.manager, 20, 10).await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let input = BookingInput { type_id: long.id, ..booking(&f, ana.id, at("2026-11-23", "09:00")) };
    let b = book_appointment(&f.t.clinic, &f.desk, input).await.unwrap();
    assert_eq!(b.appointment.local_end, at("2026-11-23", "09:20"));
    let err = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "09:25"))).await.unwrap_err();
    assert_eq!(err.code, Code::DoubleBooking);
    let slots = local_starts(&free_slots(&f.t.clinic, &f.desk, f.practitioner.id, long.id, date("2026-11-23"), 1).await.unwrap());
    assert_eq!(slots[..3], ["09:30", "10:00", "10:30"]);
}

#[tokio::test]
async fn bookings_outside_hours_in_breaks_or_in_time_off_are_refused() {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let before = f.t.snapshot().await;
    for (day, time) in [("2026-11-23", "08:30"), ("2026-11-23", "16:45"), ("2026-11-23", "12:30"), ("2026-11-29", "10:00")] {
        let err = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at(day, time))).await.unwrap_err();
        assert_eq!(err.code, Code::OutsideHours, "{day} {time}");
    }
    add_time_off(&f.t.clinic, &f.manager, TimeOffInput {
        practitioner_id: Some(f.practitioner.id), starts: at("2026-11-24", "00:00"), ends: at("2026-11-25", "00:00"), reason: "Conference".into(),
    }).await.unwrap();
    let err = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-24", "10:00"))).await.unwrap_err();
    assert_eq!(err.code, Code::OutsideHours);
    assert!(err.message.contains("Conference"), "{}", err.message);
    // The past, unknown ids and bad notes are refused too.
    let err = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-20", "10:00"))).await.unwrap_err();
    assert_eq!(err.field, Some("starts"));
    let err = book_appointment(&f.t.clinic, &f.desk, booking(&f, Uuid::now_v7(), at("2026-11-23", "10:00"))).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    let err = book_appointment(&f.t.clinic, &f.desk, BookingInput { practitioner_id: Uuid::now_v7(), ..booking(&f, ana.id, at("2026-11-23", "10:00")) }).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    let err = book_appointment(&f.t.clinic, &f.desk, BookingInput { type_id: Uuid::now_v7(), ..booking(&f, ana.id, at("2026-11-23", "10:00")) }).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    let mut after = f.t.snapshot().await;
    // The time off itself was one row, one outbox mutation and one audit entry.
    for (table, n) in after.iter_mut() {
        if ["time_off", "outbox", "audit_event"].contains(&table.as_str()) {
            *n -= 1;
        }
    }
    assert_eq!(after, before);
    // A doctor may book outside hours on purpose; it is recorded.
    let out = book_appointment(&f.t.clinic, &f.doctor, BookingInput { override_schedule: true, ..booking(&f, ana.id, at("2026-11-23", "18:00")) }).await.unwrap();
    assert!(out.appointment.outside_hours && !out.appointment.double_booked);
}

#[tokio::test]
async fn time_off_input_is_checked_and_can_be_withdrawn() {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let booked = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-24", "10:00"))).await.unwrap();
    let before = f.t.snapshot().await;
    let err = add_time_off(&f.t.clinic, &f.manager, TimeOffInput {
        practitioner_id: Some(f.practitioner.id), starts: at("2026-11-24", "12:00"), ends: at("2026-11-24", "11:00"), reason: "x".into(),
    }).await.unwrap_err();
    assert_eq!(err.field, Some("ends"));
    let err = add_time_off(&f.t.clinic, &f.desk, TimeOffInput {
        practitioner_id: Some(f.practitioner.id), starts: at("2026-11-24", "09:00"), ends: at("2026-11-24", "11:00"), reason: "x".into(),
    }).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    assert_eq!(f.t.snapshot().await, before);
    let off = add_time_off(&f.t.clinic, &f.manager, TimeOffInput {
        practitioner_id: Some(f.practitioner.id), starts: at("2026-11-24", "09:00"), ends: at("2026-11-24", "11:00"), reason: "Dentist".into(),
    }).await.unwrap();
    assert_eq!(off.clashing_appointments, vec![booked.appointment.id], "the desk is told which bookings to move");
    let closed = add_time_off(&f.t.clinic, &f.manager, TimeOffInput {
        practitioner_id: None, starts: at("2026-12-25", "00:00"), ends: at("2026-12-26", "00:00"), reason: "Christmas".into(),
    }).await.unwrap();
    // The practitioner's page lists their own time off and the site's closures, soonest first, in site time.
    let listed = upcoming_time_off(&f.t.clinic, &f.desk, Some(f.practitioner.id)).await.unwrap();
    assert_eq!(listed.iter().map(|o| (o.id, o.local_start, o.clashing_appointments.len())).collect::<Vec<_>>(),
        vec![(off.id, at("2026-11-24", "09:00"), 1), (closed.id, at("2026-12-25", "00:00"), 0)]);
    remove_time_off(&f.t.clinic, &f.manager, off.id).await.unwrap();
    assert_eq!(upcoming_time_off(&f.t.clinic, &f.desk, None).await.unwrap().len(), 1, "withdrawn time off is no longer listed");
    book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-24", "09:00"))).await.unwrap();
}

#[tokio::test]
async fn the_same_patient_in_two_overlapping_appointments_is_warned() {
    let f = front_desk().await;
    let (second, _) = f.t.doctor(&f.manager, "wilson").await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let first = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "10:00"))).await.unwrap();
    assert!(first.warnings.is_empty());
    let other = book_appointment(&f.t.clinic, &f.desk, BookingInput { practitioner_id: second.id, ..booking(&f, ana.id, at("2026-11-23", "10:15")) }).await.unwrap();
    assert_eq!(other.warnings, vec!["The patient is also booked with House Tester at 10:00."]);
}

#[tokio::test]
async fn rescheduling_and_cancelling_free_the_old_time() {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let rui = f.t.patient(&f.desk, "Rui", "Costa", "1981-01-01").await;
    let a = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "10:00"))).await.unwrap().appointment;
    let b = book_appointment(&f.t.clinic, &f.desk, booking(&f, rui.id, at("2026-11-23", "11:00"))).await.unwrap().appointment;
    // Moving onto another booking is refused; moving within its own old time is fine.
    assert_eq!(reschedule_appointment(&f.t.clinic, &f.desk, a.id, at("2026-11-23", "11:00"), None, false).await.unwrap_err().code, Code::DoubleBooking);
    let moved = reschedule_appointment(&f.t.clinic, &f.desk, a.id, at("2026-11-23", "10:15"), None, false).await.unwrap();
    assert_eq!(moved.appointment.local_start, at("2026-11-23", "10:15"));
    book_appointment(&f.t.clinic, &f.desk, booking(&f, rui.id, at("2026-11-23", "09:45"))).await.unwrap();

    assert_eq!(cancel_appointment(&f.t.clinic, &f.desk, b.id, "  ").await.unwrap_err().field, Some("reason"));
    let cancelled = cancel_appointment(&f.t.clinic, &f.desk, b.id, "Patient phoned").await.unwrap();
    assert_eq!((cancelled.status, cancelled.cancel_reason.as_deref()), (AppointmentStatus::Cancelled, Some("Patient phoned")));
    book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "11:00"))).await.unwrap();
    assert_eq!(cancel_appointment(&f.t.clinic, &f.desk, b.id, "again").await.unwrap_err().code, Code::WrongState);
    assert_eq!(reschedule_appointment(&f.t.clinic, &f.desk, b.id, at("2026-11-23", "14:00"), None, false).await.unwrap_err().code, Code::WrongState);
}

#[tokio::test]
async fn a_visit_moves_through_arrived_consultation_and_completed() {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let a = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "10:00"))).await.unwrap().appointment;
    assert_eq!(complete_consultation(&f.t.clinic, &f.doctor, a.id).await.unwrap_err().code, Code::WrongState);
    assert_eq!(mark_no_show(&f.t.clinic, &f.desk, a.id).await.unwrap_err().code, Code::WrongState, "not started yet");
    assert_eq!(mark_arrived(&f.t.clinic, &f.desk, a.id).await.unwrap().status, AppointmentStatus::Arrived);
    assert_eq!(mark_arrived(&f.t.clinic, &f.desk, a.id).await.unwrap_err().code, Code::WrongState);
    assert_eq!(start_consultation(&f.t.clinic, &f.doctor, a.id).await.unwrap().status, AppointmentStatus::InConsultation);
    assert_eq!(complete_consultation(&f.t.clinic, &f.doctor, a.id).await.unwrap().status, AppointmentStatus::Completed);
    assert_eq!(cancel_appointment(&f.t.clinic, &f.desk, a.id, "late").await.unwrap_err().code, Code::WrongState);

    let b = book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "11:00"))).await.unwrap().appointment;
    f.t.clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 11, 20, 0).unwrap());
    f.t.resume(&f.desk).await;
    assert_eq!(mark_no_show(&f.t.clinic, &f.desk, b.id).await.unwrap().status, AppointmentStatus::NoShow);
    // A no-show frees the time.
    let slots = local_starts(&free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date("2026-11-23"), 1).await.unwrap());
    assert_eq!(slots[0], "11:20");
}

#[tokio::test]
async fn the_day_calendar_shows_each_practitioner_with_hours_and_appointments() {
    let f = front_desk().await;
    let (wilson, _) = f.t.doctor(&f.manager, "wilson").await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "10:00"))).await.unwrap();
    book_appointment(&f.t.clinic, &f.desk, BookingInput { practitioner_id: wilson.id, ..booking(&f, ana.id, at("2026-11-23", "14:00")) }).await.unwrap();
    book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-24", "10:00"))).await.unwrap();
    let day = day_calendar(&f.t.clinic, &f.desk, date("2026-11-23")).await.unwrap();
    assert_eq!(day.time_zone, "Europe/Lisbon");
    let names: Vec<&str> = day.practitioners.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["House Tester", "Wilson Tester"]);
    assert_eq!(day.practitioners[0].appointments.len(), 1);
    assert_eq!(day.practitioners[0].appointments[0].patient_name, "Ana Silva");
    assert_eq!(day.practitioners[1].appointments[0].local_start, at("2026-11-23", "14:00"));
    assert_eq!(day.practitioners[0].working, vec![(at("2026-11-23", "09:00"), at("2026-11-23", "12:30")), (at("2026-11-23", "13:30"), at("2026-11-23", "17:00"))]);
    let sunday = day_calendar(&f.t.clinic, &f.desk, date("2026-11-22")).await.unwrap();
    assert!(sunday.practitioners.iter().all(|p| p.working.is_empty() && p.appointments.is_empty()));
}

#[tokio::test]
async fn a_practitioner_not_taking_appointments_offers_no_slots_but_keeps_their_day() {
    use clinic_core::ops::practitioners::{update_practitioner, PractitionerInput};
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    book_appointment(&f.t.clinic, &f.desk, booking(&f, ana.id, at("2026-11-23", "10:00"))).await.unwrap();
    update_practitioner(&f.t.clinic, &f.manager, f.practitioner.id, PractitionerInput {
        specialisation: "General practice".into(), consultation_fee_minor: 4500,
        weekly_hours: hours(&weekdays(), "09:00", "17:00", &[("12:30", "13:30")]),
    }, false).await.unwrap();
    assert!(free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date("2026-11-23"), 1).await.unwrap().is_empty());
    let day = day_calendar(&f.t.clinic, &f.desk, date("2026-11-23")).await.unwrap();
    assert_eq!(day.practitioners[0].appointments.len(), 1, "their booked patients stay on the calendar");
    assert!(day_calendar(&f.t.clinic, &f.desk, date("2026-11-24")).await.unwrap().practitioners.is_empty());
}

#[tokio::test]
async fn a_doctor_is_offered_as_a_practitioner_until_they_are_one() {
    let f = front_desk().await;
    let names = |all: Vec<clinic_core::ops::staff::StaffMember>| all.into_iter().map(|s| s.username).collect::<Vec<_>>();
    let cuddy = f.t.staff("cuddy", &["doctor"]).await;
    f.t.staff("chase", &["receptionist"]).await;
    assert_eq!(names(doctors_without_hours(&f.t.clinic, &f.manager).await.unwrap()), vec!["cuddy"], "only doctors not yet bookable");
    add_practitioner(&f.t.clinic, &f.manager, cuddy.staff_id, PractitionerInput {
        specialisation: "Paediatrics".into(), consultation_fee_minor: 5000, weekly_hours: vec![],
    }).await.unwrap();
    assert!(doctors_without_hours(&f.t.clinic, &f.manager).await.unwrap().is_empty());
}
