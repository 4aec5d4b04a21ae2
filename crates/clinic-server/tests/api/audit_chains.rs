//! Audit chains the server checks (issue 9, findings 3 and 4): an entry joins its workstation's
//! chain only from that workstation, in order, linked and unaltered; the server keeps each
//! chain's acknowledged head, and `verify` finds an entry changed, missing or cut off the end.

use clinic_server::audit;
use clinic_sync::audit_chain::ChainHead;
use clinic_sync::Outcome;
use uuid::Uuid;

use crate::harness::*;

#[tokio::test]
async fn another_workstation_cannot_write_into_a_chain_and_its_real_entries_still_land() {
    let (server, org, mut a, staff) = riverside().await;
    let mut b = Desk::enrol(&server, org, None).await.unwrap();
    // Desk B forges A's entry 1 (B's token, A's device id) and pushes it first.
    let mut forged = a.next_audit_entry(staff.reception, "login");
    let real = forged.clone();
    forged.action = "forged".into();
    forged.hash = forged.computed_hash();
    let before = server.counts().await;
    let sent = b.audit_mutation(&forged);
    let outcome = b.push(&server, &[sent]).await;
    assert_eq!(refusal(&outcome[0]), Some("audit_chain"), "{outcome:?}");
    assert_eq!(server.counts().await, (before.0, before.1, before.2 + 1), "only the refusal is recorded");
    // A's real entry 1 is taken.
    let sent = a.audit_mutation(&real);
    assert!(matches!(a.push(&server, &[sent]).await[0], Outcome::Applied { .. }));
    let (status, heads) = server.get("/v1/audit/heads", Some(&b.token)).await;
    assert_eq!(status, 200);
    let heads: Vec<ChainHead> = serde_json::from_value(heads).unwrap();
    assert_eq!(heads, [ChainHead { device_id: a.device_id, seq: 1, hash: real.hash }]);
}

#[tokio::test]
async fn entries_out_of_order_missing_or_rewritten_are_refused() {
    let (server, _, mut a, staff) = riverside().await;
    let first = a.next_audit_entry(staff.reception, "login");
    let second = a.next_audit_entry(staff.reception, "view");
    let third = a.next_audit_entry(staff.reception, "logout");
    // The second before the first; the third after the first (a gap); the second rewritten.
    let mut rewritten = second.clone();
    rewritten.details = r#"{"mrn":"other"}"#.into();
    let batch = [a.audit_mutation(&second), a.audit_mutation(&first), a.audit_mutation(&third), a.audit_mutation(&rewritten), a.audit_mutation(&second)];
    let outcomes = a.push(&server, &batch).await;
    assert_eq!(outcomes.iter().map(refusal).collect::<Vec<_>>(), [Some("audit_chain"), None, Some("audit_chain"), Some("audit_chain"), None], "{outcomes:?}");
    // A replay of an entry taken changes nothing; the chain goes on from its head.
    let sent = a.audit_mutation(&first);
    assert!(matches!(a.push(&server, &[sent]).await[0], Outcome::Duplicate { .. } | Outcome::Applied { .. }));
    let sent = a.audit_mutation(&third);
    assert!(matches!(a.push(&server, &[sent]).await[0], Outcome::Applied { .. }));
    let org = sqlx::query_scalar::<_, Uuid>("SELECT org_id FROM audit_head").fetch_one(&server.server.db).await.unwrap();
    assert_eq!(audit::verify(&server.server.db, org).await.unwrap(), (3, vec![]), "intact");
}

#[tokio::test]
async fn verify_on_the_server_finds_an_entry_changed_removed_or_cut_off_the_end() {
    let (server, _, mut a, staff) = riverside().await;
    let entries: Vec<_> = (0..5).map(|i| a.next_audit_entry(staff.reception, &format!("step {i}"))).collect();
    let batch: Vec<_> = entries.iter().map(|e| a.audit_mutation(e)).collect();
    assert!(a.push(&server, &batch).await.iter().all(|o| matches!(o, Outcome::Applied { .. })));
    let org = sqlx::query_scalar::<_, Uuid>("SELECT org_id FROM audit_head").fetch_one(&server.server.db).await.unwrap();
    let db = &server.server.db;
    // Changed: entry 2's details.
    sqlx::query("UPDATE record SET data = jsonb_set(data, '{details}', '\"{}x\"') WHERE entity = 'audit_event' AND (data->>'seq')::bigint = 2")
        .execute(db).await.unwrap();
    // Removed: entry 3. Cut off the end: entry 5 (the head still says 5).
    sqlx::query("DELETE FROM record WHERE entity = 'audit_event' AND (data->>'seq')::bigint IN (3, 5)").execute(db).await.unwrap();
    let (checked, problems) = audit::verify(db, org).await.unwrap();
    assert_eq!(checked, 3);
    let found: Vec<(i64, &str)> = problems.iter().map(|(device, seq, what)| {
        assert_eq!(*device, a.device_id);
        (*seq, what.as_str())
    }).collect();
    assert_eq!(found, [(2, "was changed after it was written"), (4, "entry 3 is missing"), (5, "the chain ends at entry 4, not at the acknowledged head")]);
}

#[tokio::test]
async fn where_a_workstation_s_trail_stopped_reaching_the_server_is_reported() {
    let (server, _, mut a, staff) = riverside().await;
    let first = a.next_audit_entry(staff.reception, "login");
    let mut second = a.next_audit_entry(staff.reception, "view");
    let third = a.next_audit_entry(staff.reception, "logout");
    second.details = r#"{"rewritten":true}"#.into(); // its hash no longer matches
    let batch = [a.audit_mutation(&first), a.audit_mutation(&second), a.audit_mutation(&third)];
    let outcomes = a.push(&server, &batch).await;
    assert_eq!(outcomes.iter().map(refusal).collect::<Vec<_>>(), [None, Some("audit_chain"), Some("audit_chain")]);
    let org = sqlx::query_scalar::<_, Uuid>("SELECT org_id FROM audit_head").fetch_one(&server.server.db).await.unwrap();
    let (checked, problems) = audit::verify(&server.server.db, org).await.unwrap();
    assert_eq!(checked, 1);
    let found: Vec<(i64, bool)> = problems.iter().map(|(d, seq, what)| {
        assert_eq!(*d, a.device_id);
        (*seq, what.ends_with("from here this workstation's trail does not reach the server"))
    }).collect();
    assert_eq!(found, [(2, true), (3, true)], "{problems:?}");
}
