//! The audit trail's chains (DESIGN.md §6, §5b): each workstation numbers its entries 1, 2, 3…
//! and each entry carries the hash of the one before it, so a changed, missing, reordered or
//! added entry shows. The workstation writes them, the server takes each in order from its own
//! workstation only and keeps the head it acknowledged; both hash an entry here.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What the first entry of every chain links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of a workstation's chain, as it is hashed and travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainEntry {
    pub id: Uuid,
    pub org_id: Uuid,
    pub device_id: Uuid,
    pub seq: i64,
    pub at: i64,
    pub staff_id: Option<Uuid>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainEntry {
    /// The hash its content and its link to the entry before give (hex SHA-256).
    pub fn computed_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.prev_hash, self.id, self.org_id, self.device_id, self.seq, self.at, self.staff_id,
            self.action, self.entity, self.entity_id, self.details
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }

    /// An entry from its fields by name (a record's data, a mutation's new values).
    pub fn from_fields(field: impl Fn(&str) -> Option<Value>) -> Option<ChainEntry> {
        let names = ["id", "org_id", "device_id", "seq", "at", "staff_id", "action", "entity", "entity_id", "details", "prev_hash", "hash"];
        serde_json::from_value(Value::Object(names.iter().map(|n| (n.to_string(), field(n).unwrap_or(Value::Null))).collect())).ok()
    }
}

/// The last entry of a workstation's chain that the server acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub device_id: Uuid,
    pub seq: i64,
    pub hash: String,
}

/// Where a chain's entries, in order, break it: (the entry's number, what is wrong). `after` is
/// the entry the first one follows (none: the chain's start).
pub fn breaks(entries: &[ChainEntry], after: Option<(i64, &str)>) -> Vec<(i64, String)> {
    let mut problems = Vec::new();
    let (mut seq, mut hash) = after.map_or((0, GENESIS.to_string()), |(s, h)| (s, h.to_string()));
    for e in entries {
        if e.seq != seq + 1 {
            problems.push((e.seq, if e.seq == seq + 2 {
                format!("entry {} is missing", seq + 1)
            } else if e.seq > seq + 2 {
                format!("entries {} to {} are missing", seq + 1, e.seq - 1)
            } else {
                format!("is out of order (after entry {seq})")
            }));
        } else if e.prev_hash != hash {
            problems.push((e.seq, "does not link to the entry before it".to_string()));
        }
        if e.computed_hash() != e.hash {
            problems.push((e.seq, "was changed after it was written".to_string()));
        }
        (seq, hash) = (e.seq, e.hash.clone());
    }
    problems
}
