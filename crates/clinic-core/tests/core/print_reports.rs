//! A report printed as a PDF and read back with the real tools (`print.rs`'s `read_back`: qpdf
//! checks it, pdftotext reads it, pdftoppm draws its pages into `$CARGO_TARGET_DIR/printed` to be
//! looked at): a month by day with its chart, the payment methods, a week's appointments in seven
//! columns, and a year by day, 365 rows over many pages. Its figures were worked out by hand.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clinic_core::domain::Currency;
use clinic_core::ops::reports::{Cell, ChartKind, Kind, Report, Table};
use clinic_core::print::{report_pdf, ClinicDetails};

use super::print::{printed_dir, read_back};
use super::print_money::pages;

fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

/// November 2026 by day: invoiced 1,000.00 + 123.45 a day, 6 % of it tax, received a little
/// less on three days in four. Totals 87,404.25, 5,244.12 and 86,279.25; the most received is
/// 4,653.50, on the 30th.
fn month() -> Table {
    let mut t = Table::new("By day", &[("When", Kind::Text), ("Invoiced", Kind::Money), ("Tax", Kind::Money), ("Received", Kind::Money)]);
    for d in 1..=30_i64 {
        let invoiced = 100_000 + d * 12_345;
        t.rows.push(vec![format!("2026-11-{d:02}").into(), invoiced.into(), (invoiced * 6 / 100).into(), (invoiced - (d % 4) * 2_500).into()]);
    }
    t.total = Some(sums("Total", &t.rows));
    t.chart(ChartKind::Bars, &["Received", "Invoiced"], eur())
}

fn methods() -> Table {
    let mut t = Table::new("By payment method", &[("Method", Kind::Text), ("Received", Kind::Money), ("Refunded", Kind::Money), ("Net", Kind::Money)]);
    for (method, received, refunded) in [("Card", 987_650, 15_000), ("Cash", 123_450, 2_000), ("Bank transfer", 50_000, 0)] {
        t.rows.push(vec![method.into(), Cell::Number(received), Cell::Number(refunded), Cell::Number(received - refunded)]);
    }
    t.total = Some(sums("Total", &t.rows));
    t.note = Some("Paid from a patient's credit is its own method.".into());
    t.chart(ChartKind::Bars, &["Net"], eur())
}

/// Seven columns, two of them rates with long titles: the widest of the reports' tables.
fn appointments() -> Table {
    let mut t = Table::new("Appointments by week", &[("Week", Kind::Text), ("Appointments", Kind::Count), ("Attended", Kind::Count),
        ("No-shows", Kind::Count), ("Cancelled", Kind::Count), ("No-show rate", Kind::Percent), ("Cancellation rate", Kind::Percent)]);
    for i in 0..5_i64 {
        let (booked, no_shows, cancelled) = (40 + 5 * i, 3 + i, 1 + 2 * i);
        t.rows.push(vec![format!("2026-11-{:02}", 2 + 7 * i).into(), booked.into(), (booked - no_shows - cancelled).into(), no_shows.into(),
            cancelled.into(), (no_shows * 10_000 / booked).into(), (cancelled * 10_000 / booked).into()]);
    }
    t.chart(ChartKind::Stacked, &["Attended", "No-shows", "Cancelled"], eur())
}

/// 2026 by day: 365 rows. Totals 965,190.00 and 957,890.00; the most received 3,759.00, on 30
/// December; 19 July invoiced 2,697.00 and received 2,657.00.
fn year() -> Table {
    let mut t = Table::new("Over the year", &[("When", Kind::Text), ("Invoiced", Kind::Money), ("Received", Kind::Money)]);
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for d in 0..365_i64 {
        let invoiced = 150_000 + (d % 7) * 20_000 + d * 300;
        t.rows.push(vec![(first + Duration::days(d)).to_string().into(), invoiced.into(), (invoiced - (d % 5) * 1_000).into()]);
    }
    t.total = Some(sums("Total", &t.rows));
    t.chart(ChartKind::Bars, &["Received", "Invoiced"], eur())
}

fn sums(label: &str, rows: &[Vec<Cell>]) -> Vec<Cell> {
    let columns = rows[0].len();
    std::iter::once(label.into()).chain((1..columns).map(|c| Cell::Number(rows.iter().map(|r| r[c].number()).sum()))).collect()
}

fn report() -> Report {
    Report {
        title: "Revenue".into(),
        subtitle: "1–30 November 2026 · Riverside Lisboa · Dr Νίκος Παπαδόπουλος".into(),
        currency: eur(),
        tables: vec![month(), methods(), appointments(), year()],
    }
}

fn clinic() -> ClinicDetails {
    ClinicDetails {
        name: "Riverside Family Clinic (demo)".into(),
        address: "12 Rua do Rio, 1100-001 Lisboa".into(),
        phone: None,
        tax_id: Some("PT500000000".into()),
        logo: None,
    }
}

/// The text of each page, as the footers ("Page 2 of 12") end them.
fn by_page(text: &str, count: usize) -> Vec<String> {
    let mut pages = vec![String::new()];
    for line in text.lines() {
        pages.last_mut().unwrap().push_str(line);
        pages.last_mut().unwrap().push('\n');
        if line.contains(&format!("Page {} of {count}", pages.len())) {
            pages.push(String::new());
        }
    }
    pages.pop();
    pages
}

/// A row of figures: a day, then an amount ("2026-07-19 2,697.00 2,657.00").
fn is_figures_row(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let (Some(day), Some(figure)) = (words.next(), words.next()) else { return false };
    day.len() == 10 && day.starts_with("2026-") && figure.len() > 3 && figure[figure.len() - 3..].starts_with('.')
}

#[test]
fn a_report_prints_its_tables_figures_charts_and_totals() {
    let printed_at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap();
    let report = report();
    let pdf = report_pdf(&report, &clinic(), printed_at).unwrap();
    let text = read_back("report.pdf", &pdf);
    for expected in [
        "Riverside Family Clinic (demo)", "Revenue", "Printed 2026-12-01 09:30 UTC",
        "1–30 November 2026 · Riverside Lisboa · Dr Νίκος Παπαδόπουλος", "By day (EUR)",
        // The month: a day's figures, its total and its chart, whose axis rises to 5,000.00.
        "When Invoiced Tax Received", "2026-11-03 1,370.35 82.22 1,295.35", "Total 87,404.25 5,244.12 86,279.25",
        "5,000.00",
        // The methods, with their note.
        "By payment method (EUR)", "Card 9,876.50 150.00 9,726.50", "Bank transfer 500.00 0.00 500.00",
        "Total 11,611.00 170.00 11,441.00",
        "Paid from a patient's credit is its own method.",
        // Counts and rates, no currency.
        "2026-11-02 40 36 3 1 7.5 % 2.5 %", "2026-11-30 60 44 7 9 11.7 % 15.0 %",
        // The year.
        "2026-07-19 2,697.00 2,657.00", "2026-12-31", "Total 965,190.00 957,890.00",
    ] {
        assert!(text.contains(expected), "{expected:?} is not on the printed report:\n{text}");
    }
    // Each chart's summary sentence (its words are the report's), as text under the chart.
    for table in &report.tables {
        let summary = &table.chart.as_ref().unwrap().summary;
        assert!(text.contains(summary.as_str()), "{summary:?} is not under its chart:\n{text}");
    }
    assert!(!text.contains("Appointments by week (EUR)"), "a table without money names no currency");

    // Some forty rows a page: the year's 365 on nine or so, the rest on three.
    let count = pages(&pdf);
    assert!((10..=14).contains(&count), "{count} pages");
    let pages = by_page(&text, count);
    assert_eq!(pages.len(), count, "every page has its footer:\n{text}");
    assert!(pages[count - 1].contains("Revenue · 1–30 November 2026"), "{}", pages[count - 1]);
    // Wherever a table's rows run onto a page, its header is at the top of them.
    for (n, page) in pages.iter().enumerate() {
        let rows = page.lines().position(is_figures_row);
        let header = page.lines().position(|l| l.starts_with("When Invoiced"));
        assert!(rows.is_none() || header.is_some_and(|h| Some(h) < rows), "page {}: rows without their header:\n{page}", n + 1);
    }
    assert!(pages[1].lines().any(is_figures_row), "the month runs onto page 2:\n{}", pages[1]);

    // The charts are drawn: the first page's bars in the first two series' navy and teal, and the
    // appointments' stacked bars add the third's amber.
    let inked = |page: usize, [r, g, b]: [u8; 3]| -> usize {
        let png = image::open(printed_dir().join(format!("report-{page:02}.png"))).unwrap().to_rgb8();
        png.pixels().filter(|p| p.0.iter().zip([r, g, b]).all(|(have, want)| have.abs_diff(want) < 24)).count()
    };
    let (navy, teal, amber) = ([0x1f, 0x3b, 0x73], [0x2a, 0x9d, 0x8f], [0xf4, 0xc1, 0x50]);
    assert!(inked(1, navy) > 300 && inked(1, teal) > 300, "page 1 has no bars: {} navy, {} teal pixels", inked(1, navy), inked(1, teal));
    assert!((1..=count).any(|p| inked(p, amber) > 100), "no stacked bar has its third part");
}

#[test]
fn an_empty_report_says_so() {
    let mut t = Table::new("By day", &[("When", Kind::Text), ("Received", Kind::Money)]);
    t = t.chart(ChartKind::Line, &["Received"], eur());
    let plain = Table::new("By service", &[("Service", Kind::Text), ("Amount", Kind::Money)]);
    let summary = t.chart.as_ref().unwrap().summary.clone();
    assert!(summary.contains("nothing in this period"), "{summary}");
    let report = Report { title: "Revenue".into(), subtitle: "1 December 2026".into(), currency: eur(), tables: vec![t, plain] };
    let text = read_back("report-empty.pdf", &report_pdf(&report, &clinic(), Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap()).unwrap());
    for expected in [summary.as_str(), "By service (EUR)", "Nothing in this period.", "Page 1 of 1"] {
        assert!(text.contains(expected), "{expected:?} is not on the printed report:\n{text}");
    }
}

/// The use case: the report run for the manager, printed under the clinic's letterhead from the
/// store; refused to the front desk as the report itself is.
#[tokio::test]
async fn a_manager_prints_a_report_under_the_clinic_s_letterhead() {
    use clinic_core::ops::billing::payments::take_payment;
    use clinic_core::ops::billing::Method;
    use clinic_core::ops::reports::{no_progress, pdf, Period, ReportName};

    let t = crate::billing::till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    let monday = t.checked_out(desk).await;
    take_payment(c, desk, crate::billing::paying(&monday, Method::Card, "70.44")).await.unwrap();
    let week = Period { from: crate::helpers::date("2026-11-23"), to: crate::helpers::date("2026-11-29") };
    let request = crate::reports::request(ReportName::Revenue, week);

    let printed = pdf::report_pdf(c, manager, request.clone(), &no_progress).await.unwrap();
    assert_eq!(printed.file_name, "Revenue 23–29 November 2026.pdf");
    let text = read_back("report-revenue.pdf", &printed.bytes);
    for expected in ["Harbour Health — Harbour Clinic", "Revenue", "23–29 November 2026", "By day (EUR)",
        "2026-11-23 70.44 1.44 0.00 70.44 0.00", "Card 70.44 0.00 70.44", "Page 1 of"] {
        assert!(text.contains(expected), "{expected:?} is not on the printed report:\n{text}");
    }
    let refused = pdf::report_pdf(c, desk, request, &no_progress).await.unwrap_err();
    assert_eq!(refused.code, clinic_core::Code::PermissionDenied, "{refused:?}");
}
