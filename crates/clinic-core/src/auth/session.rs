//! Logging in and out on a workstation, locking it (by hand, or by the clinic's idle lock), and
//! changing one's own password. Passwords are checked against the synced hash, so login works
//! offline; wrong ones count towards the lockout (`lockout.rs`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use uuid::Uuid;

use super::lockout::{self, one_at_a_time};
use super::password::{hash_password, verify_password, Password};
use super::permission::{Permission, Roles};
use clinic_sync::signing::Signer;
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::write::Write;

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
    /// When the person last did something (unix ms), shared by every copy of this session: one
    /// idle for longer than the clinic's idle lock is refused until unlocked.
    #[serde(skip)]
    last_active: Arc<AtomicI64>,
    /// False on the copy the desk uses on its own (reminders, the sync line): what it asks is not
    /// the person's activity and keeps no idle session open.
    #[serde(skip)]
    counts_as_activity: bool,
    /// Their signing key, unsealed at login and dropped at lock: every change they make is signed
    /// with it (DESIGN.md §5b). It never leaves the core.
    #[serde(skip)]
    pub(crate) signer: Option<Signer>,
}

impl Session {
    pub(crate) fn new(clinic: &Clinic, staff_id: Uuid, username: String, full_name: String, roles: Roles, signer: Signer) -> Session {
        let now = clinic.clock().now().timestamp_millis();
        Session {
            staff_id, username, full_name, roles, permissions: roles.permissions(), locked: false,
            last_active: Arc::new(AtomicI64::new(now)), counts_as_activity: true, signer: Some(signer),
        }
    }

    /// This session for the desk's own background work: refused when idle like any other use, but
    /// its use does not count as activity.
    pub fn in_background(&self) -> Session {
        Session { counts_as_activity: false, ..self.clone() }
    }

    /// Refuses a locked session, or one idle for longer than the clinic's idle lock; otherwise the
    /// use now counts as activity. Every use case asks this first (`Write::begin`, `authorize`).
    pub(crate) async fn ensure_unlocked(&self, clinic: &Clinic, conn: &mut sqlx::SqliteConnection) -> Result<()> {
        if self.locked {
            return Err(Error::new(Code::SessionLocked, "The workstation is locked. Enter your password to unlock it."));
        }
        let minutes = crate::ops::setup::site_settings(clinic, conn).await?.idle_lock_minutes;
        let now = clinic.clock().now().timestamp_millis();
        if now - self.last_active.load(Ordering::SeqCst) > minutes * 60_000 {
            return Err(Error::new(
                Code::SessionLocked,
                format!("The workstation locked itself after {minutes} idle minutes. Enter your password to unlock it."),
            ));
        }
        if self.counts_as_activity {
            self.last_active.fetch_max(now, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// Checks a permission for a read that writes nothing (a search, a calendar): the session must
/// be unlocked and the staff member's current roles must allow it.
pub(crate) async fn authorize(clinic: &Clinic, session: &Session, permission: Permission) -> Result<()> {
    authorize_any(clinic, session, &[permission]).await.map(|_| ())
}

/// Like `authorize`, for a read open to several permissions (a list of types is for whoever books
/// with them and whoever manages them), or to any active staff member (none named).
/// Answers the roles they hold now.
pub(crate) async fn authorize_any(clinic: &Clinic, session: &Session, permissions: &[Permission]) -> Result<Roles> {
    let mut conn = clinic.store().pool().acquire().await?;
    session.ensure_unlocked(clinic, &mut conn).await?;
    let roles = current_roles(&mut conn, session.staff_id).await?;
    match permissions.first() {
        None => Ok(roles),
        Some(first) => permissions.iter().find(|p| roles.allow(**p).is_ok()).map(|_| roles).ok_or_else(|| roles.allow(*first).unwrap_err()),
    }
}

/// The roles a staff member holds now, as stored: a session's roles may be out of date, and an
/// account disabled since login can do nothing more.
pub(crate) async fn current_roles(conn: &mut sqlx::SqliteConnection, staff_id: Uuid) -> Result<Roles> {
    Ok(current_staff(conn, staff_id).await?.0)
}

/// The roles a staff member holds now, and the public half of their signing key now (an admin's
/// reset elsewhere replaces it: a session still holding the old key then signs nothing).
pub(crate) async fn current_staff(conn: &mut sqlx::SqliteConnection, staff_id: Uuid) -> Result<(Roles, Option<String>)> {
    let staff = sqlx::query!("SELECT roles, active, public_key FROM staff WHERE id = ? AND deleted_at IS NULL", staff_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::new(Code::PermissionDenied, "Your staff account no longer exists."))?;
    if staff.active == 0 {
        return Err(Error::new(Code::AccountDisabled, "Your staff account has been disabled."));
    }
    Ok((Roles::from_stored(&staff.roles), staff.public_key))
}

// Verifying a made-up hash when the username is unknown keeps the answer's timing from telling
// which usernames exist.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4kO3E1fTpVbHbzjtoPSVfP8A8wsRvyTc6bRmtsRrbmQ";

pub async fn login(clinic: &Clinic, username: &str, password: &str) -> Result<Session> {
    let org_id = clinic.device()?.org_id;
    let username = username.trim().to_lowercase();
    let _one = one_at_a_time(clinic).await;
    // Two workstations apart can give one username to two people (a conflict until one is renamed):
    // the password says which of them is logging in.
    let candidates = sqlx::query!(
        r#"SELECT id AS "id: Uuid", full_name, password_hash, roles, active FROM staff
           WHERE org_id = ? AND username = ? AND deleted_at IS NULL ORDER BY active DESC, created_at"#,
        org_id, username
    )
    .fetch_all(clinic.store().pool())
    .await?;
    if candidates.is_empty() {
        verify_password(password, DECOY_HASH).await;
        lockout::audit_refused(clinic, None, &username).await?;
        return Err(lockout::login_refused());
    }
    for candidate in &candidates {
        if lockout::minutes_locked(clinic, candidate.id).await?.is_some() {
            // A locked account costs a full check too, and answers as a wrong password does.
            verify_password(password, DECOY_HASH).await;
            lockout::audit_refused(clinic, Some(candidate.id), &username).await?;
        } else if verify_password(password, &candidate.password_hash).await {
            return logged_in(clinic, candidate.id, username, candidate.full_name.clone(), &candidate.roles, candidate.active, password).await;
        } else {
            lockout::count_failure(clinic, candidate.id, "login_failed").await?;
        }
    }
    Err(lockout::login_refused())
}

async fn logged_in(clinic: &Clinic, id: Uuid, username: String, full_name: String, roles: &str, active: i64, password: &str) -> Result<Session> {
    // Only someone who knows the password learns that the account is disabled.
    if active == 0 {
        return Err(Error::new(Code::AccountDisabled, "This account has been disabled. Ask an administrator."));
    }
    let mut w = Write::begin_as(clinic, Some(id)).await?;
    lockout::forget_failures(&mut w, id).await?;
    let signer = super::signing_key::open(&mut w, id, password).await?;
    w.audit("login", "staff", Some(id), Default::default());
    w.commit().await?;
    Ok(Session::new(clinic, id, username, full_name, Roles::from_stored(roles), signer))
}

/// Logs out (switching user is a log-out, then a login): the session can do nothing more.
pub async fn log_out(clinic: &Clinic, session: &Session) -> Result<()> {
    let mut w = Write::begin_as(clinic, Some(session.staff_id)).await?;
    w.audit("logout", "staff", Some(session.staff_id), Default::default());
    w.commit().await
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

/// Unlocks with the same staff member's password (a locked session, or one the idle lock stopped).
/// Failures count towards the lockout.
pub async fn unlock(clinic: &Clinic, session: &mut Session, password: &str) -> Result<()> {
    let _one = one_at_a_time(clinic).await;
    lockout::ensure_not_locked(clinic, session.staff_id).await?;
    let hash = sqlx::query_scalar!("SELECT password_hash FROM staff WHERE id = ?", session.staff_id)
        .fetch_optional(clinic.store().pool())
        .await?
        .ok_or_else(|| Error::not_found("The staff member"))?;
    if !verify_password(password, &hash).await {
        lockout::count_failure(clinic, session.staff_id, "unlock_failed").await?;
        lockout::ensure_not_locked(clinic, session.staff_id).await?;
        return Err(Error::new(Code::LoginFailed, "That is not your password."));
    }
    let mut w = Write::begin_as(clinic, Some(session.staff_id)).await?;
    lockout::forget_failures(&mut w, session.staff_id).await?;
    let signer = super::signing_key::open(&mut w, session.staff_id, password).await?;
    w.audit("unlock", "staff", Some(session.staff_id), Default::default());
    w.commit().await?;
    session.locked = false;
    session.signer = Some(signer);
    session.last_active.fetch_max(clinic.clock().now().timestamp_millis(), Ordering::SeqCst);
    Ok(())
}

pub async fn change_password(clinic: &Clinic, session: &Session, current: &str, new: &str) -> Result<()> {
    authorize_any(clinic, session, &[]).await?;
    clinic.store().ensure_writable()?;
    let new = Password::parse("new_password", new)?;
    let _one = one_at_a_time(clinic).await;
    lockout::ensure_not_locked(clinic, session.staff_id).await?;
    let hash = sqlx::query_scalar!("SELECT password_hash FROM staff WHERE id = ?", session.staff_id)
        .fetch_one(clinic.store().pool())
        .await?;
    if !verify_password(current, &hash).await {
        // Wrong guesses count towards the lockout here too.
        lockout::count_failure(clinic, session.staff_id, "change_password_failed").await?;
        lockout::ensure_not_locked(clinic, session.staff_id).await?;
        return Err(Error::invalid("current_password", "The current password is not right."));
    }
    // The same signing key, sealed under the new password (what it signed stays its own).
    let stored_key = sqlx::query_scalar!("SELECT public_key FROM staff WHERE id = ?", session.staff_id).fetch_one(clinic.store().pool()).await?;
    let signer = session.signer.clone().filter(|s| stored_key.as_deref() == Some(s.public_key().as_str()))
        .ok_or_else(|| Error::new(Code::SessionLocked, "Your password was reset meanwhile: log in again with the new one, then change it."))?;
    let sealed = super::signing_key::seal(&signer, new.as_str()).await?;
    let hash = hash_password(new).await?;
    // Everyone may change their own password: no role is asked.
    let mut w = Write::begin_as(clinic, Some(session.staff_id)).await?;
    w.signed_by(signer);
    crate::ops::staff::store_password(&mut w, session.staff_id, &hash, &sealed, None).await?;
    w.audit("change_password", "staff", Some(session.staff_id), Default::default());
    w.commit().await
}
