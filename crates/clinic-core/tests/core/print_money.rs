//! The money documents (invoices, receipts, credit notes, the cash-up's Z-report) printed and read
//! back as an accountant's software would: `qpdf --check` says the file is sound, `pdftotext` what
//! a person reads on it, `pdfinfo` how many pages, `pdfimages` that the logo is in it. And a bill
//! printed through a real CUPS queue (scripts/test sets one up: a virtual PDF printer), read back
//! from what the queue wrote. The dates printed are pinned: nothing here depends on today.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use clinic_core::domain::{totals, Currency, Discount, Line, Money};
use clinic_core::print::{
    bill_pdf, bills_pdf, cash_up_pdf, printers, send, BillDocument, BillKind, BillLine, BilledPatient, CashUpDocument, CashUpEntry,
    ClinicDetails, MethodCount, PaymentLine,
};
use clinic_core::Code;

use super::print::{read_back, run, string_literals};

fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

fn clinic() -> ClinicDetails {
    ClinicDetails {
        name: "Riverside Family Clinic (demo)".into(),
        address: "12 Rua do Rio, 1100-001 Lisboa".into(),
        phone: Some("+351 210 000 000".into()),
        tax_id: Some("PT500000000".into()),
        logo: Some(logo_png()),
    }
}

/// A small logo: a teal disc with a white cross, on a transparent ground (as clinics' logos are).
fn logo_png() -> Vec<u8> {
    let (w, h) = (240u32, 120u32);
    let picture = image::RgbaImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - 60.0, y as f32 - 60.0);
        let inside = dx * dx + dy * dy < 55.0 * 55.0;
        let cross = (dx.abs() < 10.0 && dy.abs() < 36.0) || (dy.abs() < 10.0 && dx.abs() < 36.0);
        let bar = x > 130 && x < 230 && (y / 12) % 3 == 1;
        match (inside, cross, bar) {
            (true, true, _) => image::Rgba([255, 255, 255, 255]),
            (true, false, _) | (false, _, true) => image::Rgba([0, 128, 128, 255]),
            _ => image::Rgba([0, 0, 0, 0]),
        }
    });
    let mut png = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png
}

fn line(description: &str, quantity: i64, unit_price: i64, discount: Discount, tax_rate_bp: i64) -> BillLine {
    BillLine { description: description.into(), line: Line { quantity, unit_price, discount, tax_rate_bp } }
}

/// An invoice whose figures were worked out by hand (docs/money.md's rules):
/// - consultation 45.00, exempt: 45.00;
/// - vaccine 12.50 at 6 %: tax 0.75, 13.25;
/// - 3 dressings at 2.40, 10 % off (0.72): net 6.48, 23 % tax 1.4904 → 1.49, 7.97;
/// - certificate 15.00 at 23 %: tax 3.45, 18.45.
///
/// Subtotal 79.70, discount 0.72, tax 5.69, total 84.67; 23 % on 21.48 is 4.94.
fn invoice() -> BillDocument {
    BillDocument {
        kind: BillKind::Invoice,
        number: "LIS-3-2026-000042".into(),
        clinic: clinic(),
        patient: Some(BilledPatient {
            name: "Thảo Nguyễn Gonçalves".into(),
            mrn: "RV-1-000137".into(),
            address: Some("Rua da Conceição 5, 2º Esq., 1100-152 Lisboa".into()),
        }),
        issued: "2026-03-02".into(),
        service_date: Some("2026-03-01".into()),
        currency: eur(),
        lines: vec![
            line("Consultation — general practice", 1, 4500, Discount::None, 0),
            line("Influenza vaccine (Vaxigrip Tetra), 0.5 ml pre-filled syringe, given in the left deltoid", 1, 1250, Discount::None, 600),
            line("Wound dressing, sterile, 10 × 10 cm", 3, 240, Discount::Percent(1000), 2300),
            line("Medical certificate", 1, 1500, Discount::None, 2300),
        ],
        invoice_discount: Discount::None,
        payments: vec![
            PaymentLine { date: "2026-03-02".into(), method: "Cash".into(), amount: 5000, tendered: Some(6000) },
            PaymentLine { date: "2026-03-02".into(), method: "Card".into(), amount: 2000, tendered: None },
        ],
        credited: 0,
        refers_to: None,
        reason: None,
        exemption_note: Some("Medical care exempt from VAT under Art. 9 CIVA.".into()),
        copy: None,
        printed_at: Utc.with_ymd_and_hms(2026, 3, 2, 10, 15, 0).unwrap(),
    }
}

#[test]
fn an_invoice_prints_the_clinic_patient_lines_totals_per_rate_paid_and_balance() {
    let doc = invoice();
    // The hand-worked figures are the core's: the printout can only show what `totals` says.
    let sums = totals(&doc.lines.iter().map(|l| l.line).collect::<Vec<_>>(), Discount::None).unwrap();
    assert_eq!((sums.gross, sums.discount, sums.tax, sums.total), (7970, 72, 569, 8467));
    let text = read_back("invoice.pdf", &bill_pdf(&doc).unwrap());
    for expected in [
        "Riverside Family Clinic (demo)", "12 Rua do Rio, 1100-001 Lisboa", "Tax id PT500000000", "Invoice", "No. LIS-3-2026-000042",
        "Date of issue 2026-03-02", "Date of service 2026-03-01", "Billed to", "Thảo Nguyễn Gonçalves", "Record no. RV-1-000137",
        "Rua da Conceição 5, 2º Esq., 1100-152 Lisboa", "In EUR. Prices are before tax.",
        // Each line: description, quantity, unit price, discount, rate, tax, total.
        "Consultation — general practice 1 45.00 – 0% 0.00 45.00",
        "Influenza vaccine (Vaxigrip", "left deltoid", "1 12.50 – 6% 0.75 13.25",
        "Wound dressing, sterile, 10 × 10 cm 3 2.40 -0.72 23% 1.49 7.97", "10% discount",
        "Medical certificate 1 15.00 – 23% 3.45 18.45",
        // Totals, per rate, and what was paid.
        "Subtotal 79.70", "Discount -0.72", "Total before tax 78.98", "Tax 0% on 45.00 0.00", "Tax 6% on 12.50 0.75",
        "Tax 23% on 21.48 4.94", "Total 84.67 EUR", "Paid 2026-03-02 · Cash 50.00", "Handed over 60.00, change given 10.00",
        "Paid 2026-03-02 · Card 20.00", "Balance due 14.67 EUR", "Medical care exempt from VAT under Art. 9 CIVA.",
        "Invoice LIS-3-2026-000042 · Thảo Nguyễn Gonçalves · RV-1-000137", "Page 1 of 1",
    ] {
        assert!(text.contains(expected), "{expected:?} is not on the printed invoice:\n{text}");
    }
    assert!(!text.contains("COPY"), "an original is not marked as a copy:\n{text}");
    assert!(!text.contains("Paid in full"), "{text}");
}

#[test]
fn a_receipt_paid_in_full_says_so() {
    let mut doc = invoice();
    doc.kind = BillKind::Receipt;
    doc.payments[1].amount = 3467;
    let text = read_back("receipt.pdf", &bill_pdf(&doc).unwrap());
    for expected in ["Receipt", "No. LIS-3-2026-000042", "Total 84.67 EUR", "Paid 2026-03-02 · Card 34.67", "Balance due 0.00 EUR", "Paid in full"] {
        assert!(text.contains(expected), "{expected:?} is not on the receipt:\n{text}");
    }
    assert!(!text.contains("Invoice"), "a receipt is not called an invoice:\n{text}");
}

#[test]
fn credits_and_refunds_count_against_the_balance() {
    let mut doc = invoice();
    doc.payments = vec![
        PaymentLine { date: "2026-03-02".into(), method: "Card".into(), amount: 8467, tendered: None },
        PaymentLine { date: "2026-03-05".into(), method: "Refund (card)".into(), amount: -1845, tendered: None },
    ];
    doc.credited = 1845;
    let text = read_back("invoice-credited.pdf", &bill_pdf(&doc).unwrap());
    for expected in ["Refunded 2026-03-05 · Refund (card) -18.45", "Credit notes -18.45", "Balance due 0.00 EUR", "Paid in full"] {
        assert!(text.contains(expected), "{expected:?} is not on the invoice:\n{text}");
    }
    // Overpaid, never refunded: the balance says who owes whom.
    doc.payments.pop();
    let text = read_back("invoice-overpaid.pdf", &bill_pdf(&doc).unwrap());
    assert!(text.contains("Overpaid: owed to the patient 18.45 EUR"), "{text}");
}

#[test]
fn a_credit_note_says_what_it_reverses_and_why_and_prints_a_credit() {
    let mut doc = invoice();
    doc.kind = BillKind::CreditNote;
    doc.number = "LIS-3-2026-000043".into();
    doc.lines = vec![line("Medical certificate", 1, 1500, Discount::None, 2300)];
    doc.payments = vec![];
    doc.refers_to = Some("Invoice LIS-3-2026-000042 of 2026-03-02".into());
    doc.reason = Some("The certificate was issued in error: the patient did not need it.".into());
    doc.issued = "2026-03-05".into();
    let text = read_back("credit-note.pdf", &bill_pdf(&doc).unwrap());
    for expected in [
        "Credit note", "No. LIS-3-2026-000043", "Credited to", "Refers to", "Invoice LIS-3-2026-000042 of 2026-03-02", "Reason",
        "The certificate was issued in error", "Medical certificate 1 -15.00 – 23% -3.45 -18.45", "Tax 23% on -15.00 -3.45",
        "Total credited -18.45 EUR", "Credit note LIS-3-2026-000043",
    ] {
        assert!(text.contains(expected), "{expected:?} is not on the credit note:\n{text}");
    }
    assert!(!text.contains("Balance due"), "{text}");
}

#[test]
fn a_counter_sale_with_an_invoice_discount_shares_it_over_its_lines() {
    let mut doc = invoice();
    doc.patient = None;
    doc.payments.clear();
    doc.invoice_discount = Discount::Amount(1000);
    let lines: Vec<Line> = doc.lines.iter().map(|l| l.line).collect();
    let sums = totals(&lines, doc.invoice_discount).unwrap();
    let text = read_back("counter-sale.pdf", &bill_pdf(&doc).unwrap());
    let figure = |minor: i64| Money { minor, currency: eur() }.amount();
    for expected in [
        "Counter sale".to_string(),
        "discount on the whole invoice of 10.00 EUR, shared over its lines".into(),
        format!("Discount -{}", figure(sums.discount)),
        format!("Total {} EUR", figure(sums.total)),
        format!("Balance due {} EUR", figure(sums.total)),
    ] {
        assert!(text.contains(&expected), "{expected:?} is not on the counter sale:\n{text}");
    }
    assert_eq!(sums.discount, 1072, "the line's own 0.72 and the invoice's 10.00");
    assert!(!text.contains("Record no."), "{text}");
}

#[test]
fn a_reprinted_invoice_is_the_same_document_marked_copy() {
    let mut doc = invoice();
    doc.copy = Some("2026-03-02".into());
    let text = read_back("invoice-reprint.pdf", &bill_pdf(&doc).unwrap());
    for expected in ["COPY — reprint of a document first printed on 2026-03-02", "COPY · Invoice LIS-3-2026-000042", "Total 84.67 EUR", "Thảo Nguyễn Gonçalves"] {
        assert!(text.contains(expected), "{expected:?} is not on the reprint:\n{text}");
    }
}

#[test]
fn a_batch_of_bills_is_one_pdf_each_starting_its_own_pages() {
    let mut docs = vec![invoice(), invoice(), invoice()];
    docs[1].number = "LIS-3-2026-000043".into();
    docs[1].patient.as_mut().unwrap().name = "Παπαδόπουλος Νίκος".into();
    // The third runs over two pages: its own count says so, the others' stay "of 1".
    docs[2].number = "LIS-3-2026-000044".into();
    docs[2].patient.as_mut().unwrap().name = "Иванов Сергей".into();
    docs[2].lines = (1..=60).map(|i| line(&format!("Physiotherapy session {i}"), 1, 3500, Discount::None, 0)).collect();
    let pdf = bills_pdf(&docs).unwrap();
    let text = read_back("invoices-batch.pdf", &pdf);
    for expected in [
        "Invoice LIS-3-2026-000042 · Thảo Nguyễn Gonçalves", "Invoice LIS-3-2026-000043 · Παπαδόπουλος Νίκος",
        "Invoice LIS-3-2026-000044 · Иванов Сергей", "No. LIS-3-2026-000044", "Total 2,100.00 EUR",
    ] {
        assert!(text.contains(expected), "{expected:?} is not in the batch:\n{text}");
    }
    assert_eq!(text.matches("Page 1 of 1").count(), 2, "{text}");
    assert!(text.contains("Page 1 of 2") && text.contains("Page 2 of 2"), "{text}");
    assert_eq!(text.matches("Riverside Family Clinic (demo)").count(), 3, "each bill has its letterhead once: {text}");
    assert_eq!(pages(&pdf), 4);
    // The clinic's logo is embedded once, and drawn on each bill's first page.
    let images = pdf_images(&pdf);
    assert_eq!(images.len(), 3, "{images:?}");
    assert!(images.iter().all(|(_, object)| *object == images[0].1), "one image object for all: {images:?}");
    assert_eq!(images.iter().map(|(page, _)| *page).collect::<Vec<_>>(), [1, 2, 3]);

    assert_eq!(bills_pdf(&[]).unwrap_err().field, Some("documents"));
}

#[test]
fn sixty_lines_run_onto_a_second_page_with_the_totals_after_them() {
    let mut doc = invoice();
    doc.payments.clear();
    doc.lines = (1..=60).map(|i| line(&format!("Item {i:02} — dressing change, sterile pack"), 1, 1000, Discount::None, 2300)).collect();
    let pdf = bill_pdf(&doc).unwrap();
    let text = read_back("invoice-60-lines.pdf", &pdf);
    assert_eq!(pages(&pdf), 2, "{text}");
    let (first, second) = text.split_once("Page 1 of 2").unwrap();
    assert!(first.contains("Item 01") && !first.contains("Total 738.00 EUR"), "{first}");
    assert!(second.contains("Item 60") && second.contains("Total 738.00 EUR") && second.contains("Page 2 of 2"), "{second}");
    assert_eq!(text.matches("Unit price").count(), 2, "the table's header repeats on the second page");
    assert!(second.find("Item 60").unwrap() < second.find("Subtotal 600.00").unwrap(), "the totals come after the last line");
    assert!(text.contains("Tax 23% on 600.00 138.00"), "{text}");
}

#[test]
fn bills_that_do_not_add_up_are_refused() {
    let mut doc = invoice();
    doc.lines[0].line.unit_price = -1;
    let error = bill_pdf(&doc).unwrap_err();
    assert_eq!((error.code, error.field), (Code::Invalid, Some("unit_price")));
    let error = bills_pdf(&[invoice(), doc]).unwrap_err();
    assert!(error.message.starts_with("Invoice LIS-3-2026-000042:"), "a batch says which bill: {}", error.message);
    let mut doc = invoice();
    doc.lines.clear();
    assert_eq!(bill_pdf(&doc).unwrap_err().field, Some("lines"));
    let mut doc = invoice();
    doc.clinic.logo = Some(b"not a picture".to_vec());
    assert_eq!(bill_pdf(&doc).unwrap_err().field, Some("logo"));
}

/// Every string the demo clinic draws names from, printed on bills as patients' names (the bold
/// face) and as lines (the regular one), and found again by pdftotext: no glyph is missing.
#[test]
fn every_name_the_demo_clinic_can_produce_prints_on_a_bill() {
    let mut names: Vec<String> = [include_str!("../../src/demo/names.rs"), include_str!("../../src/demo/mod.rs")]
        .into_iter()
        .flat_map(string_literals)
        .filter(|s| s.chars().any(char::is_alphabetic) && !s.contains('{') && !s.contains('\\'))
        .collect();
    names.dedup();
    assert!(names.len() > 300, "only {} names found", names.len());
    let docs: Vec<BillDocument> = names
        .chunks(25)
        .enumerate()
        .map(|(i, chunk)| {
            let mut doc = invoice();
            doc.number = format!("NAMES-{i:03}");
            doc.patient.as_mut().unwrap().name = chunk.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
            doc.lines = chunk.iter().map(|name| line(name, 1, 100, Discount::None, 0)).collect();
            doc
        })
        .collect();
    let text = read_back("demo-names.pdf", &bills_pdf(&docs).unwrap());
    for name in &names {
        for word in name.split_whitespace() {
            assert!(text.contains(word), "{word:?} (of {name:?}) does not read back from the printed bills");
        }
    }
}

fn cash_up(closed: bool) -> CashUpDocument {
    let entry = |time: &str, reference: &str, patient: &str, method: &str, amount: i64| CashUpEntry {
        time: time.into(),
        reference: reference.into(),
        patient: patient.into(),
        method: method.into(),
        amount,
    };
    CashUpDocument {
        clinic: clinic(),
        reference: "Z-LIS-3-2026-000007".into(),
        cashier: "Joana Martins".into(),
        drawer: "Front desk 1".into(),
        opened: "2026-03-02 08:01".into(),
        closed: closed.then(|| "2026-03-02 18:32".into()),
        currency: eur(),
        opening_float: 10000,
        methods: vec![
            // Cash: float 100.00 + 50.00 + 45.00 − 18.45 = 176.55; 2.50 short.
            MethodCount { method: "Cash".into(), expected: 17655, counted: closed.then_some(17405) },
            MethodCount { method: "Card".into(), expected: 5467, counted: closed.then_some(5467) },
            MethodCount { method: "Bank transfer".into(), expected: 12000, counted: closed.then_some(12100) },
        ],
        entries: vec![
            entry("09:12", "LIS-3-2026-000041", "Maria Silva", "Cash", 5000),
            entry("10:15", "LIS-3-2026-000042", "Thảo Nguyễn Gonçalves", "Card", 5467),
            entry("11:40", "LIS-3-2026-000044", "Иванов Сергей", "Bank transfer", 12000),
            entry("15:05", "LIS-3-2026-000045", "Counter sale", "Cash", 4500),
            entry("17:20", "LIS-3-2026-000042", "Thảo Nguyễn Gonçalves", "Cash", -1845),
        ],
        copy: None,
        printed_at: Utc.with_ymd_and_hms(2026, 3, 2, 18, 35, 0).unwrap(),
    }
}

#[test]
fn the_z_report_shows_expected_counted_and_variance_per_method() {
    let text = read_back("z-report.pdf", &cash_up_pdf(&cash_up(true)).unwrap());
    for expected in [
        "Z-report", "No. Z-LIS-3-2026-000007", "Closed 2026-03-02 18:32", "Cashier Joana Martins", "Drawer Front desk 1",
        "Opening float 100.00 EUR", "Cash 176.55 174.05 -2.50 short", "Card 54.67 54.67 0.00 balanced",
        "Bank transfer 120.00 121.00 +1.00 over", "All methods 351.22 349.72 -1.50 short",
        "09:12 LIS-3-2026-000041 Maria Silva Cash 50.00", "17:20 LIS-3-2026-000042 Thảo Nguyễn Gonçalves Cash -18.45",
        "Taken (4 payments) 269.67", "Refunded (1 refund) -18.45", "Net taken 251.22 EUR", "Signature",
    ] {
        assert!(text.contains(expected), "{expected:?} is not on the Z-report:\n{text}");
    }
    assert!(!text.contains("not closed"), "{text}");
}

#[test]
fn an_open_session_prints_an_x_report_with_nothing_counted() {
    let text = read_back("x-report.pdf", &cash_up_pdf(&cash_up(false)).unwrap());
    for expected in ["X-report (not closed)", "Still open", "Not closed: the figures so far", "Cash 176.55 – –", "All methods 351.22 – –"] {
        assert!(text.contains(expected), "{expected:?} is not on the X-report:\n{text}");
    }
    assert!(!text.contains("short") && !text.contains("balanced"), "nothing counted, no variance: {text}");
}

/// A bill printed on a real CUPS queue comes out of it. scripts/test creates the queue (a
/// virtual PDF printer, CLINIC_TEST_PRINTER) and sets CLINIC_REQUIRE_CUPS, so there this cannot
/// pass by skipping.
#[test]
fn a_bill_printed_on_a_cups_queue_comes_out_of_the_printer() {
    let required = std::env::var_os("CLINIC_REQUIRE_CUPS").is_some();
    let queue = std::env::var("CLINIC_TEST_PRINTER").unwrap_or_else(|_| "ClinicDesk_PDF".into());
    let out = PathBuf::from(std::env::var("CLINIC_CUPS_PDF_OUT").unwrap_or_else(|_| "/var/spool/cups-pdf/clinic-desk".into()));
    let known = printers().unwrap();
    let Some(printer) = known.iter().find(|p| p.name == queue) else {
        assert!(!required, "the test print queue {queue} is required here but CUPS does not list it (printers: {known:?}); scripts/test sets it up");
        eprintln!("not run: no print queue {queue} on this machine (scripts/test sets one up)");
        return;
    };
    assert_eq!(printer.description, "Clinic Desk test printer (writes PDF files)");

    let job = send(&queue, "Invoice LIS-3-2026-000042", &bill_pdf(&invoice()).unwrap(), 1).unwrap();
    let number = job.strip_prefix(&format!("{queue}-")).unwrap_or_else(|| panic!("a job id of the queue: {job}"));
    // cups-pdf names the file after the job ("…job_42.pdf"); it appears once the job is done.
    let deadline = Instant::now() + Duration::from_secs(30);
    let printed = loop {
        let found = std::fs::read_dir(&out).into_iter().flatten().flatten().map(|e| e.path()).find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.ends_with(&format!("-job_{number}.pdf")) || name.starts_with(&format!("job_{number}-"))
        });
        if let Some(path) = found.filter(|p| run("pdfinfo", &[p.as_os_str()]).status.success()) {
            break path;
        }
        assert!(Instant::now() < deadline, "job {job} did not come out of {queue} into {} within 30 s", out.display());
        std::thread::sleep(Duration::from_millis(200));
    };
    let bytes = std::fs::read(&printed).unwrap();
    let _ = std::fs::remove_file(&printed);
    let text = read_back("invoice-from-cups.pdf", &bytes);
    // The test queue turns the PDF into PostScript and back (cups-pdf is a PostScript printer):
    // letters beyond Latin-1 still print, but no longer read back as text (docs/printing.md).
    for expected in ["Invoice", "LIS-3-2026-000042", "Riverside Family Clinic (demo)", "Total 84.67 EUR", "Balance due 14.67 EUR"] {
        assert!(text.contains(expected), "{expected:?} is not on what the printer printed:\n{text}");
    }
    assert_eq!(pages(&bytes), 1);
}

/// A printer that refuses the job (its owner stopped it; scripts/test sets one up): what `lp` said
/// reaches the receptionist.
#[test]
fn a_printer_that_refuses_the_job_says_why() {
    let Ok(refusing) = std::env::var("CLINIC_TEST_REFUSING_PRINTER") else {
        assert!(std::env::var_os("CLINIC_REQUIRE_CUPS").is_none(), "scripts/test sets CLINIC_TEST_REFUSING_PRINTER with the queues");
        eprintln!("not run: no refusing print queue on this machine (scripts/test sets one up)");
        return;
    };
    let error = send(&refusing, "Invoice LIS-3-2026-000042", &bill_pdf(&invoice()).unwrap(), 1).unwrap_err();
    assert_eq!(error.field, None);
    assert!(
        error.message.starts_with(&format!("The printer “{refusing}” did not take the document: lp:")) && error.message.contains("not accepting jobs"),
        "{}",
        error.message
    );
}

#[test]
fn a_printer_this_computer_does_not_know_is_refused_in_words() {
    let error = send("Reception_Laser_That_Is_Not_There", "Invoice", b"%PDF-1.7", 1).unwrap_err();
    if std::env::var_os("CLINIC_REQUIRE_CUPS").is_some() || error.field.is_some() {
        assert_eq!((error.code, error.field), (Code::Invalid, Some("printer")), "{}", error.message);
        assert!(error.message.contains("does not know a printer called “Reception_Laser_That_Is_Not_There”"), "{}", error.message);
    } else {
        // No CUPS here: the message says so, and what to do instead.
        assert!(error.message.contains("Save the document as a PDF instead"), "{}", error.message);
    }
}

pub(super) fn pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let info = run("pdfinfo", &[path.as_os_str()]);
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap_or_else(|| panic!("pdfinfo says no page count: {info}"));
    line["Pages:".len()..].trim().parse().unwrap()
}

/// The images `pdfimages -list` finds: (page, object number) of each.
fn pdf_images(pdf: &[u8]) -> Vec<(usize, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let list = run("pdfimages", &["-list".as_ref(), path.as_os_str()]);
    assert!(list.status.success());
    // Two header lines, then: page num type width height color comp bpc enc interp object ID ...
    String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|l| l.split_whitespace().next().is_some_and(|page| page.parse::<usize>().is_ok()))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f[2], "image", "{l}");
            (f[0].parse().unwrap(), f[10].parse().unwrap())
        })
        .collect()
}

/// What stretches a bill: a long clinic name without a logo, a long patient's name, a currency
/// without decimals and amounts in the millions, a long payment method. Everything still reads
/// back whole (and the picture under target/printed shows it inside its columns).
#[test]
fn long_names_and_large_amounts_stay_whole() {
    let mut doc = invoice();
    doc.clinic.name = "Centro Médico Familiar de São João da Madeira e Oliveira de Azeméis, Lda.".into();
    doc.clinic.logo = None;
    doc.currency = Currency::parse("JPY").unwrap();
    doc.patient.as_mut().unwrap().name = "Nguyễn Thị Minh Khai Παπαδοπούλου-Κωνσταντινίδου Александровна-Рождественская".into();
    doc.lines = vec![
        line("Inpatient stay, private room, including meals, nursing and physiotherapy", 14, 185_000, Discount::Amount(90_000), 1000),
        line("Surgery: laparoscopic cholecystectomy", 1, 1_250_000, Discount::None, 1000),
    ];
    doc.payments = vec![PaymentLine { date: "2026-03-02".into(), method: "Bank transfer (reference 2026-03-02-000042-ABCDEF, Banco de Portugal)".into(), amount: 1_000_000, tendered: None }];
    doc.exemption_note = None;
    let text = read_back("invoice-long-names.pdf", &bill_pdf(&doc).unwrap());
    for expected in [
        "Centro Médico Familiar de São", "Azeméis, Lda.", "Nguyễn Thị Minh Khai", "Александровна-Рождественская",
        "14 185,000 -90,000 10% 250,000 2,750,000", "1 1,250,000 – 10% 125,000 1,375,000", "Total 4,125,000 JPY",
        "Paid 2026-03-02 · Bank transfer (reference 1,000,000", "2026-03-02-000042-ABCDEF, Banco de", "Portugal)", "Balance due 3,125,000 JPY", "In JPY.",
    ] {
        assert!(text.contains(expected), "{expected:?} is not on the invoice:\n{text}");
    }
}
