//! The doctor's desk: the day's list, consultations, notes, the chart, vitals, diagnoses,
//! allergies, prescriptions and the formulary. Each command runs one use case of
//! `clinic_core::ops::clinical`.

use chrono::{DateTime, NaiveDate, Utc};
use clinic_core::clinical::icd10::Icd10Code;
use clinic_core::ops::clinical::{self as clinical, *};
use clinic_core::{Code, Error, Result};
use tauri::State;
use uuid::Uuid;

use crate::desk::Desk;

#[tauri::command]
#[specta::specta]
pub async fn my_day(desk: State<'_, Desk>, date: Option<NaiveDate>) -> Result<MyDay> {
    desk.run_as(move |c, s| async move { clinical::my_day(&c, &s, date).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn open_consultation(desk: State<'_, Desk>, visit: VisitRef) -> Result<Consultation> {
    desk.run_as(move |c, s| async move { clinical::open_consultation(&c, &s, visit).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn finish_consultation(desk: State<'_, Desk>, encounter_id: Uuid) -> Result<Option<DayVisit>> {
    desk.run_as(move |c, s| async move { clinical::finish_consultation(&c, &s, encounter_id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn save_note(desk: State<'_, Desk>, note_id: Uuid, text: NoteText) -> Result<NoteSaved> {
    desk.run_as(move |c, s| async move { clinical::save_note(&c, &s, note_id, text).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_note(desk: State<'_, Desk>, note_id: Uuid) -> Result<Note> {
    desk.run_as(move |c, s| async move { clinical::sign_note(&c, &s, note_id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_addendum(desk: State<'_, Desk>, note_id: Uuid, input: AddendumInput) -> Result<Note> {
    desk.run_as(move |c, s| async move { clinical::add_addendum(&c, &s, note_id, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn unsigned_notes(desk: State<'_, Desk>) -> Result<Vec<UnsignedNote>> {
    desk.run_as(|c, s| async move { clinical::unsigned_notes(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn open_chart(desk: State<'_, Desk>, patient_id: Uuid, emergency_reason: Option<String>) -> Result<Chart> {
    desk.run_as(move |c, s| async move { clinical::open_chart(&c, &s, patient_id, emergency_reason).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn chart_encounters(desk: State<'_, Desk>, patient_id: Uuid, before: DateTime<Utc>, emergency_reason: Option<String>) -> Result<EncounterPage> {
    desk.run_as(move |c, s| async move { clinical::chart_encounters(&c, &s, patient_id, before, emergency_reason).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn record_vitals(desk: State<'_, Desk>, input: VitalsInput) -> Result<VitalSet> {
    desk.run_as(move |c, s| async move { clinical::record_vitals(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn vital_measures() -> Result<Vec<Measure>> {
    Ok(clinical::vital_measures())
}

#[tauri::command]
#[specta::specta]
pub async fn find_diagnosis_codes(desk: State<'_, Desk>, query: String) -> Result<Vec<Icd10Code>> {
    desk.run_as(move |c, s| async move { clinical::find_diagnosis_codes(&c, &s, &query, 20).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_diagnosis(desk: State<'_, Desk>, input: DiagnosisInput) -> Result<Problem> {
    desk.run_as(move |c, s| async move { clinical::add_diagnosis(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_problem_status(desk: State<'_, Desk>, id: Uuid, status: ProblemStatus, resolved_on: Option<NaiveDate>) -> Result<()> {
    desk.run_as(move |c, s| async move { clinical::set_problem_status(&c, &s, id, status, resolved_on).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn record_allergy(desk: State<'_, Desk>, input: AllergyInput) -> Result<Allergy> {
    desk.run_as(move |c, s| async move { clinical::record_allergy(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn change_allergy(desk: State<'_, Desk>, id: Uuid, change: AllergyChange) -> Result<Allergy> {
    desk.run_as(move |c, s| async move { clinical::change_allergy(&c, &s, id, change).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn confirm_no_known_allergies(desk: State<'_, Desk>, patient_id: Uuid) -> Result<()> {
    desk.run_as(move |c, s| async move { clinical::confirm_no_known_allergies(&c, &s, patient_id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn find_formulary_drugs(desk: State<'_, Desk>, query: String) -> Result<Vec<FormularyDrug>> {
    desk.run_as(move |c, s| async move { clinical::find_formulary_drugs(&c, &s, &query).await }).await
}

/// Every drug of the formulary, in use or not (Settings → Formulary).
#[tauri::command]
#[specta::specta]
pub async fn formulary(desk: State<'_, Desk>) -> Result<Vec<FormularyDrug>> {
    desk.run_as(|c, s| async move { clinical::formulary(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_formulary_drug(desk: State<'_, Desk>, input: FormularyDrugInput) -> Result<Uuid> {
    desk.run_as(move |c, s| async move { clinical::add_formulary_drug(&c, &s, input).await }).await
}

/// Changes a drug, or takes it out of use and back (`active`).
#[tauri::command]
#[specta::specta]
pub async fn update_formulary_drug(desk: State<'_, Desk>, id: Uuid, input: FormularyDrugInput, active: bool) -> Result<()> {
    desk.run_as(move |c, s| async move { clinical::update_formulary_drug(&c, &s, id, input, active).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn prescribe(desk: State<'_, Desk>, input: PrescriptionInput) -> Result<Prescription> {
    desk.run_as(move |c, s| async move { clinical::prescribe(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn stop_prescription(desk: State<'_, Desk>, id: Uuid) -> Result<Prescription> {
    desk.run_as(move |c, s| async move { clinical::stop_prescription(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn patient_prescriptions(desk: State<'_, Desk>, patient_id: Uuid) -> Result<Vec<Prescription>> {
    desk.run_as(move |c, s| async move { clinical::patient_prescriptions(&c, &s, patient_id).await }).await
}

/// Opens a saved document with the desktop's PDF viewer (only files of the documents folder).
#[tauri::command]
#[specta::specta]
pub async fn open_document(desk: State<'_, Desk>, path: String) -> Result<()> {
    let path = std::path::PathBuf::from(path);
    let inside = path.canonicalize().ok().zip(desk.documents.canonicalize().ok()).is_some_and(|(p, d)| p.starts_with(d));
    if !inside {
        return Err(Error::new(Code::NotFound, "That document is not one this workstation saved."));
    }
    std::process::Command::new("xdg-open").arg(&path).spawn()
        .map_err(|e| Error::new(Code::NotFound, format!("No program to open PDFs was found ({e}). The file is at {}.", path.display())))?;
    Ok(())
}
