//! The manager's dashboard and reports in the real window, on pinned days (the app's `--clock`):
//! on Monday 23 November 2026 the receptionist sells a Flu vaccine over the counter (15.00 and 6 %
//! VAT: 15.90) and takes it in cash; on Thursday 10 December the manager logs in and lands on the
//! dashboard, which has last month's 15.90; opens last month's revenue report by day, with its
//! chart; reads the last 12 months' appointments by month; is refused a period that ends before it
//! starts, at its box; saves the table as CSV, read back and parsed; and saves the whole report as
//! a PDF, read back with pdftotext. The administrator's one report is who opened which chart.

use std::time::Duration;

use clinic_desk_e2e::{pdf_text, required, App};
use serde_json::json;

const SHORT: Duration = Duration::from_secs(10);
const ENTER: &str = "\u{E007}";
const SALE_DAY: &str = "2026-11-23T09:40:00Z";
const NEXT_MONTH: &str = "2026-12-10T10:00:00Z";

fn start(dir: &str, clock: &str) -> App {
    App::start_with("manager_reports", &["--data-dir", dir, "--clock", clock])
}

/// The fields of one CSV line (RFC 4180: quoted fields may hold commas and doubled quotes).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

#[test]
fn the_manager_reads_last_month_s_revenue_and_saves_it() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver (scripts/test does)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("clinic-desk-manager-reports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir = dir.to_str().unwrap().to_string();

    // 23 November: the receptionist sells a Flu vaccine over the counter, paid in cash.
    let app = start(&dir, SALE_DAY);
    app.open_demo_clinic();
    app.log_in("reception", "demo-clinic");
    app.wait_for_text("Find a patient", SHORT);
    app.click_button("Money");
    app.wait_for_text("Your cash session is not open", SHORT);
    app.fill(&[("cash_float", "50")]);
    app.click_button("Open cash session");
    app.wait_for_text("Close and count…", SHORT);
    app.click_button("New counter sale");
    app.wait_for_text("Draft invoice", SHORT);
    app.type_into("input[name=price_pick]", "flu");
    app.wait_for("the Flu vaccine offered", "return [...document.querySelectorAll('[role=option]')].some(o => o.textContent.startsWith('Flu vaccine'))");
    app.press("input[name=price_pick]", ENTER);
    app.click_button("Save draft");
    app.wait_for_text("Draft saved.", SHORT);
    app.click_button("Finalise…");
    app.click_button("Finalise");
    app.wait_for_text("Invoice RV-01-2026-000001", SHORT);
    app.click_button("Take payment");
    app.set_value("input[name=payment_amount]", "20");
    app.click_button("Take cash payment");
    app.wait_for_text("The invoice is paid in full.", SHORT);
    drop(app);

    // 10 December: the manager lands on the dashboard, with November's money in it.
    let app = start(&dir, NEXT_MONTH);
    app.log_in("manager", "demo-clinic");
    app.wait_for_text("Revenue today", SHORT);
    app.wait_for_text("2026-12-10", SHORT);
    let month = app.text("section[aria-labelledby=tile-month]");
    assert!(month.contains("All of last month") && month.contains("15.90"), "this month's tile: {month}");
    let chart = app.execute("return document.querySelector('.dashboard svg[role=img]').getAttribute('aria-label')", json!([]));
    assert!(chart.as_str().unwrap_or_default().starts_with("Revenue over the last 30 days"), "the 30 days' chart: {chart}");
    app.shot("01-dashboard");
    app.assert_accessible("the dashboard");

    // Last month's revenue by day, with its chart: 15.90 received on the 23rd.
    app.click_button("Reports");
    app.choose("select[name=report]", "Revenue");
    app.choose("select[name=report_period]", "Last month");
    assert_eq!(app.value("input[name=report_from]"), "2026-11-01");
    assert_eq!(app.value("input[name=report_to]"), "2026-11-30");
    app.click_button("Show report");
    app.wait_for_text("1–30 November 2026", SHORT);
    let summary = app.execute("return document.querySelector('.report-part svg[role=img]').getAttribute('aria-label')", json!([]));
    assert!(summary.as_str().unwrap_or_default().contains("15.90 (2026-11-23)"), "the chart's sentence: {summary}");
    let bars = app.execute("return [...document.querySelector('.report-part svg').querySelectorAll('rect')].filter(r => Number(r.getAttribute('height')) > 1).length", json!([]));
    assert_eq!(bars, json!(2), "one day with money: its received and invoiced bars");
    let total = app.text(".report-part tfoot");
    assert!(total.contains("Total") && total.contains("15.90") && total.contains("0.90"), "the total: {total}");
    app.shot("02-revenue-last-month");
    app.assert_accessible("a revenue report");

    // The last 12 months' appointments (the demo's year of them), by month: the parts stacked.
    app.choose("select[name=report]", "Appointments");
    app.choose("select[name=report_period]", "Last 12 months");
    assert_eq!(app.execute("return document.querySelector('input[name=report_grain][value=month]').checked", json!([])), json!(true), "a year reads by month");
    app.click_button("Show report");
    app.wait_for_text("1 January 2026 – 10 December 2026", SHORT);
    let months = app.execute("return document.querySelectorAll('.report-part')[0].querySelectorAll('tbody tr').length", json!([]));
    assert_eq!(months, json!(12), "this month and the eleven before it");
    let parts = app.execute("return [...document.querySelector('.report-part svg').querySelectorAll('rect')].filter(r => Number(r.getAttribute('height')) > 1).length", json!([]));
    assert!(parts.as_u64().unwrap_or(0) > 12, "attended, no-shows and cancelled stacked: {parts}");
    app.shot("03-appointments-last-12-months");
    app.assert_accessible("an appointments report");

    // Every report the manager is offered runs over last month, and reads well (nothing refused,
    // nothing axe finds serious).
    app.choose("select[name=report_period]", "Last month");
    let offered = app.execute("return [...document.querySelector('select[name=report]').options].map(o => o.text)", json!([]));
    let offered: Vec<String> = serde_json::from_value(offered).unwrap();
    assert!(!offered.iter().any(|r| r == "Chart access"), "who opened which chart is an admin's: {offered:?}");
    for (i, report) in offered.iter().enumerate() {
        app.choose("select[name=report]", report);
        app.click_button("Show report");
        app.wait_for(&format!("the {report} report"),
            "return !document.querySelector('.reports button[type=submit]').disabled && document.querySelector('#report-title') !== null");
        assert!(!app.execute("return document.querySelector('.reports .problem') !== null", json!([])).as_bool().unwrap(),
            "{report} was refused: {}", app.text(".reports .problem"));
        app.shot(&format!("03-{i}-{}", report.to_lowercase().replace(' ', "-")));
        app.assert_accessible(&format!("the {report} report"));
    }
    app.choose("select[name=report]", "Revenue");

    // A period that ends before it starts is refused at its box.
    app.choose("select[name=report_period]", "Custom dates");
    app.set_value("input[name=report_from]", "2026-11-30");
    app.set_value("input[name=report_to]", "2026-11-01");
    app.click_button("Show report");
    app.wait_for_text("The period ends before it starts.", SHORT);
    app.wait_for("the To box marked", "return document.querySelector('input[name=report_to]').getAttribute('aria-invalid') === 'true'");
    app.shot("04-period-refused");
    app.choose("select[name=report_period]", "Last month");
    app.click_button("Show report");
    app.wait_for("the refusal gone", "return document.querySelector('input[name=report_to]').getAttribute('aria-invalid') === 'false'");

    // The table by day as CSV, read back: a line a day, the 23rd's money, and the total.
    app.click("button[aria-label='Save as CSV: By day']");
    app.wait_for("the CSV saved", "return document.querySelector('.csv-outcome') !== null");
    let path = app.execute("return document.querySelector('.csv-outcome').dataset.path", json!([]));
    let path = path.as_str().expect("the saved CSV's path");
    assert!(path.ends_with(".csv"), "a CSV: {path}");
    let csv = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let csv = csv.strip_prefix('\u{feff}').expect("a byte-order mark, so spreadsheets read it as UTF-8");
    let lines: Vec<Vec<String>> = csv.lines().map(fields).collect();
    assert_eq!(lines[0], ["When", "Invoiced", "Tax", "Credited", "Received", "Refunded"]);
    assert_eq!(lines.len(), 1 + 30 + 1, "a header, the 30 days of November and the total:\n{csv}");
    let day = lines.iter().find(|l| l[0] == "2026-11-23").expect("the 23rd");
    assert_eq!(day[1..], ["15.90", "0.90", "0.00", "15.90", "0.00"]);
    assert_eq!(lines.last().unwrap()[..2], ["Total", "15.90"]);
    app.shot("05-csv-saved");

    // The whole report as a PDF, read back: its title, period, tables and the 23rd's money.
    app.click_button("Print or save as PDF");
    app.choose("select[name=printer]", "Save as PDF only");
    app.click_button("Print");
    app.wait_for("the PDF saved", "return document.querySelector('.print-outcome') !== null");
    let path = app.execute("return document.querySelector('.print-outcome').dataset.path", json!([]));
    let text = pdf_text(&app, path.as_str().expect("the saved PDF's path"), "06-revenue-pdf");
    for expected in ["Revenue", "1–30 November 2026", "By day", "By payment method", "15.90", "0.90"] {
        assert!(text.contains(expected), "the report's PDF says {expected}:\n{text}");
    }
    app.shot("06-pdf-saved");

    // The administrator lands on Settings as before, and has one report: who opened which chart.
    app.click_button("Switch user");
    app.log_in("admin", "demo-clinic");
    app.wait_for_text("Clinic details", SHORT);
    assert!(!app.has_button("Dashboard"), "the dashboard is a manager's");
    app.click_button("Reports");
    app.wait_for("the reports offered", "return document.querySelectorAll('select[name=report] option').length > 0");
    let offered = app.execute("return [...document.querySelector('select[name=report]').options].map(o => o.text)", json!([]));
    assert_eq!(offered, json!(["Chart access"]));
    app.click_button("Show report");
    app.wait_for("the chart-access report", "return !document.querySelector('.reports button[type=submit]').disabled && document.querySelector('#report-title') !== null");
    app.shot("07-chart-access");
    app.assert_accessible("the chart-access report");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
