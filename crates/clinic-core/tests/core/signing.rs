//! Every change a workstation sends is signed by the person who made it (DESIGN.md §5b), with a
//! key sealed under their password: opened at login and unlock, dropped at lock, sealed again by
//! a password change, replaced by an admin's reset.

use clinic_core::auth::{change_password, lock, login, unlock};
use clinic_core::ops::patients::register_patient;
use clinic_core::ops::staff::reset_password;
use clinic_core::sync::waiting_changes;
use clinic_core::{Clinic, Code};
use clinic_sync::signing::verify;
use uuid::Uuid;

use crate::helpers::*;

async fn key_of(clinic: &Clinic, staff: Uuid) -> (String, String) {
    sqlx::query_as("SELECT public_key, sealed_key FROM staff WHERE id = ?").bind(staff).fetch_one(clinic.store().pool()).await.unwrap()
}

/// Every waiting change verifies against its author's key as the store holds it now, but those
/// listed in `older` (made before a reset), which verify against the key they were made with.
async fn all_signed(clinic: &Clinic, older: &[(Uuid, String)]) -> usize {
    let changes = waiting_changes(clinic).await.unwrap();
    for m in &changes {
        let key = match older.iter().find(|(id, _)| *id == m.mutation_id) {
            Some((_, key)) => key.clone(),
            None => key_of(clinic, m.user_id.expect("an author")).await.0,
        };
        verify(&key, m).unwrap_or_else(|r| panic!("{} {:?}: {}", m.entity, m.op, r.reason));
    }
    changes.len()
}

#[tokio::test]
async fn set_up_staff_and_their_changes_are_signed_with_keys_that_open_with_their_passwords_only() {
    let t = clinic().await;
    let rita = t.staff("rita", &["receptionist"]).await;
    register_patient(&t.clinic, &rita, person("Ana", "Silva", "1980-01-01"), true).await.unwrap();
    assert!(all_signed(&t.clinic, &[]).await >= 4, "the set-up, rita's record and her registration");
    let (public, sealed) = key_of(&t.clinic, rita.staff_id).await;
    assert!(clinic_sync::signing::is_public_key(&public) && sealed.starts_with("v1$"));
    let (admin_public, _) = key_of(&t.clinic, t.admin.staff_id).await;
    assert_ne!(public, admin_public, "a key pair each");
    // The sealed key never reaches the audit trail.
    let leaked: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_event WHERE instr(details, ?) > 0").bind(&sealed[3..40])
        .fetch_one(t.clinic.store().pool()).await.unwrap();
    assert_eq!(leaked, 0);
}

#[tokio::test]
async fn a_password_change_seals_the_same_key_and_a_reset_makes_a_new_one() {
    let t = clinic().await;
    let rita = t.staff("rita", &["receptionist"]).await;
    let (first_public, first_sealed) = key_of(&t.clinic, rita.staff_id).await;
    change_password(&t.clinic, &rita, STAFF_PASSWORD, "a brand new secret").await.unwrap();
    let (public, sealed) = key_of(&t.clinic, rita.staff_id).await;
    assert_eq!(public, first_public, "the same key");
    assert_ne!(sealed, first_sealed, "sealed under the new password");
    let rita = login(&t.clinic, "rita", "a brand new secret").await.unwrap();
    register_patient(&t.clinic, &rita, person("Rui", "Costa", "1970-02-02"), true).await.unwrap();
    // Her password change and registration, signed with her first key.
    let before_reset: Vec<(Uuid, String)> = waiting_changes(&t.clinic).await.unwrap().into_iter()
        .filter(|m| m.user_id == Some(rita.staff_id)).map(|m| (m.mutation_id, first_public.clone())).collect();
    assert_eq!(before_reset.len(), 2);

    reset_password(&t.clinic, &t.admin, rita.staff_id, "given by the admin").await.unwrap();
    let (after_reset, _) = key_of(&t.clinic, rita.staff_id).await;
    assert_ne!(after_reset, first_public, "a reset issues a new pair: the admin cannot open the old one");
    let rita = login(&t.clinic, "rita", "given by the admin").await.unwrap();
    register_patient(&t.clinic, &rita, person("Inês", "Lopes", "1990-03-03"), true).await.unwrap();
    all_signed(&t.clinic, &before_reset).await;
}

#[tokio::test]
async fn a_locked_session_holds_no_key_and_unlocking_opens_it_again() {
    let t = clinic().await;
    let mut rita = t.staff("rita", &["receptionist"]).await;
    lock(&t.clinic, &mut rita).await.unwrap();
    let refused = register_patient(&t.clinic, &rita, person("Ana", "Silva", "1980-01-01"), true).await.unwrap_err();
    assert_eq!(refused.code, Code::SessionLocked);
    assert!(unlock(&t.clinic, &mut rita, "wrong password").await.is_err());
    unlock(&t.clinic, &mut rita, STAFF_PASSWORD).await.unwrap();
    register_patient(&t.clinic, &rita, person("Ana", "Silva", "1980-01-01"), true).await.unwrap();
    all_signed(&t.clinic, &[]).await;
}
