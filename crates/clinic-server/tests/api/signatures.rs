//! Who made a change, proven (issue 9, finding 1): the device token says which workstation sent
//! a change; only its author's signature says who made it.

use clinic_sync::signing::Signer;
use clinic_sync::{Op, Outcome};
use serde_json::json;
use uuid::Uuid;

use crate::harness::*;

#[tokio::test]
async fn a_change_not_signed_by_its_named_author_is_refused_and_changes_nothing() {
    let (server, _, mut desk, staff) = riverside().await;
    let before = server.counts().await;
    // From the receptionist's workstation: herself made an admin, "by the admin", signed with her own key.
    let mut promotion = desk.mutation(staff.admin, "staff", staff.reception, Op::Update, Some(1), &[("roles", json!("admin,receptionist"))]);
    promotion.signature = Some(signer_of(staff.reception).sign(&promotion));
    // A new password hash for the admin, unsigned.
    let mut takeover = desk.mutation(staff.admin, "staff", staff.admin, Op::Update, Some(1), &[("password_hash", json!("$argon2id$mine"))]);
    takeover.signature = None;
    // A change the receptionist signed, replayed as the admin's.
    let mut replayed = desk.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Ana"));
    replayed.user_id = Some(staff.admin);
    // Altered after signing.
    let mut altered = desk.mutation(staff.reception, "patient", desk.fixture("patient"), Op::Update, Some(1), &[("notes", json!("ok"))]);
    altered.changes.get_mut("notes").unwrap().new = json!("altered");
    // A signature that is not one.
    let mut garbage = desk.mutation(staff.reception, "patient", desk.fixture("patient"), Op::Update, Some(1), &[("notes", json!("ok"))]);
    garbage.signature = Some("not hex".into());
    let outcomes = desk.push(&server, &[promotion, takeover, replayed, altered, garbage]).await;
    assert!(outcomes.iter().all(|o| refusal(o) == Some("bad_signature")), "{outcomes:?}");
    assert_eq!(server.counts().await, (before.0, before.1, before.2 + 5), "only the refusals were recorded");
    let roles: String = sqlx::query_scalar("SELECT data->>'roles' FROM record WHERE entity = 'staff' AND entity_id = $1")
        .bind(staff.reception).fetch_one(&server.server.db).await.unwrap();
    assert_eq!(roles, "receptionist");
    // Signed by its author, the same kind of change applies, and the log keeps who signed it.
    let honest = desk.mutation(staff.reception, "patient", desk.fixture("patient"), Op::Update, Some(1), &[("notes", json!("ok"))]);
    assert!(matches!(desk.push(&server, &[honest.clone()]).await[0], Outcome::Applied { .. }));
    // Checked again from the log alone: the change as signed, and who signed it.
    let (hlc, at, op, changes, base_version, user_id, signature): (String, i64, String, serde_json::Value, Option<i64>, Option<Uuid>, Option<String>) =
        sqlx::query_as("SELECT hlc, made_at, op, changes, base_version, user_id, signature FROM change_log WHERE mutation_id = $1")
            .bind(honest.mutation_id).fetch_one(&server.server.db).await.unwrap();
    let from_log = clinic_sync::Mutation {
        mutation_id: honest.mutation_id, device_seq: 0, hlc, at, entity: "patient".into(), entity_id: honest.entity_id,
        op: serde_json::from_value(json!(op)).unwrap(), changes: serde_json::from_value(changes).unwrap(), base_version, user_id, signature,
    };
    assert!(clinic_sync::signing::verify(&signer_of(staff.reception).public_key(), &from_log).is_ok());
}

#[tokio::test]
async fn after_a_reset_the_new_key_signs_and_the_old_one_no_longer_does() {
    let (server, _, mut desk, staff) = riverside().await;
    let new_key = Signer::from_seed(&[7; 32]);
    let reset = desk.mutation(staff.admin, "staff", staff.reception, Op::Update, Some(1),
        &[("password_hash", json!("$argon2id$new")), ("public_key", json!(new_key.public_key()))]);
    assert!(matches!(desk.push(&server, &[reset]).await[0], Outcome::Applied { .. }));
    // Made offline before the reset, with the old key: refused (the person makes it again).
    let old = desk.mutation(staff.reception, "patient", desk.fixture("patient"), Op::Update, Some(1), &[("notes", json!("old key"))]);
    assert_eq!(refusal(&desk.push(&server, &[old]).await[0]), Some("bad_signature"));
    let mut new = desk.mutation(staff.reception, "patient", desk.fixture("patient"), Op::Update, Some(1), &[("notes", json!("new key"))]);
    new.signature = Some(new_key.sign(&new));
    assert!(matches!(desk.push(&server, &[new]).await[0], Outcome::Applied { .. }));
    // What the old key signed before stays checkable: its public half is in the record's history.
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT changes->'public_key'->>'new' FROM change_log WHERE entity = 'staff' AND entity_id = $1 AND changes ? 'public_key' ORDER BY server_seq")
        .bind(staff.reception).fetch_all(&server.server.db).await.unwrap();
    assert_eq!(keys, [signer_of(staff.reception).public_key(), new_key.public_key()]);
}

#[tokio::test]
async fn someone_without_a_key_gets_one_only_from_an_admin_never_by_their_own_change() {
    let (server, _, mut desk, staff) = riverside().await;
    // A staff member made before keys existed (no public key on the record).
    let keyless = Uuid::now_v7();
    let mut made = desk.mutation(staff.admin, "staff", keyless, Op::Insert, None, &[("roles", json!("receptionist"))]);
    made.changes.remove("public_key");
    let made = signed(made);
    assert!(matches!(desk.push(&server, &[made]).await[0], Outcome::Applied { .. }));
    // Nothing of theirs is taken without a key, and no key of their own making either: from any
    // workstation's token, that would take over the account (an admin's, say).
    let early = desk.mutation(keyless, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Early"));
    let own_key = desk.mutation(keyless, "staff", keyless, Op::Update, Some(1), &[("public_key", json!(signer_of(keyless).public_key()))]);
    let outcomes = desk.push(&server, &[early, own_key]).await;
    assert!(outcomes.iter().all(|o| refusal(o) == Some("bad_signature")), "{outcomes:?}");
    // An admin's reset gives them one; a key that is not one is refused.
    let broken = desk.mutation(staff.admin, "staff", keyless, Op::Update, Some(1), &[("public_key", json!("ab".repeat(32)[..63].to_string() + "z"))]);
    let reset = desk.mutation(staff.admin, "staff", keyless, Op::Update, Some(1), &[("public_key", json!(signer_of(keyless).public_key()))]);
    let outcomes = desk.push(&server, &[broken, reset]).await;
    assert_eq!(outcomes.iter().map(refusal).collect::<Vec<_>>(), [Some("bad_value"), None], "{outcomes:?}");
    let later = desk.mutation(keyless, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Later"));
    assert!(matches!(desk.push(&server, &[later]).await[0], Outcome::Applied { .. }));
    // Nor may they replace their key by a change of their own, even signed by the one they hold.
    let thief = Signer::from_seed(&[9; 32]);
    let swap = desk.mutation(keyless, "staff", keyless, Op::Update, Some(2), &[("public_key", json!(thief.public_key()))]);
    assert_eq!(refusal(&desk.push(&server, &[swap]).await[0]), Some("permission_denied"));
}
