//! The walk-in queue and today's list: walk-ins (existing or new patients, with a reason and a
//! priority) and checked-in appointments wait together; a practitioner calls the next one; the
//! visit ends served, or the patient leaves.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::required_text;
use crate::error::{Error, Result};
use crate::ops::calendar::{load_appointment, set_status, Appointment, AppointmentStatus};
use crate::ops::patients::PatientInput;
use crate::ops::{patients, practitioners};
use crate::write::{Changes, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Normal = 0,
    Urgent = 1,
    Emergency = 2,
}

impl Priority {
    fn from_stored(n: i64) -> Priority {
        match n {
            2 => Priority::Emergency,
            1 => Priority::Urgent,
            _ => Priority::Normal,
        }
    }
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum WalkInPatient {
    Existing(Uuid),
    /// A patient registered on the spot, in the same transaction as the queueing.
    New { details: Box<PatientInput>, confirmed_new: bool },
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct WalkInInput {
    pub patient: WalkInPatient,
    pub reason: String,
    pub priority: Priority,
    /// Who should see them; `None` for whoever is free.
    pub practitioner_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum QueueStatus {
    Waiting,
    Called,
    Served,
    Left,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct QueueEntry {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub patient_mrn: String,
    pub appointment_id: Option<Uuid>,
    pub practitioner_id: Option<Uuid>,
    pub practitioner_name: Option<String>,
    pub reason: String,
    pub priority: Priority,
    pub status: QueueStatus,
    pub arrived_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Minutes from arrival until called (or until now, while waiting).
    pub waiting_minutes: i64,
}

pub async fn add_walk_in(clinic: &Clinic, session: &Session, input: WalkInInput) -> Result<QueueEntry> {
    let mut w = Write::begin(clinic, session, Permission::ManageQueue).await?;
    let reason = required_text("reason", "The reason for the visit", &input.reason, 200)?;
    if let Some(p) = input.practitioner_id {
        practitioners::load(&mut w, p).await?;
    }
    let patient_id = match input.patient {
        WalkInPatient::Existing(id) => {
            patients::ensure_bookable(w.conn(), id).await?;
            id
        }
        WalkInPatient::New { details, confirmed_new } => {
            w.roles.allow(Permission::RegisterPatients)?;
            patients::register_in(&mut w, &details, confirmed_new).await?
        }
    };
    let waiting = sqlx::query_scalar!("SELECT count(*) FROM queue_entry WHERE patient_id = ? AND status IN ('waiting', 'called')", patient_id)
        .fetch_one(w.conn()).await?;
    if waiting > 0 {
        return Err(Error::wrong_state("This patient is already in today's queue."));
    }
    let id = insert_entry(&mut w, patient_id, None, input.practitioner_id, &reason, input.priority).await?;
    let entry = load_entry(&mut w, id).await?;
    w.commit().await?;
    Ok(entry)
}

async fn insert_entry(w: &mut Write<'_>, patient_id: Uuid, appointment_id: Option<Uuid>, practitioner_id: Option<Uuid>, reason: &str, priority: Priority) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let (site, now) = (w.site_id(), w.now);
    let changes = w.insert("queue_entry", id, &[("site_id", json!(site)), ("patient_id", json!(patient_id)), ("appointment_id", json!(appointment_id)),
        ("practitioner_id", json!(practitioner_id)), ("reason", json!(reason)), ("priority", json!(priority as i64)),
        ("status", json!("waiting")), ("arrived_at", json!(now))]).await?;
    w.audit("queue", "queue_entry", Some(id), crate::audit::Details::of(&changes));
    Ok(id)
}

/// A checked-in appointment waits for its practitioner. Only on the appointment's own day, and a
/// patient waits in the queue once.
pub(crate) async fn enqueue_appointment(w: &mut Write<'_>, a: &Appointment) -> Result<()> {
    let today = w.site_today().await?;
    if a.local_start.date() != today {
        return Err(Error::wrong_state(format!("This appointment is on {}, not today.", a.local_start.format("%Y-%m-%d"))));
    }
    let waiting = sqlx::query_scalar!("SELECT count(*) FROM queue_entry WHERE patient_id = ? AND status IN ('waiting', 'called')", a.patient_id)
        .fetch_one(w.conn()).await?;
    if waiting > 0 {
        return Err(Error::wrong_state("This patient is already in today's queue."));
    }
    let reason = format!("{} at {}", a.type_name, a.local_start.format("%H:%M"));
    insert_entry(w, a.patient_id, Some(a.id), Some(a.practitioner_id), &reason, Priority::Normal).await.map(|_| ())
}

struct Current {
    id: Uuid,
    status: String,
    version: Option<i64>,
    appointment_id: Option<Uuid>,
    practitioner_id: Option<Uuid>,
}

async fn current(w: &mut Write<'_>, id: Uuid) -> Result<Current> {
    sqlx::query_as!(Current,
        r#"SELECT id AS "id: Uuid", status, version, appointment_id AS "appointment_id: Uuid", practitioner_id AS "practitioner_id: Uuid"
           FROM queue_entry WHERE id = ? AND deleted_at IS NULL"#, id)
        .fetch_optional(w.conn()).await?
        .ok_or_else(|| Error::not_found("The queue entry"))
}

async fn set_entry_status(w: &mut Write<'_>, entry: &Current, status: &str, practitioner_id: Option<Uuid>) -> Result<()> {
    let (now, id, called) = (w.now, entry.id, status == "called");
    let mut changes = Changes::default();
    changes.set("status", &entry.status, status).set("practitioner_id", entry.practitioner_id, practitioner_id);
    changes.set(if called { "called_at" } else { "finished_at" }, None::<i64>, now);
    w.update("queue_entry", id, entry.version, &changes).await?;
    w.audit(status, "queue_entry", Some(id), crate::audit::Details::of(&changes));
    Ok(())
}

/// Calls the next patient for a practitioner: the highest priority first, then whoever has waited
/// longest, among those waiting for this practitioner or for anyone.
pub async fn call_next(clinic: &Clinic, session: &Session, practitioner_id: Uuid) -> Result<Option<QueueEntry>> {
    let mut w = Write::begin(clinic, session, Permission::ManageQueue).await?;
    practitioners::load(&mut w, practitioner_id).await?;
    let Some(next) = call_next_in(&mut w, practitioner_id).await? else {
        w.nothing_changed().await;
        return Ok(None);
    };
    let called = load_entry(&mut w, next).await?;
    w.commit().await?;
    Ok(Some(called))
}

/// Calls the next one waiting for this practitioner (or for anyone), in the caller's use case.
pub(crate) async fn call_next_in(w: &mut Write<'_>, practitioner_id: Uuid) -> Result<Option<Uuid>> {
    let site = w.site_id();
    let next = sqlx::query_scalar!(
        r#"SELECT id AS "id: Uuid" FROM queue_entry
           WHERE site_id = ? AND status = 'waiting' AND (practitioner_id IS NULL OR practitioner_id = ?) AND deleted_at IS NULL
           ORDER BY priority DESC, arrived_at, id LIMIT 1"#,
        site, practitioner_id
    ).fetch_optional(w.conn()).await?;
    let Some(next) = next else { return Ok(None) };
    call_entry(w, next, practitioner_id).await?;
    Ok(Some(next))
}

/// Calls one waiting patient to a practitioner (and their appointment into consultation).
pub(crate) async fn call_entry(w: &mut Write<'_>, id: Uuid, practitioner_id: Uuid) -> Result<()> {
    let entry = current(w, id).await?;
    if entry.status != "waiting" {
        return Ok(());
    }
    set_entry_status(w, &entry, "called", Some(practitioner_id)).await?;
    if let Some(appointment_id) = entry.appointment_id {
        let a = load_appointment(w.conn(), appointment_id).await?;
        // The visit may have moved on meanwhile (changed on another desk): the call still stands.
        if a.status.ensure_can_become(AppointmentStatus::InConsultation).is_ok() {
            set_status(w, &a, AppointmentStatus::InConsultation, None).await?;
        }
    }
    Ok(())
}

/// The visit is over.
pub async fn mark_served(clinic: &Clinic, session: &Session, id: Uuid) -> Result<QueueEntry> {
    finish(clinic, session, id, "served").await
}

/// The patient left before (or without) being seen.
pub async fn mark_left(clinic: &Clinic, session: &Session, id: Uuid) -> Result<QueueEntry> {
    finish(clinic, session, id, "left").await
}

async fn finish(clinic: &Clinic, session: &Session, id: Uuid, outcome: &str) -> Result<QueueEntry> {
    let mut w = Write::begin(clinic, session, Permission::ManageQueue).await?;
    finish_in(&mut w, id, outcome).await?;
    let done = load_entry(&mut w, id).await?;
    w.commit().await?;
    Ok(done)
}

/// Ends a visit (served, or left), with its appointment, in the caller's use case.
pub(crate) async fn finish_in(w: &mut Write<'_>, id: Uuid, outcome: &str) -> Result<()> {
    let entry = current(w, id).await?;
    match (entry.status.as_str(), outcome) {
        ("called", "served") | ("waiting", "left") | ("called", "left") => {}
        ("waiting", "served") => return Err(Error::wrong_state("Call the patient before marking them served.")),
        _ => return Err(Error::wrong_state("This visit has already ended.")),
    }
    set_entry_status(w, &entry, outcome, entry.practitioner_id).await?;
    if let Some(appointment_id) = entry.appointment_id {
        let a = load_appointment(w.conn(), appointment_id).await?;
        let (next, reason) = match outcome {
            "served" => (AppointmentStatus::Completed, None),
            _ => (AppointmentStatus::Cancelled, Some("Left before being seen")),
        };
        if a.status.ensure_can_become(next).is_ok() {
            set_status(w, &a, next, reason).await?;
        }
    }
    Ok(())
}

/// Keeps the queue in step when an appointment is started from the calendar.
pub(crate) async fn call_for_appointment(w: &mut Write<'_>, appointment_id: Uuid, practitioner_id: Uuid) -> Result<()> {
    for entry in open_for_appointment(w, appointment_id).await? {
        if entry.status == "waiting" {
            set_entry_status(w, &entry, "called", Some(practitioner_id)).await?;
        }
    }
    Ok(())
}

/// Closes the queue entry of an appointment that was completed or cancelled from the calendar.
pub(crate) async fn close_for_appointment(w: &mut Write<'_>, appointment_id: Uuid, outcome: &str) -> Result<()> {
    for entry in open_for_appointment(w, appointment_id).await? {
        let practitioner = entry.practitioner_id;
        set_entry_status(w, &entry, outcome, practitioner).await?;
    }
    Ok(())
}

async fn open_for_appointment(w: &mut Write<'_>, appointment_id: Uuid) -> Result<Vec<Current>> {
    Ok(sqlx::query_as!(Current,
        r#"SELECT id AS "id: Uuid", status, version, appointment_id AS "appointment_id: Uuid", practitioner_id AS "practitioner_id: Uuid"
           FROM queue_entry WHERE appointment_id = ? AND status IN ('waiting', 'called') AND deleted_at IS NULL"#, appointment_id)
        .fetch_all(w.conn()).await?)
}

struct EntryRow {
    id: Uuid,
    patient_id: Uuid,
    patient_name: String,
    patient_mrn: String,
    appointment_id: Option<Uuid>,
    practitioner_id: Option<Uuid>,
    practitioner_name: Option<String>,
    reason: String,
    priority: i64,
    status: String,
    arrived_at: i64,
    called_at: Option<i64>,
    finished_at: Option<i64>,
}

fn entry(r: EntryRow, now: i64) -> QueueEntry {
    let status = match r.status.as_str() {
        "called" => QueueStatus::Called,
        "served" => QueueStatus::Served,
        "left" => QueueStatus::Left,
        _ => QueueStatus::Waiting,
    };
    let waited_until = r.called_at.or(r.finished_at).unwrap_or(now);
    QueueEntry {
        id: r.id, patient_id: r.patient_id, patient_name: r.patient_name, patient_mrn: r.patient_mrn,
        appointment_id: r.appointment_id, practitioner_id: r.practitioner_id, practitioner_name: r.practitioner_name,
        reason: r.reason, priority: Priority::from_stored(r.priority), status,
        arrived_at: from_millis(r.arrived_at), called_at: r.called_at.map(from_millis), finished_at: r.finished_at.map(from_millis),
        waiting_minutes: (waited_until - r.arrived_at).max(0) / 60_000,
    }
}

/// Queue entries from `queue_view`: the caller gives the rest of the query and its arguments.
macro_rules! select_entries {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            EntryRow,
            r#"SELECT id AS "id!: Uuid", patient_id AS "patient_id!: Uuid", patient_name AS "patient_name!: String",
                      patient_mrn AS "patient_mrn!", appointment_id AS "appointment_id: Uuid", practitioner_id AS "practitioner_id: Uuid",
                      practitioner_name AS "practitioner_name?", reason AS "reason!", priority AS "priority!", status AS "status!",
                      arrived_at AS "arrived_at!", called_at, finished_at
               FROM queue_view "# + $rest
            $(, $arg)*
        )
    };
}

async fn load_entry(w: &mut Write<'_>, id: Uuid) -> Result<QueueEntry> {
    let now = w.now;
    let row = select_entries!("WHERE id = ?", id).fetch_one(w.conn()).await?;
    Ok(entry(row, now))
}

/// Today's list at this site: who is with a practitioner, then who is waiting (by priority, then
/// arrival), then who has been seen or left today.
pub async fn today_list(clinic: &Clinic, session: &Session) -> Result<Vec<QueueEntry>> {
    crate::auth::authorize(clinic, session, Permission::ManageQueue).await?;
    let site_id = clinic.device()?.site_id;
    let mut conn = clinic.store().pool().acquire().await?;
    let zone = crate::ops::setup::site_settings(clinic, &mut conn).await?.time_zone;
    let now = clinic.clock().now();
    let midnight = crate::ops::calendar::local_to_utc_lenient(zone, now.with_timezone(&zone).date_naive().and_hms_opt(0, 0, 0).expect("midnight"));
    let since = midnight.timestamp_millis();
    let rows = select_entries!(
        "WHERE site_id = ? AND (status IN ('waiting', 'called') OR arrived_at >= ?)
         ORDER BY CASE status WHEN 'called' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, priority DESC, arrived_at",
        site_id, since
    )
    .fetch_all(&mut *conn)
    .await?;
    let now = now.timestamp_millis();
    Ok(rows.into_iter().map(|r| entry(r, now)).collect())
}
