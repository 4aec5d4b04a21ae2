//! Registering a new patient and editing one.

use serde_json::json;
use uuid::Uuid;

use super::details::{PatientDetails, PatientInput};
use super::duplicates::find_duplicates;
use super::read::{load_patient, Patient};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::Mrn;
use crate::error::{Code, Error, Result};
use crate::write::{next_in_series, Changes, Op, Write};

/// Registers a patient with a record number from this device's series. When the details look
/// like a patient already registered, nothing is saved and the likely duplicates are named,
/// unless the receptionist has seen them and confirmed (`confirmed_new`).
pub async fn register_patient(clinic: &Clinic, session: &Session, input: PatientInput, confirmed_new: bool) -> Result<Patient> {
    let mut w = Write::begin(clinic, session, Permission::RegisterPatients).await?;
    let id = register_in(&mut w, &input, confirmed_new).await?;
    let patient = load_patient(w.conn(), id).await?;
    w.commit().await?;
    Ok(patient)
}

/// The registration itself, inside a caller's write (a walk-in registers and queues in one go).
pub(crate) async fn register_in(w: &mut Write<'_>, input: &PatientInput, confirmed_new: bool) -> Result<Uuid> {
    let today = w.site_today().await?;
    let details = PatientDetails::parse(input, today)?;
    if !confirmed_new {
        let candidates = find_duplicates(w.conn(), &details, None).await?;
        if let Some(first) = candidates.first() {
            let others = match candidates.len() - 1 {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            return Err(Error::new(
                Code::PossibleDuplicate,
                format!("This may be a patient already registered: {} (born {}, {}): {}{others}. Check before registering a new record.",
                    first.full_name, first.birth_date, first.mrn, first.reason),
            ));
        }
    }
    let site = w.site().await?;
    let seq = next_in_series(w.conn(), "mrn").await?;
    let mrn = Mrn::new(&site.code, w.actor.device.number, seq);
    let id = Uuid::now_v7();
    let (phones, contact, allergies) = details.json_columns();
    let (org, now, hlc, by) = (w.org_id(), w.now, w.hlc.clone(), w.actor.staff_id);
    let birth_date = details.birth.date.format("%Y-%m-%d").to_string();
    let (mrn_text, sex, email, blood) = (mrn.as_str(), details.sex.as_str(), details.email.as_ref().map(|e| e.as_str()), details.blood_group.map(|b| b.as_str()));
    sqlx::query!(
        "INSERT INTO patient (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, mrn, given_name, family_name,
                              sex, birth_date, birth_date_estimated, phones, email, address, national_id, emergency_contact,
                              blood_group, allergies, notes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        id, org, now, by, now, hlc, by, mrn_text, details.given_name.as_str(), details.family_name.as_str(),
        sex, birth_date, details.birth.estimated, phones, email, details.address, details.national_id, contact,
        blood, allergies, details.notes
    )
    .execute(w.conn())
    .await?;
    let mut fields = details.fields();
    fields.insert(0, ("mrn", json!(mrn_text)));
    let changes = Changes::inserted(&fields);
    w.outbox("patient", id, Op::Insert, &changes, None);
    w.audit("register", "patient", Some(id), crate::audit::Details::of(&changes).with("mrn", mrn_text));
    Ok(id)
}

/// Saves edited details. Only fields that really changed are written, and each change (old and
/// new value) goes to the history.
pub async fn edit_patient(clinic: &Clinic, session: &Session, id: Uuid, input: PatientInput) -> Result<Patient> {
    let mut w = Write::begin(clinic, session, Permission::EditPatients).await?;
    let old = load_patient(w.conn(), id).await?;
    if let Some(into) = old.merged_into {
        return Err(Error::wrong_state(format!("This record was merged into another ({into}); edit that one instead.")));
    }
    let today = w.site_today().await?;
    let details = PatientDetails::parse(&input, today)?;
    let mut changes = Changes::default();
    for ((field, old_value), (_, new_value)) in old.fields().into_iter().zip(details.fields()) {
        changes.set(field, old_value, new_value);
    }
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(old);
    }
    let (phones, contact, allergies) = details.json_columns();
    let (now, hlc, by) = (w.now, w.hlc.clone(), w.actor.staff_id);
    let birth_date = details.birth.date.format("%Y-%m-%d").to_string();
    let (sex, email, blood) = (details.sex.as_str(), details.email.as_ref().map(|e| e.as_str()), details.blood_group.map(|b| b.as_str()));
    sqlx::query!(
        "UPDATE patient SET given_name = ?, family_name = ?, sex = ?, birth_date = ?, birth_date_estimated = ?, phones = ?,
                email = ?, address = ?, national_id = ?, emergency_contact = ?, blood_group = ?, allergies = ?, notes = ?,
                updated_at = ?, updated_hlc = ?, updated_by = ?
         WHERE id = ?",
        details.given_name.as_str(), details.family_name.as_str(), sex, birth_date, details.birth.estimated, phones,
        email, details.address, details.national_id, contact, blood, allergies, details.notes, now, hlc, by, id
    )
    .execute(w.conn())
    .await?;
    w.outbox("patient", id, Op::Update, &changes, old.version);
    w.audit("edit", "patient", Some(id), crate::audit::Details::of(&changes).with("mrn", &old.mrn));
    let patient = load_patient(w.conn(), id).await?;
    w.commit().await?;
    Ok(patient)
}
