//! Prescriptions and the clinic's formulary. A prescription names a drug from the formulary (or
//! one typed freely), with its strength, form, dose, route, frequency, duration, quantity and
//! repeats; one that matches a recorded allergy is refused until the doctor confirms it with a
//! reason, which the audit trail keeps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::{optional_text, required_text};
use crate::error::{Code, Error, Result};
use crate::record;
use crate::write::{Changes, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    Oral, Sublingual, Topical, Transdermal, Inhaled, Nasal, Ophthalmic, Otic, Rectal, Vaginal, Subcutaneous, Intramuscular, Intravenous, Other,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct FormularyDrugInput {
    pub name: String,
    pub strength: String,
    pub form: String,
    pub route: Route,
    pub usual_dose: Option<String>,
    pub usual_frequency: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct FormularyDrug {
    pub id: Uuid,
    pub name: String,
    pub strength: String,
    pub form: String,
    pub route: String,
    pub usual_dose: Option<String>,
    pub usual_frequency: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct PrescriptionInput {
    pub patient_id: Uuid,
    pub encounter_id: Option<Uuid>,
    /// From the formulary; none for a drug typed freely.
    pub drug_id: Option<Uuid>,
    pub drug: String,
    pub strength: String,
    pub form: String,
    pub dose: String,
    pub route: Route,
    pub frequency: String,
    pub duration_days: Option<i64>,
    pub quantity: i64,
    pub repeats: i64,
    pub instructions: Option<String>,
    /// Given to prescribe despite an allergy warning: why.
    pub allergy_override: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Prescription {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub prescriber_name: String,
    pub drug: String,
    pub strength: String,
    pub form: String,
    pub dose: String,
    pub route: String,
    pub frequency: String,
    pub duration_days: Option<i64>,
    pub quantity: i64,
    pub repeats: i64,
    pub instructions: Option<String>,
    pub prescribed_at: DateTime<Utc>,
    pub status: String,
    pub first_printed_at: Option<DateTime<Utc>>,
}

fn drug_fields(v: &FormularyDrugInput) -> Result<Vec<(&'static str, serde_json::Value)>> {
    Ok(vec![("name", json!(required_text("name", "The drug's name", &v.name, 200)?)),
        ("strength", json!(required_text("strength", "The strength", &v.strength, 64)?)),
        ("form", json!(required_text("form", "The form", &v.form, 64)?)), ("route", json!(v.route)),
        ("usual_dose", json!(optional_text("usual_dose", v.usual_dose.as_deref(), 64)?)),
        ("usual_frequency", json!(optional_text("usual_frequency", v.usual_frequency.as_deref(), 64)?))])
}

pub async fn add_formulary_drug(clinic: &Clinic, session: &Session, input: FormularyDrugInput) -> Result<Uuid> {
    let mut w = Write::begin(clinic, session, Permission::ManageFormulary).await?;
    let fields = drug_fields(&input)?;
    let id = Uuid::now_v7();
    let changes = w.insert("formulary_drug", id, &fields).await?;
    w.audit("create", "formulary_drug", Some(id), crate::audit::Details::of(&changes));
    w.commit().await?;
    Ok(id)
}

pub async fn update_formulary_drug(clinic: &Clinic, session: &Session, id: Uuid, input: FormularyDrugInput, active: bool) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::ManageFormulary).await?;
    let mut fields = drug_fields(&input)?;
    fields.push(("active", json!(active)));
    if record::set(&mut w, super::declared("formulary_drug"), id, &fields, "edit").await?.is_empty() {
        w.nothing_changed().await;
        return Ok(());
    }
    w.commit().await
}

/// The formulary's drugs in use whose name starts with (or contains a word starting with) `query`:
/// what a doctor prescribes from (a drug taken out of use is not offered).
pub async fn find_formulary_drugs(clinic: &Clinic, session: &Session, query: &str) -> Result<Vec<FormularyDrug>> {
    crate::auth::authorize_any(clinic, session, &[Permission::WriteClinical, Permission::ManageFormulary]).await?;
    drugs(clinic, query, true, 50).await
}

/// Every drug of the formulary, in use or not, by name: the list it is managed from. A clinic's
/// formulary is a chosen list (tens to a few hundred drugs), shown whole.
pub async fn formulary(clinic: &Clinic, session: &Session) -> Result<Vec<FormularyDrug>> {
    crate::auth::authorize(clinic, session, Permission::ManageFormulary).await?;
    drugs(clinic, "", false, -1).await
}

/// Drugs by name and strength whose name matches `query` ("" matches all); `limit` -1: no limit.
async fn drugs(clinic: &Clinic, query: &str, in_use_only: bool, limit: i64) -> Result<Vec<FormularyDrug>> {
    let q = query.trim().to_lowercase();
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", name, strength, form, route, usual_dose, usual_frequency, active AS "active: bool" FROM formulary_drug
           WHERE deleted_at IS NULL AND (?2 = 0 OR active = 1) AND (?1 = '' OR lower(name) LIKE ?1 || '%' OR lower(name) LIKE '% ' || ?1 || '%')
           ORDER BY name COLLATE NOCASE, strength LIMIT ?3"#, q, in_use_only, limit
    ).fetch_all(clinic.store().pool()).await?;
    Ok(rows.into_iter().map(|r| FormularyDrug { id: r.id, name: r.name, strength: r.strength, form: r.form, route: r.route,
        usual_dose: r.usual_dose, usual_frequency: r.usual_frequency, active: r.active }).collect())
}

/// Drugs that an allergy to a substance also rules out (a starting list of the common
/// cross-reactions, not a drug-interaction database; the substance's own name always counts).
const CROSS_REACTIONS: &[(&str, &[&str])] = &[
    ("penicillin", &["amoxicillin", "ampicillin", "flucloxacillin", "piperacillin", "co-amoxiclav", "phenoxymethylpenicillin", "benzylpenicillin", "dicloxacillin"]),
    ("cephalosporin", &["cefalexin", "cephalexin", "cefuroxime", "ceftriaxone", "cefixime", "cefazolin"]),
    ("sulfonamide", &["sulfamethoxazole", "co-trimoxazole", "sulfasalazine"]),
    ("sulfa", &["sulfamethoxazole", "co-trimoxazole", "sulfasalazine"]),
    ("nsaid", &["ibuprofen", "naproxen", "diclofenac", "aspirin", "ketoprofen", "indometacin", "celecoxib"]),
    ("aspirin", &["acetylsalicylic acid"]),
    ("macrolide", &["erythromycin", "clarithromycin", "azithromycin"]),
    ("opioid", &["morphine", "codeine", "tramadol", "oxycodone", "fentanyl"]),
];

fn folded(text: &str) -> String {
    text.nfd().filter(|c| c.is_ascii()).collect::<String>().to_lowercase()
}

/// The patient's active allergies the drug matches, as a sentence each.
pub(crate) fn allergy_matches(drug: &str, allergies: &[String]) -> Vec<String> {
    let drug = folded(drug);
    allergies.iter().filter(|substance| {
        let s = folded(substance);
        let s = s.trim();
        !s.is_empty() && (drug.contains(s) || CROSS_REACTIONS.iter().any(|(family, members)| s.contains(family) && members.iter().any(|m| drug.contains(m))))
    }).map(|substance| format!("The patient is allergic to {substance}.")).collect()
}

/// The patient's active allergies: the structured ones, the front desk's free text not carried
/// over yet, and those of every duplicate merged into them.
pub(crate) async fn active_allergies(conn: &mut sqlx::SqliteConnection, patient_id: Uuid) -> Result<Vec<String>> {
    let mut all = sqlx::query_scalar!(
        "SELECT substance FROM allergy WHERE patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND status = 'active' AND deleted_at IS NULL",
        patient_id).fetch_all(&mut *conn).await?;
    for text in sqlx::query_scalar!("SELECT allergies FROM patient WHERE id = ?1 OR merged_into = ?1", patient_id).fetch_all(&mut *conn).await? {
        all.extend(serde_json::from_str::<Vec<String>>(&text).unwrap_or_default());
    }
    Ok(all)
}

/// Prescribes one drug. When it matches an active allergy it is refused (`WrongState`, about the
/// field `allergy_override`) unless a reason to prescribe it anyway is given.
pub async fn prescribe(clinic: &Clinic, session: &Session, input: PrescriptionInput) -> Result<Prescription> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    super::chart_of(w.conn(), input.patient_id).await?;
    let drug = required_text("drug", "The drug", &input.drug, 200)?;
    let strength = required_text("strength", "The strength", &input.strength, 64)?;
    let form = required_text("form", "The form", &input.form, 64)?;
    let dose = required_text("dose", "The dose", &input.dose, 64)?;
    let frequency = required_text("frequency", "How often", &input.frequency, 64)?;
    if !(1..=100_000).contains(&input.quantity) {
        return Err(Error::invalid("quantity", "Give the quantity to dispense (1 or more)."));
    }
    if !(0..=12).contains(&input.repeats) {
        return Err(Error::invalid("repeats", "Repeats are between 0 and 12."));
    }
    if input.duration_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(Error::invalid("duration_days", "The duration is between 1 and 3,650 days."));
    }
    let instructions = optional_text("instructions", input.instructions.as_deref(), 1000)?;
    if let Some(encounter) = input.encounter_id {
        sqlx::query_scalar!("SELECT 1 AS one FROM encounter WHERE id = ? AND patient_id = ? AND deleted_at IS NULL", encounter, input.patient_id)
            .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The consultation"))?;
    }
    if let Some(drug_id) = input.drug_id {
        sqlx::query_scalar!("SELECT 1 AS one FROM formulary_drug WHERE id = ? AND deleted_at IS NULL", drug_id)
            .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The formulary drug"))?;
    }
    let warnings = allergy_matches(&drug, &active_allergies(w.conn(), input.patient_id).await?);
    let overridden = crate::domain::optional_text("allergy_override", input.allergy_override.as_deref(), 500)?;
    if !warnings.is_empty() && overridden.is_none() {
        return Err(Error { field: Some("allergy_override"), ..Error::new(Code::WrongState,
            format!("{} Prescribe {drug} anyway only with a reason.", warnings.join(" "))) });
    }
    let id = Uuid::now_v7();
    let prescriber = session.staff_id;
    let fields = [("patient_id", json!(input.patient_id)), ("encounter_id", json!(input.encounter_id)), ("prescriber_id", json!(prescriber)),
        ("drug_id", json!(input.drug_id)), ("drug", json!(drug)), ("strength", json!(strength)), ("form", json!(form)), ("dose", json!(dose)),
        ("route", json!(input.route)), ("frequency", json!(frequency)), ("duration_days", json!(input.duration_days)),
        ("quantity", json!(input.quantity)), ("repeats", json!(input.repeats)), ("instructions", json!(instructions)),
        ("prescribed_at", json!(w.now)), ("status", json!("active"))];
    super::create(&mut w, "prescription", id, &fields).await?;
    if let Some(reason) = overridden {
        w.audit("allergy_override", "prescription", Some(id), crate::audit::Details::facts(json!({"warnings": warnings, "reason": reason})));
    }
    w.commit().await?;
    load(clinic, id).await
}

/// The patient stops taking it (the prescription stays in the history).
pub async fn stop_prescription(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Prescription> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    let kind = super::declared("prescription");
    let stored = record::read(w.conn(), kind, id).await?.filter(|r| !r.deleted).ok_or_else(|| Error::not_found("The prescription"))?;
    if stored.data["status"] == "stopped" {
        return Err(Error::wrong_state("This prescription is already stopped."));
    }
    let mut changes = Changes::default();
    changes.set("status", "active", "stopped");
    w.update("prescription", id, stored.version, &changes).await?;
    w.audit("stop", "prescription", Some(id), crate::audit::Details::of_record(kind, &changes));
    w.commit().await?;
    load(clinic, id).await
}

/// A patient's prescriptions, newest first. A read of the chart: audited.
pub async fn patient_prescriptions(clinic: &Clinic, session: &Session, patient_id: Uuid) -> Result<Vec<Prescription>> {
    let mut w = Write::reading(clinic, session, Permission::ViewClinical).await?;
    let all = of_patient(w.conn(), patient_id, None).await?;
    w.audit("view_prescriptions", "patient", Some(patient_id), crate::audit::Details::facts(json!({"prescriptions": all.len()})));
    w.commit().await?;
    Ok(all)
}

/// A prescription as read, before its times are instants.
struct Row {
    id: Uuid,
    patient_id: Uuid,
    prescriber_name: String,
    drug: String,
    strength: String,
    form: String,
    dose: String,
    route: String,
    frequency: String,
    duration_days: Option<i64>,
    quantity: i64,
    repeats: i64,
    instructions: Option<String>,
    prescribed_at: i64,
    status: String,
    first_printed_at: Option<i64>,
}

impl From<Row> for Prescription {
    fn from(r: Row) -> Prescription {
        Prescription {
            id: r.id, patient_id: r.patient_id, prescriber_name: r.prescriber_name, drug: r.drug, strength: r.strength, form: r.form, dose: r.dose,
            route: r.route, frequency: r.frequency, duration_days: r.duration_days, quantity: r.quantity, repeats: r.repeats,
            instructions: r.instructions, prescribed_at: from_millis(r.prescribed_at), status: r.status, first_printed_at: r.first_printed_at.map(from_millis),
        }
    }
}

/// Prescriptions with their prescriber's name: the caller gives the rest of the query.
macro_rules! select_prescriptions {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(Row,
            r#"SELECT r.id AS "id: Uuid", r.patient_id AS "patient_id: Uuid", s.full_name AS prescriber_name, r.drug, r.strength, r.form, r.dose,
                      r.route, r.frequency, r.duration_days, r.quantity, r.repeats, r.instructions, r.prescribed_at, r.status, r.first_printed_at
               FROM prescription r JOIN staff s ON s.id = r.prescriber_id "# + $rest $(, $arg)*)
    };
}

/// The patient's prescriptions (and those of duplicates merged into them), newest first; with
/// `current_at`, only those still being taken then: active, and within their course (duration ×
/// (repeats + 1)), or without a duration.
pub(crate) async fn of_patient(conn: &mut sqlx::SqliteConnection, patient_id: Uuid, current_at: Option<i64>) -> Result<Vec<Prescription>> {
    let rows = select_prescriptions!(
        "WHERE r.patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND r.deleted_at IS NULL
           AND (?2 IS NULL OR (r.status = 'active' AND (r.duration_days IS NULL OR r.prescribed_at + r.duration_days * 86400000 * (r.repeats + 1) > ?2)))
         ORDER BY r.prescribed_at DESC",
        patient_id, current_at
    ).fetch_all(conn).await?;
    Ok(rows.into_iter().map(Prescription::from).collect())
}

pub(crate) async fn load(clinic: &Clinic, id: Uuid) -> Result<Prescription> {
    let row = select_prescriptions!("WHERE r.id = ?", id).fetch_optional(clinic.store().pool()).await?;
    row.map(Prescription::from).ok_or_else(|| Error::not_found("The prescription"))
}

#[cfg(test)]
mod tests {
    use super::allergy_matches;

    #[test]
    fn a_drug_matches_its_own_substance_and_the_common_cross_reactions() {
        let allergies = ["Penicillin".to_string(), "Latex".to_string()];
        assert_eq!(allergy_matches("Amoxicillin", &allergies), ["The patient is allergic to Penicillin."]);
        assert_eq!(allergy_matches("Benzylpenicillin", &allergies).len(), 1);
        assert!(allergy_matches("Paracetamol", &allergies).is_empty());
        assert_eq!(allergy_matches("IBUPROFENO", &["AINEs / NSAIDs".to_string()]).len(), 1, "case and the family's name");
        assert!(allergy_matches("Ibuprofen", &[" ".to_string()]).is_empty());
    }
}
