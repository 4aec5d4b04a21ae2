//! Reports (issue 12, started): figures checked against a small clinic with known answers.

use clinic_core::ops::billing::credit_notes::{issue_credit_note, CreditNoteInput};
use clinic_core::ops::billing::invoices::*;
use clinic_core::ops::billing::payments::{refund_payment, take_payment, RefundInput};
use clinic_core::ops::billing::cash::{open_cash_session, OpenCashSession};
use clinic_core::ops::billing::Method;
use clinic_core::ops::reports::revenue::*;
use clinic_core::ops::reports::Period;
use clinic_core::Code;

use crate::billing::{draft, line, paying, till};
use crate::helpers::*;

#[tokio::test]
async fn revenue_by_day_and_method_adds_up_to_what_was_invoiced_credited_paid_and_refunded() {
    let t = till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    // Monday: Ana's visit (70.44, of which 1.44 tax), paid 20.00 cash and the rest by card.
    let monday = t.checked_out(desk).await;
    take_payment(c, desk, paying(&monday, Method::Cash, "20")).await.unwrap();
    take_payment(c, desk, paying(&monday, Method::Card, "50.44")).await.unwrap();
    // Tuesday 10:00 in Lisbon: a certificate (15.00 + 23 %: 18.45) for a counter sale, paid by card;
    // one vaccine of Monday's credited (12.72) and refunded to the card.
    t.f.t.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 10, 0, 0).unwrap());
    for s in [desk, manager] {
        t.f.t.resume(s).await;
    }
    let d = start_invoice(c, desk, InvoiceFrom::Counter).await.unwrap();
    save_invoice_draft(c, desk, d.id, draft(vec![line("Medical certificate", 1, "15", "", "23")], "")).await.unwrap();
    let tuesday = finalise_invoice(c, desk, d.id).await.unwrap();
    take_payment(c, desk, paying(&tuesday, Method::Card, "18.45")).await.unwrap();
    issue_credit_note(c, manager, CreditNoteInput { invoice_id: monday.id, lines: vec![clinic_sync::money::CreditLine { line: 1, quantity: 1 }],
        reason: "Not given".into() }).await.unwrap();
    open_cash_session(c, manager, OpenCashSession { drawer: "Office".into(), opening_float: "0".into() }).await.unwrap();
    let card = clinic_core::ops::billing::invoices::invoice(c, desk, monday.id).await.unwrap().payments[1].id;
    refund_payment(c, manager, RefundInput { payment_id: card, amount: "12.72".into(), reason: "Not given".into() }).await.unwrap();

    let week = Period { from: date("2026-11-23"), to: date("2026-11-29") };
    let report = revenue(c, manager, RevenueInput { period: week, grain: Grain::Day, practitioner_id: None }).await.unwrap();
    assert_eq!(report.rows.len(), 7, "every day of the week, those without money too");
    let row = |when: &str| report.rows.iter().find(|r| r.when == when).unwrap().clone();
    assert_eq!(row("2026-11-23"), RevenueRow { when: "2026-11-23".into(), invoiced: 7044, tax: 144, credited: 0, received: 7044, refunded: 0 });
    assert_eq!(row("2026-11-24"), RevenueRow { when: "2026-11-24".into(), invoiced: 1845, tax: 345 - 72, credited: 1272, received: 1845, refunded: 1272 });
    assert_eq!(row("2026-11-25"), RevenueRow { when: "2026-11-25".into(), ..RevenueRow::default() });
    assert_eq!((report.total.invoiced, report.total.credited, report.total.received, report.total.refunded), (8889, 1272, 8889, 1272));
    assert_eq!(report.by_method, vec![MethodRow { method: Method::Card, received: 5044 + 1845, refunded: 1272 }, MethodRow { method: Method::Cash, received: 2000, refunded: 0 }]);

    // By month: one row for November; a practitioner filter keeps only what their visits charged (none here: invoices from a patient or the counter).
    let month = revenue(c, manager, RevenueInput { period: week, grain: Grain::Month, practitioner_id: None }).await.unwrap();
    assert_eq!(month.rows.len(), 1);
    assert_eq!(month.rows[0].invoiced, 8889);
    let theirs = revenue(c, manager, RevenueInput { period: week, grain: Grain::Day, practitioner_id: Some(t.f.practitioner.id) }).await.unwrap();
    assert_eq!(theirs.total.invoiced, 0);

    // The CSV a spreadsheet opens: the header, a line a day, the total.
    let csv = revenue_csv(&report);
    assert!(csv.starts_with("\u{feff}Date,Invoiced,Tax,Credited,Received,Refunded\r\n2026-11-23,70.44,1.44,0.00,70.44,0.00\r\n"), "{csv}");
    assert!(csv.ends_with("Total,88.89,4.17,12.72,88.89,12.72\r\n"), "{csv}");

    // A period that ends before it starts, an unknown practitioner, a receptionist.
    let backwards = Period { from: date("2026-11-29"), to: date("2026-11-23") };
    assert_eq!(revenue(c, manager, RevenueInput { period: backwards, grain: Grain::Day, practitioner_id: None }).await.unwrap_err().message,
        "The period ends before it starts.");
    assert_eq!(revenue(c, manager, RevenueInput { period: week, grain: Grain::Day, practitioner_id: Some(uuid::Uuid::now_v7()) }).await.unwrap_err().code,
        Code::NotFound);
    assert_eq!(revenue(c, desk, RevenueInput { period: week, grain: Grain::Day, practitioner_id: None }).await.unwrap_err().code, Code::PermissionDenied);
}

#[tokio::test]
async fn outstanding_invoices_age_into_their_bands_as_they_stood_that_day() {
    use clinic_core::ops::reports::ageing::outstanding;
    let t = till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    let at = |y, m, d| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, m, d, 10, 0, 0).unwrap();
    // Issued 23 November (70.44, 20.00 paid at once), 15 September (70.44) and 1 August (70.44, paid in full on 1 December).
    let november = t.checked_out(desk).await;
    take_payment(c, desk, paying(&november, Method::Cash, "20")).await.unwrap();
    let mut earlier = Vec::new();
    for (m, d) in [(9, 15), (8, 1)] {
        t.f.t.clock.set(at(2026, m, d));
        t.f.t.resume(desk).await;
        earlier.push(t.checked_out(desk).await);
    }
    t.f.t.clock.set(at(2026, 12, 1));
    t.f.t.resume(desk).await;
    open_cash_session(c, desk, OpenCashSession { drawer: "Front desk".into(), opening_float: "0".into() }).await.ok();
    take_payment(c, desk, paying(&earlier[1], Method::Card, "70.44")).await.unwrap();
    t.f.t.resume(manager).await;

    // As on 30 November: the August one still owed (121 days), September's 76 days, November's 7.
    let report = outstanding(c, manager, date("2026-11-30")).await.unwrap();
    assert_eq!(report.invoices.iter().map(|o| (o.days, o.band, o.owed)).collect::<Vec<_>>(), [(121, 3, 7044), (76, 2, 7044), (7, 0, 5044)]);
    assert_eq!((report.bands, report.total), ([5044, 0, 7044, 7044], 19132));
    // As on 1 December the August one is paid; as on 14 September neither later one was issued.
    let report = outstanding(c, manager, date("2026-12-01")).await.unwrap();
    assert_eq!(report.invoices.len(), 2);
    let report = outstanding(c, manager, date("2026-09-14")).await.unwrap();
    assert_eq!(report.invoices.iter().map(|o| (o.number.as_str(), o.days)).collect::<Vec<_>>(), [(earlier[1].number.as_deref().unwrap(), 44)]);
    assert_eq!(outstanding(c, desk, date("2026-11-30")).await.unwrap_err().code, Code::PermissionDenied);
}
