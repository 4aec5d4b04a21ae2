//! Logging in and out on a workstation, locking it, and changing one's own password.
//! Passwords are checked against the synced hash, so login works offline. Failed attempts are
//! counted per workstation: after 5 in a row the account is locked on that desk for 15 minutes.

use chrono::Duration;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::password::{hash_password, verify_password, Password};
use super::permission::{Permission, Roles};
use clinic_sync::signing::Signer;
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::write::Write;

pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

/// A logged-in staff member at this workstation.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Session {
    pub staff_id: Uuid,
    pub username: String,
    pub full_name: String,
    pub roles: Roles,
    /// What those roles allow (the permission table's answer): the window offers only these.
    /// The core checks every use case again against the roles as stored at the time.
    pub permissions: Vec<Permission>,
    pub locked: bool,
    /// Their signing key, unsealed at login and dropped at lock: every change they make is signed
    /// with it (DESIGN.md §5b). It never leaves the core.
    #[serde(skip)]
    pub(crate) signer: Option<Signer>,
}

impl Session {
    pub(crate) fn new(staff_id: Uuid, username: String, full_name: String, roles: Roles, signer: Signer) -> Session {
        Session { staff_id, username, full_name, roles, permissions: roles.permissions(), locked: false, signer: Some(signer) }
    }

    pub(crate) fn ensure_unlocked(&self) -> Result<()> {
        if self.locked {
            return Err(Error::new(Code::SessionLocked, "The workstation is locked. Enter your password to unlock it."));
        }
        Ok(())
    }
}

/// Checks a permission for a read that writes nothing (a search, a calendar): the session must
/// be unlocked and the staff member's current roles must allow it.
pub(crate) async fn authorize(clinic: &Clinic, session: &Session, permission: Permission) -> Result<()> {
    authorize_any(clinic, session, &[permission]).await
}

/// Like `authorize`, for a read open to several permissions (a list of types is for whoever books
/// with them and whoever manages them).
pub(crate) async fn authorize_any(clinic: &Clinic, session: &Session, permissions: &[Permission]) -> Result<()> {
    session.ensure_unlocked()?;
    let mut conn = clinic.store().pool().acquire().await?;
    let roles = current_roles(&mut conn, session.staff_id).await?;
    permissions.iter().find(|p| roles.allow(**p).is_ok()).map(|_| ()).ok_or_else(|| roles.allow(permissions[0]).unwrap_err())
}

/// The roles a staff member holds now, as stored: a session's roles may be out of date, and an
/// account disabled since login can do nothing more.
pub(crate) async fn current_roles(conn: &mut sqlx::SqliteConnection, staff_id: Uuid) -> Result<Roles> {
    let staff = sqlx::query!("SELECT roles, active FROM staff WHERE id = ? AND deleted_at IS NULL", staff_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::new(Code::PermissionDenied, "Your staff account no longer exists."))?;
    if staff.active == 0 {
        return Err(Error::new(Code::AccountDisabled, "Your staff account has been disabled."));
    }
    Ok(Roles::from_stored(&staff.roles))
}

// Verifying a made-up hash when the username is unknown keeps the answer's timing from telling
// which usernames exist.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4kO3E1fTpVbHbzjtoPSVfP8A8wsRvyTc6bRmtsRrbmQ";

pub async fn login(clinic: &Clinic, username: &str, password: &str) -> Result<Session> {
    let org_id = clinic.device()?.org_id;
    let username = username.trim().to_lowercase();
    // Two workstations apart can give one username to two people (a conflict until one is renamed):
    // the password says which of them is logging in.
    let candidates = sqlx::query!(
        r#"SELECT id AS "id: Uuid", full_name, password_hash, roles, active FROM staff
           WHERE org_id = ? AND username = ? AND deleted_at IS NULL ORDER BY active DESC, created_at"#,
        org_id, username
    )
    .fetch_all(clinic.store().pool())
    .await?;
    let Some(first) = candidates.first() else {
        verify_password(password, DECOY_HASH).await;
        return Err(Error::new(Code::LoginFailed, "Wrong username or password."));
    };
    let mut verified = None;
    for candidate in &candidates {
        check_not_throttled(clinic, candidate.id).await?;
        if verify_password(password, &candidate.password_hash).await {
            verified = Some(candidate);
            break;
        }
    }
    let Some(staff) = verified else {
        return Err(record_failure(clinic, first.id, "login_failed").await?);
    };
    // Only someone who knows the password learns that the account is disabled.
    if staff.active == 0 {
        return Err(Error::new(Code::AccountDisabled, "This account has been disabled. Ask an administrator."));
    }
    let mut w = Write::begin_as(clinic, Some(staff.id)).await?;
    sqlx::query!("DELETE FROM login_throttle WHERE staff_id = ?", staff.id).execute(w.conn()).await?;
    let signer = super::signing_key::open(&mut w, staff.id, password).await?;
    w.audit("login", "staff", Some(staff.id), Default::default());
    w.commit().await?;
    Ok(Session::new(staff.id, username, staff.full_name.clone(), Roles::from_stored(&staff.roles), signer))
}

/// Locks the workstation (idle timeout, or the staff member stepping away).
pub async fn lock(clinic: &Clinic, session: &mut Session) -> Result<()> {
    if session.locked {
        return Ok(());
    }
    let mut w = Write::begin_as(clinic, Some(session.staff_id)).await?;
    w.audit("lock", "staff", Some(session.staff_id), Default::default());
    w.commit().await?;
    session.locked = true;
    session.signer = None;
    Ok(())
}

/// Unlocks with the same staff member's password. Failures count towards the lockout.
pub async fn unlock(clinic: &Clinic, session: &mut Session, password: &str) -> Result<()> {
    check_not_throttled(clinic, session.staff_id).await?;
    let hash = current_hash(clinic, session.staff_id).await?;
    if !verify_password(password, &hash).await {
        return Err(record_failure(clinic, session.staff_id, "unlock_failed").await?);
    }
    let mut w = Write::begin_as(clinic, Some(session.staff_id)).await?;
    sqlx::query!("DELETE FROM login_throttle WHERE staff_id = ?", session.staff_id).execute(w.conn()).await?;
    let signer = super::signing_key::open(&mut w, session.staff_id, password).await?;
    w.audit("unlock", "staff", Some(session.staff_id), Default::default());
    w.commit().await?;
    session.locked = false;
    session.signer = Some(signer);
    Ok(())
}

pub async fn change_password(clinic: &Clinic, session: &Session, current: &str, new: &str) -> Result<()> {
    session.ensure_unlocked()?;
    let new = Password::parse("new_password", new)?;
    check_not_throttled(clinic, session.staff_id).await?;
    let staff = sqlx::query!("SELECT password_hash, active FROM staff WHERE id = ? AND deleted_at IS NULL", session.staff_id)
        .fetch_optional(clinic.store().pool())
        .await?
        .ok_or_else(|| Error::not_found("The staff member"))?;
    if staff.active == 0 {
        return Err(Error::new(Code::AccountDisabled, "Your staff account has been disabled."));
    }
    if !verify_password(current, &staff.password_hash).await {
        // Wrong guesses count towards the lockout here too.
        let refusal = record_failure(clinic, session.staff_id, "change_password_failed").await?;
        return Err(match refusal.code {
            Code::AccountLocked => refusal,
            _ => Error::invalid("current_password", "The current password is not right."),
        });
    }
    // The same signing key, sealed under the new password (what it signed stays its own).
    let signer = session.signer.clone().ok_or_else(|| Error::new(Code::SessionLocked, "Log in again to change your password."))?;
    let sealed = super::signing_key::seal(&signer, new.as_str()).await?;
    let hash = hash_password(new).await?;
    let mut w = Write::begin_as(clinic, Some(session.staff_id)).await?;
    w.signed_by(signer);
    crate::ops::staff::store_password(&mut w, session.staff_id, &hash, &sealed, None).await?;
    w.audit("change_password", "staff", Some(session.staff_id), Default::default());
    w.commit().await
}

async fn current_hash(clinic: &Clinic, staff_id: Uuid) -> Result<String> {
    sqlx::query_scalar!("SELECT password_hash FROM staff WHERE id = ?", staff_id)
        .fetch_optional(clinic.store().pool())
        .await?
        .ok_or_else(|| Error::not_found("The staff member"))
}

async fn check_not_throttled(clinic: &Clinic, staff_id: Uuid) -> Result<()> {
    let now = clinic.clock().now().timestamp_millis();
    let until = sqlx::query_scalar!("SELECT locked_until FROM login_throttle WHERE staff_id = ?", staff_id)
        .fetch_optional(clinic.store().pool())
        .await?
        .flatten();
    match until {
        Some(until) if until > now => {
            let minutes = (until - now + 59_999) / 60_000;
            Err(Error::new(
                Code::AccountLocked,
                format!("Too many wrong passwords. Try again in {minutes} min, or ask an administrator to reset the password."),
            ))
        }
        _ => Ok(()),
    }
}

/// Counts a failed attempt, locks the account on this desk after too many, and returns the error to show.
async fn record_failure(clinic: &Clinic, staff_id: Uuid, action: &str) -> Result<Error> {
    let mut w = Write::begin_as(clinic, Some(staff_id)).await?;
    let failures = sqlx::query_scalar!(
        r#"INSERT INTO login_throttle (staff_id, failures) VALUES (?, 1)
           ON CONFLICT (staff_id) DO UPDATE SET failures = failures + 1
           RETURNING failures AS "failures!: i64""#,
        staff_id
    )
    .fetch_one(w.conn())
    .await?;
    let locked = failures >= MAX_FAILED_LOGINS;
    if locked {
        let until = w.now + Duration::minutes(LOCKOUT_MINUTES).num_milliseconds();
        sqlx::query!("UPDATE login_throttle SET failures = 0, locked_until = ? WHERE staff_id = ?", until, staff_id)
            .execute(w.conn())
            .await?;
    }
    w.audit(action, "staff", Some(staff_id), crate::audit::Details::facts(json!({"failures": failures, "locked": locked})));
    w.commit().await?;
    Ok(if locked {
        Error::new(Code::AccountLocked, format!("Too many wrong passwords: the account is locked for {LOCKOUT_MINUTES} minutes."))
    } else {
        Error::new(Code::LoginFailed, "Wrong username or password.")
    })
}
