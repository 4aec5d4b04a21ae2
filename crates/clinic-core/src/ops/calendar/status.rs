//! The day of a visit: checked in, in consultation, completed, or a no-show.

use uuid::Uuid;

use super::appointment::{load_appointment, Appointment, AppointmentStatus};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::{Error, Result};
use crate::ops::queue;
use crate::write::{Changes, Write};

pub(crate) async fn set_status(w: &mut Write<'_>, appointment: &Appointment, next: AppointmentStatus, cancel_reason: Option<&str>) -> Result<()> {
    appointment.status.ensure_can_become(next)?;
    let (id, status) = (appointment.id, next.as_str());
    let mut changes = Changes::default();
    changes.set("status", appointment.status.as_str(), status);
    if let Some(reason) = cancel_reason {
        changes.set("cancel_reason", &appointment.cancel_reason, reason);
    }
    w.update("appointment", id, appointment.version, &changes).await?;
    w.audit(status, "appointment", Some(id), crate::audit::Details::of(&changes));
    Ok(())
}

async fn transition(clinic: &Clinic, session: &Session, id: Uuid, next: AppointmentStatus) -> Result<Appointment> {
    let mut w = Write::begin(clinic, session, Permission::UpdateAppointmentStatus).await?;
    let appointment = load_appointment(w.conn(), id).await?;
    if next == AppointmentStatus::NoShow && appointment.starts_at.timestamp_millis() > w.now {
        return Err(Error::wrong_state("The appointment has not started yet; it cannot be a no-show."));
    }
    set_status(&mut w, &appointment, next, None).await?;
    match next {
        // A checked-in patient joins today's list, to be called by their practitioner.
        AppointmentStatus::Arrived => queue::enqueue_appointment(&mut w, &appointment).await?,
        AppointmentStatus::InConsultation => queue::call_for_appointment(&mut w, id, appointment.practitioner_id).await?,
        AppointmentStatus::Completed => queue::close_for_appointment(&mut w, id, "served").await?,
        _ => {}
    }
    let appointment = load_appointment(w.conn(), id).await?;
    w.commit().await?;
    Ok(appointment)
}

/// The patient has arrived: checked in, and waiting in today's list.
pub async fn mark_arrived(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Appointment> {
    transition(clinic, session, id, AppointmentStatus::Arrived).await
}

pub async fn start_consultation(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Appointment> {
    transition(clinic, session, id, AppointmentStatus::InConsultation).await
}

pub async fn complete_consultation(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Appointment> {
    transition(clinic, session, id, AppointmentStatus::Completed).await
}

pub async fn mark_no_show(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Appointment> {
    transition(clinic, session, id, AppointmentStatus::NoShow).await
}
