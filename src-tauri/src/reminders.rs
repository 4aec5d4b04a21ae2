//! Desktop reminders: an appointment about to start, a walk-in waiting too long. Which ones are due
//! is decided here (and tested); showing them is notify-rust's job, and a desktop without a
//! notification service only costs a line in the log.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use clinic_core::ops::calendar::{Appointment, AppointmentStatus};
use clinic_core::ops::queue::{QueueEntry, QueueStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ReminderSettings {
    /// Remind this many minutes before an appointment starts.
    pub lead_minutes: i64,
    /// Remind when a walk-in has waited this many minutes.
    pub wait_minutes: i64,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings { lead_minutes: 10, wait_minutes: 30 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub about: Uuid,
    pub title: String,
    pub body: String,
}

/// The reminders due now that were not shown before (`shown` remembers them).
pub fn due(
    now: DateTime<Utc>,
    appointments: &[Appointment],
    queue: &[QueueEntry],
    settings: ReminderSettings,
    shown: &mut HashSet<Uuid>,
) -> Vec<Reminder> {
    let mut due = Vec::new();
    for a in appointments {
        let starts_in = a.starts_at - now;
        let soon = starts_in > Duration::zero() && starts_in <= Duration::minutes(settings.lead_minutes);
        if soon && matches!(a.status, AppointmentStatus::Booked | AppointmentStatus::Arrived) && shown.insert(a.id) {
            due.push(Reminder {
                about: a.id,
                title: format!("{} at {}", a.patient_name, a.local_start.format("%H:%M")),
                body: format!("{} with {} starts in {} min.", a.type_name, a.practitioner_name, (starts_in.num_seconds() + 59) / 60),
            });
        }
    }
    for q in queue {
        if q.status == QueueStatus::Waiting && q.waiting_minutes >= settings.wait_minutes && shown.insert(q.id) {
            due.push(Reminder {
                about: q.id,
                title: format!("{} has waited {} min", q.patient_name, q.waiting_minutes),
                body: format!("Walk-in: {}.", q.reason),
            });
        }
    }
    due
}

/// Shows a reminder on the desktop; without a notification service it logs why and carries on.
pub fn show(reminder: &Reminder) {
    let shown = notify_rust::Notification::new().appname("Clinic Desk").summary(&reminder.title).body(&reminder.body).show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "desktop notification could not be shown");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use clinic_core::ops::queue::Priority;

    fn appointment(starts_at: DateTime<Utc>, status: AppointmentStatus) -> Appointment {
        Appointment {
            id: Uuid::now_v7(), patient_id: Uuid::now_v7(), patient_name: "Ana Silva".into(), patient_mrn: "RV01-000001-X".into(),
            practitioner_id: Uuid::now_v7(), practitioner_name: "Helena Silva".into(), type_id: Uuid::now_v7(),
            type_name: "Consultation".into(), colour: "#3A7BD5".into(), starts_at, ends_at: starts_at, busy_until: starts_at,
            time_zone: "UTC".into(), local_start: starts_at.naive_utc(), local_end: starts_at.naive_utc(), status,
            cancel_reason: None, double_booked: false, outside_hours: false, notes: None, version: None,
        }
    }

    fn walk_in(waiting_minutes: i64, status: QueueStatus) -> QueueEntry {
        QueueEntry {
            id: Uuid::now_v7(), patient_id: Uuid::now_v7(), patient_name: "Rui Costa".into(), patient_mrn: "RV01-000002-X".into(),
            appointment_id: None, practitioner_id: None, practitioner_name: None, reason: "Fever".into(), priority: Priority::Urgent,
            status, arrived_at: Utc::now(), called_at: None, finished_at: None, waiting_minutes,
        }
    }

    #[test]
    fn an_appointment_about_to_start_and_a_long_wait_are_each_reminded_once() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let appointments = [
            appointment(now + Duration::minutes(8), AppointmentStatus::Booked),
            appointment(now + Duration::minutes(25), AppointmentStatus::Booked),
            appointment(now + Duration::minutes(5), AppointmentStatus::Cancelled),
            appointment(now - Duration::minutes(5), AppointmentStatus::Booked),
        ];
        let queue = [walk_in(31, QueueStatus::Waiting), walk_in(12, QueueStatus::Waiting), walk_in(50, QueueStatus::Called)];
        let mut shown = HashSet::new();
        let first = due(now, &appointments, &queue, ReminderSettings::default(), &mut shown);
        let titles: Vec<&str> = first.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, ["Ana Silva at 09:08", "Rui Costa has waited 31 min"]);
        assert_eq!(first[0].body, "Consultation with Helena Silva starts in 8 min.");
        assert!(due(now, &appointments, &queue, ReminderSettings::default(), &mut shown).is_empty(), "once each");
        let longer = ReminderSettings { lead_minutes: 30, wait_minutes: 10 };
        assert_eq!(due(now, &appointments, &queue, longer, &mut shown).len(), 2, "the 09:25 visit and the 12-minute wait");
    }

    #[test]
    fn no_notification_service_is_logged_not_fatal() {
        // Under the test command there is a session bus but no notification daemon.
        show(&Reminder { about: Uuid::now_v7(), title: "Test".into(), body: "Nobody is listening.".into() });
    }
}
