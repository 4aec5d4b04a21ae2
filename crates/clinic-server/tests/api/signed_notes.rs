//! A signed clinical note is frozen on the server (DESIGN.md §7a): the signing is taken only from
//! its author, over the content the server holds; after it, no change to the note is taken.

use clinic_sync::signed::{content_hash, sign};
use clinic_sync::{entity, Op, Outcome};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::harness::*;

/// The signing of `note` as its author's workstation sends it, over `content` (its fields).
fn signing(desk: &mut Desk, by: Uuid, note: Uuid, content: &Map<String, Value>, at: i64) -> clinic_sync::Mutation {
    let kind = entity("clinical_note").unwrap();
    let hash = content_hash(kind, |f| content.get(f).cloned());
    let signature = sign(&signer_of(by), kind.name, note, &hash, at);
    desk.mutation(by, "clinical_note", note, Op::Update, Some(1), &[("signed_at", json!(at)), ("content_hash", json!(hash)), ("signature", json!(signature))])
}

async fn stored(server: &TestServer, note: Uuid) -> Map<String, Value> {
    let data: Value = sqlx::query_scalar("SELECT data FROM record WHERE entity = 'clinical_note' AND entity_id = $1")
        .bind(note).fetch_one(&server.server.db).await.unwrap();
    data.as_object().unwrap().clone()
}

#[tokio::test]
async fn a_note_is_signed_only_by_its_author_over_what_the_server_holds_and_then_never_changes() {
    let (server, _, mut desk, staff) = riverside().await;
    let encounter = Uuid::now_v7();
    let opened = desk.mutation(staff.doctor, "encounter", encounter, Op::Insert, None, &[("status", json!("open"))]);
    assert!(matches!(desk.push(&server, &[opened]).await[0], Outcome::Applied { .. }));
    let note = Uuid::now_v7();
    let draft = desk.mutation(staff.doctor, "clinical_note", note, Op::Insert, None,
        &[("encounter_id", json!(encounter)), ("author_id", json!(staff.doctor)), ("format", json!("soap")), ("subjective", json!("Cough"))]);
    assert!(matches!(desk.push(&server, &[draft]).await[0], Outcome::Applied { .. }));
    let content = stored(&server, note).await;
    // A colleague with the same rights (the clinic's second doctor).
    let colleague = desk.fixture("staff");

    // Only its author writes the draft: a colleague's edit, a change of author, a note made in another's name.
    let edit = desk.mutation(colleague, "clinical_note", note, Op::Update, Some(1), &[("subjective", json!("Cough, mine now"))]);
    let takeover = desk.mutation(staff.doctor, "clinical_note", note, Op::Update, Some(1), &[("author_id", json!(colleague))]);
    let forged = desk.mutation(colleague, "clinical_note", Uuid::now_v7(), Op::Insert, None,
        &[("encounter_id", json!(encounter)), ("author_id", json!(staff.doctor)), ("format", json!("free"))]);
    let outcomes = desk.push(&server, &[edit, takeover, forged]).await;
    assert!(outcomes.iter().all(|o| refusal(o) == Some("permission_denied")), "{outcomes:?}");
    assert_eq!(stored(&server, note).await, content);

    // Signed by someone else (a colleague with the same rights), over the right content: refused.
    let by_colleague = signing(&mut desk, colleague, note, &content, 1_790_000_100_000);
    // Signed by the author over other text than the server holds: refused.
    let mut other_text = content.clone();
    other_text.insert("subjective".into(), json!("Cough and fever"));
    let mismatched = signing(&mut desk, staff.doctor, note, &other_text, 1_790_000_100_000);
    // A signature without its hash.
    let half = desk.mutation(staff.doctor, "clinical_note", note, Op::Update, Some(1), &[("signed_at", json!(1_790_000_100_000_i64))]);
    let outcomes = desk.push(&server, &[by_colleague, mismatched, half]).await;
    assert_eq!(outcomes.iter().map(refusal).collect::<Vec<_>>(),
        [Some("permission_denied"), Some("signed_content_changed"), Some("bad_signature")], "{outcomes:?}");
    assert!(stored(&server, note).await.get("signed_at").is_none_or(Value::is_null), "still a draft");

    let signed = signing(&mut desk, staff.doctor, note, &content, 1_790_000_100_000);
    assert!(matches!(desk.push(&server, &[signed]).await[0], Outcome::Applied { .. }));
    let before = server.counts().await;
    // Frozen: an edit, a tombstone, even a re-signing by its author are refused.
    let edit = desk.mutation(staff.doctor, "clinical_note", note, Op::Update, Some(2), &[("subjective", json!("Cough, no fever"))]);
    let delete = desk.mutation(staff.doctor, "clinical_note", note, Op::Delete, Some(2), &[("deleted_at", json!(1_790_000_200_000_i64))]);
    let resign = signing(&mut desk, staff.doctor, note, &content, 1_790_000_300_000);
    let outcomes = desk.push(&server, &[edit, delete, resign]).await;
    assert!(outcomes.iter().all(|o| refusal(o) == Some("signed")), "{outcomes:?}");
    assert_eq!(server.counts().await, (before.0, before.1, before.2 + 3), "only the refusals were recorded");
    assert_eq!(stored(&server, note).await["subjective"], json!("Cough"));
}

#[tokio::test]
async fn a_signature_made_before_a_draft_edit_from_another_desk_arrived_is_refused() {
    let (server, org, mut desk, staff) = riverside().await;
    let mut other = Desk::enrol(&server, org, None).await.unwrap();
    let encounter = Uuid::now_v7();
    let note = Uuid::now_v7();
    let opened = desk.mutation(staff.doctor, "encounter", encounter, Op::Insert, None, &[("status", json!("open"))]);
    let draft = desk.mutation(staff.doctor, "clinical_note", note, Op::Insert, None,
        &[("encounter_id", json!(encounter)), ("author_id", json!(staff.doctor)), ("format", json!("free")), ("body", json!("Seen"))]);
    assert!(desk.push(&server, &[opened]).await.iter().chain(desk.push(&server, &[draft]).await.iter()).all(|o| matches!(o, Outcome::Applied { .. })));
    let as_signed = stored(&server, note).await;
    // The doctor typed more on the other desk, which reached the server first.
    let more = other.mutation(staff.doctor, "clinical_note", note, Op::Update, Some(1), &[("body", json!("Seen. Rest a week."))]);
    assert!(matches!(other.push(&server, &[more]).await[0], Outcome::Applied { .. }));
    let late = signing(&mut desk, staff.doctor, note, &as_signed, 1_790_000_100_000);
    assert_eq!(refusal(&desk.push(&server, &[late]).await[0]), Some("signed_content_changed"));
    assert!(stored(&server, note).await.get("signed_at").is_none_or(Value::is_null));
}
