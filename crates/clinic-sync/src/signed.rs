//! Signed clinical records (DESIGN.md §7a): a note, or an addendum, signed by its author. The
//! signature is over a hash of the record's content fields (its entity's `Policy::Signed`), so
//! anyone holding the record and the author's public key can check who signed what, and that not
//! a character changed since: the workstation that signs, the server that freezes it, and any
//! workstation that shows it all call `content_hash` and `verify` here.

use ed25519_dalek::{Signature, Signer as _, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::Entity;
use crate::signing::Signer;

/// The fields every signed entity has, beside its content: who wrote it, when it was signed, the
/// hash of its content then, and the author's signature over that hash.
pub const SIGNING_FIELDS: [&str; 4] = ["author_id", "signed_at", "content_hash", "signature"];

/// The SHA-256 (hex) of a record's content fields as they travel (absent fields as null), as
/// JSON in the declared order.
pub fn content_hash(entity: &Entity, value: impl Fn(&str) -> Option<Value>) -> String {
    let content = entity.signed_content().unwrap_or_default();
    let values: Vec<Value> = content.iter().map(|f| value(f).unwrap_or(Value::Null)).collect();
    let bytes = serde_json::to_vec(&serde_json::json!([entity.name, values])).expect("values serialise");
    hex::encode(Sha256::digest(bytes))
}

/// What the author signs: which record, its content hash, and when.
fn statement(entity: &str, id: Uuid, content_hash: &str, signed_at: i64) -> Vec<u8> {
    format!("clinic-desk signed record v1\n{entity}\n{id}\n{content_hash}\n{signed_at}").into_bytes()
}

/// The author's signature (hex) of a record's content hash.
pub fn sign(signer: &Signer, entity: &str, id: Uuid, content_hash: &str, signed_at: i64) -> String {
    let key = ed25519_dalek::SigningKey::from_bytes(signer.seed());
    hex::encode(key.sign(&statement(entity, id, content_hash, signed_at)).to_bytes())
}

/// Whether `signature` is `public_key`'s signature of that record's content hash.
pub fn verify(public_key: &str, entity: &str, id: Uuid, content_hash: &str, signed_at: i64, signature: &str) -> bool {
    let decode = |text: &str, n: usize| hex::decode(text).ok().filter(|b| b.len() == n);
    let Some(key) = decode(public_key, 32).and_then(|k| VerifyingKey::from_bytes(&k.try_into().ok()?).ok()) else { return false };
    let Some(signature) = decode(signature, 64).and_then(|s| Some(Signature::from_bytes(&s.try_into().ok()?))) else { return false };
    key.verify_strict(&statement(entity, id, content_hash, signed_at), &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::entity;
    use serde_json::json;

    #[test]
    fn a_signed_note_holds_for_its_author_and_content_only() {
        let note = entity("clinical_note").unwrap();
        let (rita, joao) = (Signer::from_seed(&[1; 32]), Signer::from_seed(&[2; 32]));
        let id = Uuid::now_v7();
        let text = |plan: &'static str| move |f: &str| (f == "plan").then(|| json!(plan));
        let hash = content_hash(note, text("Rest"));
        assert_ne!(hash, content_hash(note, text("Rest.")), "one character changes the hash");
        let signature = sign(&rita, note.name, id, &hash, 7);
        assert!(verify(&rita.public_key(), note.name, id, &hash, 7, &signature));
        assert!(!verify(&joao.public_key(), note.name, id, &hash, 7, &signature), "someone else's key");
        assert!(!verify(&rita.public_key(), note.name, Uuid::now_v7(), &hash, 7, &signature), "another note");
        assert!(!verify(&rita.public_key(), note.name, id, &hash, 8, &signature), "another time");
        assert!(!verify(&rita.public_key(), note.name, id, &hash, 7, "zz") && !verify("zz", note.name, id, &hash, 7, &signature));
    }
}
