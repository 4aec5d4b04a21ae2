//! Pushing: the outbox in device order, in batches, then this workstation's audit entries. Every
//! answer settles its mutation in one transaction: accepted ones leave the outbox and give their
//! row the server's version; refused ones move to the "needs attention" list.

use std::collections::HashMap;

use clinic_sync::{FieldChange, Mutation, Op, Outcome, PushResult, MAX_PUSH};
use serde_json::{json, Value};
use uuid::Uuid;

use super::server::SyncServer;
use crate::clinic::Clinic;
use crate::error::{Error, Result};

pub(super) async fn push_all(clinic: &Clinic, server: &SyncServer) -> Result<usize> {
    let mut pushed = 0;
    loop {
        let limit = MAX_PUSH as i64;
        let rows = sqlx::query!(
            r#"SELECT mutation_id AS "mutation_id: Uuid", device_seq, hlc, entity, entity_id AS "entity_id: Uuid", op, changes,
                      base_version, user_id AS "user_id: Uuid", created_at
               FROM outbox ORDER BY device_seq LIMIT ?"#,
            limit
        ).fetch_all(clinic.store().pool()).await?;
        if rows.is_empty() {
            break;
        }
        let mutations = rows.into_iter().map(|r| {
            let changes: HashMap<String, FieldChange> = serde_json::from_str(&r.changes)?;
            let op = match r.op.as_str() { "insert" => Op::Insert, "delete" => Op::Delete, _ => Op::Update };
            Ok(Mutation { mutation_id: r.mutation_id, device_seq: r.device_seq, hlc: r.hlc, at: r.created_at, entity: r.entity,
                entity_id: r.entity_id, op, changes: changes.into_iter().collect(), base_version: r.base_version, user_id: r.user_id })
        }).collect::<Result<Vec<_>>>()?;
        let results = server.push(mutations.clone()).await?;
        settle(clinic, &mutations, &results).await?;
        pushed += mutations.len();
    }
    pushed += push_audit(clinic, server).await?;
    Ok(pushed)
}

/// This workstation's audit entries the server has not acknowledged yet, as append-only inserts.
async fn push_audit(clinic: &Clinic, server: &SyncServer) -> Result<usize> {
    let device = clinic.device()?.id;
    let mut pushed = 0;
    loop {
        let limit = MAX_PUSH as i64;
        let rows = sqlx::query!(
            r#"SELECT id AS "id: Uuid", seq, at, staff_id AS "staff_id: Uuid", action, entity, entity_id AS "entity_id: Uuid", details,
                      prev_hash, hash
               FROM audit_event WHERE device_id = ? AND version IS NULL ORDER BY seq LIMIT ?"#,
            device, limit
        ).fetch_all(clinic.store().pool()).await?;
        if rows.is_empty() {
            return Ok(pushed);
        }
        let mutations: Vec<Mutation> = rows.into_iter().map(|r| {
            let fields = [("device_id", json!(device)), ("seq", json!(r.seq)), ("at", json!(r.at)), ("staff_id", json!(r.staff_id)),
                ("action", json!(r.action)), ("entity", json!(r.entity)), ("entity_id", json!(r.entity_id)), ("details", json!(r.details)),
                ("prev_hash", json!(r.prev_hash)), ("hash", json!(r.hash))];
            Mutation {
                mutation_id: r.id, device_seq: r.seq, hlc: String::new(), at: r.at, entity: "audit_event".into(), entity_id: r.id, op: Op::Insert,
                changes: fields.into_iter().map(|(k, v)| (k.to_string(), FieldChange { old: Value::Null, new: v })).collect(),
                base_version: None, user_id: r.staff_id,
            }
        }).collect();
        let results = server.push(mutations.clone()).await?;
        settle(clinic, &mutations, &results).await?;
        pushed += mutations.len();
    }
}

async fn settle(clinic: &Clinic, mutations: &[Mutation], results: &[PushResult]) -> Result<()> {
    let by_id: HashMap<Uuid, &Mutation> = mutations.iter().map(|m| (m.mutation_id, m)).collect();
    let now = clinic.clock().now().timestamp_millis();
    let mut tx = clinic.store().pool().begin().await?;
    for result in results {
        let Some(m) = by_id.get(&result.mutation_id) else { continue };
        let outcome = match &result.outcome {
            Outcome::Duplicate { first } => first.as_ref(),
            other => other,
        };
        match outcome {
            Outcome::Applied { version, .. } | Outcome::Conflict { version, .. } => set_version(&mut tx, &m.entity, m.entity_id, *version).await?,
            Outcome::Rejected { code, reason } => {
                let changes = serde_json::to_string(&m.changes)?;
                sqlx::query!(
                    "INSERT OR IGNORE INTO sync_rejected (mutation_id, entity, entity_id, changes, code, reason, user_id, made_at, refused_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    m.mutation_id, m.entity, m.entity_id, changes, code, reason, m.user_id, m.at, now
                ).execute(&mut *tx).await?;
            }
            Outcome::Duplicate { .. } => {}
        }
        sqlx::query!("DELETE FROM outbox WHERE mutation_id = ?", m.mutation_id).execute(&mut *tx).await?;
    }
    // The clock must stay ahead of every stamp it gave, even once the outbox is empty.
    if let Some(last) = mutations.iter().map(|m| m.hlc.as_str()).filter(|h| !h.is_empty()).max() {
        sqlx::query!("UPDATE sync_state SET last_hlc = ? WHERE last_hlc IS NULL OR last_hlc < ?", last, last).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The server's version becomes the base of this row's next change.
async fn set_version(tx: &mut sqlx::SqliteConnection, entity: &str, id: Uuid, version: i64) -> Result<()> {
    let table = super::pull::table(entity).ok_or_else(|| Error::new(crate::Code::Internal, format!("unknown entity {entity}")))?;
    // An audit entry takes its version once (its trigger refuses any other change).
    let unset = if table == "audit_event" { "version IS NULL" } else { "(version IS NULL OR version < ?1)" };
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET version = ?1 WHERE id = ?2 AND {unset}")))
        .bind(version).bind(id).execute(tx).await?;
    Ok(())
}
