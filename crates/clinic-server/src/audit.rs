//! The workstations' audit chains as the server holds them (DESIGN.md §5b): the head of each it
//! acknowledged, and a check of every chain of an organisation (`clinic-server verify-audit`).

use clinic_sync::audit_chain::{breaks, ChainEntry, ChainHead};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::PgPool;
use uuid::Uuid;

/// The acknowledged head of each workstation's chain in the organisation.
pub async fn heads(db: &PgPool, org_id: Uuid) -> sqlx::Result<Vec<ChainHead>> {
    sqlx::query_as!(ChainHead, "SELECT device_id, seq, hash FROM audit_head WHERE org_id = $1 ORDER BY device_id", org_id)
        .fetch_all(db).await
}

/// Walks every chain of the organisation: numbers 1, 2, 3… with no gap, each entry linked to the
/// one before and matching its own hash, and each chain reaching the head acknowledged; and names
/// every entry the server refused from a workstation (where its trail broke). Answers
/// the entries checked and each problem (the workstation, the entry's number, what is wrong).
pub async fn verify(db: &PgPool, org_id: Uuid) -> sqlx::Result<(usize, Vec<(Uuid, i64, String)>)> {
    let rows = sqlx::query_scalar!(
        r#"SELECT data AS "data: Json<Map<String, Value>>" FROM record WHERE org_id = $1 AND entity = 'audit_event'
           ORDER BY (data->>'device_id')::uuid, (data->>'seq')::bigint"#,
        org_id
    ).fetch_all(db).await?;
    let mut problems = Vec::new();
    let mut entries = Vec::with_capacity(rows.len());
    for Json(data) in &rows {
        match ChainEntry::from_fields(|f| data.get(f).cloned()) {
            Some(entry) => entries.push(entry),
            None => problems.push((Uuid::nil(), 0, format!("an entry cannot be read ({})", data.get("id").unwrap_or(&Value::Null)))),
        }
    }
    for chain in entries.chunk_by(|a, b| a.device_id == b.device_id) {
        let device = chain[0].device_id;
        problems.extend(breaks(chain, None).into_iter().map(|(seq, what)| (device, seq, what)));
    }
    for head in heads(db, org_id).await? {
        let last = entries.iter().filter(|e| e.device_id == head.device_id).next_back();
        if last.is_none_or(|e| (e.seq, &e.hash) != (head.seq, &head.hash)) {
            problems.push((head.device_id, head.seq, format!("the chain ends at entry {}, not at the acknowledged head", last.map_or(0, |e| e.seq))));
        }
    }
    // A break the chain later went past (the entry sent again, right) is healed, not a problem.
    let breaks = sqlx::query!(
        "SELECT b.device_id, b.seq, b.reason FROM audit_break b LEFT JOIN audit_head h ON h.org_id = b.org_id AND h.device_id = b.device_id
         WHERE b.org_id = $1 AND b.seq > coalesce(h.seq, 0) ORDER BY b.device_id, b.seq",
        org_id
    ).fetch_all(db).await?;
    problems.extend(breaks.into_iter().map(|b| (b.device_id, b.seq,
        format!("was refused ({}): from here this workstation's trail does not reach the server", b.reason))));
    Ok((entries.len(), problems))
}
