//! What the clinic's doctors work from, set in the real window, on a pinned day (the app's
//! `--clock`: Monday 23 November 2026, 09:40 at the site): dr. Silva reaches Settings → Formulary,
//! adds a drug (a nameless one refused at its field) and takes it out of use; the manager gives the
//! Follow-up visits a note template; a Follow-up booked for dr. Silva and checked in starts its note
//! from that template, and the drug out of use is not offered when she prescribes.

use std::time::Duration;

use clinic_desk_e2e::{required, App};
use serde_json::json;

const SHORT: Duration = Duration::from_secs(10);
const ENTER: &str = "\u{E007}";
const MORNING: &str = "2026-11-23T09:40:00Z";

/// The Settings tabs the session is offered.
fn settings_tabs(app: &App) -> Vec<String> {
    let tabs = app.execute("return [...document.querySelectorAll('[role=tablist][aria-label=Settings] [role=tab]')].map(t => t.textContent.trim())", json!([]));
    serde_json::from_value(tabs).unwrap_or_default()
}

#[test]
fn a_doctor_keeps_the_formulary_and_a_visit_type_s_note_template_starts_the_note() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver (scripts/test does)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("clinic-desk-clinic-settings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir = dir.to_str().unwrap().to_string();
    let app = App::start_with("clinic_settings_for_doctors", &["--data-dir", &dir, "--clock", MORNING]);
    app.open_demo_clinic();

    // A doctor reaches Settings for the formulary (and this workstation), nothing else of it.
    app.log_in("dr.silva", "demo-clinic");
    app.wait_for_text("My day ·", SHORT);
    app.click_button("Settings");
    app.wait_for_text("Add a drug", SHORT);
    assert_eq!(settings_tabs(&app), ["Formulary", "This workstation"]);
    app.wait_for_text("Amoxicillin 500 mg capsule", SHORT);
    app.shot("01-formulary");
    app.assert_accessible("the formulary");

    // A drug without a name is refused beside its field; then added.
    app.fill(&[("drug_strength", "10 mg"), ("drug_form", "tablet")]);
    app.click_button("Add drug");
    app.wait_for_text("The drug's name is required.", SHORT);
    app.show("form[aria-labelledby=drug-form-title]");
    app.shot("02-drug-without-a-name-refused");
    app.assert_accessible("a drug refused");
    app.fill(&[("drug_name", "Loratadine"), ("drug_usual_dose", "1 tablet"), ("drug_usual_frequency", "once a day")]);
    app.choose("select[name=drug_route]", "Oral");
    app.click_button("Add drug");
    app.wait_for_text("Loratadine 10 mg tablet can now be prescribed.", SHORT);

    // Taken out of use: still listed, greyed, "no".
    app.click("button[aria-label='Change Loratadine 10 mg tablet']");
    app.wait_for_text("Change Loratadine 10 mg tablet", SHORT);
    app.click("input[name=drug_in_use]");
    app.click_button("Save drug");
    app.wait_for_text("Loratadine 10 mg tablet is out of use: it is no longer offered when prescribing.", SHORT);
    app.wait_for("Loratadine greyed, not in use",
        "const row = [...document.querySelectorAll('table.formulary tr')].find(r => r.textContent.includes('Loratadine'));
         return !!row && row.classList.contains('muted') && row.cells[4].textContent === 'no'");
    app.show("table.formulary tr.muted");
    app.shot("03-drug-out-of-use");

    // The manager gives Follow-up visits a note template (a section too long is refused at it).
    app.click_button("Switch user");
    app.log_in("manager", "demo-clinic");
    app.wait_for_text("Revenue today", SHORT);
    app.click_button("Settings");
    app.click_button("Appointment types");
    app.click("button[aria-label='Edit note template of Follow-up']");
    app.wait_for_text("Note template of “Follow-up”", SHORT);
    app.set_value("textarea[name=template_subjective]", &"x".repeat(4_001));
    app.click_button("Save template");
    app.wait_for_text("A template section is at most 4,000 characters.", SHORT);
    app.show(".note-template");
    app.shot("04-template-section-too-long");
    app.assert_accessible("a note template");
    app.set_value("textarea[name=template_subjective]", "Since the last visit:\nMedication taken as advised?");
    app.set_value("textarea[name=template_plan]", "Next review:");
    app.click_button("Save template");
    app.wait_for_text("The note template of “Follow-up” is saved.", SHORT);
    app.shot("05-note-template-saved");

    // A Follow-up with dr. Silva this morning, for a patient of the story's own, checked in.
    app.click_button("Patients");
    app.click_button("Register a new patient");
    app.fill(&[("given_name", "Olívia"), ("family_name", "Modelo-Teste"), ("phone", "913 555 020")]);
    app.set_value("input[name=birth_date]", "1979-03-08");
    app.click_button("Save");
    app.wait_for_text("Registered Olívia Modelo-Teste", SHORT);
    app.wait_for_text("Modelo-Teste, Olívia", SHORT);
    app.press("#patient-search", ENTER);
    app.wait_for_text("Book an appointment", SHORT);
    app.choose("select[name=practitioner]", "Helena Silva");
    app.choose("select[name=type]", "Follow-up");
    app.wait_for_free_times();
    app.click("button.slot");
    app.wait_for_text("Booked 2026-11-23", SHORT);
    app.click_button("Today");
    app.wait_for_text("Olívia Modelo-Teste", SHORT);
    app.act_on(".columns li", "Olívia Modelo-Teste", "Check in");
    app.wait_for("her check-in", "return [...document.querySelectorAll('.columns li')].some(l => l.textContent.includes('Olívia Modelo-Teste') && !l.textContent.includes('Check in'))");

    // Dr. Silva starts it: the note opens with the template's sections.
    app.click_button("Switch user");
    app.log_in("dr.silva", "demo-clinic");
    app.wait_for_text("Olívia Modelo-Teste", SHORT);
    app.act_on("table.visits tr", "Olívia Modelo-Teste", "Start consultation");
    app.wait_for_text("Consultation · Olívia Modelo-Teste · Follow-up", SHORT);
    assert_eq!(app.value("textarea[name=note_subjective]"), "Since the last visit:\nMedication taken as advised?");
    assert_eq!(app.value("textarea[name=note_plan]"), "Next review:");
    app.shot("06-consultation-starts-from-the-template");

    // The drug out of use is not offered when she prescribes; one in use is.
    app.click_button("Prescription");
    app.type_into("input[name=drug]", "Lorat");
    std::thread::sleep(Duration::from_secs(1));
    let offered = app.execute("return [...document.querySelectorAll('[role=option]')].map(o => o.textContent)", json!([]));
    assert!(!offered.to_string().contains("Loratadine"), "an out-of-use drug is offered: {offered}");
    app.set_value("input[name=drug]", "");
    app.type_into("input[name=drug]", "Ceti");
    app.wait_for("Cetirizine offered", "return [...document.querySelectorAll('[role=option]')].some(o => o.textContent.startsWith('Cetirizine'))");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
