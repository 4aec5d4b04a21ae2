//! The audit trail: who viewed or changed what, when, from which device. Append-only and
//! hash-chained per device (each entry carries the hash of the one before it on that device), so
//! `verify` finds an entry that was changed, removed or inserted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use clinic_sync::audit_chain::{breaks, ChainEntry, ChainHead, GENESIS};
use clinic_sync::FieldChange;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::Result;
use crate::write::{Actor, Write};


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

    /// The fields a change made to a record of `entity`, as the trail may hold them: a secret
    /// field not at all, clinical content by name only (whoever reads the trail is not its reader).
    pub(crate) fn of_record(entity: &clinic_sync::Entity, changes: &crate::write::Changes) -> Details {
        let mut details = Details::of(changes).hiding(entity.secret);
        if entity.clinical {
            for change in details.changes.values_mut() {
                *change = FieldChange { old: Value::Null, new: Value::String("(clinical content)".into()) };
            }
        }
        details
    }
}

/// An audit event a use case recorded, written at its commit.
pub(crate) struct Draft {
    pub action: String,
    pub entity: &'static str,
    pub entity_id: Option<Uuid>,
    pub details: String,
}

/// Appends a use case's audit events to this device's chain, after `head` (the last entry, if
/// known). Answers the new head, for the clinic to keep once the use case commits.
pub(crate) async fn append(conn: &mut SqliteConnection, actor: Actor, at: i64, head: Option<(i64, String)>, drafts: Vec<Draft>) -> Result<(i64, String)> {
    let device_id = actor.device.id;
    // Entries are never deleted, so the last one gives both the next number and the link.
    let (mut seq, mut prev_hash) = match head {
        Some(head) => head,
        None => sqlx::query!("SELECT seq, hash FROM audit_event WHERE device_id = ? ORDER BY seq DESC LIMIT 1", device_id)
            .fetch_optional(&mut *conn)
            .await?
            .map_or((0, GENESIS.to_string()), |last| (last.seq, last.hash)),
    };
    for d in drafts {
        seq += 1;
        let mut entry = ChainEntry {
            id: Uuid::now_v7(), org_id: actor.device.org_id, device_id, seq, at, staff_id: actor.staff_id,
            action: d.action, entity: d.entity.to_string(), entity_id: d.entity_id, details: d.details, prev_hash, hash: String::new(),
        };
        entry.hash = entry.computed_hash();
        sqlx::query!(
            "INSERT INTO audit_event (id, org_id, device_id, seq, at, staff_id, action, entity, entity_id, details, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entry.id, entry.org_id, entry.device_id, entry.seq, entry.at, entry.staff_id, entry.action, entry.entity,
            entry.entity_id, entry.details, entry.prev_hash, entry.hash
        )
        .execute(&mut *conn)
        .await?;
        (seq, prev_hash) = (entry.seq, entry.hash);
    }
    Ok((seq, prev_hash))
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
    /// Whether each chain was held to the head the sync server acknowledged (not when offline,
    /// or before this run of the app has reached the server).
    pub compared_with_server: bool,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walks every device's chain: numbers must run 1, 2, 3… with no gap, each entry must link to the
/// one before it, and each entry's content must still match its hash. When the sync server has
/// been reached since the app started, the chains are also held to the heads it acknowledged:
/// this workstation's entries cut off the end or rewritten show, and so does an entry of another
/// workstation the server never took (every real one reaches here through the server).
pub async fn verify(clinic: &Clinic, session: &Session) -> Result<AuditReport> {
    crate::auth::authorize(clinic, session, Permission::ViewAudit).await?;
    let entries: Vec<ChainEntry> = sqlx::query_as!(
        ChainEntry,
        r#"SELECT id AS "id: Uuid", org_id AS "org_id: Uuid", device_id AS "device_id: Uuid", seq, at,
                  staff_id AS "staff_id: Uuid", action, entity, entity_id AS "entity_id: Uuid", details, prev_hash, hash
           FROM audit_event ORDER BY device_id, seq"#
    )
    .fetch_all(clinic.store().pool())
    .await?;
    let mut problems = Vec::new();
    for chain in entries.chunk_by(|a, b| a.device_id == b.device_id) {
        let device_id = chain[0].device_id;
        problems.extend(breaks(chain, None).into_iter().map(|(seq, problem)| AuditProblem { device_id, seq, problem }));
    }
    // Asked after the entries were read (a head is never behind what was pulled before it), and
    // outside the use case below: no network call while the store is held.
    let heads = crate::sync::acknowledged_heads(clinic).await;
    if let Some(heads) = &heads {
        problems.extend(held_to(clinic, &entries, heads).await?);
    }
    let report = AuditReport { entries_checked: entries.len() as i64, problems, compared_with_server: heads.is_some() };
    let mut w = Write::reading(clinic, session, Permission::ViewAudit).await?;
    w.audit("verify", "audit", None, Details::default().with("entries", report.entries_checked).with("problems", report.problems.len()));
    w.commit().await?;
    Ok(report)
}

/// What the acknowledged heads show: this workstation must still hold the entry at its head,
/// unchanged; another workstation's entries go no further than its head.
async fn held_to(clinic: &Clinic, entries: &[ChainEntry], heads: &[ChainHead]) -> Result<Vec<AuditProblem>> {
    let own = clinic.device()?.id;
    let mut problems = Vec::new();
    if let Some(head) = heads.iter().find(|h| h.device_id == own) {
        // Read again now: entries written since the list above were pushed before the head moved.
        let held = sqlx::query_scalar!("SELECT hash FROM audit_event WHERE device_id = ? AND seq = ?", own, head.seq)
            .fetch_optional(clinic.store().pool()).await?;
        let last = sqlx::query_scalar!(r#"SELECT max(seq) AS "last: i64" FROM audit_event WHERE device_id = ?"#, own)
            .fetch_one(clinic.store().pool()).await?.unwrap_or(0);
        let problem = match held {
            None => Some(format!("entries {} to {} are missing here: the server acknowledged them", last + 1, head.seq)),
            Some(hash) if hash != head.hash => Some("differs from the entry the server acknowledged".to_string()),
            Some(_) => None,
        };
        problems.extend(problem.map(|problem| AuditProblem { device_id: own, seq: head.seq, problem }));
    }
    for chain in entries.chunk_by(|a, b| a.device_id == b.device_id).filter(|c| c[0].device_id != own) {
        let acknowledged = heads.iter().find(|h| h.device_id == chain[0].device_id).map_or(0, |h| h.seq);
        if let Some(e) = chain.iter().find(|e| e.seq > acknowledged) {
            problems.push(AuditProblem { device_id: e.device_id, seq: e.seq,
                problem: "was never acknowledged by the server: that workstation did not write it".to_string() });
        }
    }
    Ok(problems)
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
