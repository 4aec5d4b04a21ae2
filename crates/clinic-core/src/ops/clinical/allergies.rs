//! Allergies and intolerances, structured: substance, reaction, severity, status. "No known
//! allergies" is a clinician's statement (the patient was asked), distinct from never asked. The
//! free-text allergies the front desk noted at registration are carried into structured records
//! the first time a clinician opens the chart.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::required_text;
use crate::error::{Error, Result};
use crate::record;
use crate::write::{Changes, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Mild,
    Moderate,
    Severe,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AllergyStatus {
    Active,
    Inactive,
    EnteredInError,
}

fn word<T: Serialize>(value: T) -> String {
    json!(value).as_str().expect("a word").to_string()
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct AllergyInput {
    pub patient_id: Uuid,
    pub substance: String,
    pub reaction: Option<String>,
    pub severity: Severity,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct AllergyChange {
    pub reaction: Option<String>,
    pub severity: Severity,
    pub status: AllergyStatus,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Allergy {
    pub id: Uuid,
    pub substance: String,
    pub reaction: Option<String>,
    pub severity: String,
    pub status: String,
}

pub async fn record_allergy(clinic: &Clinic, session: &Session, input: AllergyInput) -> Result<Allergy> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    super::chart_of(w.conn(), input.patient_id).await?;
    let substance = required_text("substance", "The substance", &input.substance, 200)?;
    let reaction = crate::domain::optional_text("reaction", input.reaction.as_deref(), 500)?;
    let taken = sqlx::query_scalar!(
        "SELECT 1 AS one FROM allergy WHERE patient_id = ? AND lower(substance) = lower(?) AND status = 'active' AND deleted_at IS NULL",
        input.patient_id, substance
    ).fetch_optional(w.conn()).await?;
    if taken.is_some() {
        return Err(Error::invalid("substance", format!("{substance} is already recorded as an allergy of this patient.")));
    }
    let id = Uuid::now_v7();
    super::create(&mut w, "allergy", id, &[("patient_id", json!(input.patient_id)), ("substance", json!(substance)),
        ("reaction", json!(reaction)), ("severity", json!(input.severity)), ("status", json!("active"))]).await?;
    no_longer_none_known(&mut w, input.patient_id).await?;
    w.commit().await?;
    Ok(Allergy { id, substance, reaction, severity: word(input.severity), status: "active".into() })
}

pub async fn change_allergy(clinic: &Clinic, session: &Session, id: Uuid, change: AllergyChange) -> Result<Allergy> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    let reaction = crate::domain::optional_text("reaction", change.reaction.as_deref(), 500)?;
    let kind = super::declared("allergy");
    let stored = record::read(w.conn(), kind, id).await?.filter(|a| !a.deleted).ok_or_else(|| Error::not_found("The allergy"))?;
    let changes = record::set(&mut w, kind, id, &[("reaction", json!(reaction)), ("severity", json!(change.severity)),
        ("status", json!(change.status))], "edit").await?;
    if changes.is_empty() {
        w.nothing_changed().await;
    } else {
        w.commit().await?;
    }
    let substance = stored.data["substance"].as_str().unwrap_or_default().to_string();
    Ok(Allergy { id, substance, reaction, severity: word(change.severity), status: word(change.status) })
}

/// The patient was asked and has no allergies: refused while an allergy is recorded as active.
pub async fn confirm_no_known_allergies(clinic: &Clinic, session: &Session, patient_id: Uuid) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    super::chart_of(w.conn(), patient_id).await?;
    if !super::prescriptions::active_allergies(w.conn(), patient_id).await?.is_empty() {
        return Err(Error::wrong_state("Allergies are recorded for this patient: mark them inactive or entered in error first."));
    }
    let changes = record::set(&mut w, super::declared("patient"), patient_id, &[("no_known_allergies", json!(true))], "confirm_no_known_allergies").await?;
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(());
    }
    w.commit().await
}

async fn no_longer_none_known(w: &mut Write<'_>, patient_id: Uuid) -> Result<()> {
    record::set(w, super::declared("patient"), patient_id, &[("no_known_allergies", json!(false))], "edit").await?;
    Ok(())
}

/// Carries the allergies noted in free text at the front desk into structured records (severity
/// unknown, to be reviewed), in the caller's use case, and clears the free text. Each record's id
/// is derived from the patient and the substance, so two workstations doing it offline make the
/// same record, which the server merges as one.
pub(crate) async fn carry_over_reported(w: &mut Write<'_>, patient_id: Uuid) -> Result<usize> {
    let patient = record::read(w.conn(), super::declared("patient"), patient_id).await?.ok_or_else(|| Error::not_found("The patient"))?;
    let reported: Vec<String> = serde_json::from_value(patient.data["allergies"].clone()).unwrap_or_default();
    if reported.is_empty() {
        return Ok(0);
    }
    // Compared as Rust folds case (SQLite's lower() folds ASCII only): "ÁCIDO" is "ácido".
    let mut known: Vec<String> = sqlx::query_scalar!("SELECT substance FROM allergy WHERE patient_id = ? AND deleted_at IS NULL", patient_id)
        .fetch_all(w.conn()).await?.into_iter().map(|s| s.to_lowercase()).collect();
    let mut carried = 0;
    for substance in &reported {
        let Ok(substance) = required_text("substance", "The substance", substance, 200) else { continue };
        let id = carried_id(patient_id, &substance);
        let made = sqlx::query_scalar!("SELECT 1 AS one FROM allergy WHERE id = ?", id).fetch_optional(w.conn()).await?.is_some();
        if made || known.contains(&substance.to_lowercase()) {
            continue;
        }
        super::create(w, "allergy", id, &[("patient_id", json!(patient_id)), ("substance", json!(substance)),
            ("reaction", Value::Null), ("severity", json!("unknown")), ("status", json!("active"))]).await?;
        known.push(substance.to_lowercase());
        carried += 1;
    }
    // The free text is cleared even when every item was already recorded: it has been read.
    let mut changes = Changes::default();
    changes.set("allergies", &patient.data["allergies"], json!([]));
    if carried > 0 {
        changes.set("no_known_allergies", &patient.data["no_known_allergies"], false);
    }
    w.update("patient", patient_id, patient.version, &changes).await?;
    w.audit("carry_over_allergies", "patient", Some(patient_id), crate::audit::Details::facts(json!({"allergies": carried})));
    Ok(reported.len())
}

/// The same id on every workstation for the same patient and substance.
fn carried_id(patient_id: Uuid, substance: &str) -> Uuid {
    let digest = Sha256::digest(format!("carried allergy\n{patient_id}\n{}", substance.to_lowercase()));
    uuid::Builder::from_custom_bytes(digest[..16].try_into().expect("16 bytes")).into_uuid()
}
