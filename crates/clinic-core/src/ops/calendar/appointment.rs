use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::clock::from_millis;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Arrived,
    InConsultation,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Arrived => "arrived",
            AppointmentStatus::InConsultation => "in_consultation",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    pub(crate) fn from_stored(s: &str) -> AppointmentStatus {
        match s {
            "arrived" => AppointmentStatus::Arrived,
            "in_consultation" => AppointmentStatus::InConsultation,
            "completed" => AppointmentStatus::Completed,
            "cancelled" => AppointmentStatus::Cancelled,
            "no_show" => AppointmentStatus::NoShow,
            _ => AppointmentStatus::Booked,
        }
    }

    /// Cancelled and no-show appointments free their time; all others hold it.
    pub fn holds_time(self) -> bool {
        !matches!(self, AppointmentStatus::Cancelled | AppointmentStatus::NoShow)
    }

    fn label(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Arrived => "checked in",
            AppointmentStatus::InConsultation => "in consultation",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "marked as no-show",
        }
    }

    /// The moves a visit can make. Everything else is refused with a message that says why.
    pub(crate) fn ensure_can_become(self, next: AppointmentStatus) -> Result<()> {
        use AppointmentStatus::*;
        let allowed = matches!(
            (self, next),
            (Booked, Arrived) | (Booked, InConsultation) | (Arrived, InConsultation) | (InConsultation, Completed)
                | (Arrived, Completed) | (Booked, Cancelled) | (Arrived, Cancelled) | (Booked, NoShow)
        );
        if allowed {
            Ok(())
        } else {
            Err(Error::wrong_state(format!("This appointment is {}; it cannot be {} now.", self.label(), next.label())))
        }
    }
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Appointment {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub patient_mrn: String,
    pub practitioner_id: Uuid,
    pub practitioner_name: String,
    pub type_id: Uuid,
    pub type_name: String,
    pub colour: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The end plus the type's buffer: the practitioner is busy until then.
    pub busy_until: DateTime<Utc>,
    pub time_zone: String,
    /// Start and end in the site's wall time.
    pub local_start: NaiveDateTime,
    pub local_end: NaiveDateTime,
    pub status: AppointmentStatus,
    pub cancel_reason: Option<String>,
    pub double_booked: bool,
    pub outside_hours: bool,
    pub notes: Option<String>,
    pub version: Option<i64>,
}

pub(crate) struct Row {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub patient_mrn: String,
    pub practitioner_id: Uuid,
    pub practitioner_name: String,
    pub type_id: Uuid,
    pub type_name: String,
    pub colour: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub busy_until: i64,
    pub time_zone: String,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub double_booked: i64,
    pub outside_hours: i64,
    pub notes: Option<String>,
    pub version: Option<i64>,
}

impl From<Row> for Appointment {
    fn from(r: Row) -> Self {
        let zone: chrono_tz::Tz = r.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let (starts_at, ends_at) = (from_millis(r.starts_at), from_millis(r.ends_at));
        Appointment {
            id: r.id, patient_id: r.patient_id, patient_name: r.patient_name, patient_mrn: r.patient_mrn,
            practitioner_id: r.practitioner_id, practitioner_name: r.practitioner_name, type_id: r.type_id,
            type_name: r.type_name, colour: r.colour, starts_at, ends_at, busy_until: from_millis(r.busy_until),
            local_start: starts_at.with_timezone(&zone).naive_local(), local_end: ends_at.with_timezone(&zone).naive_local(),
            time_zone: r.time_zone, status: AppointmentStatus::from_stored(&r.status), cancel_reason: r.cancel_reason,
            double_booked: r.double_booked != 0, outside_hours: r.outside_hours != 0, notes: r.notes, version: r.version,
        }
    }
}

/// Appointments from `appointment_view` with their patient, practitioner and type names: the
/// caller gives the rest of the query (a literal) and its arguments. The column types are spelled
/// out because the macros cannot infer them through a view.
macro_rules! select_appointments {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            $crate::ops::calendar::appointment::Row,
            r#"SELECT id AS "id!: Uuid", patient_id AS "patient_id!: Uuid", patient_name AS "patient_name!",
                      patient_mrn AS "patient_mrn!", practitioner_id AS "practitioner_id!: Uuid",
                      practitioner_name AS "practitioner_name!", type_id AS "type_id!: Uuid", type_name AS "type_name!",
                      colour AS "colour!", starts_at AS "starts_at!", ends_at AS "ends_at!", busy_until AS "busy_until!",
                      time_zone AS "time_zone!", status AS "status!", cancel_reason, double_booked AS "double_booked!",
                      outside_hours AS "outside_hours!", notes, version
               FROM appointment_view "# + $rest
            $(, $arg)*
        )
    };
}
pub(crate) use select_appointments;

pub(crate) async fn load_appointment(conn: &mut SqliteConnection, id: Uuid) -> Result<Appointment> {
    find_appointment(conn, id).await?.ok_or_else(|| Error::not_found("The appointment"))
}

/// An appointment, if this workstation has it (one still on its way from another may not be).
pub(crate) async fn find_appointment(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<Appointment>> {
    Ok(select_appointments!("WHERE id = ?", id).fetch_optional(conn).await?.map(Appointment::from))
}
