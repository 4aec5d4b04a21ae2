//! Staff accounts: create, change roles, disable, reset a password.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::{hash_password, new_key, Password, Permission, Role, Roles, Session};
use clinic_sync::signing::Signer;
use crate::clinic::Clinic;
use crate::domain::PersonName;
use crate::error::{Code, Error, Result};
use crate::write::{Changes, Write};

/// 3–32 characters: lowercase letters, digits, dot, dash, underscore.
pub struct Username(String);

impl Username {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let name = raw.trim().to_lowercase();
        if !clinic_sync::validate::is_username(&name) {
            return Err(Error::invalid(field, "A username has 3 to 32 letters a–z, digits, dots, dashes or underscores."));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct NewStaff {
    pub full_name: String,
    pub username: String,
    pub password: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct StaffMember {
    pub id: Uuid,
    pub full_name: String,
    pub username: String,
    pub roles: Vec<Role>,
    pub active: bool,
}

pub async fn create_staff(clinic: &Clinic, session: &Session, input: NewStaff) -> Result<StaffMember> {
    let mut w = Write::begin(clinic, session, Permission::ManageStaff).await?;
    let name = PersonName::parse("full_name", &input.full_name)?;
    let username = Username::parse("username", &input.username)?;
    let roles = Roles::parse("roles", &input.roles)?;
    let password = Password::parse("password", &input.password)?;
    let org_id = w.org_id();
    let taken = sqlx::query_scalar!("SELECT count(*) FROM staff WHERE org_id = ? AND username = ?", org_id, username.0)
        .fetch_one(w.conn()).await?;
    if taken > 0 {
        return Err(Error { field: Some("username"), ..Error::new(Code::AlreadyExists, format!("The username “{}” is taken.", username.0)) });
    }
    // Hashing is slow on purpose; the write lock waits for it only on this rare admin action.
    let key = new_key(password.as_str()).await?;
    let hash = hash_password(password).await?;
    let id = Uuid::now_v7();
    insert_staff(&mut w, id, name.as_str(), username.as_str(), &hash, roles, &key).await?;
    w.audit("create", "staff", Some(id), crate::audit::Details::facts(json!({"username": username.0, "roles": roles.to_stored()})));
    w.commit().await?;
    Ok(StaffMember { id, full_name: name.as_str().into(), username: username.0, roles: roles.list(), active: true })
}

/// A new staff record, with their signing key (`key`: the public half and the sealed private one).
pub(crate) async fn insert_staff(w: &mut Write<'_>, id: Uuid, full_name: &str, username: &str, hash: &str, roles: Roles, key: &(Signer, String)) -> Result<()> {
    w.insert("staff", id, &[("full_name", json!(full_name)), ("username", json!(username)), ("password_hash", json!(hash)),
        ("roles", json!(roles.to_stored())), ("active", json!(true)), ("public_key", json!(key.0.public_key())), ("sealed_key", json!(key.1))]).await?;
    Ok(())
}

struct StaffRow {
    full_name: String,
    roles: String,
    active: i64,
    version: Option<i64>,
}

async fn load(w: &mut Write<'_>, id: Uuid) -> Result<StaffRow> {
    sqlx::query_as!(StaffRow, "SELECT full_name, roles, active, version FROM staff WHERE id = ? AND deleted_at IS NULL", id)
        .fetch_optional(w.conn()).await?
        .ok_or_else(|| Error::not_found("The staff member"))
}

/// The organisation must keep at least one active admin, or nobody could manage staff again.
async fn ensure_other_admin(w: &mut Write<'_>, id: Uuid) -> Result<()> {
    let others = sqlx::query_scalar!(
        "SELECT count(*) FROM staff WHERE id != ? AND active = 1 AND deleted_at IS NULL AND (',' || roles || ',') LIKE '%,admin,%'", id
    ).fetch_one(w.conn()).await?;
    if others == 0 {
        return Err(Error::wrong_state("This is the last active administrator; make someone else an administrator first."));
    }
    Ok(())
}

/// A change to a staff record (its fields `before` and `after`, as they travel) may not leave the
/// organisation without an active admin.
pub(crate) async fn keeps_an_admin(w: &mut Write<'_>, id: Uuid, before: &Map<String, Value>, after: &Map<String, Value>) -> Result<()> {
    let admin = |d: &Map<String, Value>| d.get("active") != Some(&Value::Bool(false))
        && d.get("roles").and_then(Value::as_str).is_some_and(|r| Roles::from_stored(r).contains(Role::Admin));
    if admin(before) && !admin(after) {
        ensure_other_admin(w, id).await?;
    }
    Ok(())
}

pub async fn set_staff_roles(clinic: &Clinic, session: &Session, id: Uuid, roles: Vec<String>) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::ManageStaff).await?;
    let roles = Roles::parse("roles", &roles)?;
    let row = load(&mut w, id).await?;
    let old = Roles::from_stored(&row.roles);
    if old.contains(Role::Admin) && !roles.contains(Role::Admin) {
        ensure_other_admin(&mut w, id).await?;
    }
    let stored = roles.to_stored();
    let mut changes = Changes::default();
    changes.set("roles", &row.roles, &stored);
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(());
    }
    w.update("staff", id, row.version, &changes).await?;
    w.audit("update", "staff", Some(id), crate::audit::Details::of(&changes));
    w.commit().await
}

/// Disables (or re-enables) an account. A disabled account cannot log in; its history stays.
pub async fn set_staff_active(clinic: &Clinic, session: &Session, id: Uuid, active: bool) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::ManageStaff).await?;
    let row = load(&mut w, id).await?;
    if !active && Roles::from_stored(&row.roles).contains(Role::Admin) {
        ensure_other_admin(&mut w, id).await?;
    }
    if (row.active != 0) == active {
        w.nothing_changed().await;
        return Ok(());
    }
    let mut changes = Changes::default();
    changes.set("active", row.active != 0, active);
    w.update("staff", id, row.version, &changes).await?;
    w.audit(if active { "enable" } else { "disable" }, "staff", Some(id), crate::audit::Details::facts(json!({"full_name": row.full_name})));
    w.commit().await
}

/// Sets a new password for someone who forgot theirs, and lifts a lockout on every workstation the
/// staff record syncs to (`lockout_cleared_at`: failures counted before it lock nobody out).
pub async fn reset_password(clinic: &Clinic, session: &Session, id: Uuid, new_password: &str) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::ManageStaff).await?;
    let password = Password::parse("password", new_password)?;
    load(&mut w, id).await?;
    // A new key pair: the admin cannot open the old one. What the old key signed stays its own
    // (the server keeps every version of the record, and so every key it held).
    let (signer, sealed) = new_key(password.as_str()).await?;
    let hash = hash_password(password).await?;
    store_password(&mut w, id, &hash, &sealed, Some(&signer.public_key())).await?;
    w.audit("reset_password", "staff", Some(id), Default::default());
    w.commit().await
}

/// A new password: its hash, the signing key sealed under it, and after an admin's reset
/// (`reset_key`: the new key's public half) the new key, and the lockout lifted.
pub(crate) async fn store_password(w: &mut Write<'_>, id: Uuid, hash: &str, sealed_key: &str, reset_key: Option<&str>) -> Result<()> {
    let row = load(w, id).await?;
    let old = sqlx::query!("SELECT password_hash, sealed_key, public_key, lockout_cleared_at FROM staff WHERE id = ?", id).fetch_one(w.conn()).await?;
    // The outbox carries the hashes and the sealed key (sync needs them for offline login and
    // signing); the audit trail never does.
    let mut changes = Changes::default();
    changes.set("password_hash", old.password_hash, hash).set("sealed_key", old.sealed_key, sealed_key);
    if let Some(public_key) = reset_key {
        changes.set("public_key", old.public_key, public_key);
        // Always a new value (even in the same millisecond, or with this desk's clock behind the
        // last reset's): failures are void when it differs from the one they were counted after.
        let cleared = old.lockout_cleared_at.map_or(w.now, |last| w.now.max(last + 1));
        changes.set("lockout_cleared_at", old.lockout_cleared_at, cleared);
    }
    w.update("staff", id, row.version, &changes).await?;
    Ok(())
}

pub async fn list_staff(clinic: &Clinic, session: &Session) -> Result<Vec<StaffMember>> {
    crate::auth::authorize(clinic, session, Permission::ManageStaff).await?;
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", full_name, username, roles, active FROM staff WHERE deleted_at IS NULL ORDER BY full_name"#
    ).fetch_all(clinic.store().pool()).await?;
    Ok(rows.into_iter().map(|r| StaffMember {
        id: r.id, full_name: r.full_name, username: r.username, roles: Roles::from_stored(&r.roles).list(), active: r.active != 0,
    }).collect())
}
