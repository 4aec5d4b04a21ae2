use chrono::Duration;
use clinic_core::auth::{change_password, lock, log_out, login, unlock};
use clinic_core::ops::setup::set_up_clinic;
use clinic_core::ops::staff::{reset_password, set_staff_active, set_staff_roles};
use clinic_core::ops::patients::search_patients;
use clinic_core::Code;

use crate::helpers::*;

#[tokio::test]
async fn first_run_creates_the_clinic_and_its_admin_and_refuses_a_second_set_up() {
    let t = clinic().await;
    assert!(t.clinic.is_set_up());
    assert_eq!(t.admin.username, "ada");
    let again = set_up_clinic(&t.clinic, setup_input("Europe/Lisbon")).await.unwrap_err();
    assert_eq!(again.code, Code::Setup);
}

#[tokio::test]
async fn bad_set_up_input_is_refused_and_leaves_the_workstation_unset() {
    let (clinic, _clock, _keys, _path, _dir) = open_empty(monday()).await;
    let cases: Vec<(&str, Box<dyn Fn(&mut clinic_core::ops::setup::ClinicSetup)>)> = vec![
        ("time_zone", Box::new(|s| s.time_zone = "Mars/Olympus".into())),
        ("currency", Box::new(|s| s.currency = "EURO".into())),
        ("organisation_name", Box::new(|s| s.organisation_name = "   ".into())),
        ("admin_password", Box::new(|s| s.admin_password = "short".into())),
        ("admin_username", Box::new(|s| s.admin_username = "a b".into())),
        ("admin_full_name", Box::new(|s| s.admin_full_name = "12345".into())),
        ("site_code", Box::new(|s| s.site_code = Some("H1".into()))),
    ];
    for (field, spoil) in cases {
        let mut input = setup_input("Europe/Lisbon");
        spoil(&mut input);
        let err = set_up_clinic(&clinic, input).await.unwrap_err();
        assert_eq!((err.code, err.field), (Code::Invalid, Some(field)), "{field}: {}", err.message);
        assert!(!clinic.is_set_up());
    }
    let tables: i64 = sqlx::query_scalar("SELECT (SELECT count(*) FROM device) + (SELECT count(*) FROM staff) + (SELECT count(*) FROM audit_event)")
        .fetch_one(clinic.store().pool()).await.unwrap();
    assert_eq!(tables, 0);
}

#[tokio::test]
async fn login_checks_the_password_and_locks_after_five_failures() {
    let t = clinic().await;
    let desk = t.staff("rita", &["receptionist"]).await;
    assert_eq!(desk.full_name, "Rita Tester");
    assert_eq!(login(&t.clinic, "nobody", "whatever123").await.unwrap_err().code, Code::LoginFailed);
    for _ in 0..4 {
        assert_eq!(login(&t.clinic, "rita", "wrong password").await.unwrap_err().code, Code::LoginFailed);
    }
    let fifth = login(&t.clinic, "rita", "wrong password").await.unwrap_err();
    assert_eq!(fifth.code, Code::LoginFailed, "{}", fifth.message);
    // Even the right password is refused while locked.
    assert_eq!(login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap_err().code, Code::LoginFailed);
    t.clock.advance(Duration::minutes(16));
    login(&t.clinic, "RITA ", STAFF_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn an_admin_reset_lifts_a_lockout_and_sets_a_new_password() {
    let t = clinic().await;
    let desk = t.staff("rita", &["receptionist"]).await;
    for _ in 0..5 {
        let _ = login(&t.clinic, "rita", "wrong password").await;
    }
    assert_eq!(login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap_err().code, Code::LoginFailed);
    assert_eq!(reset_password(&t.clinic, &t.admin, desk.staff_id, "short").await.unwrap_err().code, Code::Invalid);
    reset_password(&t.clinic, &t.admin, desk.staff_id, "brand new password").await.unwrap();
    assert_eq!(login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap_err().code, Code::LoginFailed);
    login(&t.clinic, "rita", "brand new password").await.unwrap();
}

#[tokio::test]
async fn a_disabled_account_cannot_log_in_or_act() {
    let t = clinic().await;
    let desk = t.staff("rita", &["receptionist"]).await;
    set_staff_active(&t.clinic, &t.admin, desk.staff_id, false).await.unwrap();
    assert_eq!(login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap_err().code, Code::AccountDisabled);
    // A session opened before the account was disabled can do nothing more.
    assert_eq!(search_patients(&t.clinic, &desk, "ana", 20).await.unwrap_err().code, Code::AccountDisabled);
    set_staff_active(&t.clinic, &t.admin, desk.staff_id, true).await.unwrap();
    login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn the_last_admin_cannot_be_disabled_or_demoted() {
    let t = clinic().await;
    let before = t.snapshot().await;
    let err = set_staff_active(&t.clinic, &t.admin, t.admin.staff_id, false).await.unwrap_err();
    assert_eq!(err.code, Code::WrongState);
    let err = set_staff_roles(&t.clinic, &t.admin, t.admin.staff_id, vec!["manager".into()]).await.unwrap_err();
    assert_eq!(err.code, Code::WrongState);
    assert_eq!(t.snapshot().await, before);
    let second = t.staff("bob", &["admin"]).await;
    set_staff_roles(&t.clinic, &second, t.admin.staff_id, vec!["manager".into()]).await.unwrap();
}

#[tokio::test]
async fn a_locked_session_does_nothing_until_unlocked_with_its_password() {
    let t = clinic().await;
    let mut desk = t.staff("rita", &["receptionist"]).await;
    lock(&t.clinic, &mut desk).await.unwrap();
    assert_eq!(search_patients(&t.clinic, &desk, "ana", 20).await.unwrap_err().code, Code::SessionLocked);
    assert_eq!(unlock(&t.clinic, &mut desk, "not my password").await.unwrap_err().code, Code::LoginFailed);
    assert!(desk.locked);
    unlock(&t.clinic, &mut desk, STAFF_PASSWORD).await.unwrap();
    search_patients(&t.clinic, &desk, "ana", 20).await.unwrap();
    // Switching user on a shared desk is one login.
    let other = t.staff("joao", &["receptionist"]).await;
    assert_ne!(other.staff_id, desk.staff_id);
}

#[tokio::test]
async fn staff_change_their_own_password() {
    let t = clinic().await;
    let desk = t.staff("rita", &["receptionist"]).await;
    let wrong = change_password(&t.clinic, &desk, "not it", "another good password").await.unwrap_err();
    assert_eq!((wrong.code, wrong.field), (Code::Invalid, Some("current_password")));
    let short = change_password(&t.clinic, &desk, STAFF_PASSWORD, "short").await.unwrap_err();
    assert_eq!(short.field, Some("new_password"));
    login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap();
    change_password(&t.clinic, &desk, STAFF_PASSWORD, "another good password").await.unwrap();
    login(&t.clinic, "rita", "another good password").await.unwrap();
}

#[tokio::test]
async fn staff_input_is_validated_and_usernames_are_unique() {
    use clinic_core::ops::staff::{create_staff, NewStaff};
    let t = clinic().await;
    t.staff("rita", &["receptionist"]).await;
    let before = t.snapshot().await;
    let new = |username: &str, roles: &[&str]| NewStaff {
        full_name: "Joana Dias".into(), username: username.into(), password: STAFF_PASSWORD.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    };
    assert_eq!(create_staff(&t.clinic, &t.admin, new("rita", &["doctor"])).await.unwrap_err().code, Code::AlreadyExists);
    assert_eq!(create_staff(&t.clinic, &t.admin, new("joana", &[])).await.unwrap_err().field, Some("roles"));
    assert_eq!(create_staff(&t.clinic, &t.admin, new("joana", &["surgeon"])).await.unwrap_err().field, Some("roles"));
    assert_eq!(create_staff(&t.clinic, &t.admin, new("jo", &["doctor"])).await.unwrap_err().field, Some("username"));
    assert_eq!(t.snapshot().await, before);
}

#[tokio::test]
async fn changes_that_change_nothing_write_nothing() {
    let t = clinic().await;
    let desk = t.staff("rita", &["receptionist"]).await;
    let before = t.snapshot().await;
    set_staff_roles(&t.clinic, &t.admin, desk.staff_id, vec!["receptionist".into()]).await.unwrap();
    set_staff_active(&t.clinic, &t.admin, desk.staff_id, true).await.unwrap();
    assert_eq!(t.snapshot().await, before);
}

#[tokio::test]
async fn a_disabled_account_cannot_change_its_password_and_guesses_count() {
    let t = clinic().await;
    let desk = t.staff("rita", &["receptionist"]).await;
    for _ in 0..4 {
        assert_eq!(change_password(&t.clinic, &desk, "a wrong guess", "another good password").await.unwrap_err().field, Some("current_password"));
    }
    assert_eq!(change_password(&t.clinic, &desk, "a wrong guess", "another good password").await.unwrap_err().code, Code::AccountLocked);
    t.clock.advance(Duration::minutes(16));
    t.resume(&t.admin).await;
    t.resume(&desk).await;
    set_staff_active(&t.clinic, &t.admin, desk.staff_id, false).await.unwrap();
    let err = change_password(&t.clinic, &desk, STAFF_PASSWORD, "another good password").await.unwrap_err();
    assert_eq!(err.code, Code::AccountDisabled);
}

/// What the audit trail says of failed logins (`login_failed`) of this staff member: how many were
/// counted towards the lockout (with their running count) and how many were refused while locked.
async fn failed_logins(t: &TestClinic, staff_id: uuid::Uuid) -> (Vec<i64>, usize) {
    let details: Vec<String> = sqlx::query_scalar("SELECT details FROM audit_event WHERE action = 'login_failed' AND staff_id = ? ORDER BY seq")
        .bind(staff_id).fetch_all(t.clinic.store().pool()).await.unwrap();
    let details: Vec<serde_json::Value> = details.iter().map(|d| serde_json::from_str(d).unwrap()).collect();
    let counted = details.iter().filter_map(|d| d["failures"].as_i64()).collect();
    (counted, details.iter().filter(|d| d["while_locked"] == true).count())
}

#[tokio::test]
async fn twenty_guesses_at_once_are_counted_only_up_to_the_lock() {
    let t = clinic().await;
    let rita = t.staff("rita", &["receptionist"]).await;
    // The last one is even right: sent with the others, it must not get in once they locked the account.
    let guesses = (0..20).map(|i| login(&t.clinic, "rita", if i == 19 { STAFF_PASSWORD } else { "wrong password" }));
    let answers = all(guesses.collect()).await;
    assert!(answers.iter().all(|a| a.as_ref().is_err_and(|e| e.code == Code::LoginFailed)));
    assert_eq!(failed_logins(&t, rita.staff_id).await, (vec![1, 2, 3, 4, 5], 15));
    assert_eq!(login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap_err().code, Code::LoginFailed, "still locked");
}

#[tokio::test]
async fn a_refused_login_says_the_same_whether_the_username_exists_or_the_account_is_locked() {
    let t = clinic().await;
    t.staff("rita", &["receptionist"]).await;
    let unknown = login(&t.clinic, "nobody", "wrong password").await.unwrap_err();
    let wrong = login(&t.clinic, "rita", "wrong password").await.unwrap_err();
    for _ in 0..4 {
        login(&t.clinic, "rita", "wrong password").await.unwrap_err();
    }
    let locked = login(&t.clinic, "rita", "wrong password").await.unwrap_err();
    let right_but_locked = login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap_err();
    assert_eq!(unknown.code, Code::LoginFailed);
    for refused in [wrong, locked, right_but_locked] {
        assert_eq!(refused, unknown);
    }
    t.clock.advance(Duration::minutes(16));
    login(&t.clinic, "rita", STAFF_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn failed_logins_of_unknown_usernames_and_log_outs_are_audited() {
    let t = clinic().await;
    let rita = t.staff("rita", &["receptionist"]).await;
    login(&t.clinic, "  NoBody ", "whatever123").await.unwrap_err();
    log_out(&t.clinic, &rita).await.unwrap();
    let entries: Vec<(String, Option<uuid::Uuid>, String)> =
        sqlx::query_as("SELECT action, staff_id, details FROM audit_event ORDER BY seq DESC LIMIT 2").fetch_all(t.clinic.store().pool()).await.unwrap();
    assert_eq!(entries, [
        ("logout".to_string(), Some(rita.staff_id), "{}".to_string()),
        ("login_failed".to_string(), None, r#"{"username":"nobody"}"#.to_string()),
    ]);
    assert!(clinic_core::audit::verify(&t.clinic, &t.admin).await.unwrap().is_intact());
}

#[tokio::test]
async fn a_reset_lifts_a_lockout_counted_before_it_wherever_the_record_arrives() {
    let t = clinic().await;
    let rita = t.staff("rita", &["receptionist"]).await;
    for _ in 0..5 {
        login(&t.clinic, "rita", "wrong password").await.unwrap_err();
    }
    // A reset made on another workstation (whose clock is a minute behind) arrives here as sync
    // writes it: the staff record's new hash and key (here: ada's, whose password the test knows)
    // and when its lockout was cleared; nothing of this workstation's own counting.
    sqlx::query("UPDATE staff SET lockout_cleared_at = ?, (password_hash, sealed_key, public_key) =
                 (SELECT password_hash, sealed_key, public_key FROM staff WHERE username = 'ada') WHERE id = ?")
        .bind(t.clinic.clock().now().timestamp_millis() - 60_000).bind(rita.staff_id)
        .execute(t.clinic.store().pool()).await.unwrap();
    // The lock is lifted, and failures after the reset count from one again.
    for _ in 0..4 {
        login(&t.clinic, "rita", "wrong password").await.unwrap_err();
    }
    login(&t.clinic, "rita", ADMIN_PASSWORD).await.unwrap();
    assert_eq!(failed_logins(&t, rita.staff_id).await, (vec![1, 2, 3, 4, 5, 1, 2, 3, 4], 0));
}
