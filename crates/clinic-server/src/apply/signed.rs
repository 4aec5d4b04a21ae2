//! Signed clinical records (DESIGN.md §7a): a note merges by field while it is a draft; once its
//! author signs it, nothing about it changes again, here or on any workstation. A signing is
//! taken only from the author, over the content as the server holds it after merging (a draft
//! edit from another desk that arrived first makes the signature not match, and the signing is
//! refused rather than freezing text the author never saw).

use clinic_sync::entities::Entity;
use clinic_sync::signed::{content_hash, verify};
use clinic_sync::validate::Refusal;
use clinic_sync::Mutation;
use serde_json::{Map, Value};
use sqlx::PgConnection;

use super::{Batch, Checked};

/// A signed record refuses every change; a draft takes changes from its author only, who stays
/// its author.
pub(super) fn frozen(kind: &Entity, held: Option<&Map<String, Value>>, m: &Mutation) -> Result<(), Refusal> {
    if kind.signed_content().is_none() {
        return Ok(());
    }
    if held.is_some_and(|data| data.get("signed_at").is_some_and(|v| !v.is_null())) {
        return Err(Refusal::new("signed",
            format!("This {} is signed and can no longer be changed: add an addendum to correct it.", kind.name.replace('_', " "))));
    }
    let named = m.changes.get("author_id").map(|c| c.new.as_str());
    let author = match held {
        Some(data) => data.get("author_id").and_then(Value::as_str),
        None => named.flatten(),
    };
    let maker = m.user_id.map(|u| u.to_string());
    if author.is_none() || author != maker.as_deref() || named.is_some_and(|n| n != author) {
        return Err(Refusal::new("permission_denied", "Only its author writes, changes or signs a clinical note."));
    }
    Ok(())
}

impl Batch<'_> {
    /// The record as merged: either not signed (and then carrying no signature), or signed by its
    /// author, in this very change, over exactly this content.
    pub(super) async fn check_signature(&mut self, conn: &mut PgConnection, kind: &Entity, m: &Mutation, data: &Map<String, Value>) -> Checked<()> {
        let refuse = |why: &str| Ok(Err(Refusal::new("bad_signature", why.to_string())));
        let field = |name: &str| data.get(name).filter(|v| !v.is_null());
        let Some(signed_at) = field("signed_at").and_then(Value::as_i64) else {
            return if field("content_hash").or(field("signature")).is_some() { refuse("A signature without a signing time.") } else { Ok(Ok(())) };
        };
        if field("deleted_at").is_some() {
            return refuse("A discarded draft is not signed.");
        }
        let author = field("author_id").and_then(Value::as_str).and_then(|a| a.parse().ok());
        if author.is_none() || author != m.user_id {
            return refuse("Only its author signs a clinical record.");
        }
        let (Some(hash), Some(signature)) = (field("content_hash").and_then(Value::as_str), field("signature").and_then(Value::as_str)) else {
            return refuse("A signed record carries its content hash and its author's signature.");
        };
        if content_hash(kind, |f| data.get(f).cloned()) != hash {
            return Ok(Err(Refusal::new("signed_content_changed",
                "The note changed on another workstation before this signature arrived: read it again and sign it again.")));
        }
        let key = self.staff(conn, author.expect("checked")).await?.and_then(|s| s.get("public_key").and_then(Value::as_str).map(str::to_string));
        if !key.is_some_and(|key| verify(&key, kind.name, m.entity_id, hash, signed_at, signature)) {
            return refuse("The signature is not its author's signature of this content.");
        }
        Ok(Ok(()))
    }
}
