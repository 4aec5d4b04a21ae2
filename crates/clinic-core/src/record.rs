//! Any synced record, read and changed by its declaration alone (clinic-sync's `entities.rs`):
//! every use case's rows are written here (`Write::insert`, `Write::update`), so the SQL, the
//! outbox change and the audit details come from one list of fields; settling a conflict or
//! applying a refused change again works for every entity without code written for each. Every
//! name in the SQL here comes from the declaration, never from input.

use clinic_sync::entities::{Entity, Field, Kind, DELETED_AT};
use clinic_sync::validate::{check_order, check_value};
use serde_json::{Map, Value};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::audit::Details;
use crate::error::{Code, Error, Result};
use crate::write::{Changes, Op, Write};

/// A value as one SQLite column holds it.
pub(crate) enum Cell {
    Blob(Option<Vec<u8>>),
    Int(Option<i64>),
    Text(Option<String>),
}

/// The storage type of a declared kind in the workstation's tables (the declaration test holds
/// the tables to it).
pub(crate) fn storage(kind: Kind) -> &'static str {
    match kind {
        Kind::Id | Kind::Ref(_) => "BLOB",
        Kind::Int(..) | Kind::Bool | Kind::Instant => "INTEGER",
        _ => "TEXT",
    }
}

/// A JSON value as a column of `storage` type holds it.
pub(crate) fn cell(storage: &str, value: &Value) -> Result<Cell> {
    let bad = || Error::new(Code::SyncUnavailable, format!("The server sent a value this workstation cannot store ({value})."));
    Ok(match (storage, value) {
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

pub(crate) fn bind<'q>(query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>, cell: Cell)
    -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    match cell {
        Cell::Blob(v) => query.bind(v),
        Cell::Int(v) => query.bind(v),
        Cell::Text(v) => query.bind(v),
    }
}

/// A record as this workstation holds it: its declared fields as they travel (JSON).
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    /// The server's version; none for a record the server never accepted.
    pub version: Option<i64>,
    pub deleted: bool,
    pub created_at: i64,
    pub data: Map<String, Value>,
}

impl Stored {
    /// A record whose creation the server refused: tombstoned here, never given a version.
    pub fn is_refused_creation(&self) -> bool {
        self.deleted && self.version.is_none()
    }
}

/// Reads one record of `entity`, whatever its state.
pub(crate) async fn read(conn: &mut SqliteConnection, entity: &'static Entity, id: Uuid) -> Result<Option<Stored>> {
    let names: Vec<&str> = entity.fields.iter().map(|f| f.name).collect();
    let sql = format!("SELECT version, deleted_at, created_at, {} FROM {} WHERE id = ?", names.join(", "), entity.name);
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await? else { return Ok(None) };
    let mut data = Map::new();
    for (i, field) in entity.fields.iter().enumerate() {
        let at = i + 3;
        let value = match field.kind {
            Kind::Id | Kind::Ref(_) => row.try_get::<Option<Uuid>, _>(at)?.map_or(Value::Null, |id| Value::String(id.hyphenated().to_string())),
            Kind::Bool => row.try_get::<Option<i64>, _>(at)?.map_or(Value::Null, |n| Value::Bool(n != 0)),
            Kind::Int(..) | Kind::Instant => row.try_get::<Option<i64>, _>(at)?.map_or(Value::Null, Value::from),
            Kind::List(_) | Kind::Hours | Kind::Contact | Kind::Charges | Kind::Discount | Kind::Credits | Kind::Amounts => match row.try_get::<Option<String>, _>(at)? {
                Some(text) => serde_json::from_str(&text)?,
                None => Value::Null,
            },
            _ => row.try_get::<Option<String>, _>(at)?.map_or(Value::Null, Value::String),
        };
        data.insert(field.name.to_string(), value);
    }
    Ok(Some(Stored { version: row.try_get(0)?, deleted: row.try_get::<Option<i64>, _>(1)?.is_some(), created_at: row.try_get(2)?, data }))
}

/// Whether another live record of `entity` holds `value` in the unique `field`.
pub(crate) async fn taken(conn: &mut SqliteConnection, entity: &'static Entity, field: &'static str, value: &Value, except: Uuid) -> Result<bool> {
    let kind = entity.field(field).map_or(Kind::Text(0), |f| f.kind);
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {} WHERE {field} = ? AND id != ? AND deleted_at IS NULL)", entity.name);
    let query = bind(sqlx::query(sqlx::AssertSqlSafe(sql)), cell(storage(kind), value)?).bind(except);
    Ok(query.fetch_one(conn).await?.try_get::<bool, _>(0)?)
}

/// Gives fields of a live record new values, in the caller's use case, checked as the server
/// will check them. Writes the row, its outbox change and its audit entry (`action`); answers what
/// changed (nothing, if it already held them).
pub(crate) async fn set(w: &mut Write<'_>, entity: &'static Entity, id: Uuid, values: &[(&str, Value)], action: &str) -> Result<Changes> {
    let stored = read(w.conn(), entity, id).await?.filter(|s| !s.deleted).ok_or_else(|| Error::not_found("The record"))?;
    w.roles.allow_change(entity.access.update)?;
    // A signed kind of record (a clinical note): only its author changes the draft; once signed, nobody.
    if entity.signed_content().is_some() {
        if !stored.data.get("signed_at").is_none_or(Value::is_null) {
            return Err(Error::wrong_state("This note is signed and can no longer be changed: add an addendum to correct it."));
        }
        if stored.data.get("author_id") != Some(&serde_json::json!(w.actor.staff_id)) {
            return Err(Error::new(Code::PermissionDenied, "Only the note's author may change it."));
        }
    }
    if let clinic_sync::Policy::Closing { closed, owner } = entity.policy {
        if !stored.data.get(closed).is_none_or(Value::is_null) {
            return Err(Error::wrong_state(format!("This {} is closed and can no longer be changed.", entity.name.replace('_', " "))));
        }
        if stored.data.get(owner) != Some(&serde_json::json!(w.actor.staff_id)) {
            return Err(Error::new(Code::PermissionDenied, format!("Only its owner changes or closes a {}.", entity.name.replace('_', " "))));
        }
    }
    let changes = checked(w, entity, id, &stored.data, values).await?;
    if !changes.is_empty() {
        w.update(entity.name, id, stored.version, &changes).await?;
        w.audit(action, entity.name, Some(id), Details::of_record(entity, &changes));
    }
    Ok(changes)
}

/// Makes again a record the server never accepted (its creation was refused, so it was
/// tombstoned here): a new creation with `values` over the fields it had, checked as any other.
pub(crate) async fn revive(w: &mut Write<'_>, entity: &'static Entity, id: Uuid, values: &[(&str, Value)]) -> Result<Changes> {
    let stored = read(w.conn(), entity, id).await?.filter(Stored::is_refused_creation).ok_or_else(|| Error::not_found("The record"))?;
    w.roles.allow_change(entity.access.insert)?;
    // Every field, the refused values over the ones it had: the row and the creation both say all.
    let whole: Vec<(&'static str, Value)> = entity.fields.iter().map(|f| {
        let given = values.iter().find(|(name, _)| *name == f.name).map(|(_, v)| v);
        (f.name, given.or(stored.data.get(f.name)).cloned().unwrap_or(Value::Null))
    }).collect();
    let nothing = Map::new();
    checked(w, entity, id, &nothing, &whole).await?;
    let changes = Changes::inserted(&whole);
    update_row(w, entity, id, &changes, ", deleted_at = NULL").await?;
    w.outbox(entity.name, id, Op::Insert, &changes, None);
    w.audit("create", entity.name, Some(id), Details::of_record(entity, &changes));
    Ok(changes)
}

/// Checks `values` for the record `id`, which now holds `before`: each against its declared kind,
/// the roles a guarded field takes, a unique field against the other records here, times in
/// order. Answers the fields they change.
async fn checked(w: &mut Write<'_>, entity: &'static Entity, id: Uuid, before: &Map<String, Value>, values: &[(&str, Value)]) -> Result<Changes> {
    let mut after = before.clone();
    let mut changes = Changes::default();
    for (name, value) in values {
        let field = entity.field(name).ok_or_else(|| Error::new(Code::Internal, format!("internal: {} has no field {name}", entity.name)))?;
        check_value(field, value).map_err(|reason| Error::invalid(field.name, reason))?;
        let old = before.get(field.name).unwrap_or(&Value::Null);
        if old == value {
            continue;
        }
        if let Some((_, needs, how)) = entity.guarded.iter().find(|(f, ..)| *f == field.name) {
            if how.applies(Some(old), value) {
                w.roles.allow(*needs)?;
            }
        }
        if entity.unique.contains(&field.name) && taken(w.conn(), entity, field.name, value, id).await? {
            return Err(Error { field: Some(field.name), ..Error::new(Code::AlreadyExists, format!("Another {} record has this {} already.", entity.name, field.name)) });
        }
        changes.set(field.name, old, value);
        after.insert(field.name.to_string(), value.clone());
    }
    check_order(entity, |f| after.get(f)).map_err(|reason| Error::new(Code::Invalid, reason))?;
    if entity.name == "staff" {
        crate::ops::staff::keeps_an_admin(w, id, before, &after).await?;
    }
    Ok(changes)
}

/// The declared field (or the tombstone) of `entity` a use case writes.
fn column(entity: &'static Entity, name: &str) -> Result<&'static Field> {
    entity.field(name).or((name == DELETED_AT.name).then_some(&DELETED_AT))
        .ok_or_else(|| Error::new(Code::Internal, format!("internal: {} has no field {name}", entity.name)))
}

/// A value for a column, checked against its declaration first: what is written here is what the
/// server accepts, and so every other workstation can store.
fn declared_cell(entity: &'static Entity, name: &str, value: &Value) -> Result<Cell> {
    let field = column(entity, name)?;
    check_value(field, value).map_err(|reason| Error::invalid(field.name, reason))?;
    cell(storage(field.kind), value)
}

/// Inserts a new row of `entity`: its metadata, and `fields` (names from the declaration).
pub(crate) async fn insert_row(w: &mut Write<'_>, entity: &'static Entity, id: Uuid, fields: &[(&'static str, Value)]) -> Result<()> {
    let names: String = fields.iter().map(|(f, _)| format!(", {f}")).collect();
    let marks = ", ?".repeat(fields.len());
    let sql = format!("INSERT INTO {} (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by{names}) VALUES (?, ?, ?, ?, ?, ?, ?{marks})", entity.name);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id).bind(w.org_id()).bind(w.now).bind(w.actor.staff_id).bind(w.now).bind(w.hlc.clone()).bind(w.actor.staff_id);
    for (name, value) in fields {
        query = bind(query, declared_cell(entity, name, value)?);
    }
    query.execute(w.conn()).await?;
    Ok(())
}

/// Writes the changed fields to a row, and who changed it when (`also`: more of the SET clause).
pub(crate) async fn update_row(w: &mut Write<'_>, entity: &'static Entity, id: Uuid, changes: &Changes, also: &str) -> Result<()> {
    let assignments: String = changes.fields().map(|(f, ..)| format!("{f} = ?, ")).collect();
    let sql = format!("UPDATE {} SET {assignments}updated_at = ?, updated_hlc = ?, updated_by = ?{also} WHERE id = ?", entity.name);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (name, _, new) in changes.fields() {
        query = bind(query, declared_cell(entity, name, new)?);
    }
    query.bind(w.now).bind(w.hlc.clone()).bind(w.actor.staff_id).bind(id).execute(w.conn()).await?;
    Ok(())
}

/// The declaration of an entity a use case names (a name from the code, never from input).
pub(crate) fn declared(entity: &str) -> &'static Entity {
    clinic_sync::entity(entity).expect("a declared entity")
}

/// Creates a record of `entity` and its audit entry (`action`: "create", "finalise", …) naming
/// what it holds (a clinical record's fields only, never their values).
pub(crate) async fn create(w: &mut Write<'_>, action: &str, entity: &'static str, id: Uuid, fields: &[(&'static str, Value)]) -> Result<Changes> {
    let changes = w.insert(entity, id, fields).await?;
    w.audit(action, entity, Some(id), Details::of_record(declared(entity), &changes));
    Ok(changes)
}
