//! The front desk's first minutes, in the real window: open the demo clinic, log in, find a patient.

use std::time::Duration;

use clinic_desk_e2e::{required, App};

#[test]
fn open_the_demo_clinic_log_in_and_find_a_patient_as_you_type() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver on {} (scripts/test does)", clinic_desk_e2e::driver_url());
        return;
    }
    let app = App::start("front_desk");
    app.wait_for_text("Welcome to Clinic Desk", Duration::from_secs(20));
    app.screenshot("01-first-run");
    app.click("button.primary");
    app.wait_for_text("The demo clinic is ready", Duration::from_secs(180));
    app.screenshot("02-demo-ready");
    app.click("button.primary");

    app.wait_for_text("Log in", Duration::from_secs(10));
    app.type_into("input[name=username]", "reception");
    app.type_into("input[name=password]", "not the password");
    app.click("button[type=submit]");
    app.wait_for_text("Wrong username or password.", Duration::from_secs(10));
    app.screenshot("03-wrong-password");
    app.type_into("input[name=password]", "demo-clinic");
    app.click("button[type=submit]");

    app.wait_for_text("Find a patient", Duration::from_secs(10));
    assert_eq!(app.focused_id(), "patient-search", "the search box has the focus when the desk opens");
    app.type_into("#patient-search", "silv");
    app.wait_for_text("Silva", Duration::from_secs(10));
    let results = app.text(".results");
    assert!(results.matches("Silva, ").count() >= 3, "results:\n{results}");
    let shot = app.screenshot("04-search-silva");
    eprintln!("screenshots in {}", shot.parent().unwrap().display());
}
