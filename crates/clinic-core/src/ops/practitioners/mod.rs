//! Practitioners (doctors on the staff): specialisation, consultation fee, weekly hours with
//! breaks, time off, and the days the whole site is closed.

use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Permission, Role, Roles, Session};
use crate::clinic::Clinic;
use crate::domain::{required_text, DayHours, Money, WeeklyHours};
use crate::error::{Code, Error, Result};
use crate::ops::staff::StaffMember;
use crate::write::{Changes, Write};

mod time_off;
pub use time_off::{add_time_off, remove_time_off, upcoming_time_off, TimeOff, TimeOffInput};

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct PractitionerInput {
    pub specialisation: String,
    pub consultation_fee_minor: i64,
    pub weekly_hours: Vec<DayHours>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Practitioner {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub display_name: String,
    pub specialisation: String,
    pub consultation_fee: Money,
    pub weekly_hours: WeeklyHours,
    pub active: bool,
    /// The server's version of the row (none until synced): the base of the next change.
    pub version: Option<i64>,
}

struct Valid {
    specialisation: String,
    fee: Money,
    hours: WeeklyHours,
}

async fn validate(w: &mut Write<'_>, input: PractitionerInput) -> Result<Valid> {
    let currency = w.site().await?.currency;
    Ok(Valid {
        specialisation: required_text("specialisation", "The specialisation", &input.specialisation, 80)?,
        fee: Money::price("consultation_fee_minor", input.consultation_fee_minor, currency)?,
        hours: WeeklyHours::parse(input.weekly_hours)?,
    })
}

/// Makes a staff member with the doctor role bookable.
pub async fn add_practitioner(clinic: &Clinic, session: &Session, staff_id: Uuid, input: PractitionerInput) -> Result<Practitioner> {
    let mut w = Write::begin(clinic, session, Permission::ManagePractitioners).await?;
    let v = validate(&mut w, input).await?;
    let staff = sqlx::query!("SELECT full_name, roles, active FROM staff WHERE id = ? AND deleted_at IS NULL", staff_id)
        .fetch_optional(w.conn()).await?
        .ok_or_else(|| Error::not_found("The staff member"))?;
    if !Roles::from_stored(&staff.roles).contains(Role::Doctor) || staff.active == 0 {
        return Err(Error::invalid("staff_id", format!("{} must be an active staff member with the doctor role.", staff.full_name)));
    }
    let exists = sqlx::query_scalar!("SELECT count(*) FROM practitioner WHERE staff_id = ?", staff_id).fetch_one(w.conn()).await?;
    if exists > 0 {
        return Err(Error::new(Code::AlreadyExists, format!("{} is already a practitioner.", staff.full_name)));
    }
    let id = Uuid::now_v7();
    let site = w.site_id();
    let changes = w.insert("practitioner", id, &[("staff_id", json!(staff_id)), ("site_id", json!(site)), ("display_name", json!(staff.full_name)),
        ("specialisation", json!(v.specialisation)), ("fee_minor", json!(v.fee.minor)), ("currency", json!(v.fee.currency.code())),
        ("weekly_hours", json!(v.hours)), ("active", json!(true))]).await?;
    w.audit("create", "practitioner", Some(id), crate::audit::Details::of(&changes));
    let p = load(&mut w, id).await?;
    w.commit().await?;
    Ok(p)
}

pub async fn update_practitioner(clinic: &Clinic, session: &Session, id: Uuid, input: PractitionerInput, active: bool) -> Result<Practitioner> {
    let mut w = Write::begin(clinic, session, Permission::ManagePractitioners).await?;
    let v = validate(&mut w, input).await?;
    let old = load(&mut w, id).await?;
    let mut changes = Changes::default();
    changes.set("specialisation", &old.specialisation, &v.specialisation)
        .set("fee_minor", old.consultation_fee.minor, v.fee.minor)
        .set("currency", old.consultation_fee.currency.code(), v.fee.currency.code())
        .set("weekly_hours", &old.weekly_hours, &v.hours)
        .set("active", old.active, active);
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(old);
    }
    w.update("practitioner", id, old.version, &changes).await?;
    w.audit("update", "practitioner", Some(id), crate::audit::Details::of(&changes));
    let p = load(&mut w, id).await?;
    w.commit().await?;
    Ok(p)
}

pub(crate) async fn load(w: &mut Write<'_>, id: Uuid) -> Result<Practitioner> {
    load_all(w.conn(), Some(id)).await?.pop().ok_or_else(|| Error::not_found("The practitioner"))
}

pub(crate) async fn load_all(conn: &mut sqlx::SqliteConnection, only: Option<Uuid>) -> Result<Vec<Practitioner>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", staff_id AS "staff_id: Uuid", display_name, specialisation, fee_minor, currency, weekly_hours, active, version
           FROM practitioner WHERE deleted_at IS NULL AND (?1 IS NULL OR id = ?1) ORDER BY display_name"#,
        only
    ).fetch_all(conn).await?;
    rows.into_iter().map(|r| Ok(Practitioner {
        id: r.id, staff_id: r.staff_id, display_name: r.display_name, specialisation: r.specialisation,
        consultation_fee: Money { minor: r.fee_minor, currency: crate::domain::Currency::parse(&r.currency)? },
        weekly_hours: serde_json::from_str(&r.weekly_hours)?, active: r.active != 0, version: r.version,
    })).collect()
}

pub async fn list_practitioners(clinic: &Clinic, session: &Session) -> Result<Vec<Practitioner>> {
    crate::auth::authorize_any(clinic, session, &[Permission::ViewSchedule, Permission::ManagePractitioners]).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    load_all(&mut conn, None).await
}

/// Staff members with the doctor role who are not bookable yet: whom "add a practitioner" offers.
pub async fn doctors_without_hours(clinic: &Clinic, session: &Session) -> Result<Vec<StaffMember>> {
    crate::auth::authorize(clinic, session, Permission::ManagePractitioners).await?;
    let rows = sqlx::query!(
        r#"SELECT s.id AS "id: Uuid", s.full_name, s.username, s.roles, s.active FROM staff s
           WHERE s.deleted_at IS NULL AND s.active = 1
             AND NOT EXISTS (SELECT 1 FROM practitioner p WHERE p.staff_id = s.id AND p.deleted_at IS NULL)
           ORDER BY s.full_name"#
    ).fetch_all(clinic.store().pool()).await?;
    Ok(rows.into_iter()
        .map(|r| StaffMember { id: r.id, full_name: r.full_name, username: r.username, roles: Roles::from_stored(&r.roles).list(), active: true })
        .filter(|s| s.roles.contains(&Role::Doctor))
        .collect())
}
