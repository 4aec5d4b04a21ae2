//! Time off: a practitioner away, or (without a practitioner) the whole site closed.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::required_text;
use crate::error::{Error, Result};
use crate::ops::calendar::local_to_utc;
use crate::ops::setup::site_settings;
use crate::write::{Changes, Write};

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct TimeOffInput {
    /// `None`: the whole site is closed (a public holiday).
    pub practitioner_id: Option<Uuid>,
    /// Site wall time.
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TimeOff {
    pub id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Site wall time, for showing.
    pub local_start: NaiveDateTime,
    pub local_end: NaiveDateTime,
    pub reason: String,
    /// Appointments already booked in that time: they stay booked, and the front desk should
    /// move them.
    pub clashing_appointments: Vec<Uuid>,
}

pub async fn add_time_off(clinic: &Clinic, session: &Session, input: TimeOffInput) -> Result<TimeOff> {
    let mut w = Write::begin(clinic, session, Permission::ManagePractitioners).await?;
    let zone = w.site().await?.time_zone;
    let starts = local_to_utc(zone, input.starts, "starts")?;
    let ends = local_to_utc(zone, input.ends, "ends")?;
    if ends <= starts {
        return Err(Error::invalid("ends", "The end must be after the start."));
    }
    let reason = required_text("reason", "The reason", &input.reason, 200)?;
    if let Some(p) = input.practitioner_id {
        super::load(&mut w, p).await?;
    }
    let id = Uuid::now_v7();
    let site = w.site_id();
    let (s, e) = (starts.timestamp_millis(), ends.timestamp_millis());
    let changes = w.insert("time_off", id, &[("site_id", json!(site)), ("practitioner_id", json!(input.practitioner_id)),
        ("starts_at", json!(s)), ("ends_at", json!(e)), ("reason", json!(reason))]).await?;
    w.audit("create", "time_off", Some(id), crate::audit::Details::of(&changes));
    let clashing = clashing_appointments(w.conn(), site, input.practitioner_id, s, e).await?;
    w.commit().await?;
    Ok(TimeOff { id, practitioner_id: input.practitioner_id, starts_at: starts, ends_at: ends, local_start: input.starts, local_end: input.ends,
        reason, clashing_appointments: clashing })
}

/// Withdraws time off (a tombstone: the row stays for sync and history).
pub async fn remove_time_off(clinic: &Clinic, session: &Session, id: Uuid) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::ManagePractitioners).await?;
    let version = sqlx::query_scalar!("SELECT version FROM time_off WHERE id = ? AND deleted_at IS NULL", id)
        .fetch_optional(w.conn()).await?
        .ok_or_else(|| Error::not_found("The time off"))?;
    let mut changes = Changes::default();
    changes.set("deleted_at", None::<i64>, w.now);
    w.update("time_off", id, version, &changes).await?;
    w.audit("delete", "time_off", Some(id), Default::default());
    w.commit().await
}

/// Time off not yet over, soonest first: one practitioner's (with the site's closures), or everyone's.
pub async fn upcoming_time_off(clinic: &Clinic, session: &Session, practitioner_id: Option<Uuid>) -> Result<Vec<TimeOff>> {
    crate::auth::authorize_any(clinic, session, &[Permission::ViewSchedule, Permission::ManagePractitioners]).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let zone = site_settings(clinic, &mut conn).await?.time_zone;
    let now = clinic.clock().now().timestamp_millis();
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", site_id AS "site_id: Uuid", practitioner_id AS "practitioner_id: Uuid", starts_at, ends_at, reason
           FROM time_off
           WHERE deleted_at IS NULL AND ends_at > ?1 AND (?2 IS NULL OR practitioner_id IS NULL OR practitioner_id = ?2)
           ORDER BY starts_at"#,
        now, practitioner_id
    ).fetch_all(&mut *conn).await?;
    let mut all = Vec::with_capacity(rows.len());
    for r in rows {
        let (starts, ends) = (millis(r.starts_at), millis(r.ends_at));
        all.push(TimeOff {
            id: r.id, practitioner_id: r.practitioner_id, starts_at: starts, ends_at: ends,
            local_start: starts.with_timezone(&zone).naive_local(), local_end: ends.with_timezone(&zone).naive_local(), reason: r.reason,
            clashing_appointments: clashing_appointments(&mut conn, r.site_id, r.practitioner_id, r.starts_at, r.ends_at).await?,
        });
    }
    Ok(all)
}

fn millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Bookings still to happen inside that time: they stay booked, and the desk should move them.
async fn clashing_appointments(conn: &mut sqlx::SqliteConnection, site: Uuid, practitioner: Option<Uuid>, starts: i64, ends: i64) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT id AS "id: Uuid" FROM appointment
           WHERE site_id = ?1 AND (?2 IS NULL OR practitioner_id = ?2) AND starts_at < ?3 AND ends_at > ?4
             AND status IN ('booked', 'arrived') AND deleted_at IS NULL"#,
        site, practitioner, ends, starts
    ).fetch_all(conn).await?)
}
