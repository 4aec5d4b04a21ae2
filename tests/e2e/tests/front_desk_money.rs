//! The front desk's money in the real window, on a pinned day (the app's `--clock`: Monday 23
//! November 2026, 09:40 at the site): the receptionist opens her cash session with a float of
//! 100.00, checks a patient in and out from a Consultation booked that morning, adds a Flu
//! vaccine, is refused a 20 % discount (a manager's, shown at the box), finalises the invoice
//! (RV-01-2026-000001), takes 20.00 in cash and the rest by card and prints the receipt (to the
//! CUPS queue `ClinicDesk_PDF` when this machine has it, else saved as a PDF), read back with
//! pdftotext. The manager opens a cash session of their own, credits the vaccine and refunds it to
//! the card, and sees the account settled. The receptionist counts her drawer 2.00 short in cash,
//! sees the variance before closing, closes, and prints the Z-report, read back too. Dr. Silva
//! sees only what the patient owes.

use std::time::Duration;

use clinic_desk_e2e::{pdf_text, required, App};
use serde_json::json;

const SHORT: Duration = Duration::from_secs(10);
const ENTER: &str = "\u{E007}";
const MORNING: &str = "2026-11-23T09:40:00Z";
const PATIENT: &str = "Joana Conceição-Teste";
const NUMBER: &str = "RV-01-2026-000001";

/// Prints with the dialog of the button `label` (the CUPS test queue when offered, else the PDF
/// only) and answers the saved PDF's path.
fn print(app: &App, label: &str) -> String {
    let before = app.execute("return document.querySelectorAll('.print-outcome').length", json!([])).as_u64().unwrap_or(0);
    app.click_button(label);
    app.find("select[name=printer]", SHORT);
    let offered = app.execute("return [...document.querySelector('select[name=printer]').options].map(o => o.text)", json!([]));
    let to = if offered.to_string().contains("ClinicDesk_PDF") { "ClinicDesk_PDF" } else { "Save as PDF only" };
    app.choose("select[name=printer]", to);
    app.click_button("Print");
    app.wait_for("the print's outcome", &format!("return document.querySelectorAll('.print-outcome').length > {before}"));
    let outcome = app.text(".print-outcome");
    if to != "Save as PDF only" {
        assert!(outcome.contains("sent to ClinicDesk_PDF"), "sent to the printer: {outcome}");
    }
    let path = app.execute("const all = document.querySelectorAll('.print-outcome'); return all[all.length - 1].dataset.path", json!([]));
    let path = path.as_str().expect("the saved PDF's path").to_string();
    assert!(std::path::Path::new(&path).is_file(), "the PDF is saved at {path}");
    path
}

#[test]
fn the_front_desk_takes_a_day_s_money_and_the_manager_credits_refunds_and_the_drawer_is_counted() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver (scripts/test does)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("clinic-desk-front-desk-money-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir = dir.to_str().unwrap().to_string();
    let app = App::start_with("front_desk_money", &["--data-dir", &dir, "--clock", MORNING]);
    app.open_demo_clinic();

    // The receptionist opens her cash session: a drawer and its float.
    app.log_in("reception", "demo-clinic");
    app.wait_for_text("Find a patient", SHORT);
    app.click_button("Money");
    app.wait_for_text("Your cash session is not open", SHORT);
    app.click_button("Open cash session");
    app.wait_for_text("An amount is required.", SHORT);
    app.fill(&[("cash_float", "100.00")]);
    app.click_button("Open cash session");
    app.wait_for_text("Close and count…", SHORT);
    app.wait_for_text("with a float of", SHORT);
    app.shot("01-cash-session-open");
    app.assert_accessible("the day's money");

    // A Consultation with dr. Silva this morning, for a patient of the story's own; checked in, then out.
    app.click_button("Patients");
    app.click_button("Register a new patient");
    app.fill(&[("given_name", "Joana"), ("family_name", "Conceição-Teste"), ("phone", "913 555 031")]);
    app.set_value("input[name=birth_date]", "1984-06-12");
    app.click_button("Save");
    app.wait_for_text(&format!("Registered {PATIENT}"), SHORT);
    app.wait_for_text("Conceição-Teste, Joana", SHORT);
    app.press("#patient-search", ENTER);
    app.wait_for_text("Book an appointment", SHORT);
    app.wait_for_text("Owes nothing", SHORT);
    app.choose("select[name=practitioner]", "Helena Silva");
    app.choose("select[name=type]", "Consultation");
    app.wait_for_free_times();
    app.click("button.slot");
    app.wait_for_text("Booked 2026-11-23", SHORT);
    app.click_button("Today");
    app.wait_for_text(PATIENT, SHORT);
    app.act_on(".columns li", PATIENT, "Check in");
    app.act_on(".columns li", PATIENT, "Check out");
    app.wait_for_text(&format!("Draft invoice · {PATIENT}"), SHORT);
    assert_eq!(app.value("input[name=line_description_0]"), "Consultation");
    assert_eq!(app.value("input[name=line_price_0]"), "45.00");

    // A Flu vaccine from the price list, picked with the keyboard: its price and tax filled in.
    app.type_into("input[name=price_pick]", "flu");
    app.wait_for("the Flu vaccine offered", "return [...document.querySelectorAll('[role=option]')].some(o => o.textContent.startsWith('Flu vaccine'))");
    app.press("input[name=price_pick]", ENTER);
    assert_eq!(app.value("input[name=line_description_1]"), "Flu vaccine");
    assert_eq!(app.value("input[name=line_price_1]"), "15.00");
    assert_eq!(app.value("input[name=line_tax_1]"), "6");

    // 20 % off the whole invoice is over the receptionist's 10 %: refused at the discount's box.
    app.type_into("input[name=invoice_discount]", "20 %");
    app.click_button("Save draft");
    app.wait_for_text("A discount over 10 % of the price needs a manager.", SHORT);
    app.wait_for("the discount's box marked", "return document.querySelector('input[name=invoice_discount]').getAttribute('aria-invalid') === 'true'");
    app.show(".invoice");
    app.shot("02-discount-refused");
    app.assert_accessible("a draft invoice with a refusal");

    // Without the discount: saved, the totals from the core (45.00 exempt + 15.00 and 0.90 VAT).
    app.set_value("input[name=invoice_discount]", "");
    app.click_button("Save draft");
    app.wait_for_text("Draft saved.", SHORT);
    app.wait_for_text("VAT 6 %", SHORT);
    let totals = app.text("dl.totals");
    assert!(totals.contains("60.90") && totals.contains("0.90"), "the totals: {totals}");
    app.shot("03-draft-saved");

    // Finalised: the first number of this workstation's 2026 series.
    app.click_button("Finalise…");
    app.wait_for_text("It gets its number and can no longer be changed", SHORT);
    app.click_button("Finalise");
    app.wait_for_text(&format!("Invoice {NUMBER}"), SHORT);

    // 20.00 in cash (typing 100 first shows the change it would need), then the rest by card.
    app.click_button("Take payment");
    assert_eq!(app.value("input[name=payment_amount]"), "60.90");
    app.set_value("input[name=payment_amount]", "100");
    app.wait_for_text("Change to give:", SHORT);
    assert!(app.text(".change-preview").contains("39.10"), "the change due as typed: {}", app.text(".change-preview"));
    app.show(".take-payment");
    app.shot("04-change-due-as-typed");
    app.assert_accessible("taking a payment");
    app.set_value("input[name=payment_amount]", "20.00");
    app.click_button("Take cash payment");
    app.wait_for_text("Still owed:", SHORT);
    assert!(app.text(".change-due").contains("40.90"), "still owed: {}", app.text(".change-due"));
    app.click_button("Take payment");
    app.choose("select[name=payment_method]", "Card");
    assert_eq!(app.value("input[name=payment_amount]"), "40.90");
    app.fill(&[("payment_reference", "slip 0042")]);
    app.click_button("Take card payment");
    app.wait_for_text("The invoice is paid in full.", SHORT);
    app.show(".issued-invoice");
    app.shot("05-paid-cash-and-card");
    app.assert_accessible("an issued invoice");

    // The receipt, printed and read back.
    let receipt = print(&app, "Print receipt");
    app.shot("06-receipt-printed");
    let text = pdf_text(&app, &receipt, "06-receipt-pdf");
    for expected in [NUMBER, "Joana Conceição-Teste", "Flu vaccine", "Consultation", "60.90", "40.90", "article 9"] {
        assert!(text.contains(expected), "the receipt says {expected}:\n{text}");
    }

    // The manager: a cash session of their own (refunds go through a drawer), a credit note for
    // the vaccine, and its refund to the card.
    app.click_button("Switch user");
    app.log_in("manager", "demo-clinic");
    app.wait_for_text("Revenue today", SHORT);
    app.click_button("Money");
    app.wait_for_text("Every cash session of the day", SHORT);
    app.fill(&[("cash_drawer", " (manager)"), ("cash_float", "0")]);
    app.click_button("Open cash session");
    app.wait_for_text("Close and count…", SHORT);
    app.click(&format!("button[aria-label='Open {NUMBER}']"));
    app.wait_for_text(&format!("Invoice {NUMBER}"), SHORT);
    app.click_button("Credit note…");
    app.click("input[name=credit_what][value=some]");
    app.set_value("input[name=credit_units_1]", "1");
    app.click_button("Issue credit note");
    app.wait_for_text("The reason is required.", SHORT);
    app.fill(&[("credit_reason", "Vaccine not given: out of stock")]);
    app.click_button("Issue credit note");
    app.wait_for_text("Credit note CN-RV-01-2026-000001 issued", SHORT);
    app.wait_for_text("Owed to the patient", SHORT);
    assert!(app.text("dl.totals").contains("15.90"), "the patient is owed the vaccine: {}", app.text("dl.totals"));
    app.act_on("table.payments tr", "Card", "Refund");
    app.wait_for_text("Refund of the card payment", SHORT);
    assert_eq!(app.value("input[name=refund_amount]"), "15.90");
    app.fill(&[("refund_reason", "Vaccine not given")]);
    app.click_button("Refund");
    app.wait_for_text("Refund recorded", SHORT);
    app.wait_for_text("Refund (card)", SHORT);
    app.show(".issued-invoice");
    app.shot("07-credited-and-refunded");
    app.assert_accessible("a credited and refunded invoice");

    // The account: settled, with its statement.
    app.click_button("Patients");
    app.type_into("#patient-search", "Conceição-Teste");
    app.wait_for_text("Conceição-Teste, Joana", SHORT);
    app.press("#patient-search", ENTER);
    app.wait_for_text("Account", SHORT);
    app.wait_for_text(NUMBER, SHORT);
    app.wait_for_text("Owes nothing", SHORT);
    app.click("section.account summary");
    app.wait_for_text("Refund (card)", SHORT);
    app.show("section.account");
    app.shot("08-account-settled");

    // The day's invoices, all selected, printed as one PDF for the files.
    app.click_button("Money");
    app.wait_for_text(NUMBER, SHORT);
    app.click("input[aria-label='Select every invoice']");
    let batch = print(&app, "Print 1 selected as one PDF");
    let text = pdf_text(&app, &batch, "08a-day-s-invoices-pdf");
    assert!(text.contains(NUMBER) && text.contains("Joana Conceição-Teste"), "the day's invoices:\n{text}");
    app.shot("08b-day-s-invoices-printed");

    // The receptionist counts her drawer: cash 2.00 short, the card's slips as expected.
    app.click_button("Switch user");
    app.log_in("reception", "demo-clinic");
    app.wait_for_text("Find a patient", SHORT);
    app.click_button("Money");
    app.wait_for_text(NUMBER, SHORT);
    app.click_button("Close and count…");
    app.fill(&[("count_cash", "118.00"), ("count_card", "40.90")]);
    app.wait_for("the variance shown", "return [...document.querySelectorAll('.count-table .variance')].some(v => v.textContent.includes('2.00 short'))");
    app.click_button("Check the counts");
    app.wait_for_text("2.00 short. It is locked afterwards.", SHORT);
    app.show(".cash-session");
    app.shot("09-counted-two-short");
    app.assert_accessible("counting the drawer");
    app.click_button("Close cash session");
    app.wait_for_text("Your cash session is closed: Z-report Z-RV-01-2026-000001.", SHORT);
    let zreport = print(&app, "Print Z-report");
    app.show(".cash-session");
    app.shot("10-closed-z-report-printed");
    let text = pdf_text(&app, &zreport, "10-z-report-pdf");
    for expected in ["Z-RV-01-2026-000001", "Rita Recepção", "100.00", "118.00", "40.90", "-2.00", "short"] {
        assert!(text.contains(expected), "the Z-report says {expected}:\n{text}");
    }

    // Dr. Silva sees what the patient owes, nothing more of the account.
    app.click_button("Switch user");
    app.log_in("dr.silva", "demo-clinic");
    app.wait_for_text("My day ·", SHORT);
    assert!(!app.has_button("Money"), "a doctor has no Money screen");
    app.click_button("Patients");
    app.type_into("#patient-search", "Conceição-Teste");
    app.wait_for_text("Conceição-Teste, Joana", SHORT);
    app.press("#patient-search", ENTER);
    app.wait_for_text("Owes nothing", SHORT);
    assert!(!app.text("body").contains(NUMBER), "a doctor sees no invoice");
    app.shot("11-doctor-sees-the-balance");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
