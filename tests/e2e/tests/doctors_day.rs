//! A doctor's day in the real window: the front desk queues a walk-in for dr. Silva; she finds the
//! patient waiting on My day, starts the consultation, writes the note (saved as she types), records
//! vitals (an implausible one refused), a diagnosis found as she types, an allergy (made severe on
//! the chart, and a second one marked entered in error), and a prescription that warns of it; signs
//! the note, prints the prescription (read back from the PDF) and completes the visit. The
//! receptionist then sees no clinical content, and opens the chart only in an emergency, with a
//! reason. A second story kills the app while a note is
//! being typed: what was saved is there after a restart.
//!
//! Date-independent: the patient is the story's own, queued as a walk-in (no booked day or hour is
//! needed); the demo clinic's own clinical records are not relied on (the formulary's Amoxicillin is
//! used when there, typed freely when not).

use std::time::Duration;

use clinic_desk_e2e::{required, App};
use serde_json::json;

const SHORT: Duration = Duration::from_secs(10);
const ENTER: &str = "\u{E007}";
const ARROW_DOWN: &str = "\u{E015}";

fn data_dir(name: &str) -> String {
    let dir = std::path::absolute(std::env::temp_dir().join(format!("clinic-desk-{name}-{}", std::process::id()))).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    dir.to_str().unwrap().to_string()
}

/// As the receptionist: registers the story's own patient and queues them as a walk-in for dr. Silva.
fn walk_in_for_dr_silva(app: &App, given: &str, family: &str, shots: bool) {
    app.log_in("reception", "demo-clinic");
    app.wait_for_text("Find a patient", SHORT);
    app.click_button("Register a new patient");
    app.fill(&[("given_name", given), ("family_name", family), ("phone", "913 555 010")]);
    app.set_value("input[name=birth_date]", "1984-06-15");
    app.click_button("Save");
    app.wait_for_text(&format!("Registered {given} {family}"), SHORT);
    app.wait_for_text(&format!("{family}, {given}"), SHORT);
    app.press("#patient-search", ENTER);
    app.wait_for_text("Book an appointment", SHORT);
    app.type_into("input[name=reason]", "Cough and fever");
    app.choose("select[name=walk_in_practitioner]", "Helena Silva");
    app.click_button("Add to the queue");
    app.wait_for_text("Added to today's queue for Helena Silva.", SHORT);
    if shots {
        app.shot("01-reception-queues-a-walk-in");
    }
}

/// Waits until the note's save status says it is saved.
fn wait_until_saved(app: &App) {
    app.wait_for("the note saved", "return (document.querySelector('.save-status')?.textContent ?? '').trim().startsWith('Saved ')");
}

/// Shows what is being recorded on the left, and the top of the chart (it scrolls on its own) on the right.
fn show_work(app: &App) {
    app.show("#record-panel");
    app.execute("const c = document.querySelector('.chart-side'); if (c) c.scrollTop = 0;", json!([]));
}

#[test]
fn a_doctors_day() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver on {} (scripts/test does)", clinic_desk_e2e::driver_url());
        return;
    }
    let dir = data_dir("doctors-day");
    let app = App::start_with("doctors_day", &["--data-dir", &dir]);
    app.open_demo_clinic();
    let (given, family) = ("Inês", "Consulta-Teste");
    let name = format!("{given} {family}");
    walk_in_for_dr_silva(&app, given, family, true);

    // Dr. Silva logs in and lands on her day: the patient is waiting, for how long is shown.
    app.click_button("Switch user");
    app.log_in("dr.silva", "demo-clinic");
    app.wait_for_text("My day ·", SHORT);
    app.wait_for_text(&name, SHORT);
    let row = app.execute("return [...document.querySelectorAll('table.walk-ins tr')].find(r => r.textContent.includes(arguments[0])).textContent", json!([name]));
    let row = row.as_str().unwrap_or_default();
    assert!(row.contains("Waiting") && row.contains(" min") && row.contains("Cough and fever"), "her row: {row}");
    app.shot("02-my-day");
    app.assert_accessible("my day");

    // Start the consultation: the note on the left, her chart on the right.
    app.act_on("table.visits tr", &name, "Start consultation");
    app.wait_for_text(&format!("Consultation · {name}"), SHORT);
    app.wait_for_text("Allergies not asked", SHORT);
    let mrn = app.text(".clinical-head code");
    // Keyboard-first: the note opens with the cursor in its first section.
    app.wait_for("the cursor in the note", "return document.activeElement?.id === 'note-subjective'");
    app.type_into("textarea[name=note_subjective]", "Cough for three days, fever up to 38.5 at night. No chest pain.");
    wait_until_saved(&app);
    app.type_into("textarea[name=note_objective]", "Scattered wheeze both lungs.");
    wait_until_saved(&app);
    app.shot("03-consultation-note-saved");
    app.assert_accessible("consultation");

    // Vitals: an implausible systolic is refused next to its field, and nothing is saved.
    app.set_value("input[name=vital_systolic]", "400");
    app.set_value("input[name=vital_diastolic]", "80");
    app.click_button("Record vital signs");
    app.wait_for_text("is not plausible", SHORT);
    assert!(app.text(".chart-side").contains("No vital signs recorded."), "a refused set saves nothing");
    show_work(&app);
    app.shot("04-vitals-refused");
    for (field, value) in [("systolic", "150"), ("diastolic", "95"), ("pulse", "88"), ("temperature", "38,4"), ("respiratory_rate", "18"),
        ("spo2", "97"), ("weight", "68"), ("height", "165")] {
        app.set_value(&format!("input[name=vital_{field}]"), value);
    }
    app.click_button("Record vital signs");
    app.wait_for_text("Recorded: Systolic BP 150 mm Hg (high)", SHORT);
    app.wait_for("the vitals on the chart", "return !!document.querySelector('.latest-vitals')");
    let vitals = app.text(".latest-vitals");
    assert!(vitals.contains("38.4 °C") && vitals.contains("▲ high") && vitals.contains("BMI"), "latest vitals: {vitals}");
    show_work(&app);
    app.show(".latest-vitals");
    app.shot("05-vitals-recorded");
    // A second set later in the visit: the trends draw a line.
    for (field, value) in [("systolic", "138"), ("diastolic", "88"), ("pulse", "80"), ("temperature", "37.6"), ("weight", "67.5")] {
        app.set_value(&format!("input[name=vital_{field}]"), value);
    }
    app.click_button("Record vital signs");
    app.wait_for_text("Recorded: Systolic BP 138 mm Hg", SHORT);
    app.wait_for("the second set on the chart", "return document.querySelector('.latest-vitals')?.textContent.includes('37.6') ?? false");
    app.show(".trends");
    app.shot("05b-vitals-trends");

    // A diagnosis found by typing words, picked with the arrow keys and Enter.
    app.click_button("Diagnosis");
    app.type_into("input[name=diagnosis]", "asthma");
    app.wait_for("asthma codes", "return [...document.querySelectorAll('[role=option]')].some(o => o.textContent.startsWith('J45.'))");
    let index = app.execute(
        "const all = [...document.querySelectorAll('[role=option]')].map(o => o.textContent);
         const exact = all.findIndex(t => t.startsWith('J45.909')); return exact >= 0 ? exact : all.findIndex(t => t.startsWith('J45.'));",
        json!([]),
    ).as_u64().expect("an asthma code");
    show_work(&app);
    app.shot("06-diagnosis-as-you-type");
    app.assert_accessible("diagnosis search");
    for _ in 0..index {
        app.press("input[name=diagnosis]", ARROW_DOWN);
    }
    app.press("input[name=diagnosis]", ENTER);
    app.wait_for_text("Chosen: J45.", SHORT);
    let code = app.text(".chosen code");
    app.click_button("Add to the problem list");
    app.wait_for_text("is on the problem list.", SHORT);
    app.wait_for("the problem on the chart", &format!("return document.querySelector('.problems')?.textContent.includes('{code}') ?? false"));
    show_work(&app);
    app.shot("07-diagnosis-added");

    // A penicillin allergy: the chart's banner turns red.
    app.click_button("Allergies");
    app.type_into("input[name=allergy_substance]", "Penicillin");
    app.type_into("input[name=allergy_reaction]", "Hives");
    app.choose("select[name=allergy_severity]", "Moderate");
    app.click_button("Record allergy");
    app.wait_for_text("Allergy to Penicillin recorded.", SHORT);
    app.wait_for("the allergy banner", "return document.querySelector('.allergy-banner.recorded')?.textContent.includes('Penicillin') ?? false");
    show_work(&app);
    app.shot("08-allergy-recorded");

    // She changes it on the chart: the reaction was worse, so severe; the banner says so.
    app.click("button[aria-label='Change the allergy to Penicillin']");
    app.set_value("input[name=allergy_change_reaction]", "Hives and swollen lips");
    app.choose("select[name=allergy_change_severity]", "Severe");
    app.show(".allergy-change");
    app.shot("08a-allergy-change");
    app.assert_accessible("changing an allergy");
    app.click_button("Save allergy");
    app.wait_for("the change on the banner",
        "return document.querySelector('.allergy-banner.recorded')?.textContent.includes('Penicillin (Hives and swollen lips), severe') ?? false");
    // A second one, recorded by mistake: entered in error, it leaves the banner and stays, greyed, in the list.
    app.type_into("input[name=allergy_substance]", "Latex");
    app.click_button("Record allergy");
    app.wait_for_text("Allergy to Latex recorded.", SHORT);
    app.click("button[aria-label='Change the allergy to Latex']");
    app.choose("select[name=allergy_change_status]", "Entered in error");
    app.click_button("Save allergy");
    app.wait_for("Latex off the banner, in the list's history",
        "return !document.querySelector('.allergy-banner').textContent.includes('Latex')
            && (document.querySelector('.allergies.past')?.textContent.includes('Latex') ?? false)");
    assert!(app.text(".allergies.past").contains("entered in error"), "{}", app.text(".allergies.past"));
    show_work(&app);
    app.show("#allergies-title");
    app.shot("08b-allergy-changed");

    // Amoxicillin: the allergy warning, then prescribed anyway with a reason.
    app.click_button("Prescription");
    app.type_into("input[name=drug]", "Amoxi");
    let listed = (0..30).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        app.execute("return [...document.querySelectorAll('[role=option]')].some(o => o.textContent.startsWith('Amoxicillin'))", json!([])) == json!(true)
    });
    if listed {
        app.press("input[name=drug]", ENTER);
        app.wait_for("the formulary's details", "return document.querySelector('input[name=rx_strength]').value !== ''");
    } else {
        eprintln!("the formulary has no Amoxicillin: typed freely");
        app.set_value("input[name=drug]", "Amoxicillin");
        app.fill(&[("rx_strength", "500 mg"), ("rx_form", "capsule"), ("rx_dose", "1 capsule"), ("rx_frequency", "three times a day")]);
    }
    app.set_value("input[name=rx_duration]", "7");
    app.set_value("input[name=rx_quantity]", "21");
    app.click_button("Prescribe");
    app.wait_for_text("Allergy warning.", SHORT);
    app.wait_for_text("The patient is allergic to Penicillin.", SHORT);
    show_work(&app);
    app.show(".allergy-warning");
    app.shot("09-allergy-warning");
    app.assert_accessible("allergy warning");
    app.type_into("input[name=allergy_override]", "Took amoxicillin in 2024 without a reaction; the hives followed another drug.");
    app.click_button("Prescribe anyway");
    app.wait_for_text("Prescribed Amoxicillin", SHORT);
    app.wait_for("the medication on the chart", "return document.querySelector('.medications')?.textContent.includes('Amoxicillin') ?? false");
    show_work(&app);
    app.shot("10-prescribed");

    // Sign the note: read-only, signed and verified; a correction is an addendum with a reason.
    app.show(".note-editor");
    app.click_button("Sign note");
    app.wait_for_text("Sign this note now?", SHORT);
    app.click_button("Sign");
    app.wait_for_text("Signed by Helena Silva", SHORT);
    app.wait_for_text("signature verified", SHORT);
    assert!(!app.has_button("Sign note"), "a signed note cannot be signed again");
    app.click_button("Add addendum");
    app.type_into("input[name=addendum_reason]", "Temperature from the patient's diary");
    app.type_into("textarea[name=addendum_body]", "Highest temperature at home was 38.9.");
    app.click_button("Sign and add");
    app.wait_for_text("reason: Temperature from the patient's diary", SHORT);
    app.show(".note-editor");
    app.shot("11-signed-with-addendum");
    app.assert_accessible("signed note");

    // Print the prescription, and read the PDF back.
    app.click_button("Print");
    app.click_button("Print prescriptions");
    app.wait_for_text("Saved as", SHORT);
    let path = app.text(".saved-path");
    assert!(app.has_button("Open"), "the saved PDF can be opened");
    show_work(&app);
    app.shot("12-printed");
    let pdf = std::process::Command::new("pdftotext").args(["-layout", &path, "-"]).output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&pdf.stdout);
    for expected in [name.as_str(), mrn.as_str(), "Amoxicillin", "Penicillin"] {
        assert!(text.contains(expected), "the printed prescription names {expected}:\n{text}");
    }

    // Attach a scan (a real PNG: the screenshot just taken): the chart shows its thumbnail, named
    // by its file; clicking it opens the scan in the chart.
    let scan = std::env::temp_dir().join(format!("scan-{}.png", std::process::id()));
    std::fs::copy(app.shot("12a-before-the-scan"), &scan).unwrap();
    app.show("#attachments-title");
    app.type_into("input[name=attachment]", scan.to_str().unwrap());
    let scan_name = scan.file_name().unwrap().to_str().unwrap();
    app.wait_for_text(scan_name, SHORT);
    app.wait_for("the scan's thumbnail", "const img = document.querySelector('.attachments img.attachment-thumbnail');
        return !!img && img.complete && img.naturalWidth > 0 && img.naturalWidth <= 256;");
    assert_eq!(app.execute("return document.querySelector('img.attachment-thumbnail').alt", json!([])), json!(scan_name));
    app.show("img.attachment-thumbnail");
    app.shot("12b-scan-thumbnail");
    // The printed prescription, attached too: a PDF has a document's icon, no thumbnail.
    app.type_into("input[name=attachment]", &path);
    app.wait_for("the PDF listed with its icon", "return [...document.querySelectorAll('.attachments li')]
        .some(li => li.textContent.includes('.pdf') && li.querySelector('svg.icon') && !li.querySelector('img'));");
    app.show("#attachments-title");
    app.shot("12c-a-scan-and-a-pdf");
    app.click(".attachments button.preview");
    app.wait_for("the scan opened", "const img = document.querySelector('img.attachment-image'); return !!img && img.naturalWidth > 256;");
    app.show("img.attachment-image");
    app.shot("12d-scan-opened");
    std::fs::remove_file(&scan).unwrap();

    // Complete the consultation: the next patient waiting (if any) is called.
    app.click_button("Complete consultation");
    app.wait_for_text("Consultation complete.", SHORT);
    let said = app.text(".finished");
    assert!(said.contains("has been called next") || said.contains("Nobody else is waiting"), "{said}");
    app.show(".finished");
    app.shot("13-completed");
    app.click_button("Back to my day");
    app.wait_for_text("My unsigned notes", SHORT);
    assert!(!app.text(".unsigned").contains(&name), "her note is signed");

    // From Patients, a doctor opens the same chart: the visit on the timeline, its note signed.
    app.click_button("Patients");
    app.type_into("#patient-search", "ines consulta");
    app.wait_for_text(&format!("{family}, {given}"), SHORT);
    app.press("#patient-search", ENTER);
    app.click_button("Clinical chart");
    app.wait_for_text("Consultations", SHORT);
    app.wait_for("the signed note on the timeline", "return document.querySelector('.encounters')?.textContent.includes('signature verified') ?? false");
    app.show(".clinical-chart");
    app.shot("13b-clinical-chart-from-patients");
    app.assert_accessible("clinical chart from patients");

    // The receptionist: the patient's record shows no clinical content.
    app.click_button("Switch user");
    app.log_in("reception", "demo-clinic");
    app.wait_for_text("Find a patient", SHORT);
    assert!(!app.has_button("My day"), "the front desk has no doctor's day");
    app.type_into("#patient-search", "ines consulta");
    app.wait_for_text(&format!("{family}, {given}"), SHORT);
    app.press("#patient-search", ENTER);
    app.wait_for_text("Book an appointment", SHORT);
    let seen = app.text("main");
    for clinical in ["Penicillin", "Amoxicillin", code.as_str(), "Cough for three days", "Vital signs", "Problems"] {
        assert!(!seen.contains(clinical), "a receptionist sees “{clinical}”:\n{seen}");
    }
    assert!(!app.has_button("Clinical chart") && app.has_button("Emergency access"));
    app.shot("14-reception-sees-no-clinical-content");

    // Emergency access: refused without a reason, then opened with one, marked as recorded.
    app.click_button("Emergency access");
    app.click_button("Open the chart");
    app.wait_for_text("open the chart with a reason", SHORT);
    app.show(".emergency-form");
    app.shot("15-emergency-access-needs-a-reason");
    app.assert_accessible("emergency access refused");
    app.type_into("input[name=emergency_reason]", "Collapsed in the waiting room: allergies for the ambulance crew");
    app.click_button("Open the chart");
    app.wait_for_text("Emergency access — recorded", SHORT);
    app.wait_for("the chart's allergies", "return document.querySelector('.allergy-banner')?.textContent.includes('Penicillin') ?? false");
    app.show(".emergency-banner");
    let last = app.shot("16-emergency-chart");
    app.assert_accessible("emergency chart");
    eprintln!("screenshots in {}", last.parent().unwrap().display());
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_note_survives_a_crash_while_typing() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver (scripts/test does)");
        return;
    }
    let dir = data_dir("note-crash");
    let app = App::start_with("note_crash", &["--data-dir", &dir]);
    app.open_demo_clinic();
    let (given, family) = ("Tiago", "Queda-Teste");
    let name = format!("{given} {family}");
    walk_in_for_dr_silva(&app, given, family, false);
    app.click_button("Switch user");
    app.log_in("dr.silva", "demo-clinic");
    app.wait_for_text(&name, SHORT);
    app.act_on("table.visits tr", &name, "Start consultation");
    app.wait_for_text(&format!("Consultation · {name}"), SHORT);

    // Typed and saved; then more typed, and the power goes before the pause that saves it.
    let saved = "Fell from a ladder this morning, pain in the left wrist.";
    app.type_into("textarea[name=note_subjective]", saved);
    wait_until_saved(&app);
    app.shot("01-saved");
    app.type_into("textarea[name=note_subjective]", " Not yet saved when the power went.");
    app.kill_app(&dir);
    drop(app);

    // Started again on the same data: the note, as last saved, is among her unsigned notes.
    let app = App::start_with("note_crash", &["--data-dir", &dir]);
    app.log_in("dr.silva", "demo-clinic");
    app.wait_for_text("My unsigned notes", SHORT);
    app.wait_for_text(&name, SHORT);
    app.shot("02-after-restart");
    app.execute(
        "[...document.querySelectorAll('.unsigned-notes button')].find(b => b.textContent.includes(arguments[0])).click()",
        json!([name]),
    );
    app.wait_for_text(&format!("Consultation · {name}"), SHORT);
    let text = app.value("textarea[name=note_subjective]");
    app.wait_for("the chart beside the note", "return !!document.querySelector('.clinical-head')");
    assert_eq!(text, saved, "what was saved survives; what was typed in the last second before the crash may not");
    let last = app.shot("03-note-reopened");
    eprintln!("screenshots in {}", last.parent().unwrap().display());
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
