//! The printed prescription (DESIGN.md §7a): the clinic's letterhead, the patient (with record
//! number and date of birth, so a pharmacist can tell two Maria Silvas apart), the prescriber,
//! the numbered medicines, and a line to sign on. A reprint is the same page marked as a copy.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Align, Cell, ClinicDetails, Column, Layout, Letterhead, Style, CONTENT_WIDTH};
use crate::error::{Error, Result};

/// Everything a printed prescription shows, already read from the store: no database here.
#[derive(Debug, Clone)]
pub struct PrescriptionDocument {
    /// The prescription's number, as the clinic quotes it.
    pub number: String,
    pub clinic: ClinicDetails,
    pub prescriber: Prescriber,
    pub patient: PatientDetails,
    /// When it was issued, already written in the clinic's time zone, e.g. "2026-03-02 10:15".
    pub issued: String,
    /// When this copy is printed: the PDF's own creation date.
    pub printed_at: DateTime<Utc>,
    /// The patient's recorded allergies as one line ("Penicillin (anaphylaxis)", "No known
    /// allergies"); `None` leaves the line out.
    pub allergies: Option<String>,
    pub items: Vec<PrescribedItem>,
    /// For a reprint: when the original was first printed (e.g. "2026-03-02 10:15"). The
    /// reprint is marked "COPY" on every page.
    pub copy: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Prescriber {
    pub name: String,
    pub specialisation: String,
    /// Professional registration or licence number, when the clinic records one.
    pub licence_number: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PatientDetails {
    pub name: String,
    /// The medical record number.
    pub mrn: String,
    pub birth_date: NaiveDate,
    pub address: Option<String>,
}

/// One medicine, in the words the prescriber chose ("1 tablet", "by mouth", "twice a day").
#[derive(Debug, Clone)]
pub struct PrescribedItem {
    pub drug: String,
    pub strength: String,
    pub form: String,
    pub dose: String,
    pub route: String,
    pub frequency: String,
    pub duration: String,
    /// How much to dispense, e.g. "21 capsules".
    pub quantity: String,
    /// How many times more it may be dispensed on this prescription.
    pub repeats: u32,
    /// Anything else for the patient ("Take with food"); may be empty.
    pub instructions: String,
}

/// The prescription as a PDF (A4, one page or more).
pub fn prescription_pdf(doc: &PrescriptionDocument) -> Result<Vec<u8>> {
    check(doc)?;
    let letterhead = Letterhead {
        clinic: doc.clinic.name.clone(),
        logo: doc.clinic.logo.as_deref(),
        lines: doc.clinic.lines(),
        title: "Prescription".into(),
        reference: vec![format!("No. {}", doc.number), format!("Issued {}", doc.issued)],
    };
    let footer = format!("Prescription {} · {} · {}", doc.number, doc.patient.name, doc.patient.mrn);
    let mut page = Layout::new(&letterhead, &footer, doc.copy.as_deref())?;

    let patient = &doc.patient;
    let birth_date = patient.birth_date.format("%Y-%m-%d").to_string();
    let mut about_patient = vec![("Name", patient.name.as_str()), ("Record number", &patient.mrn), ("Date of birth", &birth_date)];
    if let Some(address) = &patient.address {
        about_patient.push(("Address", address));
    }
    if let Some(allergies) = &doc.allergies {
        about_patient.push(("Allergies", allergies));
    }
    page.heading("Patient");
    page.key_values(&about_patient);

    let prescriber = &doc.prescriber;
    let mut about_prescriber = vec![("Name", prescriber.name.as_str()), ("Specialisation", &prescriber.specialisation)];
    if let Some(licence) = &prescriber.licence_number {
        about_prescriber.push(("Licence number", licence));
    }
    page.space(3.0);
    page.heading("Prescriber");
    page.key_values(&about_prescriber);

    page.space(4.0);
    page.heading("Medicines");
    let columns = [
        Column { title: "#", width: 9.0, align: Align::Left },
        Column { title: "Medicine", width: 52.0, align: Align::Left },
        Column { title: "Dose and directions", width: CONTENT_WIDTH - 9.0 - 52.0 - 26.0 - 16.0, align: Align::Left },
        Column { title: "Quantity", width: 26.0, align: Align::Left },
        Column { title: "Repeats", width: 16.0, align: Align::Right },
    ];
    let rows: Vec<Vec<Cell>> = doc.items.iter().enumerate().map(|(i, item)| item_row(i + 1, item)).collect();
    page.table(&columns, &rows);
    // Says where the list ends, so nothing can be written in below it unnoticed.
    let count = match doc.items.len() {
        1 => "1 medicine".to_string(),
        n => format!("{n} medicines"),
    };
    page.text(&format!("{count} prescribed. Nothing follows."), Style::SMALL);

    let mut signer = vec![prescriber.name.clone(), prescriber.specialisation.clone()];
    signer.extend(prescriber.licence_number.as_ref().map(|l| format!("Licence no. {l}")));
    page.signature_line(&doc.issued, &signer);
    Ok(page.finish(doc.printed_at))
}

fn item_row(number: usize, item: &PrescribedItem) -> Vec<Cell> {
    let directions: Vec<&str> =
        [&item.dose, &item.route, &item.frequency, &item.duration].into_iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    let repeats = if item.repeats == 0 { "None".to_string() } else { item.repeats.to_string() };
    vec![
        Cell::plain(format!("{number}.")),
        Cell::bold(format!("{} {}", item.drug.trim(), item.strength.trim())).and(item.form.trim(), false),
        Cell::plain(directions.join(", ")).and(item.instructions.trim(), false),
        Cell::plain(item.quantity.trim()),
        Cell::plain(repeats),
    ]
}

/// A prescription a pharmacist could not dispense from is refused before it is printed.
fn check(doc: &PrescriptionDocument) -> Result<()> {
    if doc.items.is_empty() {
        return Err(Error::invalid("items", "A prescription needs at least one medicine."));
    }
    for (i, item) in doc.items.iter().enumerate() {
        for (field, value, what) in [("drug", &item.drug, "the medicine's name"), ("dose", &item.dose, "the dose"), ("quantity", &item.quantity, "the quantity")] {
            if value.trim().is_empty() {
                return Err(Error::invalid(field, format!("Medicine {} has no {what}. Fill it in, then print again.", i + 1)));
            }
        }
    }
    for (field, value) in [("patient", &doc.patient.name), ("prescriber", &doc.prescriber.name)] {
        if value.trim().is_empty() {
            return Err(Error::invalid(field, format!("The {field}'s name is missing.")));
        }
    }
    Ok(())
}
