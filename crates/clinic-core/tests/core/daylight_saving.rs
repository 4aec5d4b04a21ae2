//! Appointments are UTC instants plus the site's zone: a clock change never moves one.

use chrono::{TimeZone, Utc};
use clinic_core::ops::calendar::*;
use clinic_core::Code;

use crate::helpers::*;

async fn book_at(f: &Front, starts: chrono::NaiveDateTime) -> Appointment {
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let input = BookingInput { patient_id: ana.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts, notes: None, override_schedule: false };
    book_appointment(&f.t.clinic, &f.desk, input).await.unwrap().appointment
}

/// Books 09:00 on the days around a transition, and checks the UTC instants move with the offset
/// while the wall time stays 09:00, in the calendar and in the free slots.
async fn nine_stays_nine(zone: &str, before: &str, after: &str, utc_before: u32, utc_after: u32) {
    let f = front_desk_in(zone, Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap()).await;
    for (day, utc_hour) in [(before, utc_before), (after, utc_after)] {
        let a = book_at(&f, at(day, "09:00")).await;
        assert_eq!(a.starts_at.format("%H:%M").to_string(), format!("{utc_hour:02}:00"), "{zone} {day}");
        assert_eq!(a.local_start, at(day, "09:00"));
        let cal = day_calendar(&f.t.clinic, &f.desk, date(day)).await.unwrap();
        assert_eq!(cal.practitioners[0].appointments[0].local_start, at(day, "09:00"));
        assert_eq!(cal.practitioners[0].working[0].0, at(day, "09:00"));
        // The day still has its 14 half-hour visits less the one booked, whatever its length.
        let slots = free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date(day), 1).await.unwrap();
        assert_eq!(slots.len(), 13, "{zone} {day}");
        assert_eq!(slots[0].local_start, at(day, "09:30"));
    }
}

#[tokio::test]
async fn london_spring_forward() {
    // 2026-03-29: 01:00 GMT becomes 02:00 BST. Friday before and Monday after.
    nine_stays_nine("Europe/London", "2026-03-27", "2026-03-30", 9, 8).await;
}

#[tokio::test]
async fn london_autumn_back() {
    // 2026-10-25: 02:00 BST becomes 01:00 GMT.
    nine_stays_nine("Europe/London", "2026-10-23", "2026-10-26", 8, 9).await;
}

#[tokio::test]
async fn new_york_spring_forward() {
    // 2026-03-08: 02:00 EST becomes 03:00 EDT.
    nine_stays_nine("America/New_York", "2026-03-06", "2026-03-09", 14, 13).await;
}

#[tokio::test]
async fn new_york_autumn_back() {
    // 2026-11-01: 02:00 EDT becomes 01:00 EST.
    nine_stays_nine("America/New_York", "2026-10-30", "2026-11-02", 13, 14).await;
}

#[tokio::test]
async fn a_time_that_does_not_exist_is_refused_and_a_repeated_hour_means_the_first() {
    use clinic_core::ops::practitioners::update_practitioner;
    use clinic_core::ops::practitioners::PractitionerInput;
    let f = front_desk_in("Europe/London", Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap()).await;
    // Let the doctor work Sunday nights, across both transitions.
    update_practitioner(&f.t.clinic, &f.manager, f.practitioner.id, PractitionerInput {
        specialisation: "Night GP".into(), consultation_fee_minor: 4500,
        weekly_hours: hours(&[chrono::Weekday::Sun], "00:00", "06:00", &[]),
    }, true).await.unwrap();
    let ana = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await;
    let input = |starts| BookingInput { patient_id: ana.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts, notes: None, override_schedule: false };
    let err = book_appointment(&f.t.clinic, &f.desk, input(at("2026-03-29", "01:30"))).await.unwrap_err();
    assert_eq!((err.code, err.field), (Code::Invalid, Some("starts")));
    assert!(err.message.contains("does not exist"), "{}", err.message);
    let first = book_appointment(&f.t.clinic, &f.desk, input(at("2026-10-25", "01:30"))).await.unwrap().appointment;
    assert_eq!(first.starts_at, Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap(), "01:30 BST, the first 01:30");
    // The spring night is an hour shorter: 00:00–06:00 local holds 10 half-hour visits, not 12.
    let spring = free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date("2026-03-29"), 1).await.unwrap();
    assert_eq!(spring.len(), 10);
    let autumn = free_slots(&f.t.clinic, &f.desk, f.practitioner.id, f.visit.id, date("2026-10-25"), 1).await.unwrap();
    assert_eq!(autumn.len(), 13, "an hour longer, less the one booked");
}

#[tokio::test]
async fn today_is_the_sites_date_not_utcs() {
    // 02:00 UTC on the 24th is still the evening of the 23rd in New York.
    let f = front_desk_in("America/New_York", Utc.with_ymd_and_hms(2026, 11, 24, 2, 0, 0).unwrap()).await;
    assert_eq!(todays_calendar(&f.t.clinic, &f.desk).await.unwrap().date, date("2026-11-23"));
}
