//! The idle lock, enforced by the core: a session idle for longer than the clinic's setting is
//! refused by every use case until its person unlocks it. The clock is pinned (Monday 08:00 UTC).

use chrono::Duration;
use clinic_core::auth::unlock;
use clinic_core::ops::calendar::todays_calendar;
use clinic_core::ops::patients::{register_patient, search_patients};
use clinic_core::ops::setup::{site_details, update_site_details, SiteDetails};
use clinic_core::Code;

use crate::helpers::*;

#[tokio::test]
async fn a_session_idle_past_the_idle_lock_is_refused_until_unlocked() {
    let f = front_desk().await;
    f.t.clock.advance(Duration::minutes(11));
    let before = f.t.snapshot().await;
    let refused = register_patient(&f.t.clinic, &f.desk, person("Ana", "Silva", "1980-01-01"), true).await.unwrap_err();
    assert_eq!(refused.code, Code::SessionLocked);
    assert!(refused.message.contains("10 idle minutes") && refused.message.contains("unlock"), "{}", refused.message);
    // Reads too.
    assert_eq!(search_patients(&f.t.clinic, &f.desk, "ana", 20).await.unwrap_err().code, Code::SessionLocked);
    assert_eq!(f.t.snapshot().await, before);
    let mut desk = f.desk.clone();
    assert_eq!(unlock(&f.t.clinic, &mut desk, "not my password").await.unwrap_err().code, Code::LoginFailed);
    unlock(&f.t.clinic, &mut desk, STAFF_PASSWORD).await.unwrap();
    register_patient(&f.t.clinic, &f.desk, person("Ana", "Silva", "1980-01-01"), true).await.unwrap();
}

#[tokio::test]
async fn what_the_person_does_keeps_the_session_open_and_what_the_desk_polls_does_not() {
    let f = front_desk().await;
    for _ in 0..3 {
        f.t.clock.advance(Duration::minutes(9));
        search_patients(&f.t.clinic, &f.desk, "ana", 20).await.unwrap();
    }
    // The reminders and the sync line ask on their own every few seconds: that is nobody's activity.
    let background = f.desk.in_background();
    f.t.clock.advance(Duration::minutes(6));
    todays_calendar(&f.t.clinic, &background).await.unwrap();
    f.t.clock.advance(Duration::minutes(5));
    assert_eq!(todays_calendar(&f.t.clinic, &background).await.unwrap_err().code, Code::SessionLocked);
    assert_eq!(search_patients(&f.t.clinic, &f.desk, "ana", 20).await.unwrap_err().code, Code::SessionLocked);
}

fn details(idle_lock_minutes: i64) -> SiteDetails {
    SiteDetails {
        name: "Harbour Clinic".into(), address: "1 Quay Street".into(), time_zone: "Europe/Lisbon".into(),
        currency: "EUR".into(), tax_id: Some("PT123456789".into()), idle_lock_minutes,
    }
}

#[tokio::test]
async fn the_clinic_sets_its_idle_lock_up_to_thirty_minutes() {
    let t = clinic().await;
    assert_eq!(site_details(&t.clinic, &t.admin).await.unwrap().idle_lock_minutes, 10);
    let before = t.snapshot().await;
    for wrong in [0, 31, 120] {
        let err = update_site_details(&t.clinic, &t.admin, details(wrong)).await.unwrap_err();
        assert_eq!((err.code, err.field), (Code::Invalid, Some("idle_lock_minutes")), "{wrong}");
        assert!(err.message.contains("1 to 30"), "{}", err.message);
    }
    // Saving the details as they are (the default) changes nothing.
    update_site_details(&t.clinic, &t.admin, details(10)).await.unwrap();
    assert_eq!(t.snapshot().await, before);
    assert_eq!(site_details(&t.clinic, &t.admin).await.unwrap().idle_lock_minutes, 10);

    update_site_details(&t.clinic, &t.admin, details(30)).await.unwrap();
    assert_eq!(site_details(&t.clinic, &t.admin).await.unwrap().idle_lock_minutes, 30);
    t.clock.advance(Duration::minutes(29));
    site_details(&t.clinic, &t.admin).await.unwrap();
    t.clock.advance(Duration::minutes(31));
    assert_eq!(site_details(&t.clinic, &t.admin).await.unwrap_err().code, Code::SessionLocked);
}
