//! The calendar: free slots, booking, rescheduling, cancelling, and the day of a visit
//! (arrived, in consultation, completed, no-show).
//!
//! Appointments are stored as UTC instants beside the site's IANA zone and shown in the site's
//! wall time, so a daylight-saving change never moves an appointment: 09:00 stays 09:00.

mod appointment;
pub(crate) mod availability;
mod book;
mod status;
mod views;

pub use appointment::{Appointment, AppointmentStatus};
pub use book::{book_appointment, cancel_appointment, reschedule_appointment, Booking, BookingInput};
pub use status::{complete_consultation, mark_arrived, mark_no_show, start_consultation};
pub use views::{day_calendar, free_slots, todays_calendar, patient_appointments, DayCalendar, FreeSlot, PractitionerDay};

pub(crate) use appointment::{find_appointment, load_appointment};
pub(crate) use book::reschedule;
pub(crate) use views::day_bounds;
pub(crate) use status::set_status;

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// A wall time typed at the desk, as a UTC instant. On the autumn night when an hour happens twice,
/// the first one is meant; a time that does not exist (the spring gap) is refused.
pub fn local_to_utc(zone: Tz, local: NaiveDateTime, field: &'static str) -> Result<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(Error::invalid(
            field,
            format!("{} does not exist in {} (the clocks go forward then); choose another time.", local.format("%Y-%m-%d %H:%M"), zone.name()),
        )),
    }
}

/// Like `local_to_utc`, but a time in the spring gap moves to the first instant after it: for
/// the edges of working hours, never typed by anyone.
pub fn local_to_utc_lenient(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    loop {
        if let Ok(t) = local_to_utc(zone, probe, "time") {
            return t;
        }
        probe += chrono::Duration::minutes(15);
    }
}
