//! The front desk's commands: patients, the calendar, the walk-in queue.

use chrono::{NaiveDate, NaiveDateTime};
use clinic_core::ops::appointment_types::{list_appointment_types, AppointmentType};
use clinic_core::ops::calendar::{self, Appointment, Booking, BookingInput, DayCalendar, FreeSlot};
use clinic_core::ops::patients::{self, DuplicateCandidate, HistoryEntry, Patient, PatientInput, PatientSummary};
use clinic_core::ops::practitioners::{list_practitioners, Practitioner};
use clinic_core::ops::queue::{self, QueueEntry, WalkInInput};
use clinic_core::Result;
use serde::Serialize;
use tauri::State;
use uuid::Uuid;

use crate::desk::Desk;

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

/// The wall time now at the clinic's site: the day every screen opens on, and what is upcoming.
#[tauri::command]
#[specta::specta]
pub async fn site_now(desk: State<'_, Desk>) -> Result<NaiveDateTime> {
    desk.run(|c| async move { clinic_core::ops::setup::site_now(&c).await }).await
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

/// Moves an appointment; `override_schedule` books over another or outside hours on purpose
/// (for the roles that may; the core refuses the rest).
#[tauri::command]
#[specta::specta]
pub async fn reschedule(desk: State<'_, Desk>, id: Uuid, starts: NaiveDateTime, practitioner_id: Option<Uuid>, override_schedule: bool) -> Result<Booking> {
    desk.run_as(move |c, s| async move { calendar::reschedule_appointment(&c, &s, id, starts, practitioner_id, override_schedule).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn start_consultation(desk: State<'_, Desk>, id: Uuid) -> Result<Appointment> {
    desk.run_as(move |c, s| async move { calendar::start_consultation(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn complete_consultation(desk: State<'_, Desk>, id: Uuid) -> Result<Appointment> {
    desk.run_as(move |c, s| async move { calendar::complete_consultation(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn mark_no_show(desk: State<'_, Desk>, id: Uuid) -> Result<Appointment> {
    desk.run_as(move |c, s| async move { calendar::mark_no_show(&c, &s, id).await }).await
}

/// A walk-in (or a checked-in patient) who went away without being seen.
#[tauri::command]
#[specta::specta]
pub async fn mark_left(desk: State<'_, Desk>, id: Uuid) -> Result<QueueEntry> {
    desk.run_as(move |c, s| async move { queue::mark_left(&c, &s, id).await }).await
}

/// `absorb` is a duplicate of `keep`: its visits and history show under `keep` (reversible).
#[tauri::command]
#[specta::specta]
pub async fn merge_patients(desk: State<'_, Desk>, keep: Uuid, absorb: Uuid) -> Result<Patient> {
    desk.run_as(move |c, s| async move { patients::merge_patients(&c, &s, keep, absorb).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn unmerge_patient(desk: State<'_, Desk>, absorbed: Uuid) -> Result<Patient> {
    desk.run_as(move |c, s| async move { patients::unmerge_patient(&c, &s, absorbed).await }).await
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
