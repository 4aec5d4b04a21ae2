//! "Needs attention": the conflicts the server opened (every workstation of the organisation sees
//! them), the changes it refused (this workstation's own) and the records set aside, each listed
//! for the people whose roles may settle it (`settle.rs`).

use std::collections::BTreeMap;

use clinic_sync::FieldChange;
use serde::Serialize;
use uuid::Uuid;

use super::settle::{made_again, may_settle, ways, Way};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::Result;
use crate::ops::calendar::{self, Appointment};
use crate::record;

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
    /// For a duplicate: the two records, as people know them.
    pub records: Vec<Named>,
    /// How this person may settle it.
    pub ways: Vec<Way>,
}

/// A record by the words people know it by (a name, a record number), and when it was made.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Named {
    pub id: Uuid,
    pub label: String,
    pub made_at: i64,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Refused {
    pub mutation_id: Uuid,
    pub entity: String,
    pub entity_id: Uuid,
    pub reason: String,
    pub made_at: i64,
    /// What was refused: each field with the value it was to get, as JSON.
    pub values: Vec<RefusedValue>,
    /// Why it cannot be made again from here (it can only be dismissed); none when it can.
    pub not_made_again: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RefusedValue {
    pub field: String,
    pub value: String,
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

/// How many things need attention: those `session`'s roles may settle (what the header shows the
/// person at the desk, as the list does), or all of them without a session.
pub(super) async fn count(clinic: &Clinic, session: Option<&Session>) -> Result<i64> {
    let mut conn = clinic.store().pool().acquire().await?;
    let per_entity = sqlx::query!(
        r#"SELECT entity, count(*) AS "n!: i64" FROM (
               SELECT entity FROM sync_conflict WHERE status = 'open' AND deleted_at IS NULL
               UNION ALL SELECT entity FROM sync_rejected WHERE dismissed_at IS NULL
               UNION ALL SELECT entity FROM sync_set_aside)
           GROUP BY entity"#
    ).fetch_all(&mut *conn).await?;
    let Some(session) = session else { return Ok(per_entity.iter().map(|r| r.n).sum()) };
    let roles = match crate::auth::current_roles(&mut conn, session.staff_id).await {
        Ok(roles) if roles.allow(Permission::SettleConflicts).is_ok() => roles,
        Ok(_) => return Ok(0),
        Err(e) if matches!(e.code, crate::error::Code::AccountDisabled | crate::error::Code::PermissionDenied) => return Ok(0),
        Err(e) => return Err(e),
    };
    Ok(per_entity.iter().filter(|r| clinic_sync::entity(&r.entity).is_some_and(|e| may_settle(e, roles).is_ok())).map(|r| r.n).sum())
}

pub async fn needs_attention(clinic: &Clinic, session: &Session) -> Result<Attention> {
    crate::auth::authorize(clinic, session, Permission::SettleConflicts).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let roles = crate::auth::current_roles(&mut conn, session.staff_id).await?;
    let mut for_others = 0;
    let mut theirs = |entity: &str| {
        let mine = clinic_sync::entities::entity(entity).is_some_and(|e| may_settle(e, roles).is_ok());
        for_others += i64::from(!mine);
        mine
    };
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", kind, message, entity, entity_id AS "entity_id: Uuid", other_id AS "other_id: Uuid", field, theirs, yours
           FROM sync_conflict WHERE status = 'open' AND deleted_at IS NULL ORDER BY created_at"#
    ).fetch_all(&mut *conn).await?;
    let mut conflicts = Vec::with_capacity(rows.len());
    for r in rows.into_iter().filter(|r| theirs(&r.entity)) {
        let Some(declared) = clinic_sync::entity(&r.entity) else { continue };
        let clash = r.kind == "appointment_clash";
        let appointment = if clash { calendar::find_appointment(&mut conn, r.entity_id).await? } else { None };
        let other = match (clash, r.other_id) {
            (true, Some(other)) => calendar::find_appointment(&mut conn, other).await?,
            _ => None,
        };
        let mut records = Vec::new();
        if r.kind == "duplicate" {
            for id in [Some(r.entity_id), r.other_id].into_iter().flatten() {
                if let Some(named) = named(&mut conn, declared, id).await? {
                    records.push(named);
                }
            }
        }
        let ways = ways(&r.kind, declared, r.field.as_deref(), roles);
        conflicts.push(Conflict { id: r.id, kind: r.kind, message: r.message, entity: r.entity, entity_id: r.entity_id, appointment, other,
            field: r.field, theirs: r.theirs, yours: r.yours, records, ways });
    }
    let rows = sqlx::query!(
        r#"SELECT mutation_id AS "mutation_id: Uuid", entity, entity_id AS "entity_id: Uuid", reason, made_at, changes
           FROM sync_rejected WHERE dismissed_at IS NULL ORDER BY made_at"#
    ).fetch_all(&mut *conn).await?;
    let mut refused = Vec::with_capacity(rows.len());
    for r in rows.into_iter().filter(|r| theirs(&r.entity)) {
        let changes: BTreeMap<String, FieldChange> = serde_json::from_str(&r.changes).unwrap_or_default();
        let declared = clinic_sync::entity(&r.entity).expect("listed only when declared");
        let creation = record::read(&mut conn, declared, r.entity_id).await?.is_some_and(|s| s.is_refused_creation());
        let not_made_again = made_again(declared, &changes, creation).err();
        let values = changes.into_iter().map(|(field, c)| {
            let value = if declared.secret.contains(&field.as_str()) { "(hidden)".to_string() } else { c.new.to_string() };
            RefusedValue { field, value }
        }).collect();
        refused.push(Refused { mutation_id: r.mutation_id, entity: r.entity, entity_id: r.entity_id, reason: r.reason, made_at: r.made_at, values, not_made_again });
    }
    let set_aside = sqlx::query_as!(SetAside,
        r#"SELECT entity, entity_id AS "entity_id: Uuid", reason, set_at FROM sync_set_aside ORDER BY set_at"#
    ).fetch_all(&mut *conn).await?.into_iter().filter(|r| theirs(&r.entity)).collect();
    Ok(Attention { conflicts, refused, set_aside, for_others })
}

/// A record by the words people know it by: its name (a person's, a practitioner's), with its
/// record number or username where it has one.
async fn named(conn: &mut sqlx::SqliteConnection, declared: &'static clinic_sync::entities::Entity, id: Uuid) -> Result<Option<Named>> {
    let Some(stored) = record::read(conn, declared, id).await? else { return Ok(None) };
    let text = |f: &str| stored.data.get(f).and_then(|v| v.as_str()).map(str::to_string);
    let name = text("full_name").or_else(|| text("display_name")).or_else(|| text("name"))
        .or_else(|| Some(format!("{} {}", text("given_name")?, text("family_name")?)))
        .unwrap_or_else(|| declared.name.replace('_', " "));
    // The key people read (a username, a record number), not an id.
    let readable = |f: &&&str| declared.field(f).is_some_and(|f| f.kind.is_words());
    let known_by = declared.unique.iter().filter(readable).filter_map(|f| text(f)).next();
    let label = match known_by { Some(key) => format!("{name} ({key})"), None => name };
    Ok(Some(Named { id, label, made_at: stored.created_at }))
}
