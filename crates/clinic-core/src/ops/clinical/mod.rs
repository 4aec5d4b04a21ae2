//! The doctor's desk (DESIGN.md §7a): a consultation (encounter) opened from the day's list, its
//! note drafted as versions and signed, vital signs, diagnoses, allergies and prescriptions, and
//! the chart that shows them. Clinical content is for clinicians: every read checks
//! `ViewClinical` (or an emergency reason, `BreakTheGlass`) and is audited, and the audit trail
//! names the fields a change made, never their values.

mod allergies;
mod chart;
mod consultation;
mod diagnoses;
mod notes;
mod prescriptions;
mod printing;
mod vitals;

pub use allergies::{change_allergy, confirm_no_known_allergies, record_allergy, Allergy, AllergyChange, AllergyInput, AllergyStatus, Severity};
pub use chart::{chart_encounters, open_chart, AllergyList, Chart, ChartPatient, EncounterPage, EncounterSummary, KnownAllergies, Problem};
pub use consultation::{finish_consultation, my_day, open_consultation, Consultation, DayVisit, MyDay, VisitRef};
pub use diagnoses::{add_diagnosis, find_diagnosis_codes, set_problem_status, DiagnosisInput, ProblemStatus};
pub(crate) use notes::{template_json, template_text};
pub use notes::{add_addendum, save_note, sign_note, unsigned_notes, Addendum, AddendumInput, Note, NoteSaved, NoteText, UnsignedNote};
pub use prescriptions::{add_formulary_drug, find_formulary_drugs, formulary, patient_prescriptions, prescribe, stop_prescription, update_formulary_drug,
    FormularyDrug, FormularyDrugInput, Prescription, PrescriptionInput, Route};
pub use printing::{print_prescriptions, PrintedDocument};
pub use vitals::{record_vitals, vital_measures, Measure, Observation, VitalSet, VitalsInput};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::write::{Changes, Write};

/// Checks that a clinical record may be written for this patient: registered, and not merged
/// into another.
pub(crate) async fn chart_of(conn: &mut sqlx::SqliteConnection, patient_id: Uuid) -> Result<()> {
    let row = sqlx::query!(r#"SELECT merged_into AS "merged_into: Uuid" FROM patient WHERE id = ? AND deleted_at IS NULL"#, patient_id)
        .fetch_optional(conn).await?
        .ok_or_else(|| Error::not_found("The patient"))?;
    match row.merged_into {
        Some(into) => Err(Error::wrong_state(format!("This record was merged into another ({into}); use that one."))),
        None => Ok(()),
    }
}

/// Creates a clinical record: its row and outbox change, and an audit entry naming its fields.
pub(crate) async fn create(w: &mut Write<'_>, entity: &'static str, id: Uuid, fields: &[(&'static str, serde_json::Value)]) -> Result<Changes> {
    crate::record::create(w, "create", entity, id, fields).await
}

use crate::record::declared;

/// A date a clinician gives (an onset, a resolution): not after today at the site.
pub(crate) async fn not_in_future(w: &mut Write<'_>, field: &'static str, date: Option<NaiveDate>) -> Result<()> {
    if let Some(date) = date {
        if date > w.site_today().await? {
            return Err(Error::invalid(field, "That date is in the future."));
        }
    }
    Ok(())
}

/// Free text a clinician typed: trimmed, and none when empty.
pub(crate) fn text(value: Option<String>) -> Option<String> {
    value.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}
