//! The doctor's day: their appointments and the walk-ins waiting for them; opening a consultation
//! (an encounter, with a draft note from the visit type's template) and finishing it, which calls
//! the next patient.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Error, Result};
use crate::ops::calendar::{load_appointment, set_status, AppointmentStatus};
use crate::ops::queue;
use crate::write::{Changes, Write};

/// What a consultation is opened from.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum VisitRef {
    Appointment(Uuid),
    /// A walk-in (or a checked-in appointment) in today's list.
    QueueEntry(Uuid),
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DayVisit {
    pub appointment_id: Option<Uuid>,
    pub queue_entry_id: Option<Uuid>,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub patient_mrn: String,
    pub birth_date: String,
    /// The booked time (none for a walk-in).
    pub starts_at: Option<DateTime<Utc>>,
    /// The visit type, or the walk-in's reason.
    pub reason: String,
    /// booked, waiting, called, in_consultation, completed, cancelled, no_show, left.
    pub status: String,
    /// When they arrived, and how long they have waited (until called, or until now).
    pub arrived_at: Option<DateTime<Utc>>,
    pub waiting_minutes: Option<i64>,
    /// 0 normal, 1 urgent, 2 emergency (walk-ins).
    pub priority: i64,
    /// The consultation opened for this visit, if any.
    pub encounter_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct MyDay {
    pub practitioner_id: Uuid,
    pub date: NaiveDate,
    /// The day's appointments, by time.
    pub appointments: Vec<DayVisit>,
    /// Walk-ins waiting for this doctor or for anyone, most urgent then longest waiting first.
    pub walk_ins: Vec<DayVisit>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Consultation {
    pub encounter_id: Uuid,
    pub note_id: Uuid,
    pub patient_id: Uuid,
}

/// The practitioner record of the logged-in doctor.
pub(crate) async fn my_practitioner(conn: &mut sqlx::SqliteConnection, staff_id: Uuid) -> Result<Uuid> {
    sqlx::query_scalar!(r#"SELECT id AS "id: Uuid" FROM practitioner WHERE staff_id = ? AND deleted_at IS NULL AND active = 1"#, staff_id)
        .fetch_optional(conn).await?
        .ok_or_else(|| Error::wrong_state("You are not set up as a practitioner: a manager adds you under Settings → Practitioners."))
}

/// The logged-in doctor's day at this site (`date` in the site's calendar; none for today).
pub async fn my_day(clinic: &Clinic, session: &Session, date: Option<NaiveDate>) -> Result<MyDay> {
    crate::auth::authorize(clinic, session, Permission::ViewClinical).await?;
    let site_id = clinic.device()?.site_id;
    let mut conn = clinic.store().pool().acquire().await?;
    let practitioner_id = my_practitioner(&mut conn, session.staff_id).await?;
    let zone = crate::ops::setup::site_settings(clinic, &mut conn).await?.time_zone;
    let now = clinic.clock().now();
    let date = date.unwrap_or_else(|| now.with_timezone(&zone).date_naive());
    let day = |d: NaiveDate| crate::ops::calendar::local_to_utc_lenient(zone, d.and_hms_opt(0, 0, 0).expect("midnight")).timestamp_millis();
    let (from, to, now) = (day(date), day(date.succ_opt().unwrap_or(date)), now.timestamp_millis());
    let waited = |arrived: Option<i64>, until: Option<i64>| arrived.map(|a| (until.unwrap_or(now) - a).max(0) / 60_000);
    let appointments = sqlx::query!(
        r#"SELECT a.id AS "id: Uuid", a.patient_id AS "patient_id: Uuid", p.given_name || ' ' || p.family_name AS "patient_name!: String",
                  p.mrn, p.birth_date, a.starts_at, t.name AS type_name, a.status,
                  q.id AS "queue_entry_id?: Uuid", q.arrived_at AS "arrived_at?", q.called_at, q.priority AS "priority?",
                  (SELECT e.id FROM encounter e WHERE e.appointment_id = a.id AND e.deleted_at IS NULL) AS "encounter_id?: Uuid"
           FROM appointment a JOIN patient p ON p.id = a.patient_id JOIN appointment_type t ON t.id = a.type_id
           LEFT JOIN queue_entry q ON q.appointment_id = a.id AND q.deleted_at IS NULL
           WHERE a.practitioner_id = ?1 AND a.starts_at >= ?2 AND a.starts_at < ?3 AND a.deleted_at IS NULL
           ORDER BY a.starts_at"#,
        practitioner_id, from, to
    ).fetch_all(&mut *conn).await?;
    let appointments = appointments.into_iter().map(|r| DayVisit {
        appointment_id: Some(r.id), queue_entry_id: r.queue_entry_id, patient_id: r.patient_id, patient_name: r.patient_name,
        patient_mrn: r.mrn, birth_date: r.birth_date, starts_at: Some(from_millis(r.starts_at)), reason: r.type_name,
        status: if r.status == "arrived" { "waiting".into() } else { r.status },
        arrived_at: r.arrived_at.map(from_millis), waiting_minutes: waited(r.arrived_at, r.called_at), priority: r.priority.unwrap_or(0),
        encounter_id: r.encounter_id,
    }).collect();
    let walk_ins = sqlx::query!(
        r#"SELECT q.id AS "id: Uuid", q.patient_id AS "patient_id: Uuid", p.given_name || ' ' || p.family_name AS "patient_name!: String",
                  p.mrn, p.birth_date, q.reason, q.status, q.arrived_at, q.called_at, q.priority,
                  (SELECT e.id FROM encounter e WHERE e.queue_entry_id = q.id AND e.deleted_at IS NULL) AS "encounter_id?: Uuid"
           FROM queue_entry q JOIN patient p ON p.id = q.patient_id
           WHERE q.site_id = ?1 AND q.appointment_id IS NULL AND q.deleted_at IS NULL
             AND ((q.status = 'waiting' AND (q.practitioner_id IS NULL OR q.practitioner_id = ?2))
                  OR (q.status = 'called' AND q.practitioner_id = ?2))
           ORDER BY q.status = 'waiting', q.priority DESC, q.arrived_at"#,
        site_id, practitioner_id
    ).fetch_all(&mut *conn).await?;
    let walk_ins = walk_ins.into_iter().map(|r| DayVisit {
        appointment_id: None, queue_entry_id: Some(r.id), patient_id: r.patient_id, patient_name: r.patient_name, patient_mrn: r.mrn,
        birth_date: r.birth_date, starts_at: None, reason: r.reason, status: r.status, arrived_at: Some(from_millis(r.arrived_at)),
        waiting_minutes: waited(Some(r.arrived_at), r.called_at), priority: r.priority, encounter_id: r.encounter_id,
    }).collect();
    Ok(MyDay { practitioner_id, date, appointments, walk_ins })
}

/// Opens the consultation of a visit: the patient is called (the appointment goes into
/// consultation), an encounter is opened with a draft note from the visit type's template. Opening
/// it again answers the same consultation.
pub async fn open_consultation(clinic: &Clinic, session: &Session, visit: VisitRef) -> Result<Consultation> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    let practitioner_id = my_practitioner(w.conn(), session.staff_id).await?;
    let (appointment_id, queue_entry_id) = match visit {
        VisitRef::Appointment(id) => {
            let queued = sqlx::query_scalar!(r#"SELECT id AS "id: Uuid" FROM queue_entry WHERE appointment_id = ? AND deleted_at IS NULL"#, id)
                .fetch_optional(w.conn()).await?;
            (Some(id), queued)
        }
        VisitRef::QueueEntry(id) => {
            let entry = sqlx::query!(r#"SELECT appointment_id AS "appointment_id: Uuid", practitioner_id AS "practitioner_id: Uuid" FROM queue_entry
                                        WHERE id = ? AND deleted_at IS NULL"#, id)
                .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The visit"))?;
            if entry.practitioner_id.is_some_and(|p| p != practitioner_id) {
                return Err(Error::wrong_state("This patient is waiting for (or was called by) another practitioner."));
            }
            (entry.appointment_id, Some(id))
        }
    };
    let open = sqlx::query!(
        r#"SELECT e.id AS "id: Uuid", e.patient_id AS "patient_id: Uuid", n.id AS "note_id?: Uuid" FROM encounter e
           LEFT JOIN clinical_note n ON n.encounter_id = e.id AND n.deleted_at IS NULL
           WHERE e.deleted_at IS NULL AND ((?1 IS NOT NULL AND e.appointment_id = ?1) OR (?1 IS NULL AND e.queue_entry_id = ?2))"#,
        appointment_id, queue_entry_id
    ).fetch_optional(w.conn()).await?;
    if let Some(open) = open {
        if let Some(note_id) = open.note_id {
            w.nothing_changed().await;
            return Ok(Consultation { encounter_id: open.id, note_id, patient_id: open.patient_id });
        }
    }
    let (patient_id, reason, template) = match appointment_id {
        Some(id) => {
            let a = load_appointment(w.conn(), id).await?;
            if a.practitioner_id != practitioner_id {
                return Err(Error::wrong_state("This appointment is with another practitioner."));
            }
            if a.status != AppointmentStatus::InConsultation {
                a.status.ensure_can_become(AppointmentStatus::InConsultation)?;
                set_status(&mut w, &a, AppointmentStatus::InConsultation, None).await?;
            }
            let t = sqlx::query!("SELECT name, note_template FROM appointment_type WHERE id = ?", a.type_id).fetch_one(w.conn()).await?;
            (a.patient_id, t.name, t.note_template)
        }
        None => {
            let e = sqlx::query!(r#"SELECT patient_id AS "patient_id: Uuid", reason, status FROM queue_entry WHERE id = ?"#, queue_entry_id)
                .fetch_one(w.conn()).await?;
            if !matches!(e.status.as_str(), "waiting" | "called") {
                return Err(Error::wrong_state("This visit has already ended."));
            }
            (e.patient_id, e.reason, None)
        }
    };
    super::chart_of(w.conn(), patient_id).await?;
    if let Some(entry) = queue_entry_id {
        queue::call_entry(&mut w, entry, practitioner_id).await?;
    }
    let encounter_id = Uuid::now_v7();
    let now = w.now;
    super::create(&mut w, "encounter", encounter_id, &[("patient_id", json!(patient_id)), ("practitioner_id", json!(practitioner_id)),
        ("appointment_id", json!(appointment_id)), ("queue_entry_id", json!(queue_entry_id)), ("reason", json!(reason)),
        ("started_at", json!(now)), ("status", json!("open"))]).await?;
    let note_id = super::notes::start_note(&mut w, encounter_id, patient_id, template.as_deref()).await?;
    w.commit().await?;
    Ok(Consultation { encounter_id, note_id, patient_id })
}

/// Ends a consultation (its note may still await signature): the visit is completed, and the next
/// patient waiting is called. Answers who was called.
pub async fn finish_consultation(clinic: &Clinic, session: &Session, encounter_id: Uuid) -> Result<Option<DayVisit>> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    let practitioner_id = my_practitioner(w.conn(), session.staff_id).await?;
    let e = sqlx::query!(
        r#"SELECT status, version, started_at, practitioner_id AS "practitioner_id: Uuid", appointment_id AS "appointment_id: Uuid",
                  queue_entry_id AS "queue_entry_id: Uuid"
           FROM encounter WHERE id = ? AND deleted_at IS NULL"#, encounter_id)
        .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The consultation"))?;
    if e.practitioner_id != practitioner_id {
        return Err(Error::wrong_state("This consultation is another practitioner's."));
    }
    if e.status != "open" {
        return Err(Error::wrong_state("This consultation is already finished."));
    }
    let mut changes = Changes::default();
    // Not before it started, even where this desk's clock is behind the one that opened it.
    changes.set("status", "open", "completed").set("ended_at", None::<i64>, w.now.max(e.started_at));
    w.update("encounter", encounter_id, e.version, &changes).await?;
    w.audit("complete", "encounter", Some(encounter_id), crate::audit::Details::of_record(super::declared("encounter"), &changes));
    let queued = match e.queue_entry_id {
        Some(id) => sqlx::query_scalar!("SELECT status FROM queue_entry WHERE id = ?", id).fetch_one(w.conn()).await?
            .eq("called").then_some(id),
        None => None,
    };
    match (queued, e.appointment_id) {
        (Some(entry), _) => queue::finish_in(&mut w, entry, "served").await?,
        (None, Some(id)) => {
            let a = load_appointment(w.conn(), id).await?;
            if a.status.ensure_can_become(AppointmentStatus::Completed).is_ok() {
                set_status(&mut w, &a, AppointmentStatus::Completed, None).await?;
            }
        }
        (None, None) => {}
    }
    let called = queue::call_next_in(&mut w, practitioner_id).await?;
    w.commit().await?;
    let Some(called) = called else { return Ok(None) };
    let day = my_day(clinic, session, None).await?;
    Ok(day.appointments.into_iter().chain(day.walk_ins).find(|v| v.queue_entry_id == Some(called)))
}
