//! Registering a new patient and editing one.

use serde_json::{json, Value};
use uuid::Uuid;

use super::details::{PatientDetails, PatientInput};
use super::duplicates::find_duplicates;
use super::read::{load_patient, Patient};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::Mrn;
use crate::error::{Code, Error, Result};
use crate::write::{next_in_series, Changes, Write};

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
    let mut fields = details.fields();
    fields.insert(0, ("mrn", json!(mrn.as_str())));
    let changes = w.insert("patient", id, &fields).await?;
    w.audit("register", "patient", Some(id), crate::audit::Details::of(&changes).with("mrn", mrn.as_str()));
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
    let before: std::collections::HashMap<&str, Value> = old.fields().into_iter().collect();
    let mut changes = Changes::default();
    for (field, new_value) in details.fields() {
        changes.set(field, before.get(field).unwrap_or(&Value::Null), new_value);
    }
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(old);
    }
    w.update("patient", id, old.version, &changes).await?;
    w.audit("edit", "patient", Some(id), crate::audit::Details::of(&changes).with("mrn", &old.mrn));
    let patient = load_patient(w.conn(), id).await?;
    w.commit().await?;
    Ok(patient)
}
