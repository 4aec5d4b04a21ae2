//! The audit trail: who viewed or changed what, when, from which device. Append-only and
//! hash-chained per device (each entry carries the hash of the one before it on that device), so
//! `verify` finds an entry that was changed, removed or inserted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use clinic_sync::FieldChange;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::Result;
use crate::write::{Actor, Write};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an audit entry says, in the one shape every writer writes and every reader reads: the
/// fields the change made (old → new), and the facts beside them (a record number, a count).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Details {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub changes: BTreeMap<String, FieldChange>,
    #[serde(flatten)]
    pub facts: Map<String, Value>,
}

impl Details {
    /// The fields a change made.
    pub(crate) fn of(changes: &crate::write::Changes) -> Details {
        Details { changes: changes.fields().map(|(f, old, new)| (f.to_string(), FieldChange { old: old.clone(), new: new.clone() })).collect(), facts: Map::new() }
    }

    /// Facts only, given as a JSON object: `Details::facts(json!({"entries": 3}))`.
    pub(crate) fn facts(facts: Value) -> Details {
        match facts {
            Value::Object(facts) => Details { changes: BTreeMap::new(), facts },
            other => unreachable!("audit facts are an object, not {other}"),
        }
    }

    pub(crate) fn with(mut self, fact: &str, value: impl Serialize) -> Details {
        self.facts.insert(fact.to_string(), serde_json::json!(value));
        self
    }

    /// Without the fields no person reads (a password hash): the audit trail never holds them.
    pub(crate) fn hiding(mut self, secret: &[&str]) -> Details {
        self.changes.retain(|field, _| !secret.contains(&field.as_str()));
        self
    }
}

/// An audit event a use case recorded, written at its commit.
pub(crate) struct Draft {
    pub action: String,
    pub entity: &'static str,
    pub entity_id: Option<Uuid>,
    pub details: String,
}

/// Appends a use case's audit events to this device's chain.
pub(crate) async fn append(conn: &mut SqliteConnection, actor: Actor, at: i64, drafts: Vec<Draft>) -> Result<()> {
    let device_id = actor.device.id;
    // Entries are never deleted, so the last one gives both the next number and the link.
    let (mut seq, mut prev_hash) = sqlx::query!("SELECT seq, hash FROM audit_event WHERE device_id = ? ORDER BY seq DESC LIMIT 1", device_id)
        .fetch_optional(&mut *conn)
        .await?
        .map_or((0, GENESIS.to_string()), |last| (last.seq, last.hash));
    for d in drafts {
        seq += 1;
        let entry = Entry {
            id: Uuid::now_v7(), org_id: actor.device.org_id, device_id, seq, at, staff_id: actor.staff_id,
            action: d.action, entity: d.entity.to_string(), entity_id: d.entity_id, details: d.details,
        };
        let hash = entry.hash(&prev_hash);
        sqlx::query!(
            "INSERT INTO audit_event (id, org_id, device_id, seq, at, staff_id, action, entity, entity_id, details, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entry.id, entry.org_id, entry.device_id, entry.seq, entry.at, entry.staff_id, entry.action, entry.entity,
            entry.entity_id, entry.details, prev_hash, hash
        )
        .execute(&mut *conn)
        .await?;
        prev_hash = hash;
    }
    Ok(())
}

/// The hashed content of an entry.
struct Entry {
    id: Uuid,
    org_id: Uuid,
    device_id: Uuid,
    seq: i64,
    at: i64,
    staff_id: Option<Uuid>,
    action: String,
    entity: String,
    entity_id: Option<Uuid>,
    details: String,
}

impl Entry {
    fn hash(&self, prev_hash: &str) -> String {
        let canonical = serde_json::json!([
            prev_hash, self.id, self.org_id, self.device_id, self.seq, self.at, self.staff_id,
            self.action, self.entity, self.entity_id, self.details
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AuditProblem {
    pub device_id: Uuid,
    pub seq: i64,
    pub problem: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuditReport {
    pub entries_checked: i64,
    pub problems: Vec<AuditProblem>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walks every device's chain: numbers must run 1, 2, 3… with no gap, each entry must link to the
/// one before it, and each entry's content must still match its hash.
pub async fn verify(clinic: &Clinic, session: &Session) -> Result<AuditReport> {
    let mut w = Write::reading(clinic, session, Permission::ViewAudit).await?;
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", org_id AS "org_id: Uuid", device_id AS "device_id: Uuid", seq, at,
                  staff_id AS "staff_id: Uuid", action, entity, entity_id AS "entity_id: Uuid", details, prev_hash, hash
           FROM audit_event ORDER BY device_id, seq"#
    )
    .fetch_all(w.conn())
    .await?;
    let mut problems = Vec::new();
    let mut last: Option<(Uuid, i64, String)> = None;
    for r in &rows {
        let problem = |text: &str| AuditProblem { device_id: r.device_id, seq: r.seq, problem: text.to_string() };
        let (expected_seq, expected_prev) = match &last {
            Some((device, seq, hash)) if *device == r.device_id => (seq + 1, hash.clone()),
            _ => (1, GENESIS.to_string()),
        };
        if r.seq != expected_seq {
            problems.push(problem(&format!("entries {expected_seq} to {} are missing", r.seq - 1)));
        } else if r.prev_hash != expected_prev {
            problems.push(problem("does not link to the entry before it"));
        }
        let entry = Entry {
            id: r.id, org_id: r.org_id, device_id: r.device_id, seq: r.seq, at: r.at, staff_id: r.staff_id,
            action: r.action.clone(), entity: r.entity.clone(), entity_id: r.entity_id, details: r.details.clone(),
        };
        if entry.hash(&r.prev_hash) != r.hash {
            problems.push(problem("was changed after it was written"));
        }
        last = Some((r.device_id, r.seq, r.hash.clone()));
    }
    let report = AuditReport { entries_checked: rows.len() as i64, problems };
    w.audit("verify", "audit", None, Details::default().with("entries", report.entries_checked).with("problems", report.problems.len()));
    w.commit().await?;
    Ok(report)
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub device_id: Uuid,
    pub staff_id: Option<Uuid>,
    pub staff_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub details: Value,
}

/// The newest audit entries, up to `limit` (1–500), older than entry `before` when paging back.
/// Entry ids are UUIDv7, so they sort by time; entries written together never straddle a page.
pub async fn recent(clinic: &Clinic, session: &Session, before: Option<Uuid>, limit: i64) -> Result<Vec<AuditEntry>> {
    let mut w = Write::reading(clinic, session, Permission::ViewAudit).await?;
    let limit = limit.clamp(1, 500);
    let rows = sqlx::query!(
        r#"SELECT a.id AS "id: Uuid", a.at, a.device_id AS "device_id: Uuid", a.staff_id AS "staff_id: Uuid", s.full_name AS "staff_name?",
                  a.action, a.entity, a.entity_id AS "entity_id: Uuid", a.details
           FROM audit_event a LEFT JOIN staff s ON s.id = a.staff_id
           WHERE ?1 IS NULL OR a.id < ?1 ORDER BY a.id DESC LIMIT ?2"#,
        before, limit
    )
    .fetch_all(w.conn())
    .await?;
    w.audit("view", "audit", None, Details::default().with("entries", rows.len()));
    w.commit().await?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.id,
                at: from_millis(r.at), device_id: r.device_id, staff_id: r.staff_id, staff_name: r.staff_name,
                action: r.action, entity: r.entity, entity_id: r.entity_id, details: serde_json::from_str(&r.details)?,
            })
        })
        .collect()
}
