//! Settings: staff, practitioners and their time off, appointment types and their note templates,
//! the clinic's details, this workstation's reminders, and the audit trail. The core decides who
//! may; the window only hides.

use clinic_core::audit::{self, AuditEntry, AuditReport};
use clinic_core::ops::appointment_types::{self, AppointmentType, AppointmentTypeInput};
use clinic_core::ops::clinical::NoteText;
use clinic_core::ops::practitioners::{self, Practitioner, PractitionerInput, TimeOff, TimeOffInput};
use clinic_core::ops::setup::{self, SiteDetails, SiteInfo};
use clinic_core::ops::staff::{self, NewStaff, StaffMember};
use clinic_core::Result;
use tauri::State;
use uuid::Uuid;

use crate::desk::Desk;
use crate::reminders::ReminderSettings;

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

#[tauri::command]
#[specta::specta]
pub async fn create_appointment_type(desk: State<'_, Desk>, input: AppointmentTypeInput) -> Result<AppointmentType> {
    desk.run_as(move |c, s| async move { appointment_types::create_appointment_type(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_site_details(desk: State<'_, Desk>, input: SiteDetails) -> Result<()> {
    desk.run_as(move |c, s| async move { setup::update_site_details(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn site_details(desk: State<'_, Desk>) -> Result<SiteInfo> {
    desk.run_as(|c, s| async move { setup::site_details(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_appointment_type(desk: State<'_, Desk>, id: Uuid, input: AppointmentTypeInput, active: bool) -> Result<AppointmentType> {
    desk.run_as(move |c, s| async move { appointment_types::update_appointment_type(&c, &s, id, input, active).await }).await
}

/// The note a consultation of this type starts from.
#[tauri::command]
#[specta::specta]
pub async fn set_note_template(desk: State<'_, Desk>, id: Uuid, template: NoteText) -> Result<AppointmentType> {
    desk.run_as(move |c, s| async move { appointment_types::set_note_template(&c, &s, id, template).await }).await
}

/// Doctors on the staff who are not bookable yet.
#[tauri::command]
#[specta::specta]
pub async fn doctors_without_hours(desk: State<'_, Desk>) -> Result<Vec<StaffMember>> {
    desk.run_as(|c, s| async move { practitioners::doctors_without_hours(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_practitioner(desk: State<'_, Desk>, staff_id: Uuid, input: PractitionerInput) -> Result<Practitioner> {
    desk.run_as(move |c, s| async move { practitioners::add_practitioner(&c, &s, staff_id, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_practitioner(desk: State<'_, Desk>, id: Uuid, input: PractitionerInput, active: bool) -> Result<Practitioner> {
    desk.run_as(move |c, s| async move { practitioners::update_practitioner(&c, &s, id, input, active).await }).await
}

/// Time off not yet over: one practitioner's with the site's closures, or everyone's.
#[tauri::command]
#[specta::specta]
pub async fn time_off(desk: State<'_, Desk>, practitioner_id: Option<Uuid>) -> Result<Vec<TimeOff>> {
    desk.run_as(move |c, s| async move { practitioners::upcoming_time_off(&c, &s, practitioner_id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_time_off(desk: State<'_, Desk>, input: TimeOffInput) -> Result<TimeOff> {
    desk.run_as(move |c, s| async move { practitioners::add_time_off(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_time_off(desk: State<'_, Desk>, id: Uuid) -> Result<()> {
    desk.run_as(move |c, s| async move { practitioners::remove_time_off(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_staff_roles(desk: State<'_, Desk>, id: Uuid, roles: Vec<String>) -> Result<()> {
    desk.run_as(move |c, s| async move { staff::set_staff_roles(&c, &s, id, roles).await }).await
}

/// Disables (or enables again) a staff member: a disabled one cannot log in anywhere.
#[tauri::command]
#[specta::specta]
pub async fn set_staff_active(desk: State<'_, Desk>, id: Uuid, active: bool) -> Result<()> {
    desk.run_as(move |c, s| async move { staff::set_staff_active(&c, &s, id, active).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn reset_password(desk: State<'_, Desk>, id: Uuid, password: String) -> Result<()> {
    desk.run_as(move |c, s| async move { staff::reset_password(&c, &s, id, &password).await }).await
}
