//! What the money is set up with, in the real window, on a pinned day (the app's `--clock`: Monday
//! 23 November 2026, 09:40 at the site): the administrator sets the invoices' discount limit, note
//! and logo; the manager adds an item to the price list (a tax rate of 150 % refused at its box) and
//! takes one out of use; the receptionist sells it over the counter, the item out of use not
//! offered, with a discount the new limit allows, takes cash, and prints the invoice: the PDF has
//! the note, the item and the total.

use std::time::Duration;

use clinic_desk_e2e::{pdf_text, required, App};
use serde_json::json;

const SHORT: Duration = Duration::from_secs(10);
const MORNING: &str = "2026-11-23T09:40:00Z";

#[test]
fn the_money_is_set_up_and_a_counter_sale_uses_it() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver (scripts/test does)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("clinic-desk-money-settings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir = dir.to_str().unwrap().to_string();
    let app = App::start_with("money_settings", &["--data-dir", &dir, "--clock", MORNING]);
    app.open_demo_clinic();

    // The administrator: a 15 % limit, the clinic's note, and its logo (the app's own icon).
    app.log_in("admin", "demo-clinic");
    app.click_button("Settings");
    app.click_button("Clinic details");
    app.wait_for_text("Largest discount a receptionist may give (%)", SHORT);
    app.set_value("input[name=discount_limit]", "15");
    app.set_value("textarea[name=invoice_note]", "Medical care exempt from VAT (art. 9 CIVA). Thank you for choosing Riverside.");
    app.click_button("Save invoice settings");
    app.wait_for_text("The invoices' settings are saved.", SHORT);
    let logo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons/128x128.png").canonicalize().unwrap();
    app.type_into("input[name=logo]", logo.to_str().unwrap());
    app.wait_for_text("The logo is saved: invoices and receipts print it.", SHORT);
    app.find("img.logo", SHORT);
    app.show("[aria-labelledby=invoices-title]");
    app.shot("01-invoice-settings");
    app.assert_accessible("the invoices' settings");

    // The manager: a new item (a tax rate of 150 % refused first), and the tetanus vaccine out of use.
    app.click_button("Switch user");
    app.log_in("manager", "demo-clinic");
    app.click_button("Settings");
    app.click_button("Price list");
    app.wait_for_text("Add an item", SHORT);
    app.fill(&[("price_name", "Suture removal"), ("price_price", "12.00")]);
    app.set_value("input[name=price_tax]", "150");
    app.click_button("Add item");
    app.wait_for_text("A percentage is between 0 and 100.", SHORT);
    app.shot("02-tax-rate-refused");
    app.set_value("input[name=price_tax]", "23");
    app.click_button("Add item");
    app.wait_for_text("Suture removal can now be charged.", SHORT);
    app.click("button[aria-label='Change Tetanus vaccine']");
    app.wait_for_text("Change Tetanus vaccine", SHORT);
    app.click("input[name=price_in_use]");
    app.click_button("Save price");
    app.wait_for_text("Tetanus vaccine is out of use: it is no longer offered on new invoices.", SHORT);
    app.shot("03-price-list");
    app.assert_accessible("the price list");

    // The receptionist sells it over the counter: the vaccine out of use is not offered.
    app.click_button("Switch user");
    app.log_in("reception", "demo-clinic");
    app.wait_for_text("Find a patient", SHORT);
    app.click_button("Money");
    app.click_button("Open cash session");
    app.wait_for_text("An amount is required.", SHORT);
    app.fill(&[("cash_float", "50")]);
    app.click_button("Open cash session");
    app.wait_for_text("Close and count…", SHORT);
    app.click_button("New counter sale");
    app.wait_for_text("Draft invoice", SHORT);
    app.type_into("input[name=price_pick]", "tet");
    std::thread::sleep(Duration::from_millis(600));
    let offered = app.execute("return [...document.querySelectorAll('[role=option]')].map(o => o.textContent)", json!([]));
    assert!(!offered.to_string().contains("Tetanus"), "a vaccine out of use is not offered: {offered}");
    app.set_value("input[name=price_pick]", "");
    app.type_into("input[name=price_pick]", "sut");
    app.wait_for("Suture removal offered", "return [...document.querySelectorAll('[role=option]')].some(o => o.textContent.startsWith('Suture removal'))");
    app.press("input[name=price_pick]", "\u{E007}");
    assert_eq!(app.value("input[name=line_price_0]"), "12.00");
    assert_eq!(app.value("input[name=line_tax_0]"), "23");
    // 12 % off: within the new 15 %. 12.00 − 1.44 = 10.56, and 23 % of it 2.43: 12.99.
    app.type_into("input[name=invoice_discount]", "12 %");
    app.click_button("Save draft");
    app.wait_for_text("Draft saved.", SHORT);
    assert!(app.text("dl.totals").contains("12.99"), "the totals: {}", app.text("dl.totals"));
    app.click_button("Finalise…");
    app.click_button("Finalise");
    app.wait_for_text("Invoice RV-01-2026-000001", SHORT);
    app.click_button("Take payment");
    app.set_value("input[name=payment_amount]", "20");
    app.click_button("Take cash payment");
    app.wait_for_text("Change to give", SHORT);
    assert!(app.text("body").contains("7.01"), "the change: 20.00 − 12.99");
    app.shot("04-counter-sale-paid");

    app.click_button("Print invoice");
    app.find("select[name=printer]", SHORT);
    app.choose("select[name=printer]", "Save as PDF only");
    app.click_button("Print");
    app.wait_for("the print's outcome", "return document.querySelectorAll('.print-outcome').length > 0");
    let path = app.execute("const all = document.querySelectorAll('.print-outcome'); return all[all.length - 1].dataset.path", json!([]));
    let text = pdf_text(&app, path.as_str().expect("the saved PDF's path"), "05-invoice-pdf");
    for expected in ["Counter sale", "RV-01-2026-000001", "Suture removal", "12.99", "art. 9 CIVA", "Paid in full"] {
        assert!(text.contains(expected), "{expected} missing from the invoice:\n{text}");
    }
}
