//! Kinds of appointment: name, duration, buffer after, default price, colour, and the note a
//! consultation of the kind starts from.

use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::{required_text, Colour, Currency, Money};
use crate::error::{Error, Result};
use crate::ops::clinical::{template_json, template_text, NoteText};
use crate::write::{Changes, Write};

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct AppointmentTypeInput {
    pub name: String,
    pub duration_minutes: i64,
    pub buffer_minutes: i64,
    pub price_minor: i64,
    pub colour: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppointmentType {
    pub id: Uuid,
    pub name: String,
    pub duration_minutes: i64,
    pub buffer_minutes: i64,
    pub price: Money,
    pub colour: String,
    pub active: bool,
    /// The SOAP sections a consultation of this type starts from; none: an empty note.
    pub note_template: Option<NoteText>,
    /// The server's version of the row (none until synced): the base of the next change.
    pub version: Option<i64>,
}

struct Valid {
    name: String,
    duration: i64,
    buffer: i64,
    price: Money,
    colour: Colour,
}

async fn validate(w: &mut Write<'_>, input: &AppointmentTypeInput) -> Result<Valid> {
    let currency = w.site().await?.currency;
    if !(5..=480).contains(&input.duration_minutes) || input.duration_minutes % 5 != 0 {
        return Err(Error::invalid("duration_minutes", "The duration is 5 to 480 minutes, in steps of 5."));
    }
    if !(0..=120).contains(&input.buffer_minutes) || input.buffer_minutes % 5 != 0 {
        return Err(Error::invalid("buffer_minutes", "The buffer is 0 to 120 minutes, in steps of 5."));
    }
    Ok(Valid {
        name: required_text("name", "The name", &input.name, 60)?,
        duration: input.duration_minutes,
        buffer: input.buffer_minutes,
        price: Money::price("price_minor", input.price_minor, currency)?,
        colour: Colour::parse(&input.colour)?,
    })
}

pub async fn create_appointment_type(clinic: &Clinic, session: &Session, input: AppointmentTypeInput) -> Result<AppointmentType> {
    let mut w = Write::begin(clinic, session, Permission::ManageAppointmentTypes).await?;
    let v = validate(&mut w, &input).await?;
    let id = Uuid::now_v7();
    let changes = w.insert("appointment_type", id, &[("name", json!(v.name)), ("duration_min", json!(v.duration)), ("buffer_min", json!(v.buffer)),
        ("price_minor", json!(v.price.minor)), ("currency", json!(v.price.currency.code())), ("colour", json!(v.colour.as_str())), ("active", json!(true))]).await?;
    w.audit("create", "appointment_type", Some(id), crate::audit::Details::of(&changes));
    let t = load(w.conn(), id).await?;
    w.commit().await?;
    Ok(t)
}

pub async fn update_appointment_type(clinic: &Clinic, session: &Session, id: Uuid, input: AppointmentTypeInput, active: bool) -> Result<AppointmentType> {
    let mut w = Write::begin(clinic, session, Permission::ManageAppointmentTypes).await?;
    let v = validate(&mut w, &input).await?;
    let old = load(w.conn(), id).await?;
    let mut changes = Changes::default();
    changes.set("name", &old.name, &v.name).set("duration_min", old.duration_minutes, v.duration)
        .set("buffer_min", old.buffer_minutes, v.buffer).set("price_minor", old.price.minor, v.price.minor)
        .set("currency", old.price.currency.code(), v.price.currency.code())
        .set("colour", &old.colour, v.colour.as_str()).set("active", old.active, active);
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(old);
    }
    w.update("appointment_type", id, old.version, &changes).await?;
    w.audit("update", "appointment_type", Some(id), crate::audit::Details::of(&changes));
    let t = load(w.conn(), id).await?;
    w.commit().await?;
    Ok(t)
}

pub(crate) async fn load(conn: &mut sqlx::SqliteConnection, id: Uuid) -> Result<AppointmentType> {
    load_all(conn, Some(id)).await?.pop().ok_or_else(|| Error::not_found("The appointment type"))
}

async fn load_all(conn: &mut sqlx::SqliteConnection, only: Option<Uuid>) -> Result<Vec<AppointmentType>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: Uuid", name, duration_min, buffer_min, price_minor, currency, colour, active, note_template, version
           FROM appointment_type WHERE deleted_at IS NULL AND (?1 IS NULL OR id = ?1) ORDER BY name"#,
        only
    ).fetch_all(conn).await?;
    rows.into_iter().map(|r| Ok(AppointmentType {
        id: r.id, name: r.name, duration_minutes: r.duration_min, buffer_minutes: r.buffer_min,
        price: Money { minor: r.price_minor, currency: Currency::parse(&r.currency)? }, colour: r.colour, active: r.active != 0,
        note_template: template_text(r.note_template.as_deref()), version: r.version,
    })).collect()
}

pub async fn list_appointment_types(clinic: &Clinic, session: &Session) -> Result<Vec<AppointmentType>> {
    crate::auth::authorize_any(clinic, session, &[Permission::ViewSchedule, Permission::ManageAppointmentTypes]).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    load_all(&mut conn, None).await
}

/// The note a consultation of this type starts from (SOAP sections; all empty: none).
pub async fn set_note_template(clinic: &Clinic, session: &Session, id: Uuid, template: NoteText) -> Result<AppointmentType> {
    let mut w = Write::begin(clinic, session, Permission::ManageAppointmentTypes).await?;
    let template = template_json(template)?;
    let kind = clinic_sync::entity("appointment_type").expect("declared");
    let changes = crate::record::set(&mut w, kind, id, &[("note_template", json!(template))], "edit").await?;
    let t = load(w.conn(), id).await?;
    if changes.is_empty() {
        w.nothing_changed().await;
    } else {
        w.commit().await?;
    }
    Ok(t)
}
