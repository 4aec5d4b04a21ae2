//! What the clinic's doctors work from, managed in Settings: the formulary (drugs added, changed,
//! taken out of use and back) and the note template of each appointment type. Every refusal is
//! checked to change nothing.

use clinic_core::ops::appointment_types::{list_appointment_types, set_note_template};
use clinic_core::ops::clinical::*;
use clinic_core::Code;

use crate::clinical::arrived;
use crate::helpers::*;

fn drug(name: &str, strength: &str) -> FormularyDrugInput {
    FormularyDrugInput { name: name.into(), strength: strength.into(), form: "tablet".into(), route: Route::Oral,
        usual_dose: Some("1 tablet".into()), usual_frequency: None }
}

/// The formulary as its list shows it: "name strength (in use)".
async fn listed(f: &Front) -> Vec<String> {
    formulary(&f.t.clinic, &f.manager).await.unwrap().iter()
        .map(|d| format!("{} {}{}", d.name, d.strength, if d.active { "" } else { " (out of use)" })).collect()
}

#[tokio::test]
async fn the_formulary_lists_every_drug_by_name_and_one_out_of_use_is_not_offered_when_prescribing() {
    let f = front_desk().await;
    let c = &f.t.clinic;
    let para = add_formulary_drug(c, &f.manager, drug("Paracetamol", "500 mg")).await.unwrap();
    add_formulary_drug(c, &f.doctor, drug("amoxicillin", "500 mg")).await.unwrap();
    add_formulary_drug(c, &f.manager, drug("Ibuprofen", "400 mg")).await.unwrap();
    assert_eq!(listed(&f).await, ["amoxicillin 500 mg", "Ibuprofen 400 mg", "Paracetamol 500 mg"], "by name, whatever the case");

    // Changed, then taken out of use: still listed, no longer offered to a prescriber.
    update_formulary_drug(c, &f.doctor, para, drug("Paracetamol", "1 g"), true).await.unwrap();
    update_formulary_drug(c, &f.manager, para, drug("Paracetamol", "1 g"), false).await.unwrap();
    assert_eq!(listed(&f).await, ["amoxicillin 500 mg", "Ibuprofen 400 mg", "Paracetamol 1 g (out of use)"]);
    assert!(find_formulary_drugs(c, &f.doctor, "para").await.unwrap().is_empty(), "out of use: not offered");
    assert_eq!(find_formulary_drugs(c, &f.doctor, "").await.unwrap().len(), 2);

    // And back in use.
    update_formulary_drug(c, &f.manager, para, drug("Paracetamol", "1 g"), true).await.unwrap();
    let offered = find_formulary_drugs(c, &f.doctor, "para").await.unwrap();
    assert_eq!(offered.iter().map(|d| (d.strength.as_str(), d.active)).collect::<Vec<_>>(), [("1 g", true)]);
}

#[tokio::test]
async fn a_drug_without_a_name_or_with_text_too_long_is_refused_and_changes_nothing() {
    let f = front_desk().await;
    let c = &f.t.clinic;
    let para = add_formulary_drug(c, &f.manager, drug("Paracetamol", "500 mg")).await.unwrap();
    let (before, listed_before) = (f.t.snapshot().await, listed(&f).await);

    for (broken, field, said) in [
        (drug("  ", "500 mg"), "name", "The drug's name is required."),
        (drug("Ibuprofen", ""), "strength", "The strength is required."),
        (FormularyDrugInput { usual_frequency: Some("x".repeat(65)), ..drug("Ibuprofen", "400 mg") }, "usual_frequency", "at most 64 characters"),
    ] {
        let added = add_formulary_drug(c, &f.manager, broken.clone()).await.unwrap_err();
        assert_eq!((added.code, added.field), (Code::Invalid, Some(field)));
        assert!(added.message.contains(said), "{}", added.message);
        let changed = update_formulary_drug(c, &f.manager, para, broken, false).await.unwrap_err();
        assert_eq!((changed.code, changed.field), (Code::Invalid, Some(field)));
    }
    let unknown = update_formulary_drug(c, &f.manager, uuid::Uuid::now_v7(), drug("Paracetamol", "1 g"), true).await.unwrap_err();
    assert_eq!(unknown.code, Code::NotFound);
    assert_eq!(f.t.snapshot().await, before);
    assert_eq!(listed(&f).await, listed_before, "the drug is as it was, still in use");
}

#[tokio::test]
async fn an_appointment_type_s_note_template_reads_back_and_a_consultation_of_that_type_starts_from_it() {
    let (f, ana, appointment) = arrived().await;
    let c = &f.t.clinic;
    let template = NoteText { subjective: Some(" Presenting complaint:\nHistory: ".into()), objective: Some("Examination:".into()),
        assessment: None, plan: Some("Plan:".into()), body: None };
    let saved = set_note_template(c, &f.manager, f.visit.id, template).await.unwrap();
    let read = saved.note_template.expect("a template");
    assert_eq!(read.subjective.as_deref(), Some("Presenting complaint:\nHistory:"), "trimmed");
    assert_eq!((read.assessment, read.plan.as_deref()), (None, Some("Plan:")));
    // Whoever books with the type reads it too (a template is no patient's data).
    let types = list_appointment_types(c, &f.desk).await.unwrap();
    assert_eq!(types[0].note_template.as_ref().and_then(|t| t.objective.as_deref()), Some("Examination:"));

    open_consultation(c, &f.doctor, VisitRef::Appointment(appointment)).await.unwrap();
    let chart = open_chart(c, &f.doctor, ana, None).await.unwrap();
    let note = &chart.encounters.items[0].note.as_ref().expect("a draft note").text;
    assert_eq!((note.subjective.as_deref(), note.objective.as_deref()), (Some("Presenting complaint:\nHistory:"), Some("Examination:")));

    // Every section empty: no template.
    let cleared = set_note_template(c, &f.manager, f.visit.id, NoteText { subjective: Some("  ".into()), ..Default::default() }).await.unwrap();
    assert!(cleared.note_template.is_none());
}

#[tokio::test]
async fn a_template_section_too_long_is_refused_at_its_field_and_changes_nothing() {
    let f = front_desk().await;
    let c = &f.t.clinic;
    set_note_template(c, &f.manager, f.visit.id, NoteText { plan: Some("Follow-up:".into()), ..Default::default() }).await.unwrap();
    let before = f.t.snapshot().await;
    let long = NoteText { subjective: Some("x".repeat(4_001)), plan: Some("Changed".into()), ..Default::default() };
    let refused = set_note_template(c, &f.manager, f.visit.id, long).await.unwrap_err();
    assert_eq!((refused.code, refused.field), (Code::Invalid, Some("subjective")));
    assert!(refused.message.contains("at most 4,000 characters"), "{}", refused.message);
    let by_desk = set_note_template(c, &f.desk, f.visit.id, NoteText::default()).await.unwrap_err();
    assert_eq!(by_desk.code, Code::PermissionDenied);
    assert_eq!(f.t.snapshot().await, before);
    let kept = list_appointment_types(c, &f.manager).await.unwrap().remove(0).note_template.unwrap();
    assert_eq!((kept.subjective, kept.plan.as_deref()), (None, Some("Follow-up:")));
}
