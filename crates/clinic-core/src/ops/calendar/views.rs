//! What the front desk looks at: the day's calendar, free slots, a patient's appointments.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use uuid::Uuid;

use super::appointment::{select_appointments, Appointment};
use super::availability::Schedule;
use super::local_to_utc_lenient;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Error, Result};
use crate::ops::setup::site_settings;
use crate::ops::{appointment_types, practitioners};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PractitionerDay {
    pub practitioner_id: Uuid,
    pub name: String,
    pub specialisation: String,
    /// Working spans (hours less breaks) in site wall time; empty on a day off.
    pub working: Vec<(NaiveDateTime, NaiveDateTime)>,
    /// Time off and closures touching the day, with their reasons.
    pub unavailable: Vec<(NaiveDateTime, NaiveDateTime, String)>,
    pub appointments: Vec<Appointment>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DayCalendar {
    pub date: NaiveDate,
    pub time_zone: String,
    pub practitioners: Vec<PractitionerDay>,
}

/// Midnight to midnight of a site date, in unix ms (23 or 25 hours on a daylight-saving day).
pub(crate) fn day_bounds(zone: Tz, date: NaiveDate, days: u32) -> (i64, i64) {
    let start = local_to_utc_lenient(zone, date.and_hms_opt(0, 0, 0).expect("midnight"));
    let end = local_to_utc_lenient(zone, (date + Duration::days(days as i64)).and_hms_opt(0, 0, 0).expect("midnight"));
    (start.timestamp_millis(), end.timestamp_millis())
}

fn local(zone: Tz, ms: i64) -> NaiveDateTime {
    from_millis(ms).with_timezone(&zone).naive_local()
}

/// Today's calendar: today at the site, whatever zone the workstation's own clock is set to.
pub async fn todays_calendar(clinic: &Clinic, session: &Session) -> Result<DayCalendar> {
    let zone = site_settings(clinic, &mut *clinic.store().pool().acquire().await?).await?.time_zone;
    day_calendar(clinic, session, clinic.clock().now().with_timezone(&zone).date_naive()).await
}

/// Every active practitioner's appointments on a date at this site, with their hours and time off.
pub async fn day_calendar(clinic: &Clinic, session: &Session, date: NaiveDate) -> Result<DayCalendar> {
    crate::auth::authorize(clinic, session, Permission::ViewSchedule).await?;
    let site_id = clinic.device()?.site_id;
    let mut conn = clinic.store().pool().acquire().await?;
    let zone = site_settings(clinic, &mut conn).await?.time_zone;
    let (from, to) = day_bounds(zone, date, 1);
    let mut appointments: Vec<Appointment> =
        select_appointments!("WHERE site_id = ? AND starts_at >= ? AND starts_at < ? ORDER BY starts_at", site_id, from, to)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(Appointment::from)
            .collect();
    let time_off = sqlx::query!(
        r#"SELECT practitioner_id AS "practitioner_id: Uuid", starts_at, ends_at, reason FROM time_off
           WHERE site_id = ? AND starts_at < ? AND ends_at > ? AND deleted_at IS NULL"#,
        site_id, to, from
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut days = Vec::new();
    let booked: std::collections::HashSet<Uuid> = appointments.iter().map(|a| a.practitioner_id).collect();
    for p in practitioners::load_all(&mut conn, None).await?.into_iter().filter(|p| p.active || booked.contains(&p.id)) {
        let schedule = Schedule { zone, hours: p.weekly_hours.clone(), time_off: Vec::new(), busy: Vec::new() };
        let working = schedule.working_spans(date).into_iter()
            .map(|(s, e)| (s.with_timezone(&zone).naive_local(), e.with_timezone(&zone).naive_local()))
            .collect();
        let unavailable = time_off.iter()
            .filter(|t| t.practitioner_id.is_none() || t.practitioner_id == Some(p.id))
            .map(|t| (local(zone, t.starts_at), local(zone, t.ends_at), t.reason.clone()))
            .collect();
        let (mine, rest): (Vec<_>, Vec<_>) = appointments.into_iter().partition(|a| a.practitioner_id == p.id);
        appointments = rest;
        days.push(PractitionerDay { practitioner_id: p.id, name: p.display_name, specialisation: p.specialisation, working, unavailable, appointments: mine });
    }
    Ok(DayCalendar { date, time_zone: zone.name().to_string(), practitioners: days })
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct FreeSlot {
    pub starts_at: DateTime<Utc>,
    pub local_start: NaiveDateTime,
    pub local_end: NaiveDateTime,
}

/// The free starts for an appointment type with one practitioner over `days` days from `from`
/// (a day, or a week), earliest first, none in the past.
pub async fn free_slots(clinic: &Clinic, session: &Session, practitioner_id: Uuid, type_id: Uuid, from: NaiveDate, days: u32) -> Result<Vec<FreeSlot>> {
    crate::auth::authorize(clinic, session, Permission::ViewSchedule).await?;
    if !(1..=31).contains(&days) {
        return Err(Error::invalid("days", "Look for free slots over 1 to 31 days."));
    }
    let site_id = clinic.device()?.site_id;
    let mut conn = clinic.store().pool().acquire().await?;
    let zone = site_settings(clinic, &mut conn).await?.time_zone;
    let kind = appointment_types::load(&mut conn, type_id).await?;
    let practitioner = practitioners::load_all(&mut conn, Some(practitioner_id)).await?.pop().ok_or_else(|| Error::not_found("The practitioner"))?;
    // What booking would refuse is not offered as free.
    if !practitioner.active || !kind.active {
        return Ok(Vec::new());
    }
    let schedule = Schedule::load(&mut conn, &practitioner, site_id, zone, day_bounds(zone, from, days), None).await?;
    let (length, buffer) = (Duration::minutes(kind.duration_minutes), Duration::minutes(kind.buffer_minutes));
    let now = clinic.clock().now().timestamp_millis();
    let mut slots = Vec::new();
    for date in from.iter_days().take(days as usize) {
        for t in schedule.free_starts(date, length, buffer, now) {
            slots.push(FreeSlot { starts_at: from_millis(t), local_start: local(zone, t), local_end: local(zone, t + length.num_milliseconds()) });
        }
    }
    Ok(slots)
}

/// A patient's appointments, newest first, including those of records merged into this one.
pub async fn patient_appointments(clinic: &Clinic, session: &Session, patient_id: Uuid) -> Result<Vec<Appointment>> {
    crate::auth::authorize(clinic, session, Permission::ViewPatients).await?;
    let rows = select_appointments!(
        "WHERE patient_id = ?1 OR patient_id IN (SELECT id FROM patient WHERE merged_into = ?1) ORDER BY starts_at DESC",
        patient_id
    )
    .fetch_all(clinic.store().pool())
    .await?;
    Ok(rows.into_iter().map(Appointment::from).collect())
}
