//! The app's commands: each takes what the window sends, runs one use case, returns its answer.

use chrono::{NaiveDate, NaiveDateTime};
use clinic_core::audit::{self, AuditEntry, AuditReport};
use clinic_core::auth::{self, Session};
use clinic_core::demo::{self, DemoLogin, DemoSize};
use clinic_core::ops::appointment_types::{self, list_appointment_types, AppointmentType, AppointmentTypeInput};
use clinic_core::ops::calendar::{self, Appointment, Booking, BookingInput, DayCalendar, FreeSlot};
use clinic_core::ops::patients::{self, DuplicateCandidate, HistoryEntry, Patient, PatientInput, PatientSummary};
use clinic_core::ops::practitioners::{list_practitioners, Practitioner};
use clinic_core::ops::queue::{self, QueueEntry, WalkInInput};
use clinic_core::ops::setup::{set_up_clinic, ClinicSetup, SiteDetails};
use clinic_core::ops::staff::{self, NewStaff, StaffMember};
use clinic_core::{Error, Result};
use serde::Serialize;
use tauri::State;
use uuid::Uuid;

use crate::desk::Desk;
use crate::reminders::ReminderSettings;

#[derive(Serialize, specta::Type)]
pub struct Workstation {
    /// Why the clinic cannot be opened, if it cannot (no keychain, a damaged file).
    pub problem: Option<Error>,
    /// The start-up integrity check found the data damaged: stop and restore a backup.
    pub integrity_problem: Option<Error>,
    pub set_up: bool,
    pub session: Option<Session>,
}

#[tauri::command]
#[specta::specta]
pub async fn workstation(desk: State<'_, Desk>) -> Result<Workstation> {
    let set_up = match desk.run(|c| async move { Ok(c.is_set_up()) }).await {
        Ok(set_up) => set_up,
        Err(problem) => return Ok(Workstation { problem: Some(problem), integrity_problem: None, set_up: false, session: None }),
    };
    Ok(Workstation { problem: None, integrity_problem: desk.integrity_problem(), set_up, session: desk.current_session() })
}

/// Fills this (new) workstation with the demo clinic and says how to log in.
#[tauri::command]
#[specta::specta]
pub async fn open_demo(desk: State<'_, Desk>) -> Result<Vec<DemoLogin>> {
    desk.run(|c| async move { demo::create_demo_clinic(&c, DemoSize::CLINIC, |_| {}).await.map(drop) }).await?;
    Ok(demo::DEMO_LOGINS.to_vec())
}

#[tauri::command]
#[specta::specta]
pub async fn set_up(desk: State<'_, Desk>, input: ClinicSetup) -> Result<Session> {
    let session = desk.run(|c| async move { set_up_clinic(&c, input).await }).await?;
    desk.set_session(Some(session.clone()));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn log_in(desk: State<'_, Desk>, username: String, password: String) -> Result<Session> {
    let session = desk.run(move |c| async move { auth::login(&c, &username, &password).await }).await?;
    desk.set_session(Some(session.clone()));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn log_out(desk: State<'_, Desk>) -> Result<()> {
    desk.set_session(None);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn lock(desk: State<'_, Desk>) -> Result<Session> {
    let session = desk.run_as(|c, mut s| async move { auth::lock(&c, &mut s).await.map(|_| s) }).await?;
    desk.set_session(Some(session.clone()));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn unlock(desk: State<'_, Desk>, password: String) -> Result<Session> {
    let session = desk.run_as(move |c, mut s| async move { auth::unlock(&c, &mut s, &password).await.map(|_| s) }).await?;
    desk.set_session(Some(session.clone()));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn search_patients(desk: State<'_, Desk>, query: String) -> Result<Vec<PatientSummary>> {
    desk.run_as(move |c, s| async move { patients::search_patients(&c, &s, &query, 20).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn register_patient(desk: State<'_, Desk>, input: PatientInput, confirmed_new: bool) -> Result<Patient> {
    desk.run_as(move |c, s| async move { patients::register_patient(&c, &s, input, confirmed_new).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn likely_duplicates(desk: State<'_, Desk>, input: PatientInput) -> Result<Vec<DuplicateCandidate>> {
    desk.run_as(move |c, s| async move { patients::likely_duplicates(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn day_calendar(desk: State<'_, Desk>, date: NaiveDate) -> Result<DayCalendar> {
    desk.run_as(move |c, s| async move { calendar::day_calendar(&c, &s, date).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn practitioners(desk: State<'_, Desk>) -> Result<Vec<Practitioner>> {
    desk.run_as(|c, s| async move { list_practitioners(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn appointment_types(desk: State<'_, Desk>) -> Result<Vec<AppointmentType>> {
    desk.run_as(|c, s| async move { list_appointment_types(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn free_slots(desk: State<'_, Desk>, practitioner_id: Uuid, type_id: Uuid, date: NaiveDate) -> Result<Vec<FreeSlot>> {
    desk.run_as(move |c, s| async move { calendar::free_slots(&c, &s, practitioner_id, type_id, date, 1).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn book(desk: State<'_, Desk>, input: BookingInput) -> Result<Booking> {
    desk.run_as(move |c, s| async move { calendar::book_appointment(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn today_list(desk: State<'_, Desk>) -> Result<Vec<QueueEntry>> {
    desk.run_as(|c, s| async move { queue::today_list(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_walk_in(desk: State<'_, Desk>, input: WalkInInput) -> Result<QueueEntry> {
    desk.run_as(move |c, s| async move { queue::add_walk_in(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn call_next(desk: State<'_, Desk>, practitioner_id: Uuid) -> Result<Option<QueueEntry>> {
    desk.run_as(move |c, s| async move { queue::call_next(&c, &s, practitioner_id).await }).await
}


#[tauri::command]
#[specta::specta]
pub async fn open_patient(desk: State<'_, Desk>, id: Uuid) -> Result<PatientChart> {
    desk.run_as(move |c, s| async move {
        let patient = patients::open_patient(&c, &s, id).await?;
        let appointments = calendar::patient_appointments(&c, &s, id).await?;
        let history = patients::patient_history(&c, &s, id).await?;
        Ok(PatientChart { patient, appointments, history })
    })
    .await
}

/// A patient's page: the record, their appointments (newest first) and the history of changes.
#[derive(Serialize, specta::Type)]
pub struct PatientChart {
    pub patient: Patient,
    pub appointments: Vec<Appointment>,
    pub history: Vec<HistoryEntry>,
}

#[tauri::command]
#[specta::specta]
pub async fn mark_arrived(desk: State<'_, Desk>, id: Uuid) -> Result<Appointment> {
    desk.run_as(move |c, s| async move { calendar::mark_arrived(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn mark_served(desk: State<'_, Desk>, id: Uuid) -> Result<QueueEntry> {
    desk.run_as(move |c, s| async move { queue::mark_served(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn staff(desk: State<'_, Desk>) -> Result<Vec<StaffMember>> {
    desk.run_as(|c, s| async move { staff::list_staff(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_staff(desk: State<'_, Desk>, input: NewStaff) -> Result<StaffMember> {
    desk.run_as(move |c, s| async move { staff::create_staff(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn audit_trail(desk: State<'_, Desk>, before: Option<Uuid>) -> Result<Vec<AuditEntry>> {
    desk.run_as(move |c, s| async move { audit::recent(&c, &s, before, 100).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn verify_audit(desk: State<'_, Desk>) -> Result<AuditReport> {
    desk.run_as(|c, s| async move { audit::verify(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn reminder_settings(desk: State<'_, Desk>) -> Result<ReminderSettings> {
    Ok(desk.reminder_settings())
}

#[tauri::command]
#[specta::specta]
pub async fn set_reminder_settings(desk: State<'_, Desk>, settings: ReminderSettings) -> Result<()> {
    desk.set_reminder_settings(settings)
}

/// The window shows its first usable screen (login, set-up, or the reason it cannot open).
/// Prints how long that took from process start, for the start-up figure.
#[tauri::command]
#[specta::specta]
pub async fn ready() -> Result<()> {
    if let Some(started) = crate::STARTED.get() {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(ms, "interactive");
        if std::env::var_os("CLINIC_DESK_REPORT_STARTUP").is_some() {
            eprintln!("clinic-desk interactive after {ms:.0} ms");
        }
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn reschedule(desk: State<'_, Desk>, id: Uuid, starts: NaiveDateTime, practitioner_id: Option<Uuid>) -> Result<Booking> {
    desk.run_as(move |c, s| async move { calendar::reschedule_appointment(&c, &s, id, starts, practitioner_id, false).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_appointment(desk: State<'_, Desk>, id: Uuid, reason: String) -> Result<Appointment> {
    desk.run_as(move |c, s| async move { calendar::cancel_appointment(&c, &s, id, &reason).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn edit_patient(desk: State<'_, Desk>, id: Uuid, input: PatientInput) -> Result<Patient> {
    desk.run_as(move |c, s| async move { patients::edit_patient(&c, &s, id, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_appointment_type(desk: State<'_, Desk>, input: AppointmentTypeInput) -> Result<AppointmentType> {
    desk.run_as(move |c, s| async move { appointment_types::create_appointment_type(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_site_details(desk: State<'_, Desk>, input: SiteDetails) -> Result<()> {
    desk.run_as(move |c, s| async move { clinic_core::ops::setup::update_site_details(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn site_details(desk: State<'_, Desk>) -> Result<clinic_core::ops::setup::SiteInfo> {
    desk.run_as(|c, s| async move { clinic_core::ops::setup::site_details(&c, &s).await }).await
}
