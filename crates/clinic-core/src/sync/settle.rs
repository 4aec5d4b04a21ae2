//! Settling what needs attention. Each settlement is one use case: the fix and the conflict's
//! closing commit together, so a fix that fails leaves the conflict open, and a conflict is never
//! closed without its fix. The fix is generic (`record.rs`): any human field of any entity, any
//! unique key's duplicate, from the declaration.

use chrono::NaiveDateTime;
use clinic_sync::entities::{entity, Entity, Kind};
use clinic_sync::FieldChange;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::audit::Details;
use crate::auth::{Permission, Roles, Session};
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::ops::calendar::{self, AppointmentStatus};
use crate::record;
use crate::write::{Changes, Write};

/// A way to settle a conflict. `Conflict::ways` lists those its kind allows and the person's
/// roles permit, so the window offers only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Way {
    Cancel,
    Move,
    KeepBoth,
    ChooseTheirs,
    ChooseYours,
    Rename,
    Merge,
    Retire,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Resolution {
    /// A clash: cancel the booking made offline.
    Cancel { reason: String },
    /// A clash: move the booking made offline to another time.
    Move { starts: NaiveDateTime },
    /// A clash: both stay, deliberately.
    KeepBoth,
    /// A field: keep the value the server kept.
    ChooseTheirs,
    /// A field: the value that was not applied is the right one.
    ChooseYours,
    /// A duplicate: give one of the two records another value of the unique field.
    Rename { record: Uuid, value: String },
    /// A duplicate of a patient: the two are one person; `keep` absorbs the other.
    Merge { keep: Uuid },
    /// A duplicate: one of the two is retired (made inactive).
    Retire { record: Uuid },
}

impl Resolution {
    fn way(&self) -> Way {
        match self {
            Resolution::Cancel { .. } => Way::Cancel,
            Resolution::Move { .. } => Way::Move,
            Resolution::KeepBoth => Way::KeepBoth,
            Resolution::ChooseTheirs => Way::ChooseTheirs,
            Resolution::ChooseYours => Way::ChooseYours,
            Resolution::Rename { .. } => Way::Rename,
            Resolution::Merge { .. } => Way::Merge,
            Resolution::Retire { .. } => Way::Retire,
        }
    }
}

/// The ways a conflict of `kind` on `declared`'s `field` may be settled by these roles.
pub(super) fn ways(kind: &str, declared: &Entity, field: Option<&str>, roles: Roles) -> Vec<Way> {
    match kind {
        // Keeping both is a deliberate double booking, which takes what booking one does.
        "appointment_clash" if roles.allow(Permission::OverrideSchedule).is_ok() => vec![Way::Move, Way::KeepBoth, Way::Cancel],
        "appointment_clash" => vec![Way::Move, Way::Cancel],
        "field" => vec![Way::ChooseTheirs, Way::ChooseYours],
        "duplicate" => {
            let renamable = field.and_then(|f| declared.field(f)).is_some_and(|f| f.kind.is_words());
            let mergeable = declared.name == "patient" && roles.allow(Permission::MergePatients).is_ok();
            let retirable = declared.field("active").is_some_and(|f| f.kind == Kind::Bool);
            [(renamable, Way::Rename), (mergeable, Way::Merge), (retirable, Way::Retire)].into_iter().filter(|(ok, _)| *ok).map(|(_, w)| w).collect()
        }
        _ => Vec::new(),
    }
}

/// Settles a conflict: the fix it needs, and its closing, in one transaction.
pub async fn resolve(clinic: &Clinic, session: &Session, conflict_id: Uuid, resolution: Resolution) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::SettleConflicts).await?;
    // Read under the write lock: a pull that settled it meanwhile is seen.
    let conflict = sqlx::query!(
        r#"SELECT kind, entity, entity_id AS "entity_id: Uuid", other_id AS "other_id: Uuid", field, yours, status, version
           FROM sync_conflict WHERE id = ?"#, conflict_id
    ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The conflict"))?;
    let declared = entity(&conflict.entity).ok_or_else(|| Error::new(Code::Internal, "This conflict names no synced entity."))?;
    may_settle(declared, w.roles)?;
    if conflict.status != "open" {
        return Err(Error::wrong_state("This conflict was settled already, perhaps on another workstation."));
    }
    let field = conflict.field.as_deref().and_then(|f| declared.field(f));
    let one_of_the_two = |record: Uuid| {
        if record == conflict.entity_id || Some(record) == conflict.other_id { Ok(record) } else { Err(Error::invalid("record", "Choose one of the two records.")) }
    };
    if !ways(&conflict.kind, declared, conflict.field.as_deref(), w.roles).contains(&resolution.way()) {
        return Err(Error::invalid("resolution", "That is not a way to settle this kind of conflict."));
    }
    let outcome = match resolution {
        Resolution::Cancel { reason } => {
            let reason = crate::domain::required_text("reason", "The reason for cancelling", &reason, 200)?;
            let appointment = calendar::load_appointment(w.conn(), conflict.entity_id).await?;
            if appointment.status != AppointmentStatus::Cancelled {
                calendar::set_status(&mut w, &appointment, AppointmentStatus::Cancelled, Some(&reason)).await?;
                crate::ops::queue::close_for_appointment(&mut w, appointment.id, "left").await?;
            }
            "cancelled"
        }
        Resolution::Move { starts } => {
            calendar::reschedule(&mut w, conflict.entity_id, starts, None, false).await?;
            "rebooked"
        }
        Resolution::KeepBoth => "kept_both",
        Resolution::ChooseTheirs => "chose_theirs",
        Resolution::ChooseYours => {
            let (Some(field), Some(yours)) = (field, conflict.yours.as_deref()) else {
                return Err(Error::new(Code::Internal, "This conflict names no field that can be set."));
            };
            let value: Value = serde_json::from_str(yours)?;
            record::set(&mut w, declared, conflict.entity_id, &[(field.name, value)], "edit").await?;
            "chose_yours"
        }
        Resolution::Rename { record, value } => {
            let (record, field) = (one_of_the_two(record)?, field.expect("a renamable duplicate names its field"));
            let value = crate::domain::required_text(field.name, "The new value", &value, usize::MAX)?;
            let changes = record::set(&mut w, declared, record, &[(field.name, json!(value))], "rename").await?;
            if changes.is_empty() {
                return Err(Error::invalid(field.name, "Give it a value the other record does not have."));
            }
            "renamed"
        }
        Resolution::Merge { keep } => {
            let keep = one_of_the_two(keep)?;
            let absorb = if keep == conflict.entity_id { conflict.other_id } else { Some(conflict.entity_id) };
            let absorb = absorb.ok_or_else(|| Error::not_found("The other record"))?;
            crate::ops::patients::merge(&mut w, keep, absorb).await?;
            "merged"
        }
        Resolution::Retire { record } => {
            let record = one_of_the_two(record)?;
            record::set(&mut w, declared, record, &[("active", json!(false))], "retire").await?;
            "retired"
        }
    };
    let mut changes = Changes::default();
    changes.set("status", "open", "resolved").set("resolution", Value::Null, outcome);
    w.update("sync_conflict", conflict_id, conflict.version, &changes).await?;
    w.audit("resolve", "sync_conflict", Some(conflict_id), Details::facts(json!({"resolution": outcome})));
    w.commit().await
}

/// Who may settle what concerns records of `entity`: whoever may change them (settling changes
/// them); a refused audit entry, whoever may read the audit trail.
pub(super) fn may_settle(entity: &Entity, roles: Roles) -> Result<()> {
    match entity.name {
        "audit_event" => roles.allow(Permission::ViewAudit),
        _ => roles.allow_change(entity.access.update),
    }
}

/// Changes with rules of their own (a booking's time and its day, a merge, an account's roles, a
/// password, a settled conflict) are made from their own screens, where those rules run; so is a
/// deletion. The rest can be made again from Needs attention: changes of plain fields, and a
/// refused creation (`creation`), made again whole and checked as a new record (its guarded
/// fields too).
pub(super) fn made_again(entity: &Entity, changes: &BTreeMap<String, FieldChange>, creation: bool) -> Result<(), String> {
    const OWN_RULES: &[(&str, &str)] = &[("appointment", "status"), ("appointment", "starts_at"), ("appointment", "ends_at"),
        ("appointment", "busy_until"), ("appointment", "practitioner_id"), ("appointment", "type_id"), ("queue_entry", "status"),
        ("staff", "roles"), ("staff", "active")];
    if matches!(entity.name, "audit_event" | "sync_conflict") {
        return Err(format!("A refused {} is not made again; dismiss it.", entity.name.replace('_', " ")));
    }
    if creation {
        return Ok(());
    }
    for field in changes.keys() {
        let own_rules = OWN_RULES.contains(&(entity.name, field.as_str())) || entity.secret.contains(&field.as_str())
            || entity.guarded.iter().any(|(f, ..)| f == field);
        if own_rules || entity.field(field).is_none() {
            return Err(format!("A change to {} is made again from its own screen, where its rules apply; dismiss this one.", field.replace('_', " ")));
        }
    }
    Ok(())
}

struct RefusedChange {
    entity: &'static Entity,
    entity_id: Uuid,
    changes: BTreeMap<String, FieldChange>,
}

/// A refused change still waiting, and the right to settle it.
async fn refused(w: &mut Write<'_>, mutation_id: Uuid) -> Result<RefusedChange> {
    let row = sqlx::query!(
        r#"SELECT entity, entity_id AS "entity_id: Uuid", changes FROM sync_rejected WHERE mutation_id = ? AND dismissed_at IS NULL"#, mutation_id
    ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The refused change"))?;
    let entity = entity(&row.entity).ok_or_else(|| Error::wrong_state("This refused change names no kind of record this workstation knows."))?;
    may_settle(entity, w.roles)?;
    Ok(RefusedChange { entity, entity_id: row.entity_id, changes: serde_json::from_str(&row.changes)? })
}

async fn close_refused(w: &mut Write<'_>, mutation_id: Uuid, action: &str, change: &RefusedChange) -> Result<()> {
    let now = w.now;
    sqlx::query!("UPDATE sync_rejected SET dismissed_at = ? WHERE mutation_id = ?", now, mutation_id).execute(w.conn()).await?;
    w.audit(action, "sync_rejected", Some(mutation_id), Details::facts(json!({"entity": change.entity.name, "entity_id": change.entity_id})));
    Ok(())
}

/// Makes a refused change again, as a new change checked as any other: the values that were
/// refused, on the record as it is now. A record the server never had is made again whole.
pub async fn apply_again(clinic: &Clinic, session: &Session, mutation_id: Uuid) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::SettleConflicts).await?;
    let change = refused(&mut w, mutation_id).await?;
    let (declared, id) = (change.entity, change.entity_id);
    let stored = record::read(w.conn(), declared, id).await?.ok_or_else(|| Error::not_found("The record"))?;
    made_again(declared, &change.changes, stored.is_refused_creation()).map_err(Error::wrong_state)?;
    let values: Vec<(&str, Value)> = change.changes.iter().map(|(name, c)| (name.as_str(), c.new.clone())).collect();
    if stored.is_refused_creation() {
        record::revive(&mut w, declared, id, &values).await?;
    } else {
        // Made on the record as it was then: a field someone has changed since is theirs now.
        for (name, c) in &change.changes {
            let now = stored.data.get(name).unwrap_or(&Value::Null);
            if *now != c.old {
                return Err(Error::wrong_state(format!("The {} was changed since (to {now}); make the change from its screen, or dismiss this one.", name.replace('_', " "))));
            }
        }
        record::set(&mut w, declared, id, &values, "apply_again").await?;
    }
    close_refused(&mut w, mutation_id, "apply_again", &change).await?;
    w.commit().await
}

/// Sets a refused change aside for good: the record stays as the server has it.
pub async fn dismiss(clinic: &Clinic, session: &Session, mutation_id: Uuid) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::SettleConflicts).await?;
    let change = refused(&mut w, mutation_id).await?;
    close_refused(&mut w, mutation_id, "dismiss", &change).await?;
    w.commit().await
}
