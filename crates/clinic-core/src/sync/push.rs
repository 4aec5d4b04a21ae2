//! Pushing: the outbox in device order, in batches, then this workstation's audit entries. While
//! one batch is on the wire, the answer to the one before is settled and the next one is read.
//! Every answer is settled in one transaction: accepted mutations leave the outbox and give their
//! row the server's version; refused ones are undone here and move to the "needs attention" list.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use clinic_sync::{FieldChange, Mutation, Op, Outcome, PushResult, Record, MAX_PUSH};
use serde_json::{json, Value};
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::server::SyncServer;
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};

pub(super) async fn push_all(clinic: &Clinic, server: &SyncServer) -> Result<usize> {
    let outbox = pipelined(clinic, server, |after| outbox_batch(clinic, after)).await?;
    let device = clinic.device()?.id;
    let audit = pipelined(clinic, server, |after| audit_batch(clinic, device, after)).await?;
    Ok(outbox + audit)
}

/// Sends batches read by `read(after the last one sent)` until there are none, overlapping each
/// send with settling the previous answer and reading the next batch.
async fn pipelined<F, Fut>(clinic: &Clinic, server: &SyncServer, read: F) -> Result<usize>
where
    F: Fn(i64) -> Fut,
    Fut: Future<Output = Result<Vec<Mutation>>>,
{
    let mut pushed = 0;
    let mut batch = read(i64::MIN).await?;
    let mut answered: Option<(Vec<Mutation>, Vec<PushResult>)> = None;
    loop {
        let after = batch.last().map_or(i64::MAX, |m| m.device_seq);
        let send = async { if batch.is_empty() { Ok(None) } else { server.push(batch.clone()).await.map(Some) } };
        let settle_previous = async {
            match &answered {
                Some((sent, results)) => settle(clinic, sent, results).await,
                None => Ok(()),
            }
        };
        let read_next = async { if batch.is_empty() { Ok(Vec::new()) } else { read(after).await } };
        let (sent, settled, next) = tokio::join!(send, settle_previous, read_next);
        settled?;
        let Some(results) = sent? else { return Ok(pushed) };
        pushed += batch.len();
        answered = Some((std::mem::replace(&mut batch, next?), results));
    }
}

/// The first changes waiting to be pushed, as they will travel (signed by their authors).
pub async fn waiting_changes(clinic: &Clinic) -> Result<Vec<Mutation>> {
    outbox_batch(clinic, i64::MIN).await
}

const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

async fn outbox_batch(clinic: &Clinic, after: i64) -> Result<Vec<Mutation>> {
    let limit = MAX_PUSH as i64;
    let rows = sqlx::query!(
        r#"SELECT mutation_id AS "mutation_id: Uuid", device_seq, hlc, entity, entity_id AS "entity_id: Uuid", op, changes,
                  base_version, user_id AS "user_id: Uuid", created_at, signature
           FROM outbox WHERE device_seq > ? ORDER BY device_seq LIMIT ?"#,
        after, limit
    ).fetch_all(clinic.store().pool()).await?;
    // A batch stays well under the server's request limit (8 MiB) whatever its changes hold (a
    // long note saved many times): it ends before 4 MiB of changes, with at least one change.
    let mut size = 0;
    let rows = rows.into_iter().take_while(|r| {
        size += r.changes.len();
        size == r.changes.len() || size <= MAX_BATCH_BYTES
    });
    rows.map(|r| {
        let changes: BTreeMap<String, FieldChange> = serde_json::from_str(&r.changes)?;
        let op = Op::named(&r.op).unwrap_or(Op::Update);
        Ok(Mutation { mutation_id: r.mutation_id, device_seq: r.device_seq, hlc: r.hlc, at: r.created_at, entity: r.entity,
            entity_id: r.entity_id, op, changes, base_version: r.base_version, user_id: r.user_id, signature: r.signature })
    }).collect()
}

/// This workstation's audit entries the server has not acknowledged yet, as append-only inserts.
async fn audit_batch(clinic: &Clinic, device: Uuid, after: i64) -> Result<Vec<Mutation>> {
    let limit = MAX_PUSH as i64;
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", seq, at, staff_id AS "staff_id: Uuid", action, entity, entity_id AS "entity_id: Uuid", details,
                  prev_hash, hash
           FROM audit_event WHERE device_id = ? AND seq > ? AND version IS NULL ORDER BY seq LIMIT ?"#,
        device, after, limit
    ).fetch_all(clinic.store().pool()).await?;
    Ok(rows.into_iter().map(|r| {
        let fields = [("device_id", json!(device)), ("seq", json!(r.seq)), ("at", json!(r.at)), ("staff_id", json!(r.staff_id)),
            ("action", json!(r.action)), ("entity", json!(r.entity)), ("entity_id", json!(r.entity_id)), ("details", json!(r.details)),
            ("prev_hash", json!(r.prev_hash)), ("hash", json!(r.hash))];
        Mutation {
            mutation_id: r.id, device_seq: r.seq, hlc: String::new(), at: r.at, entity: "audit_event".into(), entity_id: r.id, op: Op::Insert,
            changes: fields.into_iter().map(|(k, v)| (k.to_string(), FieldChange { old: Value::Null, new: v })).collect(),
            base_version: None, user_id: r.staff_id, signature: None,
        }
    }).collect())
}

async fn settle(clinic: &Clinic, mutations: &[Mutation], results: &[PushResult]) -> Result<()> {
    let mut conn = super::pull::unchecked(clinic).await?;
    let settled = settle_in(clinic, &mut conn, mutations, results).await;
    super::pull::checked_again(&mut conn).await?;
    settled
}

/// Settles one answer. A refused change is undone where it was made: the record goes back to the
/// server's version (a record the server never had is tombstoned here), and the refused values
/// stay in Needs attention, where a person can apply them again or dismiss them.
async fn settle_in(clinic: &Clinic, conn: &mut SqliteConnection, mutations: &[Mutation], results: &[PushResult]) -> Result<()> {
    let by_id: HashMap<Uuid, &Mutation> = mutations.iter().map(|m| (m.mutation_id, m)).collect();
    let now = clinic.clock().now().timestamp_millis();
    // The server's versions, per table, set in one statement each.
    let mut versions: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut settled = Vec::with_capacity(results.len());
    let (mut restore, mut never_synced): (Vec<Record>, Vec<(&'static str, Uuid)>) = (Vec::new(), Vec::new());
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    for result in results {
        let Some(m) = by_id.get(&result.mutation_id) else { continue };
        let outcome = match &result.outcome {
            Outcome::Duplicate { first } => first.as_ref(),
            other => other,
        };
        match outcome {
            Outcome::Applied { version, .. } | Outcome::Conflict { version, .. } => {
                let table = super::pull::table(&m.entity).ok_or_else(|| Error::new(Code::Internal, format!("unknown entity {}", m.entity)))?;
                versions.entry(table).or_default().push(json!({"id": m.entity_id.simple().to_string(), "v": version}));
            }
            Outcome::Rejected { code, reason, current } => {
                let changes = serde_json::to_string(&m.changes)?;
                sqlx::query!(
                    "INSERT OR IGNORE INTO sync_rejected (mutation_id, entity, entity_id, changes, code, reason, user_id, made_at, refused_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    m.mutation_id, m.entity, m.entity_id, changes, code, reason, m.user_id, m.at, now
                ).execute(&mut *tx).await?;
                // The audit trail is this workstation's own record of what happened: it stays, marked
                // as answered (version 0: not kept by the server) so it is not pushed again.
                match (current, super::pull::table(&m.entity).filter(|t| *t != "audit_event")) {
                    (Some(record), Some(_)) => restore.push(as_a_whole(record)),
                    (None, Some(table)) => never_synced.push((table, m.entity_id)),
                    (_, None) => {
                        sqlx::query!("UPDATE audit_event SET version = 0 WHERE id = ? AND version IS NULL", m.entity_id).execute(&mut *tx).await?;
                    }
                }
            }
            Outcome::Duplicate { .. } => {}
        }
        settled.push(json!(m.mutation_id.simple().to_string()));
    }
    let settled = Value::Array(settled).to_string();
    sqlx::query!("DELETE FROM outbox WHERE mutation_id IN (SELECT unhex(value) FROM json_each(?))", settled).execute(&mut *tx).await?;
    for (table, rows) in versions {
        // An audit entry takes its version once (its trigger refuses any other change).
        let unset = if table == "audit_event" { "t.version IS NULL" } else { "(t.version IS NULL OR t.version < v.version)" };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} AS t SET version = v.version
             FROM (SELECT unhex(value ->> '$.id') AS id, value ->> '$.v' AS version FROM json_each(?1)) AS v
             WHERE t.id = v.id AND {unset}"
        )))
        .bind(Value::Array(rows).to_string()).execute(&mut *tx).await?;
    }
    if !restore.is_empty() {
        // Changes still waiting in the outbox keep their fields, as when pulling.
        super::pull::store(&mut tx, &restore, &mut Default::default(), now).await?;
    }
    for (table, id) in never_synced {
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET deleted_at = ?1 WHERE id = ?2 AND version IS NULL AND deleted_at IS NULL")))
            .bind(now).bind(id).execute(&mut *tx).await?;
    }
    // The clock must stay ahead of every stamp it gave, even once the outbox is empty.
    if let Some(last) = mutations.iter().map(|m| m.hlc.as_str()).filter(|h| !h.is_empty()).max() {
        sqlx::query!("UPDATE sync_state SET last_hlc = ? WHERE last_hlc IS NULL OR last_hlc < ?", last, last).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The server's record with every column its entity declares: one it does not have is empty (or
/// its default), so putting the workstation's copy back resets that column too.
fn as_a_whole(record: &Record) -> Record {
    let mut whole = record.clone();
    if let Some(kind) = clinic_sync::entity(&record.entity) {
        for field in kind.columns() {
            let empty = match field.presence {
                clinic_sync::entities::Presence::Defaulted(default) => json!(default),
                _ => Value::Null,
            };
            whole.data.entry(field.name.to_string()).or_insert(empty);
        }
    }
    whole
}
