//! What a clinic manager does at the desk besides booking, in the real window, on a pinned day
//! (the app's `--clock`: Monday 23 November 2026, 09:40 at the site): a duplicate record merged
//! and unmerged, a deliberate double booking, a walk-in who left, a visit checked in, started and
//! completed, a no-show once the day has moved on, and a password changed.

use std::time::Duration;

use clinic_desk_e2e::{required, App};

const SHORT: Duration = Duration::from_secs(10);
const ENTER: &str = "\u{E007}";
const MORNING: &str = "2026-11-23T09:40:00Z";
const AFTERNOON: &str = "2026-11-23T16:00:00Z";

fn start(dir: &str, clock: &str) -> App {
    App::start_with("desk_actions", &["--data-dir", dir, "--clock", clock])
}

fn register(app: &App) {
    app.click_button("Register a new patient");
    app.fill(&[("given_name", "Tomé"), ("family_name", "Duplicado"), ("phone", "913 000 111")]);
    app.set_value("input[name=birth_date]", "1970-05-05");
    app.click_button("Save");
}

#[test]
fn a_managers_day_at_the_desk() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver (scripts/test does)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("clinic-desk-desk-actions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir = dir.to_str().unwrap().to_string();
    let app = start(&dir, MORNING);
    app.open_demo_clinic();
    app.log_in("manager", "demo-clinic");
    app.wait_for_text("Revenue today", SHORT);
    app.click_button("Patients");
    app.wait_for_text("Find a patient", SHORT);

    // The same person registered twice (the second time past the warning): then merged, and unmerged.
    register(&app);
    app.wait_for_text("Registered Tomé Duplicado", SHORT);
    register(&app);
    app.wait_for_text("This may be a patient already registered", SHORT);
    app.click_button("Save anyway");
    // The first registration's notice is still shown: the form closing says the second is saved
    // (and the search box then holds her name, which the app puts there, before it is cleared).
    app.wait_for("the second record saved", "return !document.querySelector('input[name=given_name]')");
    app.wait_for_text("Registered Tomé Duplicado", SHORT);
    app.set_value("#patient-search", "");
    app.type_into("#patient-search", "tome dupl");
    app.wait_for("both records", "return document.querySelectorAll('[role=option]').length === 2");
    app.press("#patient-search", ENTER);
    app.wait_for_text("Book an appointment", SHORT);
    app.click_button("Merge a duplicate into this record");
    app.type_into("input[name=merge_search]", "tome dupl");
    app.wait_for("the duplicate", "return document.querySelectorAll('section[aria-labelledby=merge-title] .results button').length === 1");
    app.click("section[aria-labelledby=merge-title] .results button");
    app.wait_for_text("into this record? Their visits and history will show here", SHORT);
    app.screenshot("01-merge-confirm");
    app.assert_accessible("merging a duplicate");
    app.click_button("Merge");
    app.wait_for_text("was merged into this record.", SHORT);
    app.screenshot("02-merged");
    app.click_button("Unmerge");
    app.wait_for_text("is a record of its own again.", SHORT);
    app.screenshot("03-unmerged");

    // A deliberate double booking: refused first, then booked on purpose by a role that may.
    app.choose("select[name=type]", "Vaccination");
    app.wait_for_free_times();
    let slot = app.text("button.slot");
    app.click("button.slot");
    app.wait_for_text("Booked 2026-11-23", SHORT);
    app.set_value("input[name=time]", &slot);
    app.click_button("Book at this time");
    app.wait_for_text("already has an appointment", SHORT);
    app.screenshot("04-double-booking-offered");
    app.click_button("Book anyway");
    app.wait_for_text(&format!("Booked 2026-11-23 {slot}"), SHORT);

    // A walk-in who left before being seen.
    app.type_into("input[name=reason]", "Cough");
    app.click_button("Add to the queue");
    app.wait_for_text("Added to today's queue.", SHORT);
    app.click_button("Today");
    app.wait_for_text("Queue", SHORT);
    app.wait_for_text(&format!("{slot} Tomé Duplicado"), SHORT);
    app.act_on(".columns li", "Cough", "Left");
    app.wait_for_text("Tomé Duplicado left without being seen.", SHORT);

    // One of the two bookings: checked in, in consultation, completed.
    app.act_on(".columns li", "Tomé Duplicado", "Check in");
    app.act_on(".columns li", "Tomé Duplicado", "Start consultation");
    app.wait_for_text("Tomé Duplicado is in with", SHORT);
    app.screenshot("05-in-consultation");
    app.act_on(".columns li", "Tomé Duplicado", "Complete");
    app.wait_for_text("Tomé Duplicado's visit is complete.", SHORT);
    app.assert_accessible("today, after a visit");

    // A password changed: a wrong current one is refused and changes nothing.
    app.click_button("Password");
    app.fill(&[("current_password", "not my password"), ("new_password", "a new manager password"), ("new_password_again", "a new manager password")]);
    app.click_button("Change password");
    app.wait_for_text("The current password is not right.", SHORT);
    app.screenshot("06-password-refused");
    app.assert_accessible("changing a password");
    app.set_value("input[name=current_password]", "demo-clinic");
    app.click_button("Change password");
    app.wait_for_text("Your password was changed.", SHORT);
    app.click_button("Close");
    drop(app);

    // The afternoon: the other booking's time has passed: a no-show. The new password opens the desk.
    let app = start(&dir, AFTERNOON);
    app.log_in("manager", "demo-clinic");
    app.wait_for_text("Wrong username or password.", SHORT);
    app.log_in("manager", "a new manager password");
    app.wait_for_text("Revenue today", SHORT);
    app.click_button("Today");
    app.wait_for_text(&format!("{slot} Tomé Duplicado"), SHORT);
    app.act_on(".columns li", "Tomé Duplicado", "No-show");
    app.wait_for_text("Tomé Duplicado did not come.", SHORT);
    app.screenshot("07-no-show");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
