//! Merging two records of the same person, reversibly. The absorbed record is not changed or
//! moved: it is marked as merged into the kept one, leaves the search, and its appointments and
//! queue visits show on the kept record. Unmerging clears the mark and everything is as before.

use uuid::Uuid;

use super::read::{load_patient, Patient};
use crate::audit::Details;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::{Error, Result};
use crate::write::{Changes, Write};

pub async fn merge_patients(clinic: &Clinic, session: &Session, keep: Uuid, absorb: Uuid) -> Result<Patient> {
    let mut w = Write::begin(clinic, session, Permission::MergePatients).await?;
    merge(&mut w, keep, absorb).await?;
    let patient = load_patient(w.conn(), keep).await?;
    w.commit().await?;
    Ok(patient)
}

/// Marks `absorb` as merged into `keep`, within a use case (settling a duplicate is one too).
pub(crate) async fn merge(w: &mut Write<'_>, keep: Uuid, absorb: Uuid) -> Result<()> {
    w.roles.allow(Permission::MergePatients)?;
    if keep == absorb {
        return Err(Error::invalid("absorb", "Choose two different records to merge."));
    }
    let kept = load_patient(w.conn(), keep).await?;
    let absorbed = load_patient(w.conn(), absorb).await?;
    if kept.merged_into.is_some() {
        return Err(Error::wrong_state(format!("{} ({}) was itself merged into another record; merge into that one.", kept.full_name(), kept.mrn)));
    }
    if absorbed.merged_into.is_some() {
        return Err(Error::wrong_state(format!("{} ({}) is already merged.", absorbed.full_name(), absorbed.mrn)));
    }
    if !absorbed.merged_from.is_empty() {
        return Err(Error::wrong_state(format!("Other records were merged into {} ({}); unmerge them first.", absorbed.full_name(), absorbed.mrn)));
    }
    let changes = set_merged_into(w, &absorbed, Some(keep)).await?;
    w.audit("merge", "patient", Some(absorb), Details::of(&changes).with("into", keep).with("mrn", &absorbed.mrn).with("into_mrn", &kept.mrn));
    w.audit("merge", "patient", Some(keep), Details::default().with("absorbed", absorb).with("mrn", &kept.mrn).with("absorbed_mrn", &absorbed.mrn));
    Ok(())
}

pub async fn unmerge_patient(clinic: &Clinic, session: &Session, absorbed: Uuid) -> Result<Patient> {
    let mut w = Write::begin(clinic, session, Permission::MergePatients).await?;
    let record = load_patient(w.conn(), absorbed).await?;
    let Some(into) = record.merged_into else {
        return Err(Error::wrong_state(format!("{} ({}) is not merged into another record.", record.full_name(), record.mrn)));
    };
    let changes = set_merged_into(&mut w, &record, None).await?;
    w.audit("unmerge", "patient", Some(absorbed), Details::of(&changes).with("from", into).with("mrn", &record.mrn));
    w.audit("unmerge", "patient", Some(into), Details::default().with("released", absorbed).with("released_mrn", &record.mrn));
    let patient = load_patient(w.conn(), absorbed).await?;
    w.commit().await?;
    Ok(patient)
}

async fn set_merged_into(w: &mut Write<'_>, record: &Patient, into: Option<Uuid>) -> Result<Changes> {
    let mut changes = Changes::default();
    changes.set("merged_into", record.merged_into, into);
    w.update("patient", record.id, record.version, &changes).await?;
    Ok(changes)
}
