//! Setting up a new clinic with the first-run form, in the real window, on a store of its own.

use std::time::Duration;

use clinic_desk_e2e::{required, App};

const SHORT: Duration = Duration::from_secs(10);

#[test]
fn a_new_clinic_is_set_up_with_the_first_run_form() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver on {} (scripts/test does)", clinic_desk_e2e::driver_url());
        return;
    }
    let dir = std::env::temp_dir().join(format!("clinic-desk-first-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let app = App::start_with("first_run", &["--data-dir", dir.to_str().unwrap()]);
    app.wait_for_text("Set up your clinic", Duration::from_secs(20));
    app.fill(&[
        ("organisation_name", "Harbour Health"), ("site_name", "Harbour Clinic"), ("address", "1 Quay Street, Porto"),
        ("admin_full_name", "Ada Lopes"), ("admin_username", "ada"), ("admin_password", "a long admin password"),
    ]);
    app.set_value("input[name=time_zone]", "Mars/Olympus");
    app.click_button("Create the clinic");
    app.wait_for_text("is not a time zone", SHORT);
    app.screenshot("01-bad-time-zone");
    app.set_value("input[name=time_zone]", "Europe/Lisbon");
    app.click_button("Create the clinic");

    // The recovery code that opens the clinic's backups, shown once before the clinic opens.
    app.wait_for_text("Your recovery code", SHORT);
    assert_eq!(app.text("[data-recovery-code]").len(), 29);
    app.screenshot("01b-recovery-code");
    app.click("label.check input");
    app.click_button("Done");

    // The first admin is logged in and can add the front desk.
    app.wait_for_text("Add a staff member", SHORT);
    assert!(app.text("table.staff").contains("Ada Lopes"));
    app.type_into("input[name=full_name]", "Rita Sousa");
    app.type_into("input[name=username]", "rita");
    app.type_into("input[name=password]", "a long desk password");
    app.click_button("Add");
    app.wait_for_text("Rita Sousa can now log in as rita.", SHORT);
    app.screenshot("02-clinic-ready");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
