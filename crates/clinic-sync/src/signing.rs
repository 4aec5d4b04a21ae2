//! Who made a change, proven (DESIGN.md §5b): every staff member has an Ed25519 key pair; the
//! workstation signs each mutation with its author's private key, and the server verifies it
//! against the public key of the staff record the mutation names. The device token proves only
//! which workstation sent it.
//!
//! Both sides sign and verify the same bytes because both call `signed_content` here.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::Value;

use crate::validate::Refusal;
use crate::Mutation;

/// A staff member's private signing key, unsealed in memory while they are logged in.
#[derive(Clone)]
pub struct Signer(SigningKey);

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.public_key())
    }
}

impl Signer {
    /// A signer from its 32-byte seed (fresh random bytes make a new key pair).
    pub fn from_seed(seed: &[u8; 32]) -> Signer {
        Signer(SigningKey::from_bytes(seed))
    }

    pub fn seed(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    /// The public half, as the staff record carries it (hex).
    pub fn public_key(&self) -> String {
        hex::encode(self.0.verifying_key().as_bytes())
    }

    /// The signature of a mutation (hex), for its `signature` field.
    pub fn sign(&self, m: &Mutation) -> String {
        hex::encode(self.0.sign(&signed_content(m)).to_bytes())
    }
}

/// What is signed: every field of the mutation but its device sequence (the order the
/// workstation sends it in, given at commit) and the signature itself, as JSON with its keys in a
/// fixed order (serde_json's maps are sorted).
pub fn signed_content(m: &Mutation) -> Vec<u8> {
    let content = serde_json::json!([
        "clinic-desk mutation v1", m.mutation_id, m.hlc, m.at, m.entity, m.entity_id, m.op, m.changes, m.base_version, m.user_id
    ]);
    serde_json::to_vec(&sorted(content)).expect("a mutation serialises")
}

/// The value with the keys of every object in order: a build whose serde_json keeps keys in the
/// order they came (its `preserve_order` feature, which another crate may turn on) signs the
/// same bytes as one that sorts them.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Checks a mutation's signature against its author's public key (hex).
pub fn verify(public_key: &str, m: &Mutation) -> Result<(), Refusal> {
    let bad = |why: &str| Refusal::new("bad_signature", why.to_string());
    let Some(signature) = &m.signature else {
        return Err(bad("This change is not signed by the person who made it."));
    };
    let key = decode::<32>(public_key)
        .and_then(|k| VerifyingKey::from_bytes(&k).ok())
        .ok_or_else(|| bad("The signing key of the person named as the author is not a valid key."))?;
    let signature = decode::<64>(signature).map(|s| Signature::from_bytes(&s)).ok_or_else(|| bad("The signature is malformed."))?;
    key.verify_strict(&signed_content(m), &signature)
        .map_err(|_| bad("This change is not signed by the person named as its author (or was altered after signing)."))
}

/// Whether `text` is a public key a staff record may carry.
pub fn is_public_key(text: &str) -> bool {
    decode::<32>(text).is_some_and(|k| VerifyingKey::from_bytes(&k).is_ok())
}

fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    hex::decode(text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FieldChange, Op};

    fn mutation() -> Mutation {
        Mutation {
            mutation_id: uuid::Uuid::now_v7(), device_seq: 1, hlc: "0001".into(), at: 5, entity: "patient".into(),
            entity_id: uuid::Uuid::now_v7(), op: Op::Update,
            changes: [("notes".to_string(), FieldChange { old: serde_json::Value::Null, new: "seen".into() })].into(),
            base_version: Some(3), user_id: Some(uuid::Uuid::now_v7()), signature: None,
        }
    }

    #[test]
    fn a_signature_holds_for_its_author_and_content_only() {
        let (rita, joao) = (Signer::from_seed(&[1; 32]), Signer::from_seed(&[2; 32]));
        let mut m = mutation();
        assert!(verify(&rita.public_key(), &m).is_err(), "unsigned");
        m.signature = Some(rita.sign(&m));
        assert!(verify(&rita.public_key(), &m).is_ok());
        assert_eq!(verify(&joao.public_key(), &m).unwrap_err().code, "bad_signature", "someone else's key");
        m.device_seq = 99; // not signed: the order of sending
        assert!(verify(&rita.public_key(), &m).is_ok());
        let mut altered = m.clone();
        altered.changes.get_mut("notes").unwrap().new = "altered".into();
        assert!(verify(&rita.public_key(), &altered).is_err(), "content changed after signing");
        let mut other_author = m.clone();
        other_author.user_id = Some(uuid::Uuid::now_v7());
        assert!(verify(&rita.public_key(), &other_author).is_err(), "another author named");
        assert!(verify("zz", &m).is_err() && !is_public_key("zz") && is_public_key(&rita.public_key()));
    }
}
