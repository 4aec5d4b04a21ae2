//! The chart, readable at a glance: the patient, allergies, the problem list, current
//! medications, the latest vitals with their trend, notes awaiting signature, and the timeline of
//! consultations (newest first, a page at a time). Reading it is audited; someone whose role does
//! not see clinical content may read it only in an emergency, with a reason, audited as such.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::notes::{notes_of, Note};
use super::vitals::{observations, VitalSet};
use super::{Allergy, Prescription};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Code, Error, Result};
use crate::write::Write;

/// Consultations per page of the timeline.
const PAGE: i64 = 20;
/// Vital sign sets drawn in the trend.
const TREND: i64 = 60;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ChartPatient {
    pub id: Uuid,
    pub mrn: String,
    pub full_name: String,
    pub sex: String,
    pub birth_date: String,
    pub blood_group: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum KnownAllergies {
    /// Nobody has asked (or recorded the answer).
    NotAsked,
    /// Asked: none.
    NoneKnown,
    Recorded,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AllergyList {
    pub known: KnownAllergies,
    /// Allergies the front desk typed that are not structured records yet (a doctor's first look
    /// carries them over).
    pub reported: Vec<String>,
    /// Active first; inactive and entered-in-error ones too, for the history.
    pub items: Vec<Allergy>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Problem {
    pub id: Uuid,
    pub code: String,
    pub description: String,
    pub status: String,
    pub onset: Option<String>,
    pub resolved_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct EncounterSummary {
    pub id: Uuid,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub status: String,
    pub reason: String,
    pub practitioner_name: String,
    pub note: Option<Note>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct EncounterPage {
    pub items: Vec<EncounterSummary>,
    /// Pass back as `before` for the next (older) page; none at the first consultation.
    pub next_before: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Chart {
    pub patient: ChartPatient,
    pub allergies: AllergyList,
    pub problems: Vec<Problem>,
    /// The medicines being taken now (`prescriptions.rs`).
    pub medications: Vec<Prescription>,
    /// Oldest first, the last one the latest.
    pub vitals: Vec<VitalSet>,
    pub encounters: EncounterPage,
    /// Newest first; none on an emergency read (scans and letters are not what an emergency needs).
    pub attachments: Vec<crate::ops::attachments::Attachment>,
    /// Read by breaking the glass (an emergency read, audited with its reason).
    pub emergency_read: bool,
}

/// Begins a chart read: a clinician's, or an emergency read with a reason by someone whose role
/// may break the glass. Either way it is audited.
async fn begin_read<'c>(clinic: &'c Clinic, session: &Session, patient_id: Uuid, emergency_reason: Option<&str>, action: &str) -> Result<(Write<'c>, bool)> {
    let reason = crate::domain::optional_text("emergency_reason", emergency_reason, 500)?;
    match Write::reading(clinic, session, Permission::ViewClinical).await {
        Ok(mut w) => {
            w.audit(action, "patient", Some(patient_id), Default::default());
            Ok((w, false))
        }
        Err(e) if e.code == Code::PermissionDenied => {
            let Some(reason) = reason else {
                return Err(Error::new(Code::PermissionDenied,
                    "Your role does not allow you to see clinical records. In an emergency, open the chart with a reason: it is recorded."));
            };
            let mut w = Write::reading(clinic, session, Permission::BreakTheGlass).await?;
            w.audit("break_the_glass", "patient", Some(patient_id), crate::audit::Details::facts(json!({"reason": reason, "read": action})));
            Ok((w, true))
        }
        Err(e) => Err(e),
    }
}

/// The record to show for `id`: itself, or the one it was merged into.
async fn kept_record(clinic: &Clinic, id: Uuid) -> Result<Uuid> {
    let into = sqlx::query_scalar!(r#"SELECT merged_into AS "into: Uuid" FROM patient WHERE id = ?"#, id).fetch_optional(clinic.store().pool()).await?;
    Ok(into.flatten().unwrap_or(id))
}

/// A chart shows the records of the patient and of every duplicate merged into them.
pub async fn open_chart(clinic: &Clinic, session: &Session, patient_id: Uuid, emergency_reason: Option<String>) -> Result<Chart> {
    let patient_id = kept_record(clinic, patient_id).await?;
    // Allergies the front desk noted in free text become structured records at a clinician's first look.
    // (Only for whoever writes clinical records, on a store that takes writes; at best: whatever
    // stops it, the chart still opens, with the free text shown in its allergies.)
    if let Ok(mut w) = Write::begin(clinic, session, Permission::WriteClinical).await {
        let carried = match super::allergies::carry_over_reported(&mut w, patient_id).await {
            Ok(n) if n > 0 => w.commit().await,
            Ok(_) => Ok(w.nothing_changed().await),
            Err(e) => Err(e),
        };
        if let Err(e) = carried {
            tracing::warn!(error = %e.message, "the front desk's allergies could not be carried into the chart");
        }
    }
    let (mut w, emergency_read) = begin_read(clinic, session, patient_id, emergency_reason.as_deref(), "view_chart").await?;
    let p = sqlx::query!(
        r#"SELECT mrn, given_name || ' ' || family_name AS "full_name!: String", sex, birth_date, blood_group, no_known_allergies AS "none_known: bool", allergies
           FROM patient WHERE id = ? AND deleted_at IS NULL"#, patient_id
    ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The patient"))?;
    let items: Vec<Allergy> = sqlx::query!(
        r#"SELECT id AS "id: Uuid", substance, reaction, severity, status FROM allergy WHERE patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND deleted_at IS NULL
           ORDER BY status = 'active' DESC, CASE severity WHEN 'severe' THEN 0 WHEN 'moderate' THEN 1 WHEN 'unknown' THEN 2 ELSE 3 END, substance"#,
        patient_id
    ).fetch_all(w.conn()).await?.into_iter()
        .map(|a| Allergy { id: a.id, substance: a.substance, reaction: a.reaction, severity: a.severity, status: a.status }).collect();
    let reported: Vec<String> = serde_json::from_str(&p.allergies).unwrap_or_default();
    let known = match (items.iter().any(|a| a.status == "active") || !reported.is_empty(), p.none_known) {
        (true, _) => KnownAllergies::Recorded,
        (false, true) => KnownAllergies::NoneKnown,
        (false, false) => KnownAllergies::NotAsked,
    };
    let problems = sqlx::query_as!(Problem,
        r#"SELECT id AS "id: Uuid", code, description, status, onset, resolved_on FROM diagnosis
           WHERE patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND deleted_at IS NULL AND status != 'entered_in_error'
           ORDER BY status = 'active' DESC, coalesce(onset, '') DESC, code"#, patient_id
    ).fetch_all(w.conn()).await?;
    let now = w.now;
    let medications = super::prescriptions::of_patient(w.conn(), patient_id, Some(now)).await?;
    let vitals = trend(&mut w, patient_id).await?;
    let encounters = page(&mut w, patient_id, None).await?;
    let attachments = match emergency_read {
        false => crate::ops::attachments::of_patient(w.conn(), clinic.store().path(), patient_id).await?,
        true => Vec::new(),
    };
    w.commit().await?;
    Ok(Chart {
        patient: ChartPatient { id: patient_id, mrn: p.mrn, full_name: p.full_name, sex: p.sex, birth_date: p.birth_date, blood_group: p.blood_group },
        allergies: AllergyList { known, reported, items }, problems, medications, vitals, encounters, attachments, emergency_read,
    })
}

/// An older page of the timeline: consultations before `before`.
pub async fn chart_encounters(clinic: &Clinic, session: &Session, patient_id: Uuid, before: DateTime<Utc>, emergency_reason: Option<String>) -> Result<EncounterPage> {
    let patient_id = kept_record(clinic, patient_id).await?;
    let (mut w, _) = begin_read(clinic, session, patient_id, emergency_reason.as_deref(), "view_chart_history").await?;
    let page = page(&mut w, patient_id, Some(before.timestamp_millis())).await?;
    w.commit().await?;
    Ok(page)
}

async fn trend(w: &mut Write<'_>, patient_id: Uuid) -> Result<Vec<VitalSet>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", taken_at, systolic, diastolic, pulse, temperature_dc, respiratory_rate, spo2, weight_g, height_mm
           FROM vital_signs WHERE patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND deleted_at IS NULL
           ORDER BY taken_at DESC LIMIT ?2"#, patient_id, TREND
    ).fetch_all(w.conn()).await?;
    let mut height = super::vitals::latest_height(w.conn(), patient_id).await?;
    let mut sets: Vec<VitalSet> = rows.into_iter().rev().map(|r| {
        height = r.height_mm.or(height);
        let stored = [r.systolic, r.diastolic, r.pulse, r.temperature_dc, r.respiratory_rate, r.spo2, r.weight_g, r.height_mm];
        VitalSet { id: r.id, taken_at: from_millis(r.taken_at), observations: observations(stored, height) }
    }).collect();
    sets.shrink_to_fit();
    Ok(sets)
}

async fn page(w: &mut Write<'_>, patient_id: Uuid, before: Option<i64>) -> Result<EncounterPage> {
    let before = before.unwrap_or(i64::MAX);
    let rows = sqlx::query!(
        r#"SELECT e.id AS "id: Uuid", e.started_at, e.ended_at, e.status, e.reason, p.display_name AS practitioner_name
           FROM encounter e JOIN practitioner p ON p.id = e.practitioner_id
           WHERE e.patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND e.started_at < ?2 AND e.deleted_at IS NULL
           ORDER BY e.started_at DESC LIMIT ?3"#, patient_id, before, PAGE
    ).fetch_all(w.conn()).await?;
    let oldest = rows.last().map_or(before, |r| r.started_at);
    let mut notes = notes_of(w.conn(), patient_id, oldest, before).await?;
    let next_before = (rows.len() as i64 == PAGE).then(|| rows.last().map(|r| from_millis(r.started_at))).flatten();
    let items = rows.into_iter().map(|r| EncounterSummary {
        id: r.id, started_at: from_millis(r.started_at), ended_at: r.ended_at.map(from_millis), status: r.status, reason: r.reason,
        practitioner_name: r.practitioner_name, note: notes.iter().position(|n| n.encounter_id == r.id).map(|i| notes.swap_remove(i)),
    }).collect();
    Ok(EncounterPage { items, next_before })
}
