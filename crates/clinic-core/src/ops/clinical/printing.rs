//! Printing a consultation's prescriptions as one PDF page (or more). The first print is
//! recorded on each prescription; printing them again gives the same document marked as a copy,
//! so a second original never circulates.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Error, Result};
use crate::print::{prescription_pdf, PatientDetails, PrescribedItem, Prescriber, PrescriptionDocument};
use crate::write::{Changes, Write};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PrintedDocument {
    pub file_name: String,
    /// The PDF.
    pub bytes: Vec<u8>,
    /// A reprint, marked as a copy.
    pub copy: bool,
}

/// Prints prescriptions of one patient (those of a consultation, usually), in the order given.
pub async fn print_prescriptions(clinic: &Clinic, session: &Session, ids: Vec<Uuid>) -> Result<PrintedDocument> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    if ids.is_empty() {
        return Err(Error::invalid("ids", "Choose the prescriptions to print."));
    }
    let zone = w.site().await?.time_zone;
    let local = |ms: i64| from_millis(ms).with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    let mut rows = Vec::with_capacity(ids.len());
    for id in &ids {
        let r = sqlx::query!(
            r#"SELECT patient_id AS "patient_id: Uuid", prescriber_id AS "prescriber_id: Uuid", drug, strength, form, dose, route, frequency,
                      duration_days, quantity, repeats, instructions, prescribed_at, first_printed_at, version
               FROM prescription WHERE id = ? AND deleted_at IS NULL"#, id
        ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The prescription"))?;
        rows.push(r);
    }
    let patient_id = rows[0].patient_id;
    if rows.iter().any(|r| r.patient_id != patient_id) {
        return Err(Error::invalid("ids", "One printed prescription is for one patient."));
    }
    let p = sqlx::query!(r#"SELECT mrn, given_name || ' ' || family_name AS "name!: String", birth_date, address FROM patient WHERE id = ?"#, patient_id)
        .fetch_one(w.conn()).await?;
    let prescriber = sqlx::query!(
        r#"SELECT s.full_name, pr.specialisation AS "specialisation?" FROM staff s LEFT JOIN practitioner pr ON pr.staff_id = s.id AND pr.deleted_at IS NULL
           WHERE s.id = ?"#, rows[0].prescriber_id
    ).fetch_one(w.conn()).await?;
    let site_id = w.site_id();
    let clinic_details = crate::ops::setup::letterhead(w.conn(), site_id).await?;
    let allergies = super::prescriptions::active_allergies(w.conn(), patient_id).await?;
    let none_known = sqlx::query_scalar!(r#"SELECT no_known_allergies AS "none: bool" FROM patient WHERE id = ?"#, patient_id).fetch_one(w.conn()).await?;
    let allergies = match (allergies.is_empty(), none_known) {
        (false, _) => Some(allergies.join(", ")),
        (true, true) => Some("No known allergies".into()),
        (true, false) => Some("Not recorded".into()),
    };
    let first_printed = rows.iter().map(|r| r.first_printed_at).collect::<Option<Vec<i64>>>().and_then(|all| all.into_iter().min());
    let copy = first_printed.map(local);
    let items = rows.iter().map(|r| PrescribedItem {
        drug: r.drug.clone(), strength: r.strength.clone(), form: r.form.clone(), dose: r.dose.clone(), route: route_words(&r.route).into(),
        frequency: r.frequency.clone(), duration: r.duration_days.map_or_else(String::new, |d| if d == 1 { "for 1 day".into() } else { format!("for {d} days") }),
        quantity: quantity(r.quantity, &r.form), repeats: r.repeats as u32, instructions: r.instructions.clone().unwrap_or_default(),
    }).collect();
    let number = format!("RX-{}", ids[0].simple().to_string()[..12].to_uppercase());
    let document = PrescriptionDocument {
        number: number.clone(),
        clinic: clinic_details,
        prescriber: Prescriber { name: prescriber.full_name, specialisation: prescriber.specialisation.unwrap_or_default(), licence_number: None },
        patient: PatientDetails { name: p.name, mrn: p.mrn, birth_date: NaiveDate::parse_from_str(&p.birth_date, "%Y-%m-%d").unwrap_or_default(), address: p.address },
        issued: local(rows.iter().map(|r| r.prescribed_at).min().unwrap_or(w.now)), printed_at: from_millis(w.now), allergies, items, copy: copy.clone(),
    };
    let bytes = prescription_pdf(&document)?;
    for (id, r) in ids.iter().zip(&rows) {
        if r.first_printed_at.is_none() {
            let mut changes = Changes::default();
            changes.set("first_printed_at", None::<i64>, w.now);
            w.update("prescription", *id, r.version, &changes).await?;
        }
    }
    w.audit(if copy.is_some() { "reprint" } else { "print" }, "patient", Some(patient_id), crate::audit::Details::facts(json!({"prescriptions": ids, "number": number})));
    w.commit().await?;
    Ok(PrintedDocument { file_name: format!("{number}.pdf"), bytes, copy: copy.is_some() })
}


/// A route as the directions say it ("1 capsule by mouth three times a day").
fn route_words(route: &str) -> &str {
    match route {
        "oral" => "by mouth",
        "sublingual" => "under the tongue",
        "topical" => "on the skin",
        "transdermal" => "as a patch on the skin",
        "inhaled" => "inhaled",
        "nasal" => "in the nose",
        "ophthalmic" => "in the eye",
        "otic" => "in the ear",
        "rectal" => "rectally",
        "vaginal" => "vaginally",
        "subcutaneous" => "by injection under the skin",
        "intramuscular" => "by injection into a muscle",
        "intravenous" => "intravenously",
        // "other": the instructions say how.
        _ => "",
    }
}

/// How much to dispense: "21 capsules", "1 inhaler"; a form that is not counted in units (a
/// cream, a syrup) is written "2 × cream".
fn quantity(n: i64, form: &str) -> String {
    const COUNTED: &[&str] = &["tablet", "capsule", "inhaler", "patch", "sachet", "suppository", "pessary", "ampoule", "vial", "lozenge",
        "pen", "bottle", "tube", "pack", "spray", "syringe", "dose"];
    let form = form.trim();
    match COUNTED.iter().find(|c| c.eq_ignore_ascii_case(form)) {
        Some(_) if n == 1 => format!("1 {form}"),
        Some(_) if form.ends_with("ch") || form.ends_with('x') => format!("{n} {form}es"),
        Some(_) if form.ends_with("ry") => format!("{n} {}ies", &form[..form.len() - 1]),
        Some(_) => format!("{n} {form}s"),
        None => format!("{n} × {form}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn directions_read_as_a_pharmacist_expects() {
        use super::{quantity, route_words};
        assert_eq!(quantity(21, "capsule"), "21 capsules");
        assert_eq!(quantity(1, "inhaler"), "1 inhaler");
        assert_eq!(quantity(10, "patch"), "10 patches");
        assert_eq!(quantity(6, "suppository"), "6 suppositories");
        assert_eq!(quantity(2, "cream"), "2 × cream");
        assert_eq!(route_words("oral"), "by mouth");
        assert_eq!(route_words("other"), "");
    }
}
