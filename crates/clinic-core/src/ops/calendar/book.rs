//! Booking, rescheduling and cancelling.

use chrono::{Duration, NaiveDateTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::appointment::{load_appointment, Appointment, AppointmentStatus};
use super::availability::{Obstacle, Schedule, LONGEST_VISIT_MS};
use super::local_to_utc;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::{optional_text, required_text};
use crate::error::{Code, Error, Result};
use crate::ops::appointment_types::AppointmentType;
use crate::ops::practitioners::Practitioner;
use crate::ops::{appointment_types, patients, practitioners};
use crate::write::{Changes, Write};

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct BookingInput {
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub type_id: Uuid,
    /// Site wall time, e.g. 2026-11-23T09:00.
    pub starts: NaiveDateTime,
    pub notes: Option<String>,
    /// Book even over another appointment or outside hours: only for roles that may, and recorded.
    #[serde(default)]
    pub override_schedule: bool,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Booking {
    pub appointment: Appointment,
    /// Things the front desk should know, e.g. the patient is booked elsewhere at that time.
    pub warnings: Vec<String>,
}

struct Slot {
    kind: AppointmentType,
    start: i64,
    end: i64,
    busy_until: i64,
    double_booked: bool,
    outside_hours: bool,
}

/// Checks a start time for a practitioner and a type, and says what is in the way.
async fn check_slot(
    w: &mut Write<'_>,
    zone: Tz,
    practitioner: &Practitioner,
    type_id: Uuid,
    starts: NaiveDateTime,
    override_schedule: bool,
    moving: Option<Uuid>,
) -> Result<Slot> {
    let kind = appointment_types::load(w.conn(), type_id).await?;
    // A type no longer offered keeps its existing appointments movable.
    if !kind.active && moving.is_none() {
        return Err(Error::invalid("type_id", format!("The appointment type “{}” is no longer offered.", kind.name)));
    }
    let start = local_to_utc(zone, starts, "starts")?.timestamp_millis();
    if start < w.now {
        return Err(Error::invalid("starts", "That time has already passed; choose a time from now on."));
    }
    let end = start + Duration::minutes(kind.duration_minutes).num_milliseconds();
    let busy_until = end + Duration::minutes(kind.buffer_minutes).num_milliseconds();
    let site_id = w.site_id();
    let schedule = Schedule::load(w.conn(), practitioner, site_id, zone, (start, busy_until), moving).await?;
    let (mut double_booked, mut outside_hours) = (false, false);
    let name = &practitioner.display_name;
    for obstacle in schedule.obstacles(start, end, busy_until) {
        let refusal = match obstacle {
            Obstacle::Clash(b) => {
                double_booked = true;
                let at = |ms| from_millis(ms).with_timezone(&zone).format("%H:%M");
                let patient = sqlx::query_scalar!(
                    r#"SELECT p.given_name || ' ' || p.family_name AS "name!: String" FROM appointment a JOIN patient p ON p.id = a.patient_id WHERE a.id = ?"#,
                    b.id
                ).fetch_one(w.conn()).await?;
                Error::new(Code::DoubleBooking, format!(
                    "{name} already has an appointment from {} to {} ({patient}). Choose another time.", at(b.start), at(b.busy_until)))
            }
            Obstacle::OutsideHours => {
                outside_hours = true;
                Error::new(Code::OutsideHours, format!("{name} does not work at that time. Choose a time within their hours."))
            }
            Obstacle::TimeOff(reason) => {
                outside_hours = true;
                Error::new(Code::OutsideHours, format!("{name} is not available then ({reason}). Choose another time."))
            }
        };
        if !override_schedule {
            return Err(refusal);
        }
    }
    Ok(Slot { kind, start, end, busy_until, double_booked, outside_hours })
}

pub async fn book_appointment(clinic: &Clinic, session: &Session, input: BookingInput) -> Result<Booking> {
    let mut w = Write::begin(clinic, session, Permission::BookAppointments).await?;
    if input.override_schedule {
        w.roles.allow(Permission::OverrideSchedule)?;
    }
    let notes = optional_text("notes", input.notes.as_deref(), 1000)?;
    let patient = patients::ensure_bookable(w.conn(), input.patient_id).await?;
    let practitioner = bookable_practitioner(&mut w, input.practitioner_id).await?;
    let zone = w.site().await?.time_zone;
    let slot = check_slot(&mut w, zone, &practitioner, input.type_id, input.starts, input.override_schedule, None).await?;
    let id = Uuid::now_v7();
    let (site, zone_name) = (w.site_id(), zone.name());
    let changes = w.insert("appointment", id, &[
        ("site_id", json!(site)), ("patient_id", json!(input.patient_id)), ("practitioner_id", json!(input.practitioner_id)),
        ("type_id", json!(input.type_id)), ("starts_at", json!(slot.start)), ("ends_at", json!(slot.end)),
        ("busy_until", json!(slot.busy_until)), ("time_zone", json!(zone_name)), ("status", json!("booked")),
        ("double_booked", json!(slot.double_booked)), ("outside_hours", json!(slot.outside_hours)), ("notes", json!(notes)),
    ]).await?;
    w.audit("book", "appointment", Some(id), crate::audit::Details::of(&changes));
    let warnings = patient_elsewhere(&mut w, input.patient_id, id, slot.start, slot.end, zone).await?;
    w.commit().await?;
    // Everything shown is in hand: no need to read the new row back.
    let appointment = Appointment::from(super::appointment::Row {
        id, patient_id: input.patient_id, patient_name: patient.full_name, patient_mrn: patient.mrn,
        practitioner_id: practitioner.id, practitioner_name: practitioner.display_name, type_id: slot.kind.id,
        type_name: slot.kind.name, colour: slot.kind.colour, starts_at: slot.start, ends_at: slot.end, busy_until: slot.busy_until,
        time_zone: zone_name.to_string(), status: "booked".into(), cancel_reason: None, double_booked: slot.double_booked as i64,
        outside_hours: slot.outside_hours as i64, notes, version: None,
    });
    Ok(Booking { appointment, warnings })
}

async fn bookable_practitioner(w: &mut Write<'_>, id: Uuid) -> Result<Practitioner> {
    let practitioner = practitioners::load(w, id).await?;
    if !practitioner.active {
        return Err(Error::invalid("practitioner_id", format!("{} is not taking appointments.", practitioner.display_name)));
    }
    Ok(practitioner)
}

/// The same patient in another appointment at an overlapping time: allowed, but said.
async fn patient_elsewhere(w: &mut Write<'_>, patient_id: Uuid, this: Uuid, start: i64, end: i64, zone: Tz) -> Result<Vec<String>> {
    let others = sqlx::query!(
        // One table in FROM, so the planner walks this patient's appointments and nothing else.
        r#"SELECT a.starts_at, (SELECT display_name FROM practitioner WHERE id = a.practitioner_id) AS "display_name!: String"
           FROM appointment a
           WHERE a.patient_id = ? AND a.id != ? AND a.starts_at > ? AND a.starts_at < ? AND a.ends_at > ?
             AND a.status IN ('booked', 'arrived', 'in_consultation') AND a.deleted_at IS NULL"#,
        patient_id, this, start - LONGEST_VISIT_MS, end, start
    )
    .fetch_all(w.conn())
    .await?;
    Ok(others.into_iter().map(|o| format!(
        "The patient is also booked with {} at {}.", o.display_name, from_millis(o.starts_at).with_timezone(&zone).format("%H:%M")
    )).collect())
}

/// Moves a booked appointment to another time (and, optionally, another practitioner).
pub async fn reschedule_appointment(
    clinic: &Clinic,
    session: &Session,
    id: Uuid,
    starts: NaiveDateTime,
    practitioner_id: Option<Uuid>,
    override_schedule: bool,
) -> Result<Booking> {
    let mut w = Write::begin(clinic, session, Permission::BookAppointments).await?;
    let warnings = reschedule(&mut w, id, starts, practitioner_id, override_schedule).await?;
    let appointment = load_appointment(w.conn(), id).await?;
    w.commit().await?;
    Ok(Booking { appointment, warnings })
}

/// The move itself, within a use case (settling a clash by moving the booking is one too);
/// answers the warnings about the patient's other bookings.
pub(crate) async fn reschedule(w: &mut Write<'_>, id: Uuid, starts: NaiveDateTime, practitioner_id: Option<Uuid>, override_schedule: bool) -> Result<Vec<String>> {
    w.roles.allow(Permission::BookAppointments)?;
    if override_schedule {
        w.roles.allow(Permission::OverrideSchedule)?;
    }
    let old = load_appointment(w.conn(), id).await?;
    if old.status != AppointmentStatus::Booked {
        return Err(Error::wrong_state("Only a booked appointment can be moved; this one has started or ended."));
    }
    let practitioner = bookable_practitioner(w, practitioner_id.unwrap_or(old.practitioner_id)).await?;
    let practitioner_id = practitioner.id;
    let zone = w.site().await?.time_zone;
    let slot = check_slot(w, zone, &practitioner, old.type_id, starts, override_schedule, Some(id)).await?;
    let mut changes = Changes::default();
    changes.set("practitioner_id", old.practitioner_id, practitioner_id)
        .set("starts_at", old.starts_at.timestamp_millis(), slot.start)
        .set("ends_at", old.ends_at.timestamp_millis(), slot.end)
        .set("busy_until", old.busy_until.timestamp_millis(), slot.busy_until)
        .set("double_booked", old.double_booked, slot.double_booked)
        .set("outside_hours", old.outside_hours, slot.outside_hours);
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    w.update("appointment", id, old.version, &changes).await?;
    w.audit("reschedule", "appointment", Some(id), crate::audit::Details::of(&changes));
    patient_elsewhere(w, old.patient_id, id, slot.start, slot.end, zone).await
}

pub async fn cancel_appointment(clinic: &Clinic, session: &Session, id: Uuid, reason: &str) -> Result<Appointment> {
    let mut w = Write::begin(clinic, session, Permission::BookAppointments).await?;
    let reason = required_text("reason", "The reason for cancelling", reason, 200)?;
    let appointment = load_appointment(w.conn(), id).await?;
    super::set_status(&mut w, &appointment, AppointmentStatus::Cancelled, Some(&reason)).await?;
    crate::ops::queue::close_for_appointment(&mut w, id, "left").await?;
    let appointment = load_appointment(w.conn(), id).await?;
    w.commit().await?;
    Ok(appointment)
}
