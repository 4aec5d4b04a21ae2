//! "Needs attention": the conflicts the server opened (every workstation of the organisation sees
//! them) and the changes it refused (this workstation's own), and how a person settles each. A
//! settlement is one use case: the fix and the conflict's closing commit together.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::ops::calendar::{self, Appointment, AppointmentStatus};
use crate::write::{Changes, Op, Write};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Conflict {
    pub id: Uuid,
    /// `appointment_clash` or `field`.
    pub kind: String,
    pub message: String,
    pub entity: String,
    pub entity_id: Uuid,
    /// For a clash: the booking that was made offline, and the one it clashes with.
    pub appointment: Option<Appointment>,
    pub other: Option<Appointment>,
    /// For a field: which, the value kept, and the value that was not applied (as JSON).
    pub field: Option<String>,
    pub theirs: Option<String>,
    pub yours: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Refused {
    pub mutation_id: Uuid,
    pub entity: String,
    pub entity_id: Uuid,
    pub reason: String,
    pub made_at: i64,
}

/// A record from the server this workstation could not store: kept aside, the rest applied.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SetAside {
    pub entity: String,
    pub entity_id: Uuid,
    pub reason: String,
    pub set_at: i64,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Attention {
    pub conflicts: Vec<Conflict>,
    pub refused: Vec<Refused>,
    pub set_aside: Vec<SetAside>,
    /// How many more need someone whose role may change those records (a patient's conflict is
    /// not shown to an admin, who sees no patient data; a staff member's is the admin's).
    pub for_others: i64,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Resolution {
    /// A clash: cancel this booking.
    Cancel { reason: String },
    /// A clash: this booking was moved (rescheduled) already.
    Rebooked,
    /// A clash: both stay, deliberately.
    KeepBoth,
    /// A field: keep the value the server kept.
    ChooseTheirs,
    /// A field: the value that was not applied is the right one.
    ChooseYours,
}

pub(super) async fn count(clinic: &Clinic) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT (SELECT count(*) FROM sync_conflict WHERE status = 'open' AND deleted_at IS NULL)
              + (SELECT count(*) FROM sync_rejected WHERE dismissed_at IS NULL)
              + (SELECT count(*) FROM sync_set_aside) AS "n!: i64""#
    ).fetch_one(clinic.store().pool()).await?)
}

pub async fn needs_attention(clinic: &Clinic, session: &Session) -> Result<Attention> {
    crate::auth::authorize(clinic, session, Permission::SettleConflicts).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let roles = crate::auth::current_roles(&mut conn, session.staff_id).await?;
    let mut for_others = 0;
    let mut theirs = |entity: &str| {
        let mine = clinic_sync::entities::entity(entity).is_some_and(|e| roles.allow_change(e.access.update).is_ok());
        for_others += i64::from(!mine);
        mine
    };
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", kind, message, entity, entity_id AS "entity_id: Uuid", other_id AS "other_id: Uuid", field, theirs, yours
           FROM sync_conflict WHERE status = 'open' AND deleted_at IS NULL ORDER BY created_at"#
    ).fetch_all(&mut *conn).await?;
    let mut conflicts = Vec::with_capacity(rows.len());
    for r in rows.into_iter().filter(|r| theirs(&r.entity)) {
        let clash = r.kind == "appointment_clash";
        let appointment = if clash { calendar::find_appointment(&mut conn, r.entity_id).await? } else { None };
        let other = match (clash, r.other_id) {
            (true, Some(other)) => calendar::find_appointment(&mut conn, other).await?,
            _ => None,
        };
        conflicts.push(Conflict { id: r.id, kind: r.kind, message: r.message, entity: r.entity, entity_id: r.entity_id, appointment, other,
            field: r.field, theirs: r.theirs, yours: r.yours });
    }
    let refused = sqlx::query_as!(Refused,
        r#"SELECT mutation_id AS "mutation_id: Uuid", entity, entity_id AS "entity_id: Uuid", reason, made_at
           FROM sync_rejected WHERE dismissed_at IS NULL ORDER BY made_at"#
    ).fetch_all(&mut *conn).await?.into_iter().filter(|r| theirs(&r.entity)).collect();
    let set_aside = sqlx::query_as!(SetAside,
        r#"SELECT entity, entity_id AS "entity_id: Uuid", reason, set_at FROM sync_set_aside ORDER BY set_at"#
    ).fetch_all(&mut *conn).await?.into_iter().filter(|r| theirs(&r.entity)).collect();
    Ok(Attention { conflicts, refused, set_aside, for_others })
}

/// Settles a conflict: the fix it needs, and its closing, in one transaction.
pub async fn resolve(clinic: &Clinic, session: &Session, conflict_id: Uuid, resolution: Resolution) -> Result<()> {
    let conflict = sqlx::query!(
        r#"SELECT kind, entity, entity_id AS "entity_id: Uuid", field, yours, status, version FROM sync_conflict WHERE id = ?"#, conflict_id
    ).fetch_optional(clinic.store().pool()).await?.ok_or_else(|| Error::not_found("The conflict"))?;
    let clash = conflict.kind == "appointment_clash";
    let declared = clinic_sync::entities::entity(&conflict.entity).ok_or_else(|| Error::new(Code::Internal, "This conflict names no synced entity."))?;
    let mut w = Write::begin(clinic, session, Permission::SettleConflicts).await?;
    // Settling changes the record, so it also takes what changing that record takes.
    w.roles.allow_change(declared.access.update)?;
    if conflict.status != "open" {
        return Err(Error::wrong_state("This conflict was settled already, perhaps on another workstation."));
    }
    let outcome = match (clash, resolution) {
        (true, Resolution::Cancel { reason }) => {
            let reason = crate::domain::required_text("reason", "The reason for cancelling", &reason, 200)?;
            let appointment = calendar::load_appointment(w.conn(), conflict.entity_id).await?;
            if appointment.status != AppointmentStatus::Cancelled {
                calendar::set_status(&mut w, &appointment, AppointmentStatus::Cancelled, Some(&reason)).await?;
                crate::ops::queue::close_for_appointment(&mut w, appointment.id, "left").await?;
            }
            "cancelled"
        }
        (true, Resolution::Rebooked) => "rebooked",
        (true, Resolution::KeepBoth) => "kept_both",
        (false, Resolution::ChooseTheirs) => "chose_theirs",
        (false, Resolution::ChooseYours) => {
            set_field(&mut w, &conflict.entity, conflict.entity_id, conflict.field.as_deref(), conflict.yours.as_deref()).await?;
            "chose_yours"
        }
        _ => return Err(Error::invalid("resolution", "That is not a way to settle this kind of conflict.")),
    };
    let (now, hlc, by) = (w.now, w.hlc.clone(), w.actor.staff_id);
    sqlx::query!(
        "UPDATE sync_conflict SET status = 'resolved', resolution = ?, updated_at = ?, updated_hlc = ?, updated_by = ? WHERE id = ?",
        outcome, now, hlc, by, conflict_id
    ).execute(w.conn()).await?;
    let mut changes = Changes::default();
    changes.set("status", "open", "resolved").set("resolution", Value::Null, outcome);
    w.outbox("sync_conflict", conflict_id, Op::Update, &changes, conflict.version);
    w.audit("resolve", "sync_conflict", Some(conflict_id), crate::audit::Details::facts(json!({"resolution": outcome})));
    w.commit().await
}

/// The value that lost, written back: only the fields a conflict can be opened on.
async fn set_field(w: &mut Write<'_>, entity: &str, id: Uuid, field: Option<&str>, yours: Option<&str>) -> Result<()> {
    let human: &[&str] = match clinic_sync::entities::entity(entity).map(|e| e.policy) {
        Some(clinic_sync::Policy::FieldMerge { human }) => human,
        _ => &[],
    };
    // The policy's own name for the field: `Changes` keys are static.
    let (Some(field), Some(yours), "patient") = (field.and_then(|f| human.iter().copied().find(|h| *h == f)), yours, entity) else {
        return Err(Error::new(Code::Internal, "This conflict names no field that can be set."));
    };
    let value: Value = serde_json::from_str(yours)?;
    let stored = match &value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let old = sqlx::query!("SELECT version, birth_date, sex, allergies FROM patient WHERE id = ?", id)
        .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The patient"))?;
    let before = match field { "birth_date" => json!(old.birth_date), "sex" => json!(old.sex), _ => serde_json::from_str(&old.allergies)? };
    let (now, hlc, by) = (w.now, w.hlc.clone(), w.actor.staff_id);
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE patient SET {field} = ?, updated_at = ?, updated_hlc = ?, updated_by = ? WHERE id = ?")))
        .bind(&stored).bind(now).bind(&hlc).bind(by).bind(id).execute(w.conn()).await?;
    let mut changes = Changes::default();
    changes.set(field, before, value);
    w.outbox("patient", id, Op::Update, &changes, old.version);
    w.audit("edit", "patient", Some(id), crate::audit::Details::of(&changes));
    Ok(())
}
