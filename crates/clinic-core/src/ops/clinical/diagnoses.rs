//! The problem list: diagnoses coded in ICD-10-CM (only codes of the code set are taken, with its
//! description), active until resolved; one recorded by mistake is marked so, never removed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::chart::Problem;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clinical::icd10::{self, Icd10Code};
use crate::domain::optional_text;
use crate::error::{Error, Result};
use crate::record;
use crate::write::Write;

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct DiagnosisInput {
    pub patient_id: Uuid,
    pub encounter_id: Option<Uuid>,
    /// An ICD-10-CM code, with or without its dot.
    pub code: String,
    pub onset: Option<NaiveDate>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ProblemStatus {
    Active,
    Resolved,
    EnteredInError,
}

/// Codes as the doctor types (a code's start, or words of its description), at most `limit`.
pub async fn find_diagnosis_codes(clinic: &Clinic, session: &Session, query: &str, limit: usize) -> Result<Vec<Icd10Code>> {
    crate::auth::authorize(clinic, session, Permission::WriteClinical).await?;
    Ok(icd10::search(query, limit.min(50)).into_iter().cloned().collect())
}

pub async fn add_diagnosis(clinic: &Clinic, session: &Session, input: DiagnosisInput) -> Result<Problem> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    super::chart_of(w.conn(), input.patient_id).await?;
    let code = icd10::lookup(&input.code).ok_or_else(|| Error::invalid("code",
        format!("“{}” is not an ICD-10-CM code that can be recorded (a category such as E11 needs its subdivision, E11.9).", input.code.trim())))?;
    super::not_in_future(&mut w, "onset", input.onset).await?;
    let comment = optional_text("comment", input.comment.as_deref(), 1000)?;
    if let Some(encounter) = input.encounter_id {
        sqlx::query_scalar!("SELECT 1 AS one FROM encounter WHERE id = ? AND patient_id = ? AND deleted_at IS NULL", encounter, input.patient_id)
            .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The consultation"))?;
    }
    let listed = sqlx::query_scalar!("SELECT 1 AS one FROM diagnosis WHERE patient_id = ? AND code = ? AND status = 'active' AND deleted_at IS NULL",
        input.patient_id, code.code).fetch_optional(w.conn()).await?;
    if listed.is_some() {
        return Err(Error::invalid("code", format!("{} {} is already on the problem list.", code.code, code.description)));
    }
    let id = Uuid::now_v7();
    let onset = input.onset.map(|d| d.to_string());
    super::create(&mut w, "diagnosis", id, &[("patient_id", json!(input.patient_id)), ("encounter_id", json!(input.encounter_id)),
        ("code", json!(code.code)), ("description", json!(code.description)), ("status", json!("active")), ("onset", json!(onset)),
        ("comment", json!(comment))]).await?;
    w.commit().await?;
    Ok(Problem { id, code: code.code.clone(), description: code.description.clone(), status: "active".into(), onset, resolved_on: None })
}

/// Resolves a problem (on `resolved_on`, none for today), reopens it, or marks it entered in error.
pub async fn set_problem_status(clinic: &Clinic, session: &Session, id: Uuid, status: ProblemStatus, resolved_on: Option<NaiveDate>) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    super::not_in_future(&mut w, "resolved_on", resolved_on).await?;
    let kind = super::declared("diagnosis");
    let stored = record::read(w.conn(), kind, id).await?.filter(|d| !d.deleted).ok_or_else(|| Error::not_found("The diagnosis"))?;
    if stored.data["status"] == "entered_in_error" {
        return Err(Error::wrong_state("This diagnosis was marked as entered in error."));
    }
    let resolved = match status {
        ProblemStatus::Resolved => Some(resolved_on.unwrap_or(w.site_today().await?).to_string()),
        _ => None,
    };
    let changes = record::set(&mut w, kind, id, &[("status", json!(status)), ("resolved_on", json!(resolved))], "edit").await?;
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(());
    }
    w.commit().await
}
