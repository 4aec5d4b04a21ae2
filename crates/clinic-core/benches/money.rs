//! The front desk's money figures (issue 11): finalising an invoice and taking its payment, and
//! a day's cash-up over 2,000 payments, beside bare SQLite doing the same writes and the same
//! read on the same file. (Receipts and the 1,000-invoice PDF are in the `printing` bench.)

use std::time::Instant;

use clinic_core::auth::login;
use clinic_core::demo::DEMO_PASSWORD;
use clinic_core::ops::billing::cash::{cash_session, current_cash_session, open_cash_session, OpenCashSession};
use clinic_core::ops::billing::invoices::{finalise_invoice, save_invoice_draft, start_invoice, DraftInput, InvoiceFrom, LineInput};
use clinic_core::ops::billing::payments::{take_payment, PaymentInput};
use clinic_core::ops::billing::Method;
use clinic_core::ClinicThread;
use uuid::Uuid;

use crate::bare::{Arg, Bare};
use crate::Row;

/// A day's busiest drawer.
const DAY_OF_PAYMENTS: usize = 2_000;

fn draft() -> DraftInput {
    let line = |description: &str, quantity, price: &str, tax: &str| LineInput { description: description.into(), item_id: None, quantity,
        unit_price: price.into(), discount: String::new(), tax_rate: tax.into() };
    DraftInput { lines: vec![line("Consultation", 1, "45.00", "0"), line("Flu vaccine", 2, "15.00", "6")], discount: String::new(),
        customer_name: None, service_date: None }
}

pub async fn figures(clinic: &ClinicThread, raw: &Bare, rows: &mut Vec<Row>) {
    let desk = std::sync::Arc::new(clinic.run(|c| async move { login(&c, "reception", DEMO_PASSWORD).await.unwrap() }).await.unwrap());
    let manager = std::sync::Arc::new(clinic.run(|c| async move { login(&c, "manager", DEMO_PASSWORD).await.unwrap() }).await.unwrap());
    for who in [desk.clone(), manager.clone()] {
        clinic.run(move |c| async move {
            if current_cash_session(&c, &who).await.unwrap().is_none() {
                open_cash_session(&c, &who, OpenCashSession { drawer: "Front desk".into(), opening_float: "100".into() }).await.unwrap();
            }
        }).await.unwrap();
    }

    // 1. Finalising a checked-out draft and taking its payment by card, as the receptionist does
    // it: two use cases (each one transaction: numbering, the invoice, the draft, the payment,
    // outbox, audit). The draft is made beforehand, untimed.
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let d = desk.clone();
        let id = clinic.run(move |c| async move {
            let started = start_invoice(&c, &d, InvoiceFrom::Counter).await.unwrap();
            save_invoice_draft(&c, &d, started.id, draft()).await.unwrap().id
        }).await.unwrap();
        let d = desk.clone();
        let t = Instant::now();
        clinic.run(move |c| async move {
            let issued = finalise_invoice(&c, &d, id).await.unwrap();
            let input = PaymentInput { invoice_id: issued.id, method: Method::Card, amount: "76.80".into(), keep_as_credit: false, reference: None };
            take_payment(&c, &d, input).await.unwrap();
        }).await.unwrap();
        ours.push(t.elapsed());
    }
    let mut series = raw.prepare("UPDATE series SET next = next + 1 WHERE name = 'bench:invoice' RETURNING next - 1");
    let mut invoice = raw.prepare(
        "INSERT INTO invoice (id, org_id, created_at, updated_at, updated_hlc, site_id, number, series, seq, issued_at, currency, lines, discount, total_minor, tax_minor)
         VALUES (?1, ?1, ?2, ?2, 'hlc', ?1, 'BENCH-' || ?2, 'BENCH', ?2, ?2, 'EUR', '[]', '{\"kind\":\"none\"}', 7680, 180)");
    let mut draft_done = raw.prepare("UPDATE invoice_draft SET status = 'finalised', invoice_id = ?1 WHERE rowid = (SELECT max(rowid) FROM invoice_draft)");
    let mut payment = raw.prepare(
        "INSERT INTO payment (id, org_id, created_at, updated_at, updated_hlc, site_id, invoice_id, method, amount_minor, change_minor, credit_minor, received_at)
         VALUES (?2, ?1, ?3, ?3, 'hlc', ?1, ?1, 'card', 7680, 0, 0, ?3)");
    let mut outbox = raw.prepare(
        "INSERT INTO outbox (mutation_id, device_seq, hlc, entity, entity_id, op, changes, base_version, user_id, created_at, signature)
         VALUES (?1, (SELECT next FROM series WHERE name = 'device_seq'), 'hlc', 'invoice', ?2, 'insert', '{}', NULL, NULL, ?3, 'sig')");
    raw.exec("INSERT OR IGNORE INTO series (name, next) VALUES ('bench:invoice', 1)");
    for _ in 0..300 {
        let (id, paid) = (Uuid::now_v7(), Uuid::now_v7());
        let now = chrono::Utc::now().timestamp_millis();
        let t = Instant::now();
        raw.exec("BEGIN IMMEDIATE");
        series.run(&[]);
        invoice.run(&[Arg::Blob(id.as_bytes()), Arg::Int(now)]);
        draft_done.run(&[Arg::Blob(id.as_bytes())]);
        for _ in 0..3 {
            outbox.run(&[Arg::Blob(Uuid::now_v7().as_bytes()), Arg::Blob(id.as_bytes()), Arg::Int(now)]);
        }
        raw.exec("COMMIT");
        raw.exec("BEGIN IMMEDIATE");
        payment.run(&[Arg::Blob(id.as_bytes()), Arg::Blob(paid.as_bytes()), Arg::Int(now)]);
        outbox.run(&[Arg::Blob(Uuid::now_v7().as_bytes()), Arg::Blob(paid.as_bytes()), Arg::Int(now)]);
        raw.exec("COMMIT");
        bare.push(t.elapsed());
    }
    raw.exec("DELETE FROM outbox WHERE signature = 'sig'; DELETE FROM payment WHERE updated_hlc = 'hlc'; DELETE FROM invoice WHERE series = 'BENCH'");
    rows.push(Row { what: "finalise an invoice and take its payment", ours, bare, budget: "p50 ≤ 2 ms" });

    // 2. The cash-up of a drawer that took 2,000 payments: expected per method, with its entries.
    let m = manager.clone();
    let session = clinic.run(move |c| async move { current_cash_session(&c, &m).await.unwrap().unwrap() }).await.unwrap();
    if session.entries.len() < DAY_OF_PAYMENTS {
        let started = Instant::now();
        let m = manager.clone();
        let missing = DAY_OF_PAYMENTS - session.entries.len();
        clinic.run(move |c| async move {
            for i in 0..missing {
                let d = start_invoice(&c, &m, InvoiceFrom::Counter).await.unwrap();
                save_invoice_draft(&c, &m, d.id, draft()).await.unwrap();
                let issued = finalise_invoice(&c, &m, d.id).await.unwrap();
                let method = [Method::Cash, Method::Card, Method::Transfer][i % 3];
                let amount = if method == Method::Cash { "80" } else { "76.80" };
                take_payment(&c, &m, PaymentInput { invoice_id: issued.id, method, amount: amount.into(), keep_as_credit: false, reference: None }).await.unwrap();
            }
        }).await.unwrap();
        eprintln!("took {missing} payments into the manager's drawer in {:.1?}", started.elapsed());
    }
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    let mut entries = 0;
    for _ in 0..101 {
        let (m, id) = (manager.clone(), session.id);
        let t = Instant::now();
        let view = clinic.run(move |c| async move { cash_session(&c, &m, id).await.unwrap() }).await.unwrap();
        ours.push(t.elapsed());
        entries = view.entries.len();
    }
    let mut entries_read = raw.prepare(
        "SELECT p.received_at, p.invoice_id, i.number, COALESCE(pt.given_name || ' ' || pt.family_name, i.customer_name, 'Counter sale'), p.method, p.amount_minor + p.credit_minor
         FROM payment p LEFT JOIN invoice i ON i.id = p.invoice_id LEFT JOIN patient pt ON pt.id = p.patient_id WHERE p.cash_session_id = ?1
         UNION ALL SELECT r.refunded_at, r.invoice_id, i.number, '', r.method, -r.amount_minor FROM refund r LEFT JOIN invoice i ON i.id = r.invoice_id
         WHERE r.cash_session_id = ?1 ORDER BY 1");
    for _ in 0..101 {
        let t = Instant::now();
        entries_read.run(&[Arg::Blob(session.id.as_bytes())]);
        bare.push(t.elapsed());
    }
    println!("(the cash-up: {entries} payments in the drawer)");
    rows.push(Row { what: "a day's cash-up over 2,000 payments", ours, bare, budget: "≤ 20 ms" });
}
