//! Money at the front desk (DESIGN.md §7b): a patient checked out from their appointment,
//! invoices finalised into the workstation's gapless series, payments, change and credit, credit
//! notes and refunds, and every bad input refused with nothing changed.

use clinic_core::ops::billing::cash::{close_cash_session, open_cash_session, CloseCashSession, Counted, OpenCashSession};
use clinic_core::ops::billing::credit_notes::{issue_credit_note, CreditNoteInput};
use clinic_core::ops::billing::invoices::*;
use clinic_core::ops::billing::payments::{refund_payment, take_payment, PaymentInput, RefundInput};
use clinic_core::ops::billing::prices::{add_price_item, price_list, update_price, PriceInput, PriceKind};
use clinic_core::ops::billing::account::{patient_account, patient_balance};
use clinic_core::ops::billing::view::{InvoiceStatus, InvoiceView};
use clinic_core::ops::billing::Method;
use clinic_core::ops::calendar::{book_appointment, BookingInput};
use clinic_core::auth::Session;
use clinic_core::Code;
use clinic_sync::money::CreditLine;
use uuid::Uuid;

use crate::helpers::*;

pub struct Till {
    pub f: Front,
    pub patient: Uuid,
    pub appointment: Uuid,
    pub vaccine: Uuid,
}

/// A clinic with a vaccine on its price list (12.00 at 6 %), Ana booked for a consultation
/// (45.00, exempt), and the receptionist's drawer open with a 100.00 float.
pub async fn till() -> Till {
    let f = front_desk().await;
    let patient = f.t.patient(&f.desk, "Ana", "Silva", "1980-01-01").await.id;
    let vaccine = add_price_item(&f.t.clinic, &f.manager, price("Flu vaccine", "12.00", "6")).await.unwrap();
    let appointment = book_appointment(&f.t.clinic, &f.desk, BookingInput {
        patient_id: patient, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at("2026-11-23", "10:00"), notes: None, override_schedule: false,
    }).await.unwrap().appointment.id;
    open_cash_session(&f.t.clinic, &f.desk, OpenCashSession { drawer: "Front desk".into(), opening_float: "100".into() }).await.unwrap();
    Till { f, patient, appointment, vaccine }
}

pub fn price(name: &str, price: &str, tax: &str) -> PriceInput {
    PriceInput { name: name.into(), price: price.into(), tax_rate: tax.into() }
}

pub fn line(description: &str, quantity: i64, unit_price: &str, discount: &str, tax: &str) -> LineInput {
    LineInput { description: description.into(), item_id: None, quantity, unit_price: unit_price.into(), discount: discount.into(), tax_rate: tax.into() }
}

pub fn draft(lines: Vec<LineInput>, discount: &str) -> DraftInput {
    DraftInput { lines, discount: discount.into(), customer_name: None, service_date: None }
}

pub fn paying(invoice: &InvoiceView, method: Method, amount: &str) -> PaymentInput {
    PaymentInput { invoice_id: invoice.id, method, amount: amount.into(), keep_as_credit: false, reference: None }
}

impl Till {
    /// An invoice for Ana: a consultation and two flu vaccines, finalised.
    pub async fn checked_out(&self, by: &Session) -> InvoiceView {
        let c = &self.f.t.clinic;
        let started = start_invoice(c, by, InvoiceFrom::Patient { patient_id: self.patient }).await.unwrap();
        let mut lines = vec![line("Consultation 30", 1, "45.00", "", "0")];
        lines.push(LineInput { item_id: Some(self.vaccine), ..line("Flu vaccine", 2, "12.00", "", "6") });
        save_invoice_draft(c, by, started.id, draft(lines, "")).await.unwrap();
        finalise_invoice(c, by, started.id).await.unwrap()
    }
}

#[tokio::test]
async fn a_patient_is_checked_out_from_their_appointment_and_pays_part_cash_part_card() {
    let t = till().await;
    let (c, desk) = (&t.f.t.clinic, &t.f.desk);
    // The draft starts from what was booked: the appointment's service at its price.
    let started = start_invoice(c, desk, InvoiceFrom::Appointment { appointment_id: t.appointment }).await.unwrap();
    assert_eq!(started.status, InvoiceStatus::Draft);
    assert_eq!(started.patient.as_ref().unwrap().name, "Ana Silva");
    assert_eq!((started.lines.len(), started.lines[0].description.as_str(), started.lines[0].unit_price), (1, "Consultation 30", 4500));
    assert_eq!(started.service_date, Some(date("2026-11-23")));
    // Asking again answers the same draft, never a second invoice for one visit.
    assert_eq!(start_invoice(c, desk, InvoiceFrom::Appointment { appointment_id: t.appointment }).await.unwrap().id, started.id);

    let mut lines = vec![line("Consultation 30", 1, "45.00", "", "0")];
    lines.push(LineInput { item_id: Some(t.vaccine), ..line("Flu vaccine", 2, "12.00", "", "6") });
    save_invoice_draft(c, desk, started.id, draft(lines, "")).await.unwrap();
    let invoice = finalise_invoice(c, desk, started.id).await.unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Finalised);
    assert_eq!(invoice.appointment_id, Some(t.appointment));
    // Checking out the visit again shows the invoice issued for it.
    assert_eq!(start_invoice(c, desk, InvoiceFrom::Appointment { appointment_id: t.appointment }).await.unwrap().id, invoice.id);
    assert_eq!(invoice.number.as_deref(), Some("HC-01-2026-000001"));
    // 45.00 exempt + 2 × 12.00 at 6 % (1.44): 70.44.
    assert_eq!((invoice.totals.net, invoice.totals.tax, invoice.totals.total), (6900, 144, 7044));
    assert_eq!(invoice.balance, 7044);
    // Issued, it is not changed.
    let refused = save_invoice_draft(c, desk, started.id, draft(vec![line("x", 1, "1", "", "0")], "")).await.unwrap_err();
    assert_eq!(refused.code, Code::WrongState);

    // 20.00 in cash, the rest by card.
    let cash = take_payment(c, desk, paying(&invoice, Method::Cash, "20")).await.unwrap();
    assert_eq!((cash.change, cash.credit, cash.invoice.balance), (0, 0, 5044));
    let card = take_payment(c, desk, paying(&invoice, Method::Card, "50,44")).await.unwrap();
    assert_eq!((card.invoice.paid, card.invoice.balance), (7044, 0));
    assert_eq!(card.invoice.payments.iter().map(|p| p.method).collect::<Vec<_>>(), [Method::Cash, Method::Card]);

    let before = t.f.t.snapshot().await;
    let again = take_payment(c, desk, paying(&invoice, Method::Cash, "1")).await.unwrap_err();
    assert_eq!((again.code, again.message.as_str()), (Code::WrongState, "This invoice is paid in full."));
    assert_eq!(t.f.t.snapshot().await, before);

    // The next invoice takes the next number; the account shows both, and nothing owed on the first.
    let next = start_invoice(c, desk, InvoiceFrom::Patient { patient_id: t.patient }).await.unwrap();
    save_invoice_draft(c, desk, next.id, draft(vec![line("Medical certificate", 1, "15", "", "23")], "")).await.unwrap();
    assert_eq!(finalise_invoice(c, desk, next.id).await.unwrap().number.as_deref(), Some("HC-01-2026-000002"));
    let account = patient_account(c, desk, t.patient).await.unwrap();
    assert_eq!(account.balance.owed, 1845);
    assert_eq!(account.invoices.len(), 2);
    assert_eq!(account.statement.iter().map(|l| l.balance).collect::<Vec<_>>(), [7044, 5044, 0, 1845]);
    // A doctor sees what is owed, not the account.
    assert_eq!(patient_balance(c, &t.f.doctor, t.patient).await.unwrap().owed, 1845);
    assert_eq!(patient_account(c, &t.f.doctor, t.patient).await.unwrap_err().code, Code::PermissionDenied);
}

#[tokio::test]
async fn cash_over_what_is_owed_is_change_or_credit_by_choice() {
    let t = till().await;
    let (c, desk) = (&t.f.t.clinic, &t.f.desk);
    let invoice = t.checked_out(desk).await;
    let paid = take_payment(c, desk, paying(&invoice, Method::Cash, "80")).await.unwrap();
    assert_eq!((paid.change, paid.credit, paid.invoice.balance), (956, 0, 0));
    assert_eq!(paid.invoice.payments[0].tendered, Some(8000));

    // By card, more than is owed only as credit, chosen.
    let second = t.checked_out(desk).await;
    let before = t.f.t.snapshot().await;
    let refused = take_payment(c, desk, paying(&second, Method::Card, "100")).await.unwrap_err();
    assert_eq!(refused.field, Some("amount"));
    assert!(refused.message.contains("70.44 EUR"), "{}", refused.message);
    assert_eq!(t.f.t.snapshot().await, before);
    let kept = take_payment(c, desk, PaymentInput { keep_as_credit: true, ..paying(&second, Method::Card, "100") }).await.unwrap();
    assert_eq!((kept.change, kept.credit), (0, 2956));
    assert_eq!(patient_balance(c, desk, t.patient).await.unwrap().credit, 2956);

    // The credit pays part of the next invoice; no more than there is.
    let third = t.checked_out(desk).await;
    let too_much = take_payment(c, desk, paying(&third, Method::Credit, "30")).await.unwrap_err();
    assert!(too_much.message.contains("29.56 EUR"), "{}", too_much.message);
    let from_credit = take_payment(c, desk, paying(&third, Method::Credit, "29.56")).await.unwrap();
    assert_eq!(from_credit.invoice.balance, 7044 - 2956);
    assert_eq!(patient_balance(c, desk, t.patient).await.unwrap().credit, 0);
}

#[tokio::test]
async fn a_manager_credits_an_invoice_in_parts_and_refunds_a_payment() {
    let t = till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    let invoice = t.checked_out(desk).await;
    let paid = take_payment(c, desk, paying(&invoice, Method::Card, "70.44")).await.unwrap().invoice;
    let payment = paid.payments[0].id;

    // A receptionist neither credits nor refunds.
    let before = t.f.t.snapshot().await;
    let credit = |lines: Vec<CreditLine>| CreditNoteInput { invoice_id: invoice.id, lines, reason: "Vaccine not given".into() };
    assert_eq!(issue_credit_note(c, desk, credit(vec![])).await.unwrap_err().code, Code::PermissionDenied);
    let refund = |amount: &str| RefundInput { payment_id: payment, amount: amount.into(), reason: "Vaccine not given".into() };
    assert_eq!(refund_payment(c, desk, refund("1")).await.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(t.f.t.snapshot().await, before);

    // One vaccine of two, then the other: together exactly what the line charged (25.44).
    let one = issue_credit_note(c, manager, credit(vec![CreditLine { line: 1, quantity: 1 }])).await.unwrap();
    assert_eq!(one.credit_notes[0].number, "CN-HC-01-2026-000001");
    assert_eq!((one.credit_notes[0].total, one.credit_notes[0].tax), (1272, 72));
    let over = issue_credit_note(c, manager, credit(vec![CreditLine { line: 1, quantity: 2 }])).await.unwrap_err();
    assert_eq!((over.code, over.message.as_str()), (Code::Invalid, "“Flu vaccine”: 1 of 2 can still be credited."));
    let two = issue_credit_note(c, manager, credit(vec![CreditLine { line: 1, quantity: 1 }])).await.unwrap();
    assert_eq!(two.credited, 2544);
    assert_eq!(two.balance, -2544, "paid in full, then credited: owed to the patient");

    // The refund: the manager's own drawer must be open; at most what was paid.
    let no_drawer = refund_payment(c, manager, refund("25.44")).await.unwrap_err();
    assert_eq!(no_drawer.code, Code::WrongState);
    open_cash_session(c, manager, OpenCashSession { drawer: "Office".into(), opening_float: "0".into() }).await.unwrap();
    let before = t.f.t.snapshot().await;
    let too_much = refund_payment(c, manager, refund("70.45")).await.unwrap_err();
    assert_eq!((too_much.field, too_much.message.as_str()), (Some("amount"), "At most 70.44 EUR of this payment can be refunded."));
    assert_eq!(refund_payment(c, manager, RefundInput { reason: " ".into(), ..refund("1") }).await.unwrap_err().field, Some("reason"));
    assert_eq!(t.f.t.snapshot().await, before);
    let refunded = refund_payment(c, manager, refund("25.44")).await.unwrap();
    assert_eq!((refunded.paid, refunded.balance), (4500, 0));

    // The rest credited: the invoice is reversed, and can no longer be paid.
    let whole = issue_credit_note(c, manager, credit(vec![])).await.unwrap();
    assert!(whole.fully_credited());
    assert_eq!(whole.credited, 7044);
    let refused = issue_credit_note(c, manager, credit(vec![])).await.unwrap_err();
    assert_eq!(refused.message, "This invoice is credited in full already.");
    let before = t.f.t.snapshot().await;
    let paying_credited = take_payment(c, desk, paying(&invoice, Method::Cash, "1")).await.unwrap_err();
    assert_eq!(paying_credited.message, "This invoice was credited in full: nothing is owed on it.");
    assert_eq!(t.f.t.snapshot().await, before);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_message_and_changes_nothing() {
    let t = till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    let started = start_invoice(c, desk, InvoiceFrom::Counter).await.unwrap();
    let before = t.f.t.snapshot().await;
    let refused = |lines: Vec<LineInput>, discount: &'static str| {
        let id = started.id;
        async move { save_invoice_draft(c, desk, id, draft(lines, discount)).await.unwrap_err() }
    };
    let e = refused(vec![line("Dressing", -1, "5", "", "0")], "").await;
    assert_eq!((e.field, e.message.as_str()), (Some("quantity"), "Line 1: A quantity is a whole number from 1 to 9999."));
    let e = refused(vec![line("Dressing", 1, "-5", "", "0")], "").await;
    assert_eq!((e.field, e.message.as_str()), (Some("unit_price"), "Line 1: An amount cannot be negative."));
    let e = refused(vec![line("Dressing", 1, "5", "6", "0")], "").await;
    assert_eq!((e.field, e.message.as_str()), (Some("discount"), "Line 1: The discount is larger than what it is taken off."));
    let e = refused(vec![line("Dressing", 1, "5", "", "150")], "").await;
    assert_eq!((e.field, e.message.as_str()), (Some("tax_rate"), "Line 1: A percentage is between 0 and 100."));
    let e = refused(vec![line("Dressing", 1, "5.123", "", "0")], "").await;
    assert_eq!((e.field, e.message.as_str()), (Some("unit_price"), "Line 1: EUR has 2 decimal places: “5.123” has 3."));
    let e = refused(vec![line("Dressing", 1, "5", "", "0")], "6").await;
    assert_eq!((e.field, e.message.as_str()), (Some("discount"), "The discount is larger than what it is taken off."));
    // Over the site's limit (10 %): a manager's discount.
    let e = refused(vec![line("Dressing", 2, "5", "", "0")], "15 %").await;
    assert_eq!((e.code, e.field, e.message.as_str()), (Code::PermissionDenied, Some("discount"), "A discount over 10 % of the price needs a manager."));
    let e = refused(vec![line("Dressing", 2, "5", "1.01", "0")], "").await;
    assert_eq!(e.code, Code::PermissionDenied);
    let empty = finalise_invoice(c, desk, started.id).await.unwrap_err();
    assert_eq!((empty.code, empty.message.as_str()), (Code::WrongState, "Add what is charged before finalising: an empty invoice is not issued."));
    assert_eq!(t.f.t.snapshot().await, before);
    // Within the limit a receptionist may; over it, a manager.
    save_invoice_draft(c, desk, started.id, draft(vec![line("Dressing", 2, "5", "1", "0")], "")).await.unwrap();
    let managed = save_invoice_draft(c, manager, started.id, draft(vec![line("Dressing", 2, "5", "", "0")], "50 %")).await.unwrap();
    assert_eq!(managed.totals.total, 500);

    // Paying a discarded draft, or one never finalised.
    let other = start_invoice(c, desk, InvoiceFrom::Counter).await.unwrap();
    save_invoice_draft(c, desk, other.id, draft(vec![line("Dressing", 1, "5", "", "0")], "")).await.unwrap();
    let before = t.f.t.snapshot().await;
    let unissued = take_payment(c, desk, paying(&other, Method::Cash, "5")).await.unwrap_err();
    assert_eq!(unissued.message, "Finalise the invoice before taking payment: a draft can still change.");
    assert_eq!(t.f.t.snapshot().await, before);
    discard_invoice_draft(c, desk, other.id).await.unwrap();
    let before = t.f.t.snapshot().await;
    assert_eq!(finalise_invoice(c, desk, other.id).await.unwrap_err().message, "This draft was discarded.");
    assert_eq!(take_payment(c, desk, paying(&other, Method::Cash, "5")).await.unwrap_err().code, Code::WrongState);

    // Amounts with more decimals than the currency has, and none at all.
    let issued = finalise_invoice(c, desk, started.id).await.unwrap();
    let before_paying = t.f.t.snapshot().await;
    assert_eq!(take_payment(c, desk, paying(&issued, Method::Cash, "1.005")).await.unwrap_err().message, "EUR has 2 decimal places: “1.005” has 3.");
    assert_eq!(take_payment(c, desk, paying(&issued, Method::Cash, "0")).await.unwrap_err().field, Some("amount"));
    assert_eq!(t.f.t.snapshot().await, before_paying);
    assert_ne!(before, before_paying, "the finalising did change things");

    // The price list: a tax rate out of range, a price with too many decimals.
    let before = t.f.t.snapshot().await;
    assert_eq!(add_price_item(c, manager, price("Plaster", "1", "101")).await.unwrap_err().field, Some("tax_rate"));
    assert_eq!(add_price_item(c, manager, price("Plaster", "1.001", "0")).await.unwrap_err().field, Some("price"));
    assert_eq!(add_price_item(c, desk, price("Plaster", "1", "0")).await.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(t.f.t.snapshot().await, before);
}

#[tokio::test]
async fn the_price_list_holds_the_services_and_the_items() {
    let t = till().await;
    let (c, manager) = (&t.f.t.clinic, &t.f.manager);
    let list = price_list(c, &t.f.desk).await.unwrap();
    assert_eq!(list.iter().map(|e| (e.kind, e.name.as_str(), e.price.minor, e.tax_rate_bp)).collect::<Vec<_>>(),
        [(PriceKind::Service, "Consultation 30", 4500, 0), (PriceKind::Item, "Flu vaccine", 1200, 600)]);
    update_price(c, manager, PriceKind::Service, t.f.visit.id, price("ignored", "50", "6,5"), true).await.unwrap();
    update_price(c, manager, PriceKind::Item, t.vaccine, price("Flu vaccine (quadrivalent)", "14", "6"), false).await.unwrap();
    let list = price_list(c, &t.f.desk).await.unwrap();
    assert_eq!((list[0].name.as_str(), list[0].price.minor, list[0].tax_rate_bp), ("Consultation 30", 5000, 650));
    assert_eq!((list[1].name.as_str(), list[1].active), ("Flu vaccine (quadrivalent)", false));
    // A new checkout charges the new price; the one issued before keeps its own.
    let started = start_invoice(c, &t.f.desk, InvoiceFrom::Appointment { appointment_id: t.appointment }).await.unwrap();
    assert_eq!((started.lines[0].unit_price, started.lines[0].tax_rate_bp), (5000, 650));
}

#[tokio::test]
async fn each_year_starts_its_series_again_and_a_failed_finalising_takes_no_number() {
    let t = till().await;
    let (c, desk) = (&t.f.t.clinic, &t.f.desk);
    assert_eq!(t.checked_out(desk).await.number.as_deref(), Some("HC-01-2026-000001"));
    // New Year's Day in Lisbon.
    t.f.t.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 1, 9, 0, 0).unwrap());
    t.f.t.resume(desk).await;
    assert_eq!(t.checked_out(desk).await.number.as_deref(), Some("HC-01-2027-000001"));
    let empty = start_invoice(c, desk, InvoiceFrom::Counter).await.unwrap();
    finalise_invoice(c, desk, empty.id).await.unwrap_err();
    assert_eq!(t.checked_out(desk).await.number.as_deref(), Some("HC-01-2027-000002"));
}

#[tokio::test]
async fn a_cash_session_is_counted_closed_and_locked() {
    let t = till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    let invoice = t.checked_out(desk).await;
    take_payment(c, desk, paying(&invoice, Method::Cash, "50")).await.unwrap();
    let last = take_payment(c, desk, paying(&invoice, Method::Card, "20.44")).await.unwrap();
    let session = clinic_core::ops::billing::cash::current_cash_session(c, desk).await.unwrap().unwrap();
    let cash = &session.methods[0];
    assert_eq!((cash.received, cash.expected), (5000, 15000));
    assert_eq!(session.entries.len(), 2);
    assert_eq!(last.invoice.balance, 0);

    // Somebody else's drawer is not theirs to close, not even a manager's.
    let count = |cash: &str, card: &str| CloseCashSession { id: session.id, note: None, counted: vec![
        Counted { method: Method::Cash, amount: cash.into() }, Counted { method: Method::Card, amount: card.into() }] };
    let before = t.f.t.snapshot().await;
    assert_eq!(close_cash_session(c, manager, count("150", "20.44")).await.unwrap_err().code, Code::PermissionDenied);
    let uncounted = close_cash_session(c, desk, CloseCashSession { counted: vec![Counted { method: Method::Cash, amount: "150".into() }], ..count("", "") }).await.unwrap_err();
    assert_eq!(uncounted.message, "Count card too.");
    assert_eq!(t.f.t.snapshot().await, before);

    // Counted 2.00 short in cash.
    let closed = close_cash_session(c, desk, count("148", "20.44")).await.unwrap();
    assert_eq!(closed.report_number.as_deref(), Some("Z-HC-01-2026-000001"));
    assert_eq!((closed.methods[0].counted, closed.methods[0].variance), (Some(14800), Some(-200)));
    assert_eq!(closed.methods[1].variance, Some(0));
    let before = t.f.t.snapshot().await;
    let twice = close_cash_session(c, desk, count("150", "20.44")).await.unwrap_err();
    assert_eq!((twice.code, twice.message.as_str()), (Code::WrongState, "This cash session is closed and can no longer be changed."));
    // Closed, the drawer takes no more money until a new session is opened.
    let second = t.checked_out(desk).await;
    let before_paying = t.f.t.snapshot().await;
    assert_eq!(take_payment(c, desk, paying(&second, Method::Cash, "5")).await.unwrap_err().field, Some("cash_session"));
    assert_eq!(t.f.t.snapshot().await, before_paying);
    assert_ne!(before, before_paying);

    // The manager sees every session of the day; the receptionist only their own.
    let day = date("2026-11-23");
    open_cash_session(c, manager, OpenCashSession { drawer: "Office".into(), opening_float: "0".into() }).await.unwrap();
    assert_eq!(clinic_core::ops::billing::cash::cash_sessions(c, manager, day).await.unwrap().len(), 2);
    assert_eq!(clinic_core::ops::billing::cash::cash_sessions(c, desk, day).await.unwrap().len(), 1);
    assert_eq!(clinic_core::ops::billing::cash::cash_session(c, desk, session.id).await.unwrap().report_number, closed.report_number);
}

#[tokio::test]
async fn the_invoice_receipt_credit_note_and_z_report_print_and_a_second_printing_is_a_copy() {
    use clinic_core::ops::billing::documents::*;
    use crate::print::read_back;
    let t = till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    let invoice = t.checked_out(desk).await;
    let draft = start_invoice(c, desk, InvoiceFrom::Counter).await.unwrap();
    assert_eq!(invoice_pdf(c, desk, draft.id).await.unwrap_err().message, "A draft is not printed: finalise it first.");
    assert_eq!(receipt_pdf(c, desk, invoice.id).await.unwrap_err().code, Code::WrongState, "nothing paid yet");

    let first = invoice_pdf(c, desk, invoice.id).await.unwrap();
    assert!(!first.copy);
    let text = read_back("billing-invoice", &first.bytes);
    for expected in ["Harbour Health — Harbour Clinic", "Ana Silva", "HC-01-2026-000001", "Flu vaccine", "70.44", "Balance due"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains("COPY"));
    let again = invoice_pdf(c, desk, invoice.id).await.unwrap();
    assert!(again.copy && read_back("billing-invoice-copy", &again.bytes).contains("COPY"));

    take_payment(c, desk, paying(&invoice, Method::Cash, "80")).await.unwrap();
    let receipt = receipt_pdf(c, desk, invoice.id).await.unwrap();
    let text = read_back("billing-receipt", &receipt.bytes);
    assert!(!receipt.copy && text.contains("Receipt") && text.contains("80.00") && text.contains("9.56"), "{text}");

    let credited = issue_credit_note(c, manager, CreditNoteInput { invoice_id: invoice.id, lines: vec![CreditLine { line: 1, quantity: 1 }],
        reason: "One vaccine not given".into() }).await.unwrap();
    let note = credit_note_pdf(c, desk, credited.credit_notes[0].id).await.unwrap();
    let text = read_back("billing-credit-note", &note.bytes);
    for expected in ["CN-HC-01-2026-000001", "HC-01-2026-000001", "One vaccine not given", "12.72"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }

    // Two invoices in one PDF: the first printed before, so it is a copy there; the second an original.
    let second = t.checked_out(desk).await;
    let both = invoices_pdf(c, desk, vec![invoice.id, second.id]).await.unwrap();
    let text = read_back("billing-batch", &both.bytes);
    assert!(text.contains("HC-01-2026-000001") && text.contains("HC-01-2026-000002") && !both.copy);

    // The Z-report of the closed session: expected, counted and the variance.
    let session = clinic_core::ops::billing::cash::current_cash_session(c, desk).await.unwrap().unwrap();
    close_cash_session(c, desk, CloseCashSession { id: session.id, note: None, counted: vec![Counted { method: Method::Cash, amount: "168.44".into() }] }).await.unwrap();
    assert_eq!(cash_up_pdf(c, &t.f.doctor, session.id).await.unwrap_err().code, Code::PermissionDenied);
    let z = cash_up_pdf(c, manager, session.id).await.unwrap();
    let text = read_back("billing-z-report", &z.bytes);
    for expected in ["Z-HC-01-2026-000001", "Front desk", "170.44", "168.44", "-2.00"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[tokio::test]
async fn the_invoices_settings_are_the_administrator_s_and_a_logo_must_be_a_picture_that_prints() {
    use clinic_core::ops::billing::settings::*;
    let t = till().await;
    let (c, admin) = (&t.f.t.clinic, &t.f.t.admin);
    let before = t.f.t.snapshot().await;
    let input = InvoiceSettingsInput { discount_limit: "15".into(), invoice_note: Some("Exempt from VAT (art. 9 CIVA).".into()) };
    assert_eq!(update_invoice_settings(c, &t.f.manager, input.clone()).await.unwrap_err().code, Code::PermissionDenied);
    let bad = InvoiceSettingsInput { discount_limit: "150".into(), ..input.clone() };
    assert_eq!(update_invoice_settings(c, admin, bad).await.unwrap_err().field, Some("discount_limit"));
    assert_eq!(set_logo(c, admin, Some(b"<svg>not a png</svg>".to_vec())).await.unwrap_err().field, Some("logo"));
    assert_eq!(set_logo(c, admin, Some(vec![0x89; MOST_LOGO_BYTES + 1])).await.unwrap_err().field, Some("logo"));
    assert_eq!(t.f.t.snapshot().await, before);

    update_invoice_settings(c, admin, input).await.unwrap();
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../icons/128x128.png")).unwrap();
    set_logo(c, admin, Some(png.clone())).await.unwrap();
    let settings = invoice_settings(c, &t.f.desk).await.unwrap();
    assert_eq!((settings.discount_limit.as_str(), settings.invoice_note.as_deref(), settings.logo.as_deref()),
        ("15", Some("Exempt from VAT (art. 9 CIVA)."), Some(&png[..])));
    // A 12 % discount is now the receptionist's to give, and the invoice prints the note.
    let d = start_invoice(c, &t.f.desk, InvoiceFrom::Counter).await.unwrap();
    save_invoice_draft(c, &t.f.desk, d.id, draft(vec![line("Suture removal", 1, "12", "", "23")], "12 %")).await.unwrap();
    let issued = finalise_invoice(c, &t.f.desk, d.id).await.unwrap();
    assert_eq!((issued.totals.total, issued.note.as_deref()), (1299, Some("Exempt from VAT (art. 9 CIVA).")));
    let pdf = clinic_core::ops::billing::documents::invoice_pdf(c, &t.f.desk, issued.id).await.unwrap();
    assert!(crate::print::read_back("billing-with-logo", &pdf.bytes).contains("art. 9 CIVA"));
}

#[tokio::test]
async fn a_walk_in_s_consultation_is_invoiced_at_the_doctor_s_fee() {
    use clinic_core::ops::clinical::{open_consultation, VisitRef};
    use clinic_core::ops::queue::{add_walk_in, Priority, WalkInInput, WalkInPatient};
    let t = till().await;
    let (c, desk) = (&t.f.t.clinic, &t.f.desk);
    let queued = add_walk_in(c, desk, WalkInInput { patient: WalkInPatient::Existing(t.patient), reason: "Sore throat".into(),
        priority: Priority::Normal, practitioner_id: Some(t.f.practitioner.id) }).await.unwrap();
    // Before a doctor sees them: an invoice of their own, nothing on it yet.
    let early = start_invoice(c, desk, InvoiceFrom::WalkIn { queue_entry_id: queued.id }).await.unwrap();
    assert!(early.lines.is_empty() && early.encounter_id.is_none());
    discard_invoice_draft(c, desk, early.id).await.unwrap();
    let seen = open_consultation(c, &t.f.doctor, VisitRef::QueueEntry(queued.id)).await.unwrap();
    let started = start_invoice(c, desk, InvoiceFrom::WalkIn { queue_entry_id: queued.id }).await.unwrap();
    assert_eq!(started.patient.as_ref().map(|p| p.id), Some(t.patient));
    assert_eq!(started.encounter_id, Some(seen.encounter_id));
    assert_eq!(started.service_date, Some(date("2026-11-23")));
    assert_eq!((started.lines[0].description.as_str(), started.lines[0].unit_price), ("Consultation — House Tester", 4500));
    assert_eq!(start_invoice(c, desk, InvoiceFrom::Consultation { encounter_id: seen.encounter_id }).await.unwrap().id, started.id, "one invoice per visit");
    assert_eq!(start_invoice(c, desk, InvoiceFrom::Consultation { encounter_id: uuid::Uuid::now_v7() }).await.unwrap_err().code, Code::NotFound);
}
