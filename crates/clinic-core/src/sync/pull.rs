//! Pulling: the records changed since the cursor, page by page, each page applied in one
//! transaction together with the cursor. A field this workstation changed and has not pushed yet
//! keeps its local value: the pending change is pushed next and the server merges it. Each record
//! is checked against its declaration first; one that cannot be stored is set aside, never
//! allowed to stop the page.

use std::collections::{HashMap, HashSet};

use clinic_sync::audit_chain::ChainEntry;
use clinic_sync::entities::{entity, Entity, Policy};
use clinic_sync::validate::check_record;
use clinic_sync::{Record, MAX_PULL};
use serde_json::{json, Value};
use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection};
use uuid::Uuid;

use super::server::SyncServer;
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::record::{bind, cell};

/// The workstation's table for an entity (they share names), if it is one that syncs.
pub(super) fn table(entity_name: &str) -> Option<&'static str> {
    entity(entity_name).map(|e| e.name)
}

/// Pulls every page after the cursor; the next page is fetched while this one is applied.
pub(super) async fn pull_all(clinic: &Clinic, server: &SyncServer, cursor: &mut i64) -> Result<usize> {
    let mut pulled = 0;
    let mut columns = Columns::new();
    let mut page = server.pull(*cursor, MAX_PULL).await?;
    if page.records.is_empty() && page.next_cursor == *cursor {
        return Ok(0); // nothing new: nothing to write
    }
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

async fn apply_page(clinic: &Clinic, records: &[Record], next_cursor: i64, columns: &mut Columns) -> Result<()> {
    let now = clinic.clock().now().timestamp_millis();
    let mut conn = unchecked(clinic).await?;
    let applied = async {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let stored = store(&mut tx, records, columns, now).await?;
        sqlx::query!("UPDATE sync_state SET cursor = ?", next_cursor).execute(&mut *tx).await?;
        tx.commit().await?;
        if stored.site_changed {
            clinic.forget_site_settings();
        }
        if let Some(stamp) = &stored.latest_hlc {
            clinic.observe_hlc(stamp);
        }
        Ok::<_, Error>(())
    }.await;
    checked_again(&mut conn).await?;
    applied
}

/// A connection that does not check references while it writes what the server holds: the
/// server is the truth, and its pages follow its order, not the references between rows (a
/// patient edited after their appointment was booked comes after it). References are checked by
/// the use cases that make rows, not while receiving them. `checked_again` ends it.
pub(super) async fn unchecked(clinic: &Clinic) -> Result<PoolConnection<Sqlite>> {
    let mut conn = clinic.store().pool().acquire().await?;
    sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
    Ok(conn)
}

pub(super) async fn checked_again(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("PRAGMA foreign_keys = ON").execute(conn).await?;
    Ok(())
}

/// The columns of each table, as the store has them (read once).
pub(super) type Columns = HashMap<&'static str, Vec<(String, String)>>;

#[derive(Default)]
pub(super) struct Stored {
    pub site_changed: bool,
    pub latest_hlc: Option<String>,
}

/// Stores records as the server holds them, in the caller's transaction. A record this
/// workstation cannot store (a value its declaration does not allow, or one its tables refuse) is
/// set aside for Needs attention, and every other record is still stored: sync never stops on one.
pub(super) async fn store(tx: &mut SqliteConnection, records: &[Record], columns: &mut Columns, now: i64) -> Result<Stored> {
    let pending = pending_fields(&mut *tx).await?;
    let mut stored = Stored::default();
    let mut run: Vec<&Record> = Vec::new();
    let mut stored_ids: Vec<Uuid> = Vec::with_capacity(records.len());
    for record in records {
        let Some(kind) = entity(&record.entity) else { continue }; // from a newer server: not ours to hold
        if let Err(reason) = check_record(kind, |f| record.data.get(f)).and_then(|()| unaltered(kind, record)) {
            set_aside(&mut *tx, record, &reason, now).await?;
            continue;
        }
        if !columns.contains_key(kind.name) {
            let cols: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT name, type FROM pragma_table_info('{}')", kind.name)))
                .fetch_all(&mut *tx).await?;
            columns.insert(kind.name, cols);
        }
        // Rows of one kind with the same fields and nothing pending go in one statement.
        let joins = run.last().is_some_and(|last| last.entity == record.entity && same_fields(last, record)) && run.len() < ROWS_PER_STATEMENT;
        if !joins && !run.is_empty() {
            stored_ids.extend(apply_run(&mut *tx, &columns[table_of(run[0])], &run, &pending, now).await?);
            run.clear();
        }
        run.push(record);
        stored.site_changed |= kind.name == "site";
        stored.latest_hlc = stored.latest_hlc.max(record.data.get("updated_hlc").and_then(Value::as_str).map(str::to_string));
    }
    if !run.is_empty() {
        stored_ids.extend(apply_run(&mut *tx, &columns[table_of(run[0])], &run, &pending, now).await?);
    }
    shadowed_entries(&mut *tx, records, &mut stored_ids, now).await?;
    // A record set aside before is replaced by a version that could be stored. (Usually none is
    // set aside: then a first sync's pages do not spell out their thousands of ids for nothing.)
    let any_set_aside = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM sync_set_aside) AS "any!: bool""#).fetch_one(&mut *tx).await?;
    if any_set_aside {
        let fine = Value::Array(stored_ids.iter().map(|id| json!(id.simple().to_string())).collect()).to_string();
        sqlx::query!("DELETE FROM sync_set_aside WHERE entity_id IN (SELECT unhex(value) FROM json_each(?))", fine).execute(&mut *tx).await?;
    }
    Ok(stored)
}

/// An audit entry must still match its own hash (the server checked it in its chain; this is the
/// workstation's own check of what it receives).
fn unaltered(kind: &Entity, record: &Record) -> std::result::Result<(), String> {
    if kind.policy != Policy::AppendOnly {
        return Ok(());
    }
    match ChainEntry::from_fields(|f| if f == "id" { Some(json!(record.entity_id)) } else { record.data.get(f).cloned() }) {
        Some(entry) if entry.computed_hash() == entry.hash => Ok(()),
        _ => Err("This audit entry does not match its own hash.".into()),
    }
}

/// Pulled audit entries whose number this workstation already holds under another entry (written
/// into its store with the database key: the server took only the real one) are not silently
/// dropped: each is set aside for Needs attention, and `verify` names the other.
async fn shadowed_entries(tx: &mut SqliteConnection, records: &[Record], stored_ids: &mut Vec<Uuid>, now: i64) -> Result<()> {
    let stored: HashSet<Uuid> = stored_ids.iter().copied().collect();
    let entries: Vec<&Record> = records.iter().filter(|r| r.entity == "audit_event" && stored.contains(&r.entity_id)).collect();
    if entries.is_empty() {
        return Ok(());
    }
    let ids = Value::Array(entries.iter().map(|r| json!(r.entity_id.simple().to_string())).collect()).to_string();
    let held: HashSet<Uuid> = sqlx::query_scalar!(r#"SELECT id AS "id: Uuid" FROM audit_event WHERE id IN (SELECT unhex(value) FROM json_each(?))"#, ids)
        .fetch_all(&mut *tx).await?.into_iter().collect();
    for record in entries.into_iter().filter(|r| !held.contains(&r.entity_id)) {
        set_aside(&mut *tx, record, "This workstation holds another audit entry with the same number: one of them was not written by that workstation.", now).await?;
        stored_ids.retain(|id| *id != record.entity_id);
    }
    Ok(())
}

/// Applies a run of rows in one statement; should the store refuse one of its values, one row at a
/// time, setting aside each row it refuses. Any other failure (the disk, say) fails the page, which
/// is then pulled again. The ids of the rows stored.
async fn apply_run(tx: &mut SqliteConnection, columns: &[(String, String)], run: &[&Record], pending: &HashMap<Uuid, HashSet<String>>, now: i64) -> Result<Vec<Uuid>> {
    let table = table_of(run[0]);
    let mut stored: Vec<Uuid> = run.iter().map(|r| r.entity_id).collect();
    sqlx::query("SAVEPOINT run").execute(&mut *tx).await?;
    match apply(&mut *tx, table, columns, run, pending).await {
        Ok(()) => {}
        Err(e) if e.code != Code::SyncUnavailable => return Err(e),
        Err(_) => {
            sqlx::query("ROLLBACK TO run").execute(&mut *tx).await?;
            for record in run {
                sqlx::query("SAVEPOINT one").execute(&mut *tx).await?;
                match apply(&mut *tx, table, columns, &[record], pending).await {
                    Ok(()) => {}
                    Err(e) if e.code != Code::SyncUnavailable => return Err(e),
                    Err(e) => {
                        sqlx::query("ROLLBACK TO one").execute(&mut *tx).await?;
                        set_aside(&mut *tx, record, &e.message, now).await?;
                        stored.retain(|id| *id != record.entity_id);
                    }
                }
                sqlx::query("RELEASE one").execute(&mut *tx).await?;
            }
        }
    }
    sqlx::query("RELEASE run").execute(&mut *tx).await?;
    Ok(stored)
}

async fn set_aside(tx: &mut SqliteConnection, record: &Record, reason: &str, now: i64) -> Result<()> {
    tracing::warn!(entity = %record.entity, id = %record.entity_id, reason, "a record from the server was set aside");
    let data = serde_json::to_string(&record.data)?;
    sqlx::query!(
        "INSERT OR REPLACE INTO sync_set_aside (entity, entity_id, version, data, reason, set_at) VALUES (?, ?, ?, ?, ?, ?)",
        record.entity, record.entity_id, record.version, data, reason, now
    ).execute(tx).await?;
    Ok(())
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
        // Never back to an older version than the one held (an answer can be older than a page).
        format!("INSERT INTO {table} ({}, version) VALUES {values} ON CONFLICT (id) DO UPDATE SET {}
                 WHERE {table}.version IS NULL OR {table}.version <= excluded.version", names.join(", "), updates.join(", "))
    };
    let mut query = sqlx::query::<sqlx::Sqlite>(sqlx::AssertSqlSafe(sql));
    for record in rows {
        for (name, kind) in present {
            query = bind(query, cell(kind, record.data.get(*name).unwrap_or(&Value::Null))?);
        }
        query = query.bind(record.version);
    }
    // A value the table refuses (a constraint) is the record's problem, not the store's.
    query.execute(conn).await.map_err(|e| match e {
        sqlx::Error::Database(refused) => Error::new(Code::SyncUnavailable, format!("This workstation's store refused it ({}).", refused.message())),
        other => Error::from(other),
    })?;
    Ok(())
}
