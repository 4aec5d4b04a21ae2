//! The lockout: after 5 wrong passwords in a row an account is locked on this workstation for 15
//! minutes. Failures are counted here, so it works offline; an admin's password reset lifts it on
//! every workstation, because failures count only since the staff record's `lockout_cleared_at`,
//! which the reset sets and sync carries.

use chrono::Duration;
use serde_json::json;
use uuid::Uuid;

use crate::audit::Details;
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::write::Write;

pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

/// The one answer to a login that did not succeed, whatever the reason (no such username, a wrong
/// password, a locked account, even the right password while locked): anything else would tell a
/// guesser which usernames exist, or that a guess was right.
pub(crate) fn login_refused() -> Error {
    Error::new(
        Code::LoginFailed,
        format!(
            "Wrong username or password. After {MAX_FAILED_LOGINS} wrong tries in a row an account is locked for \
             {LOCKOUT_MINUTES} minutes; an administrator can lift it by resetting the password."
        ),
    )
}

/// Waits for any other password check on this workstation to finish. Checking the lock, verifying
/// the password and counting a failure are then one step: twenty guesses sent at once are counted
/// one after another, and the lock stops the sixth.
pub(crate) async fn one_at_a_time(clinic: &Clinic) -> tokio::sync::MutexGuard<'_, ()> {
    clinic.password_checks.lock().await
}

/// Minutes the account stays locked on this workstation, if it is locked. Failures counted before
/// the staff record's last reset (made here or received by sync) lock nothing.
pub(crate) async fn minutes_locked(clinic: &Clinic, staff_id: Uuid) -> Result<Option<i64>> {
    let now = clinic.clock().now().timestamp_millis();
    let until = sqlx::query_scalar!(
        "SELECT t.locked_until FROM login_throttle t JOIN staff s ON s.id = t.staff_id
         WHERE t.staff_id = ? AND t.cleared_at IS s.lockout_cleared_at",
        staff_id
    )
    .fetch_optional(clinic.store().pool())
    .await?
    .flatten();
    Ok(until.filter(|until| *until > now).map(|until| (until - now + 59_999) / 60_000))
}

/// The refusal of a locked account to the person it belongs to (unlocking, changing the password):
/// they are logged in, so nothing is revealed by saying it.
pub(crate) async fn ensure_not_locked(clinic: &Clinic, staff_id: Uuid) -> Result<()> {
    match minutes_locked(clinic, staff_id).await? {
        Some(minutes) => Err(Error::new(
            Code::AccountLocked,
            format!("Too many wrong passwords. Try again in {minutes} min, or ask an administrator to reset the password."),
        )),
        None => Ok(()),
    }
}

/// Counts a wrong password for a known account (locking it after too many) and audits it as
/// `action`. Answers whether the account is now locked.
pub(crate) async fn count_failure(clinic: &Clinic, staff_id: Uuid, action: &str) -> Result<bool> {
    let mut w = Write::begin_as(clinic, Some(staff_id)).await?;
    // Failures counted before the record's last reset start again from one.
    let failures = sqlx::query_scalar!(
        r#"INSERT INTO login_throttle (staff_id, failures, cleared_at) VALUES (?1, 1, (SELECT lockout_cleared_at FROM staff WHERE id = ?1))
           ON CONFLICT (staff_id) DO UPDATE SET
               failures = CASE WHEN cleared_at IS excluded.cleared_at THEN failures + 1 ELSE 1 END,
               locked_until = CASE WHEN cleared_at IS excluded.cleared_at THEN locked_until END,
               cleared_at = excluded.cleared_at
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
    w.audit(action, "staff", Some(staff_id), Details::facts(json!({"failures": failures, "locked": locked})));
    w.commit().await?;
    Ok(locked)
}

/// Audits an attempt that counted nothing: on an account already locked (`staff_id`), or with a
/// username nobody has (`None`, the name as typed, so an admin sees what was tried).
pub(crate) async fn audit_refused(clinic: &Clinic, staff_id: Option<Uuid>, username: &str) -> Result<()> {
    let mut w = Write::begin_as(clinic, staff_id).await?;
    let details = match staff_id {
        Some(_) => Details::facts(json!({"while_locked": true})),
        None => Details::facts(json!({"username": username.chars().take(64).collect::<String>()})),
    };
    w.audit("login_failed", "staff", staff_id, details);
    w.commit().await
}

/// A right password ends the run of failures.
pub(crate) async fn forget_failures(w: &mut Write<'_>, staff_id: Uuid) -> Result<()> {
    sqlx::query!("DELETE FROM login_throttle WHERE staff_id = ?", staff_id).execute(w.conn()).await?;
    Ok(())
}
