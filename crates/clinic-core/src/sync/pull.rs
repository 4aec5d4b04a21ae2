//! Pulling: the records changed since the cursor, page by page, each page applied in one
//! transaction together with the cursor. A field this workstation changed and has not pushed yet
//! keeps its local value: the pending change is pushed next and the server merges it.

use std::collections::{HashMap, HashSet};

use clinic_sync::entities::{entity, Policy};
use clinic_sync::{Record, MAX_PULL};
use serde_json::Value;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::server::SyncServer;
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};

/// The workstation's table for an entity (they share names), if it is one that syncs.
pub(super) fn table(entity_name: &str) -> Option<&'static str> {
    entity(entity_name).map(|e| e.name)
}

/// Pulls every page after the cursor; the next page is fetched while this one is applied.
pub(super) async fn pull_all(clinic: &Clinic, server: &SyncServer, cursor: &mut i64) -> Result<usize> {
    let mut pulled = 0;
    let mut columns = HashMap::new();
    let mut page = server.pull(*cursor, MAX_PULL).await?;
    loop {
        let fetch_next = async { if page.has_more { server.pull(page.next_cursor, MAX_PULL).await.map(Some) } else { Ok(None) } };
        let (applied, next) = tokio::join!(apply_page(clinic, &page.records, page.next_cursor, &mut columns), fetch_next);
        applied?;
        pulled += page.records.len();
        *cursor = page.next_cursor;
        match next? {
            Some(following) => page = following,
            None => return Ok(pulled),
        }
    }
}

async fn apply_page(clinic: &Clinic, records: &[Record], next_cursor: i64, columns: &mut HashMap<&'static str, Vec<(String, String)>>) -> Result<()> {
    let mut conn = clinic.store().pool().acquire().await?;
    // The server is the truth, and its pages follow its order, not the references between rows
    // (a patient edited after their appointment was booked comes after it): references are
    // checked by the use cases that make rows, not while receiving them.
    sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
    let applied = async {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let pending = pending_fields(&mut tx).await?;
        let mut site_changed = false;
        let mut latest_hlc: Option<&str> = None;
        let mut run: Vec<&Record> = Vec::new();
        for record in records {
            let Some(table) = table(&record.entity) else { continue }; // from a newer server: not ours to hold
            if !columns.contains_key(table) {
                let cols: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT name, type FROM pragma_table_info('{table}')")))
                    .fetch_all(&mut *tx).await?;
                columns.insert(table, cols);
            }
            // Rows of one kind with the same fields and nothing pending go in one statement.
            let joins = run.last().is_some_and(|last| last.entity == record.entity && same_fields(last, record)) && run.len() < ROWS_PER_STATEMENT;
            if !joins && !run.is_empty() {
                apply(&mut tx, table_of(run[0]), &columns[table_of(run[0])], &run, &pending).await?;
                run.clear();
            }
            run.push(record);
            site_changed |= table == "site";
            latest_hlc = latest_hlc.max(record.data.get("updated_hlc").and_then(Value::as_str));
        }
        if !run.is_empty() {
            apply(&mut tx, table_of(run[0]), &columns[table_of(run[0])], &run, &pending).await?;
        }
        sqlx::query!("UPDATE sync_state SET cursor = ?", next_cursor).execute(&mut *tx).await?;
        tx.commit().await?;
        if site_changed {
            clinic.forget_site_settings();
        }
        if let Some(stamp) = latest_hlc {
            clinic.observe_hlc(stamp);
        }
        Ok::<_, Error>(())
    }.await;
    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
    applied
}

/// Fields of each record with a change still in the outbox.
async fn pending_fields(conn: &mut SqliteConnection) -> Result<HashMap<Uuid, HashSet<String>>> {
    let rows = sqlx::query!(r#"SELECT entity_id AS "entity_id: Uuid", changes FROM outbox"#).fetch_all(conn).await?;
    let mut pending: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for r in rows {
        let changes: HashMap<String, Value> = serde_json::from_str(&r.changes)?;
        pending.entry(r.entity_id).or_default().extend(changes.into_keys());
    }
    Ok(pending)
}

enum Cell {
    Blob(Option<Vec<u8>>),
    Int(Option<i64>),
    Text(Option<String>),
}

/// A JSON value as the column's declared type stores it.
fn cell(kind: &str, value: &Value) -> Result<Cell> {
    let bad = || Error::new(Code::SyncUnavailable, format!("The server sent a value this workstation cannot store ({value})."));
    Ok(match (kind, value) {
        ("BLOB", Value::Null) => Cell::Blob(None),
        ("BLOB", Value::String(s)) => Cell::Blob(Some(s.parse::<Uuid>().map_err(|_| bad())?.as_bytes().to_vec())),
        ("BLOB", _) => return Err(bad()),
        ("INTEGER", Value::Null) => Cell::Int(None),
        ("INTEGER", Value::Bool(b)) => Cell::Int(Some(*b as i64)),
        ("INTEGER", Value::Number(n)) => Cell::Int(Some(n.as_i64().ok_or_else(bad)?)),
        ("INTEGER", _) => return Err(bad()),
        (_, Value::Null) => Cell::Text(None),
        (_, Value::String(s)) => Cell::Text(Some(s.clone())),
        // Lists and objects are kept as JSON text (phones, weekly hours, an emergency contact).
        (_, other) => Cell::Text(Some(other.to_string())),
    })
}

/// At most this many rows per statement (SQLite allows 32,766 parameters; a patient has ~25).
const ROWS_PER_STATEMENT: usize = 200;

fn table_of(record: &Record) -> &'static str {
    table(&record.entity).expect("checked before")
}

fn same_fields(a: &Record, b: &Record) -> bool {
    a.data.len() == b.data.len() && a.data.keys().zip(b.data.keys()).all(|(x, y)| x == y)
}

/// Inserts or updates `rows` (one kind, the same fields) in one statement. A field with a change
/// still in this workstation's outbox keeps its local value.
async fn apply(conn: &mut SqliteConnection, table: &str, columns: &[(String, String)], rows: &[&Record], pending: &HashMap<Uuid, HashSet<String>>) -> Result<()> {
    let first = rows[0];
    let present: Vec<(&str, &str)> = columns.iter()
        .filter(|(name, _)| name != "version" && first.data.contains_key(name))
        .map(|(n, k)| (n.as_str(), k.as_str()))
        .collect();
    if present.is_empty() {
        return Ok(());
    }
    // Rows with pending fields go one at a time, each keeping its own.
    let (held, free): (Vec<&Record>, Vec<&Record>) = rows.iter().partition(|r| pending.contains_key(&r.entity_id));
    for record in held {
        upsert(conn, table, &present, &[record], pending.get(&record.entity_id)).await?;
    }
    if !free.is_empty() {
        upsert(conn, table, &present, &free, None).await?;
    }
    Ok(())
}

async fn upsert(conn: &mut SqliteConnection, table: &str, present: &[(&str, &str)], rows: &[&Record], pending: Option<&HashSet<String>>) -> Result<()> {
    let names: Vec<&str> = present.iter().map(|(n, _)| *n).collect();
    let one_row = format!("({})", vec!["?"; names.len() + 1].join(", "));
    let values = vec![one_row.as_str(); rows.len()].join(", ");
    let append_only = entity(&rows[0].entity).is_some_and(|e| e.policy == Policy::AppendOnly);
    let sql = if append_only {
        format!("INSERT OR IGNORE INTO {table} ({}, version) VALUES {values}", names.join(", "))
    } else {
        let kept = |n: &&&str| **n != "id" && pending.is_none_or(|p| !p.contains(**n));
        let updates: Vec<String> = names.iter().filter(kept).map(|n| format!("{n} = excluded.{n}")).chain(["version = excluded.version".into()]).collect();
        format!("INSERT INTO {table} ({}, version) VALUES {values} ON CONFLICT (id) DO UPDATE SET {}", names.join(", "), updates.join(", "))
    };
    let mut query = sqlx::query::<sqlx::Sqlite>(sqlx::AssertSqlSafe(sql));
    for record in rows {
        for (name, kind) in present {
            query = match cell(kind, record.data.get(*name).unwrap_or(&Value::Null))? {
                Cell::Blob(v) => query.bind(v),
                Cell::Int(v) => query.bind(v),
                Cell::Text(v) => query.bind(v),
            };
        }
        query = query.bind(record.version);
    }
    query.execute(conn).await?;
    Ok(())
}
