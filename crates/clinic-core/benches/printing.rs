//! Printing money documents: receipts one PDF each (the target: ≥ 500 a second), a day's
//! 1,000 invoices as one PDF (≤ 5 s), a Z-report over 2,000 payments, and a year's revenue report
//! by day with its charts. Prints the figures and the sizes; asserts nothing.
//!
//!   cargo bench -p clinic-core --bench printing

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use clinic_core::domain::{Currency, Discount, Line};
use clinic_core::ops::reports::{ChartKind, Kind, Report, Table};
use clinic_core::print::{
    bill_pdf, bills_pdf, cash_up_pdf, report_pdf, BillDocument, BillKind, BillLine, BilledPatient, CashUpDocument, CashUpEntry, ClinicDetails, MethodCount,
    PaymentLine,
};

const NAMES: &[&str] = &["Thảo Nguyễn Gonçalves", "Νίκος Παπαδόπουλος", "Иванов Сергей", "Maria Silva", "Íñigo Núñez", "Åsa Lindqvist"];

/// A clinic's logo: 600 × 200 pixels of colour with a transparent ground.
fn logo() -> Vec<u8> {
    let picture = image::RgbaImage::from_fn(600, 200, |x, y| {
        if (x / 20 + y / 20) % 3 == 0 { image::Rgba([0, 128, 128, 255]) } else { image::Rgba([0, 0, 0, 0]) }
    });
    let mut png = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png
}

fn bill(kind: BillKind, i: usize, logo: &Option<Vec<u8>>) -> BillDocument {
    let line = |description: &str, quantity, unit_price, tax_rate_bp| BillLine {
        description: description.into(),
        line: Line { quantity, unit_price, discount: Discount::None, tax_rate_bp },
    };
    let mut lines = vec![line("Consultation — general practice", 1, 4500, 0), line("Influenza vaccine", 1, 1250, 600)];
    lines.extend((0..i % 4).map(|k| line(&format!("Wound dressing, sterile, size {k}"), 2, 240, 2300)));
    BillDocument {
        kind,
        number: format!("LIS-3-2026-{:06}", i + 1),
        clinic: ClinicDetails {
            name: "Riverside Family Clinic (demo)".into(),
            address: "12 Rua do Rio, 1100-001 Lisboa".into(),
            phone: Some("+351 210 000 000".into()),
            tax_id: Some("PT500000000".into()),
            logo: logo.clone(),
        },
        patient: Some(BilledPatient { name: NAMES[i % NAMES.len()].into(), mrn: format!("RV-1-{:06}", i % 5000), address: Some("Rua da Conceição 5, 1100-152 Lisboa".into()) }),
        issued: "2026-03-02".into(),
        service_date: Some("2026-03-02".into()),
        currency: Currency::parse("EUR").unwrap(),
        lines,
        invoice_discount: Discount::None,
        payments: vec![PaymentLine { date: "2026-03-02".into(), method: "Cash".into(), amount: 5000, tendered: Some(6000) }],
        credited: 0,
        refers_to: None,
        reason: None,
        exemption_note: Some("Medical care exempt from VAT under Art. 9 CIVA.".into()),
        copy: None,
        printed_at: Utc.with_ymd_and_hms(2026, 3, 2, 18, 0, 0).unwrap(),
    }
}

fn receipts(logo: &Option<Vec<u8>>) {
    let docs: Vec<BillDocument> = (0..64).map(|i| bill(BillKind::Receipt, i, logo)).collect();
    bill_pdf(&docs[0]).unwrap(); // the font is parsed on first use
    let mut samples = Vec::new();
    let mut bytes = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        for doc in &docs {
            let t = Instant::now();
            bytes += bill_pdf(doc).unwrap().len();
            samples.push(t.elapsed());
        }
    }
    let elapsed = started.elapsed();
    samples.sort();
    let with = if logo.is_some() { "with the logo" } else { "without a logo" };
    println!(
        "receipt PDF, {with}: {:.0} a second (p50 {:.2} ms, p99 {:.2} ms; {} receipts, {:.1} KB each)",
        samples.len() as f64 / elapsed.as_secs_f64(),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 99 / 100]),
        samples.len(),
        bytes as f64 / samples.len() as f64 / 1024.0
    );
}

fn batch(logo: &Option<Vec<u8>>) {
    let docs: Vec<BillDocument> = (0..1000).map(|i| bill(BillKind::Invoice, i, logo)).collect();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..3 {
        let started = Instant::now();
        size = bills_pdf(&docs).unwrap().len();
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "1,000 invoices in one PDF: {:.2} s (best of 3; worst {:.2} s), {:.1} MB, 1,000 pages",
        times[0].as_secs_f64(),
        times[2].as_secs_f64(),
        size as f64 / 1024.0 / 1024.0
    );
}

fn z_report() {
    let methods = ["Cash", "Card", "Bank transfer"];
    let doc = CashUpDocument {
        clinic: bill(BillKind::Invoice, 0, &Some(logo())).clinic,
        reference: "Z-LIS-3-2026-000007".into(),
        cashier: "Joana Martins".into(),
        drawer: "Front desk 1".into(),
        opened: "2026-03-02 08:01".into(),
        closed: Some("2026-03-02 18:32".into()),
        currency: Currency::parse("EUR").unwrap(),
        opening_float: 10000,
        methods: methods.iter().map(|m| MethodCount { method: (*m).into(), expected: 1_000_000, counted: Some(999_750) }).collect(),
        entries: (0..2000)
            .map(|i| CashUpEntry {
                time: format!("{:02}:{:02}", 8 + i / 200, (i / 4) % 60),
                reference: format!("LIS-3-2026-{:06}", i + 1),
                patient: NAMES[i % NAMES.len()].into(),
                method: methods[i % 3].into(),
                amount: 4500 + (i as i64 % 7) * 125,
            })
            .collect(),
        copy: None,
        printed_at: Utc.with_ymd_and_hms(2026, 3, 2, 18, 35, 0).unwrap(),
    };
    let started = Instant::now();
    let pdf = cash_up_pdf(&doc).unwrap();
    println!("Z-report over 2,000 payments: {:.0} ms, {:.0} KB", ms(started.elapsed()), pdf.len() as f64 / 1024.0);
}

/// Revenue over 2026 by day: 365 rows of five amounts, their total, and the chart of two of them.
fn year_report() {
    let currency = Currency::parse("EUR").unwrap();
    let columns: Vec<(&str, Kind)> = std::iter::once(("When", Kind::Text))
        .chain(["Invoiced", "Tax", "Credited", "Received", "Refunded"].map(|c| (c, Kind::Money)))
        .collect();
    let mut by_day = Table::new("By day", &columns);
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    by_day.rows = (0..365_i64)
        .map(|d| {
            let invoiced = 150_000 + (d % 7) * 20_000 + d * 300;
            let day = (first + chrono::Duration::days(d)).to_string().into();
            vec![day, invoiced.into(), (invoiced / 20).into(), (d % 3 * 1_000).into(), (invoiced - d % 5 * 1_000).into(), (d % 11 * 500).into()]
        })
        .collect();
    by_day.total = Some(std::iter::once("Total".into()).chain((1..6).map(|c| by_day.rows.iter().map(|r| r[c].number()).sum::<i64>().into())).collect());
    let by_day = by_day.chart(ChartKind::Bars, &["Received", "Invoiced"], currency);
    let report = Report { title: "Revenue".into(), subtitle: "1 January – 31 December 2026".into(), currency, tables: vec![by_day] };
    let clinic = bill(BillKind::Invoice, 0, &Some(logo())).clinic;
    let printed_at = Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let started = Instant::now();
        size = report_pdf(&report, &clinic, printed_at).unwrap().len();
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "a year's revenue report PDF (365 rows with its chart): {:.0} ms (best of 5; worst {:.0} ms), {:.0} KB",
        ms(times[0]),
        ms(times[4]),
        size as f64 / 1024.0
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let logo = Some(logo());
    receipts(&logo);
    receipts(&None);
    batch(&logo);
    z_report();
    year_report();
}
