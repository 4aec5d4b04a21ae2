//! What travels between a workstation and the server, as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The most mutations one push may carry.
pub const MAX_PUSH: usize = 500;
/// The most records one pull page may carry.
pub const MAX_PULL: i64 = 5000;

/// What an empty workstation, or one already holding its clinic, sends to join an organisation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The one-time code an admin created on the server.
    pub code: String,
    /// The workstation's own id (it stamps its clock and its audit chain with it).
    pub device_id: Uuid,
    pub device_name: String,
    /// Set when the workstation already holds a clinic (it was set up before it was enrolled).
    pub clinic: Option<LocalClinic>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct LocalClinic {
    /// The clinic's id, as every one of its rows carries it.
    pub clinic_id: Uuid,
    /// The workstation's number in record numbers (MRNs), already in use.
    pub device_number: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Enrolment {
    pub organisation_id: Uuid,
    pub organisation_name: String,
    /// The clinic whose rows this organisation holds.
    pub clinic_id: Uuid,
    pub device_id: Uuid,
    /// Unique in the organisation: the device part of the record numbers this workstation issues.
    pub device_number: i64,
    /// The bearer token for every later request. Shown once; the server keeps only its hash.
    pub token: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Insert,
    Update,
    Delete,
}

impl Op {
    const NAMES: [(Op, &'static str); 3] = [(Op::Insert, "insert"), (Op::Update, "update"), (Op::Delete, "delete")];

    /// Its name, as it travels and as the outbox and the change log keep it.
    pub fn as_str(self) -> &'static str {
        Op::NAMES.iter().find(|(op, _)| *op == self).map(|(_, name)| *name).expect("every op is named")
    }

    pub fn named(name: &str) -> Option<Op> {
        Op::NAMES.iter().find(|(_, n)| *n == name).map(|(op, _)| *op)
    }
}

/// A field's value before and after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub old: Value,
    pub new: Value,
}

/// One local change, as the workstation's outbox recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// The idempotency key: pushing it again returns its first result.
    pub mutation_id: Uuid,
    pub device_seq: i64,
    /// Hybrid logical clock stamp, sortable as text.
    pub hlc: String,
    /// When, by the workstation's clock (ms since the epoch).
    pub at: i64,
    pub entity: String,
    pub entity_id: Uuid,
    pub op: Op,
    pub changes: BTreeMap<String, FieldChange>,
    /// The server version the change was made on (none for a record never synced).
    pub base_version: Option<i64>,
    /// Who made it: the server checks this person may.
    pub user_id: Option<Uuid>,
    /// The author's Ed25519 signature of the rest (`signing::signed_content`), hex: the server
    /// refuses a change its named author did not sign. Audit entries go without: the device's
    /// hash chain binds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushRequest {
    pub mutations: Vec<Mutation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied: the record is now at `version`, and `server_seq` orders it among all changes.
    Applied { server_seq: i64, version: i64 },
    /// Pushed before: this is that first result.
    Duplicate { first: Box<Outcome> },
    /// Kept, and a person must look at it (a clash, or the same sensitive field changed twice).
    Conflict { conflict_id: Uuid, server_seq: i64, version: i64 },
    /// Not applied, for a reason a person can read. `current` is the record as the server holds
    /// it now (none if it never reached the server): the workstation puts its copy back to it, so
    /// a refused change does not stay where it was made.
    Rejected {
        code: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current: Option<Box<Record>>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushResult {
    pub mutation_id: Uuid,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<PushResult>,
}

/// A record as the server holds it now: every column, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub entity: String,
    pub entity_id: Uuid,
    pub version: i64,
    pub server_seq: i64,
    pub data: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullResponse {
    pub records: Vec<Record>,
    pub next_cursor: i64,
    pub has_more: bool,
}

/// Every error the server answers: a code to act on, a message to show; never internals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}
