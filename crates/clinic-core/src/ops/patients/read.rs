//! Reading a patient's record and its history.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::details::EmergencyContact;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Error, Result};
use crate::write::Write;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Patient {
    pub id: Uuid,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_date_estimated: bool,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub national_id: Option<String>,
    pub emergency_contact: Option<EmergencyContact>,
    pub blood_group: Option<String>,
    pub allergies: Vec<String>,
    pub notes: Option<String>,
    /// Set when this record was merged into another: open that one instead.
    pub merged_into: Option<Uuid>,
    /// Records merged into this one.
    pub merged_from: Vec<Uuid>,
    pub version: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Patient {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// The same fields, in the same form, as `PatientDetails::fields`, to compare old with new.
    pub(crate) fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("given_name", json!(self.given_name)),
            ("family_name", json!(self.family_name)),
            ("sex", json!(self.sex)),
            ("birth_date", json!(self.birth_date)),
            ("birth_date_estimated", json!(self.birth_date_estimated)),
            ("phones", json!(self.phones)),
            ("email", json!(self.email)),
            ("address", json!(self.address)),
            ("national_id", json!(self.national_id)),
            ("emergency_contact", json!(self.emergency_contact)),
            ("blood_group", json!(self.blood_group)),
            ("allergies", json!(self.allergies)),
            ("notes", json!(self.notes)),
        ]
    }
}

pub(crate) async fn load_patient(conn: &mut SqliteConnection, id: Uuid) -> Result<Patient> {
    let r = sqlx::query!(
        r#"SELECT id AS "id: Uuid", mrn, given_name, family_name, sex, birth_date, birth_date_estimated, phones, email, address,
                  national_id, emergency_contact, blood_group, allergies, notes, merged_into AS "merged_into: Uuid", version,
                  created_at, updated_at
           FROM patient WHERE id = ? AND deleted_at IS NULL"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::not_found("The patient"))?;
    let merged_from = sqlx::query_scalar!(r#"SELECT id AS "id: Uuid" FROM patient WHERE merged_into = ? AND deleted_at IS NULL"#, id)
        .fetch_all(conn)
        .await?;
    Ok(Patient {
        id: r.id,
        mrn: r.mrn,
        given_name: r.given_name,
        family_name: r.family_name,
        sex: r.sex,
        birth_date: r.birth_date,
        birth_date_estimated: r.birth_date_estimated != 0,
        phones: serde_json::from_str(&r.phones)?,
        email: r.email,
        address: r.address,
        national_id: r.national_id,
        emergency_contact: r.emergency_contact.as_deref().map(serde_json::from_str).transpose()?,
        blood_group: r.blood_group,
        allergies: serde_json::from_str(&r.allergies)?,
        notes: r.notes,
        merged_into: r.merged_into,
        merged_from,
        version: r.version,
        created_at: from_millis(r.created_at),
        updated_at: from_millis(r.updated_at),
    })
}

pub(crate) struct Bookable {
    pub full_name: String,
    pub mrn: String,
}

/// A record that can be booked or queued: it exists and was not merged into another.
pub(crate) async fn ensure_bookable(conn: &mut SqliteConnection, id: Uuid) -> Result<Bookable> {
    let row = sqlx::query!(
        r#"SELECT given_name || ' ' || family_name AS "full_name!: String", mrn, merged_into AS "merged_into: Uuid"
           FROM patient WHERE id = ? AND deleted_at IS NULL"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| Error::not_found("The patient"))?;
    match row.merged_into {
        Some(into) => Err(Error::wrong_state(format!("This record was merged into another ({into}); use that one."))),
        None => Ok(Bookable { full_name: row.full_name, mrn: row.mrn }),
    }
}

/// Opens a patient's record. Opening a chart is a read that matters: it is audited.
pub async fn open_patient(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Patient> {
    let mut w = Write::reading(clinic, session, Permission::ViewPatients).await?;
    let patient = load_patient(w.conn(), id).await?;
    w.audit("view", "patient", Some(id), crate::audit::Details::facts(json!({"mrn": patient.mrn})));
    w.commit().await?;
    Ok(patient)
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub staff_name: Option<String>,
    pub device_id: Uuid,
    /// register, edit, merge, unmerge
    pub action: String,
    pub changes: Vec<FieldChange>,
}

/// Every change of a patient's record: who, when, from which desk, each field's old and new value.
/// Read from the audit trail, the one place every change is written.
pub async fn patient_history(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Vec<HistoryEntry>> {
    let mut w = Write::reading(clinic, session, Permission::ViewPatients).await?;
    let rows = sqlx::query!(
        r#"SELECT a.at, s.full_name AS "staff_name?", a.device_id AS "device_id: Uuid", a.action, a.details
           FROM audit_event a LEFT JOIN staff s ON s.id = a.staff_id
           WHERE a.entity = 'patient' AND a.entity_id = ? AND a.action IN ('register', 'edit', 'merge', 'unmerge')
           ORDER BY a.at, a.seq"#,
        id
    )
    .fetch_all(w.conn())
    .await?;
    // Reading a record's history is reading the record: audited like opening the chart.
    w.audit("view_history", "patient", Some(id), crate::audit::Details::facts(json!({"entries": rows.len()})));
    w.commit().await?;
    rows.into_iter()
        .map(|r| {
            let details: crate::audit::Details = serde_json::from_str(&r.details)?;
            let changes = details.changes.into_iter().map(|(field, c)| FieldChange { field, old: c.old, new: c.new }).collect();
            Ok(HistoryEntry { at: from_millis(r.at), staff_name: r.staff_name, device_id: r.device_id, action: r.action, changes })
        })
        .collect()
}
