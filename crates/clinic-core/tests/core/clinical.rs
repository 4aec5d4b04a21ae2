//! The doctor's desk: a consultation from the day's list, the note saved as versions and signed,
//! addenda, vitals, allergies, and the chart, with minimum necessary (who sees what). Every
//! refusal is checked to change nothing.

use clinic_core::ops::calendar::{book_appointment, mark_arrived, BookingInput};
use clinic_core::ops::clinical::*;
use clinic_core::ops::queue::{add_walk_in, Priority, WalkInInput, WalkInPatient};
use clinic_core::Code;

use crate::helpers::*;

/// A clinic where Ana has arrived for her 10:00 with the doctor, on Monday morning.
pub(crate) async fn arrived() -> (Front, uuid::Uuid, uuid::Uuid) {
    let f = front_desk().await;
    let ana = f.t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let booked = book_appointment(&f.t.clinic, &f.desk, BookingInput {
        patient_id: ana.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at("2026-11-23", "10:00"), notes: None, override_schedule: false,
    }).await.unwrap();
    mark_arrived(&f.t.clinic, &f.desk, booked.appointment.id).await.unwrap();
    (f, ana.id, booked.appointment.id)
}

fn soap(s: &str, p: &str) -> NoteText {
    NoteText { subjective: Some(s.into()), plan: Some(p.into()), ..Default::default() }
}

#[tokio::test]
async fn a_doctor_s_day_from_arrival_to_a_signed_note_and_the_next_patient() {
    let (f, ana, appointment) = arrived().await;
    let c = &f.t.clinic;
    let rui = f.t.patient(&f.desk, "Rui", "Vaz", "1975-05-06").await;
    add_walk_in(c, &f.desk, WalkInInput { patient: WalkInPatient::Existing(rui.id), reason: "Cut finger".into(), priority: Priority::Urgent, practitioner_id: None }).await.unwrap();

    let day = my_day(c, &f.doctor, None).await.unwrap();
    assert_eq!(day.appointments.len(), 1);
    assert_eq!(day.appointments[0].status, "waiting");
    assert_eq!(day.walk_ins.len(), 1);
    assert_eq!(day.walk_ins[0].reason, "Cut finger");

    let consultation = open_consultation(c, &f.doctor, VisitRef::Appointment(appointment)).await.unwrap();
    assert_eq!(consultation.patient_id, ana);
    let again = open_consultation(c, &f.doctor, VisitRef::Appointment(appointment)).await.unwrap();
    assert_eq!((again.encounter_id, again.note_id), (consultation.encounter_id, consultation.note_id), "opening it again answers the same one");
    assert_eq!(my_day(c, &f.doctor, None).await.unwrap().appointments[0].status, "in_consultation");

    save_note(c, &f.doctor, consultation.note_id, soap("Cough for a week", "")).await.unwrap();
    let saved = save_note(c, &f.doctor, consultation.note_id, soap("Cough for a week, no fever", "Rest")).await.unwrap();
    assert!(saved.changed);
    assert!(!save_note(c, &f.doctor, consultation.note_id, soap("Cough for a week, no fever", "Rest")).await.unwrap().changed);
    assert_eq!(unsigned_notes(c, &f.doctor).await.unwrap().len(), 1);

    let signed = sign_note(c, &f.doctor, consultation.note_id).await.unwrap();
    assert!(signed.signed_at.is_some());
    assert_eq!(signed.signature_holds, Some(true));
    assert!(unsigned_notes(c, &f.doctor).await.unwrap().is_empty());

    let next = finish_consultation(c, &f.doctor, consultation.encounter_id).await.unwrap().expect("the walk-in is called");
    assert_eq!(next.patient_id, rui.id);
    assert_eq!(next.status, "called");
    assert_eq!(my_day(c, &f.doctor, None).await.unwrap().appointments[0].status, "completed");

    let chart = open_chart(c, &f.doctor, ana, None).await.unwrap();
    let note = chart.encounters.items[0].note.as_ref().unwrap();
    assert_eq!(note.text.plan.as_deref(), Some("Rest"));
    assert_eq!(note.signature_holds, Some(true));
}

#[tokio::test]
async fn a_signed_note_is_frozen_and_corrected_by_a_signed_addendum_with_a_reason() {
    let (f, ana, appointment) = arrived().await;
    let c = &f.t.clinic;
    let note = open_consultation(c, &f.doctor, VisitRef::Appointment(appointment)).await.unwrap().note_id;
    let empty = sign_note(c, &f.doctor, note).await.unwrap_err();
    assert_eq!(empty.code, Code::WrongState, "an empty note is not signed");
    save_note(c, &f.doctor, note, soap("Headache", "Paracetamol")).await.unwrap();

    let (_, other_doctor) = f.t.doctor(&f.manager, "grey").await;
    let before = f.t.snapshot().await;
    assert_eq!(sign_note(c, &other_doctor, note).await.unwrap_err().code, Code::PermissionDenied, "signing another doctor's note");
    assert_eq!(save_note(c, &other_doctor, note, soap("x", "y")).await.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(f.t.snapshot().await, before);

    sign_note(c, &f.doctor, note).await.unwrap();
    let before = f.t.snapshot().await;
    let edit = save_note(c, &f.doctor, note, soap("Migraine", "Paracetamol")).await.unwrap_err();
    assert_eq!(edit.code, Code::WrongState);
    assert!(edit.message.contains("addendum"), "{}", edit.message);
    assert_eq!(sign_note(c, &f.doctor, note).await.unwrap_err().code, Code::WrongState, "signed twice");
    let no_reason = add_addendum(c, &f.doctor, note, AddendumInput { reason: " ".into(), body: "Migraine, not tension headache".into() }).await.unwrap_err();
    assert_eq!((no_reason.code, no_reason.field), (Code::Invalid, Some("reason")));
    assert_eq!(f.t.snapshot().await, before);

    let corrected = add_addendum(c, &other_doctor, note, AddendumInput { reason: "Diagnosis revised".into(), body: "Migraine, not tension headache".into() }).await.unwrap();
    assert_eq!(corrected.text.subjective.as_deref(), Some("Headache"), "the note itself is unchanged");
    assert_eq!(corrected.addenda.len(), 1);
    assert!(corrected.addenda[0].signature_holds);
    assert_eq!(corrected.addenda[0].author_name, "Grey Tester");

    // Altered in the store behind the app's back (with the database key): the chart says so.
    sqlx::query("UPDATE clinical_note SET plan = 'Morphine' WHERE plan = 'Paracetamol'").execute(c.store().pool()).await.unwrap();
    let chart = open_chart(c, &f.doctor, ana, None).await.unwrap();
    assert_eq!(chart.encounters.items[0].note.as_ref().unwrap().signature_holds, Some(false));
}

#[tokio::test]
async fn vitals_are_coded_flagged_and_refused_when_implausible() {
    let (f, ana, _) = arrived().await;
    let c = &f.t.clinic;
    let input = |values: &[(&str, f64)]| VitalsInput { patient_id: ana, values: values.iter().map(|(k, v)| (k.to_string(), *v)).collect(), ..Default::default() };
    let before = f.t.snapshot().await;
    let vitals_rows = || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM vital_signs").fetch_one(c.store().pool()).await.unwrap() };
    for (values, field) in [
        (&[("systolic", 400.0), ("diastolic", 80.0)][..], "systolic"),
        (&[("temperature", 10.0)][..], "temperature"),
        (&[("systolic", 120.0)][..], "systolic"),
        (&[("systolic", 80.0), ("diastolic", 90.0)][..], "diastolic"),
        (&[("spo2", 101.0)][..], "spo2"),
        (&[("sugar", 5.0)][..], "values"),
        (&[][..], "values"),
    ] {
        let e = record_vitals(c, &f.doctor, input(values)).await.unwrap_err();
        assert_eq!((e.code, e.field), (Code::Invalid, Some(field)), "{values:?}: {}", e.message);
    }
    let future = VitalsInput { taken_at: Some(at("2026-11-23", "23:00")), ..input(&[("pulse", 70.0)]) };
    assert_eq!(record_vitals(c, &f.doctor, future).await.unwrap_err().field, Some("taken_at"));
    assert_eq!(record_vitals(c, &f.desk, input(&[("pulse", 70.0)])).await.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(f.t.snapshot().await, before);
    assert_eq!(vitals_rows().await, 0);

    let set = record_vitals(c, &f.doctor, input(&[("systolic", 150.0), ("diastolic", 95.0), ("temperature", 37.2), ("weight", 70.0), ("height", 175.0)])).await.unwrap();
    let obs = |key: &str| set.observations.iter().find(|o| o.key == key).unwrap().clone();
    assert_eq!((obs("systolic").loinc, obs("systolic").unit, obs("systolic").flag), ("8480-6", "mm[Hg]", Some("high")));
    assert_eq!((obs("temperature").value, obs("temperature").flag), (37.2, None));
    assert_eq!(obs("bmi").value, 22.9, "70 kg at 1.75 m");
    // A later weight alone still gives a BMI, from the latest height.
    f.t.clock.advance(chrono::Duration::minutes(5));
    let later = record_vitals(c, &f.doctor, input(&[("weight", 90.0)])).await.unwrap();
    assert_eq!(later.observations.iter().find(|o| o.key == "bmi").map(|o| (o.value, o.flag)), Some((29.4, Some("high"))));
    let chart = open_chart(c, &f.doctor, ana, None).await.unwrap();
    assert_eq!(chart.vitals.len(), 2);
    assert_eq!(chart.vitals[1].id, later.id, "oldest first, the latest last");
}

#[tokio::test]
async fn allergies_are_structured_none_known_differs_from_not_asked_and_free_text_carries_over() {
    let f = front_desk().await;
    let c = &f.t.clinic;
    let mut details = person("Eva", "Lopes", "1990-01-01");
    details.allergies = vec!["Penicillin".into(), "Latex".into()];
    let eva = clinic_core::ops::patients::register_patient(c, &f.desk, details, true).await.unwrap();
    let ines = f.t.patient(&f.desk, "Inês", "Lopes", "1991-01-01").await;

    assert!(matches!(open_chart(c, &f.doctor, ines.id, None).await.unwrap().allergies.known, KnownAllergies::NotAsked));
    confirm_no_known_allergies(c, &f.doctor, ines.id).await.unwrap();
    assert!(matches!(open_chart(c, &f.doctor, ines.id, None).await.unwrap().allergies.known, KnownAllergies::NoneKnown));
    assert_eq!(confirm_no_known_allergies(c, &f.desk, ines.id).await.unwrap_err().code, Code::PermissionDenied);

    // The free text the front desk noted becomes structured records at the doctor's first look.
    let chart = open_chart(c, &f.doctor, eva.id, None).await.unwrap();
    assert!(matches!(chart.allergies.known, KnownAllergies::Recorded));
    let mut substances: Vec<_> = chart.allergies.items.iter().map(|a| (a.substance.as_str(), a.severity.as_str())).collect();
    substances.sort();
    assert_eq!(substances, [("Latex", "unknown"), ("Penicillin", "unknown")]);
    let stored: String = sqlx::query_scalar("SELECT allergies FROM patient WHERE given_name = 'Eva'").fetch_one(c.store().pool()).await.unwrap();
    assert_eq!(stored, "[]");
    assert_eq!(open_chart(c, &f.doctor, eva.id, None).await.unwrap().allergies.items.len(), 2, "carried over once");

    let before = f.t.snapshot().await;
    let twice = record_allergy(c, &f.doctor, AllergyInput { patient_id: eva.id, substance: "penicillin".into(), reaction: None, severity: Severity::Severe }).await.unwrap_err();
    assert_eq!(twice.field, Some("substance"));
    assert_eq!(confirm_no_known_allergies(c, &f.doctor, eva.id).await.unwrap_err().code, Code::WrongState);
    assert_eq!(f.t.snapshot().await, before);

    let penicillin = chart.allergies.items.iter().find(|a| a.substance == "Penicillin").unwrap();
    change_allergy(c, &f.doctor, penicillin.id, AllergyChange { reaction: Some("Hives".into()), severity: Severity::Severe, status: AllergyStatus::Active }).await.unwrap();
    // Taken off: one entered in error and one no longer active stay in the history, and no longer
    // hold up a prescription.
    let latex = chart.allergies.items.iter().find(|a| a.substance == "Latex").unwrap();
    change_allergy(c, &f.doctor, latex.id, AllergyChange { reaction: None, severity: Severity::Unknown, status: AllergyStatus::EnteredInError }).await.unwrap();
    change_allergy(c, &f.doctor, penicillin.id, AllergyChange { reaction: Some("Hives".into()), severity: Severity::Severe, status: AllergyStatus::Inactive }).await.unwrap();
    let items = open_chart(c, &f.doctor, eva.id, None).await.unwrap().allergies.items;
    let mut kept: Vec<_> = items.iter().map(|a| (a.substance.as_str(), a.severity.as_str(), a.status.as_str())).collect();
    kept.sort();
    assert_eq!(kept, [("Latex", "unknown", "entered_in_error"), ("Penicillin", "severe", "inactive")]);
    prescribe(c, &f.doctor, amoxicillin(eva.id)).await.unwrap();
    // Recording one after "none known" ends that statement.
    record_allergy(c, &f.doctor, AllergyInput { patient_id: ines.id, substance: "Ibuprofen".into(), reaction: Some("Rash".into()), severity: Severity::Mild }).await.unwrap();
    assert!(matches!(open_chart(c, &f.doctor, ines.id, None).await.unwrap().allergies.known, KnownAllergies::Recorded));
}

#[tokio::test]
async fn minimum_necessary_a_receptionist_and_a_manager_see_no_chart_unless_they_break_the_glass() {
    let (f, ana, appointment) = arrived().await;
    let c = &f.t.clinic;
    let note = open_consultation(c, &f.doctor, VisitRef::Appointment(appointment)).await.unwrap().note_id;
    save_note(c, &f.doctor, note, soap("Private matter", "Follow up")).await.unwrap();
    for who in [&f.desk, &f.manager] {
        let before = f.t.snapshot().await;
        let e = open_chart(c, who, ana, None).await.unwrap_err();
        assert_eq!(e.code, Code::PermissionDenied);
        assert!(e.message.contains("emergency"), "{}", e.message);
        assert_eq!(f.t.snapshot().await, before, "a refused read writes nothing");
    }
    assert_eq!(my_day(c, &f.desk, None).await.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(open_chart(c, &f.t.admin, ana, Some("Curious".into())).await.unwrap_err().code, Code::PermissionDenied, "an admin cannot break the glass");

    let chart = open_chart(c, &f.desk, ana, Some("Collapsed in the waiting room".into())).await.unwrap();
    assert!(chart.emergency_read);
    assert_eq!(chart.encounters.items[0].note.as_ref().unwrap().text.subjective.as_deref(), Some("Private matter"));
    let trail: Vec<(String, String)> = sqlx::query_as("SELECT action, details FROM audit_event WHERE entity = 'patient' AND action IN ('view_chart', 'break_the_glass') ORDER BY seq")
        .fetch_all(c.store().pool()).await.unwrap();
    assert_eq!(trail.last().unwrap().0, "break_the_glass");
    assert!(trail.last().unwrap().1.contains("Collapsed in the waiting room"));
    // The audit trail names the fields a note's save changed, never what was written.
    let saves: Vec<String> = sqlx::query_scalar("SELECT details FROM audit_event WHERE entity = 'clinical_note'").fetch_all(c.store().pool()).await.unwrap();
    assert!(!saves.is_empty() && saves.iter().all(|d| !d.contains("Private matter")), "{saves:?}");
}

#[tokio::test]
async fn the_timeline_pages_newest_first() {
    let (f, _, _) = arrived().await;
    let c = &f.t.clinic;
    let ana = f.t.patient(&f.desk, "Bea", "Matos", "2001-02-03").await.id;
    for i in 0..23 {
        let entry = add_walk_in(c, &f.desk, WalkInInput { patient: WalkInPatient::Existing(ana), reason: format!("Visit {i}"), priority: Priority::Normal, practitioner_id: None }).await.unwrap();
        let visit = open_consultation(c, &f.doctor, VisitRef::QueueEntry(entry.id)).await.unwrap();
        finish_consultation(c, &f.doctor, visit.encounter_id).await.unwrap();
        f.t.clock.advance(chrono::Duration::minutes(1));
    }
    let chart = open_chart(c, &f.doctor, ana, None).await.unwrap();
    assert_eq!(chart.encounters.items.len(), 20);
    assert_eq!(chart.encounters.items[0].reason, "Visit 22");
    let older = chart_encounters(c, &f.doctor, ana, chart.encounters.next_before.unwrap(), None).await.unwrap();
    assert_eq!(older.items.iter().map(|e| e.reason.as_str()).collect::<Vec<_>>(), ["Visit 2", "Visit 1", "Visit 0"]);
    assert!(older.next_before.is_none());
}

#[tokio::test]
async fn diagnoses_take_only_codes_of_the_code_set_and_make_a_problem_list() {
    let (f, ana, _) = arrived().await;
    let c = &f.t.clinic;
    let found = find_diagnosis_codes(c, &f.doctor, "asthma", 10).await.unwrap();
    assert!(found.iter().any(|code| code.code.starts_with("J45")), "{found:?}");
    assert_eq!(find_diagnosis_codes(c, &f.doctor, "E11.9", 5).await.unwrap()[0].code, "E11.9");
    let input = |code: &str| DiagnosisInput { patient_id: ana, encounter_id: None, code: code.into(), onset: None, comment: None };
    let before = f.t.snapshot().await;
    for bad in ["X99.999", "E11", "hello", ""] {
        let e = add_diagnosis(c, &f.doctor, input(bad)).await.unwrap_err();
        assert_eq!((e.code, e.field), (Code::Invalid, Some("code")), "{bad}: {}", e.message);
    }
    let future = DiagnosisInput { onset: Some(date("2026-12-25")), ..input("J45.909") };
    assert_eq!(add_diagnosis(c, &f.doctor, future).await.unwrap_err().field, Some("onset"));
    assert_eq!(add_diagnosis(c, &f.desk, input("J45.909")).await.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(f.t.snapshot().await, before);
    assert_eq!(sqlx::query_scalar::<_, i64>("SELECT count(*) FROM diagnosis").fetch_one(c.store().pool()).await.unwrap(), 0);

    let asthma = add_diagnosis(c, &f.doctor, DiagnosisInput { onset: Some(date("2019-05-01")), ..input("j45909") }).await.unwrap();
    assert_eq!(asthma.code, "J45.909");
    assert_eq!(add_diagnosis(c, &f.doctor, input("J45.909")).await.unwrap_err().field, Some("code"), "already listed");
    let flu = add_diagnosis(c, &f.doctor, input("J11.1")).await.unwrap();
    set_problem_status(c, &f.doctor, flu.id, ProblemStatus::Resolved, None).await.unwrap();
    let problems = open_chart(c, &f.doctor, ana, None).await.unwrap().problems;
    assert_eq!(problems.iter().map(|p| (p.code.as_str(), p.status.as_str())).collect::<Vec<_>>(), [("J45.909", "active"), ("J11.1", "resolved")]);
    assert_eq!(problems[1].resolved_on.as_deref(), Some("2026-11-23"));
}

fn amoxicillin(patient_id: uuid::Uuid) -> PrescriptionInput {
    PrescriptionInput {
        patient_id, encounter_id: None, drug_id: None, drug: "Amoxicillin".into(), strength: "500 mg".into(), form: "capsule".into(),
        dose: "1 capsule".into(), route: Route::Oral, frequency: "three times a day".into(), duration_days: Some(7), quantity: 21,
        repeats: 0, instructions: Some("Take with water, finish the course.".into()), allergy_override: None,
    }
}

#[tokio::test]
async fn a_prescription_that_matches_an_allergy_needs_a_reason_and_bad_ones_change_nothing() {
    let (f, ana, _) = arrived().await;
    let c = &f.t.clinic;
    record_allergy(c, &f.doctor, AllergyInput { patient_id: ana, substance: "Penicillin".into(), reaction: Some("Hives".into()), severity: Severity::Severe }).await.unwrap();
    let before = f.t.snapshot().await;
    let warned = prescribe(c, &f.doctor, amoxicillin(ana)).await.unwrap_err();
    assert_eq!((warned.code, warned.field), (Code::WrongState, Some("allergy_override")));
    assert!(warned.message.contains("allergic to Penicillin"), "{}", warned.message);
    for (broken, field) in [
        (PrescriptionInput { dose: " ".into(), ..amoxicillin(ana) }, "dose"),
        (PrescriptionInput { quantity: 0, ..amoxicillin(ana) }, "quantity"),
        (PrescriptionInput { repeats: 13, ..amoxicillin(ana) }, "repeats"),
        (PrescriptionInput { drug: "".into(), ..amoxicillin(ana) }, "drug"),
    ] {
        assert_eq!(prescribe(c, &f.doctor, broken).await.unwrap_err().field, Some(field));
    }
    assert_eq!(f.t.snapshot().await, before);
    assert_eq!(sqlx::query_scalar::<_, i64>("SELECT count(*) FROM prescription").fetch_one(c.store().pool()).await.unwrap(), 0);

    let given = prescribe(c, &f.doctor, PrescriptionInput { allergy_override: Some("Tolerated it last year; mild rash only".into()), ..amoxicillin(ana) }).await.unwrap();
    let kept: String = sqlx::query_scalar("SELECT details FROM audit_event WHERE action = 'allergy_override'").fetch_one(c.store().pool()).await.unwrap();
    assert!(kept.contains("mild rash only"));
    let chart = open_chart(c, &f.doctor, ana, None).await.unwrap();
    assert_eq!(chart.medications.iter().map(|m| m.drug.as_str()).collect::<Vec<_>>(), ["Amoxicillin"]);
    stop_prescription(c, &f.doctor, given.id).await.unwrap();
    assert!(open_chart(c, &f.doctor, ana, None).await.unwrap().medications.is_empty(), "stopped: no longer current");
}

/// The words of a PDF, as a reader gets them (poppler's pdftotext).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("printed.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-layout"]).arg(&path).arg("-").output()
        .expect("pdftotext could not be run: the tests need Debian's poppler-utils, which scripts/test installs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn a_prescription_prints_with_the_patient_s_record_number_and_a_reprint_is_marked_as_a_copy() {
    let (f, ana, _) = arrived().await;
    let c = &f.t.clinic;
    let first = prescribe(c, &f.doctor, amoxicillin(ana)).await.unwrap();
    let second = prescribe(c, &f.doctor, PrescriptionInput { drug: "Paracetamol".into(), dose: "1 g".into(), form: "tablet".into(), ..amoxicillin(ana) }).await.unwrap();
    let printed = print_prescriptions(c, &f.doctor, vec![first.id, second.id]).await.unwrap();
    assert!(!printed.copy);
    let text = pdf_text(&printed.bytes);
    let mrn: String = sqlx::query_scalar("SELECT mrn FROM patient WHERE given_name = 'Ana'").fetch_one(c.store().pool()).await.unwrap();
    for expected in ["Ana Quaresma", mrn.as_str(), "1980-02-03", "House Tester", "Amoxicillin", "Paracetamol", "1 capsule", "by mouth", "21 capsules"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains("COPY"));
    let again = print_prescriptions(c, &f.doctor, vec![first.id, second.id]).await.unwrap();
    assert!(again.copy);
    assert!(pdf_text(&again.bytes).contains("COPY"));
    assert_eq!(print_prescriptions(c, &f.desk, vec![first.id]).await.unwrap_err().code, Code::PermissionDenied);
}

#[tokio::test]
async fn allergies_typed_twice_in_other_cases_or_on_a_merged_duplicate_still_count_and_never_lock_the_chart() {
    let (f, ana, _) = arrived().await;
    let c = &f.t.clinic;
    // Typed twice at the front desk, in letters SQLite's lower() does not fold.
    let mut details = person("Eva", "Lopes", "1990-01-01");
    details.allergies = vec!["ÁCIDO ACETILSALICÍLICO".into(), "Ácido acetilsalicílico".into()];
    let eva = clinic_core::ops::patients::register_patient(c, &f.desk, details, true).await.unwrap();
    let chart = open_chart(c, &f.doctor, eva.id, None).await.unwrap();
    assert_eq!(chart.allergies.items.len(), 1, "{:?}", chart.allergies);
    assert!(chart.allergies.reported.is_empty());
    // A penicillin allergy recorded on a duplicate of Ana's, merged into hers, still warns.
    let twin = f.t.patient(&f.desk, "Ana", "Quaresma-Dup", "1980-02-03").await;
    record_allergy(c, &f.doctor, AllergyInput { patient_id: twin.id, substance: "Penicillin".into(), reaction: None, severity: Severity::Severe }).await.unwrap();
    clinic_core::ops::patients::merge_patients(c, &f.manager, ana, twin.id).await.unwrap();
    let warned = prescribe(c, &f.doctor, amoxicillin(ana)).await.unwrap_err();
    assert_eq!(warned.field, Some("allergy_override"), "{}", warned.message);
    let merged_chart = open_chart(c, &f.doctor, twin.id, None).await.unwrap();
    assert_eq!(merged_chart.patient.id, ana, "the absorbed record opens the kept one");
    assert_eq!(merged_chart.allergies.items.iter().map(|a| a.substance.as_str()).collect::<Vec<_>>(), ["Penicillin"]);
}

#[tokio::test]
async fn a_signature_still_verifies_after_its_author_s_password_is_reset_and_only_the_right_doctor_finishes_a_consultation() {
    let (f, ana, appointment) = arrived().await;
    let c = &f.t.clinic;
    let consultation = open_consultation(c, &f.doctor, VisitRef::Appointment(appointment)).await.unwrap();
    save_note(c, &f.doctor, consultation.note_id, soap("Cough", "Rest")).await.unwrap();
    sign_note(c, &f.doctor, consultation.note_id).await.unwrap();
    let (_, grey) = f.t.doctor(&f.manager, "grey").await;
    assert_eq!(finish_consultation(c, &grey, consultation.encounter_id).await.unwrap_err().code, Code::WrongState);
    clinic_core::ops::staff::reset_password(c, &f.t.admin, f.doctor.staff_id, "a brand new password").await.unwrap();
    let doctor = clinic_core::auth::login(c, "house", "a brand new password").await.unwrap();
    let chart = open_chart(c, &doctor, ana, None).await.unwrap();
    assert_eq!(chart.encounters.items[0].note.as_ref().unwrap().signature_holds, Some(true), "signed with the key the doctor held then");
    finish_consultation(c, &doctor, consultation.encounter_id).await.unwrap();
}
