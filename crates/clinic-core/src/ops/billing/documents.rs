//! The money's printed documents as PDFs: an invoice, a receipt (for its latest payment), a
//! credit note, a day's invoices in one PDF, a cash session's Z-report. The first printing of
//! each is the original; every later one, on any workstation, is the same document marked as a
//! copy (a `printout` record says it was printed). Sending one to a printer is the caller's
//! (`print::send`), after it is saved.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::credit_notes::credited_lines;
use super::view::{load, InvoiceStatus, InvoiceView};
use super::{Method, Write};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Error, Result};
use crate::ops::clinical::PrintedDocument;
use crate::print::{self, BillDocument, BillKind, BillLine, BilledPatient, CashUpDocument, CashUpEntry, ClinicDetails, MethodCount, PaymentLine};

/// How printed documents write a time: in the site's zone.
struct Local(chrono_tz::Tz);

impl Local {
    fn date(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%Y-%m-%d").to_string()
    }
    fn time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%Y-%m-%d %H:%M").to_string()
    }
    /// "09:40", or "24 Nov 00:15" on another day than `day`'s.
    fn clock(&self, at: DateTime<Utc>, day: DateTime<Utc>) -> String {
        let (at, day) = (at.with_timezone(&self.0), day.with_timezone(&self.0));
        at.format(if at.date_naive() == day.date_naive() { "%H:%M" } else { "%d %b %H:%M" }).to_string()
    }
}

/// When `document` was first printed (its copies say so), recording this printing when it is
/// the first.
async fn printed(w: &mut Write<'_>, document: &str, id: Uuid, local: &Local) -> Result<Option<String>> {
    let first = sqlx::query_scalar!("SELECT min(printed_at) AS \"at: i64\" FROM printout WHERE document = ? AND document_id = ?", document, id)
        .fetch_one(w.conn()).await?;
    if first.is_none() {
        let fields = [("document", json!(document)), ("document_id", json!(id)), ("printed_at", json!(w.now))];
        w.insert("printout", Uuid::now_v7(), &fields).await?;
    }
    Ok(first.map(|at| local.time(from_millis(at))))
}

fn bill(kind: BillKind, v: &InvoiceView, clinic: &ClinicDetails, local: &Local, printed_at: DateTime<Utc>) -> BillDocument {
    let mut payments = Vec::new();
    for p in &v.payments {
        payments.push(PaymentLine { date: local.date(p.at), method: p.method.words().into(), amount: p.amount, tendered: p.tendered });
        for r in &p.refunds {
            payments.push(PaymentLine { date: local.date(r.at), method: format!("Refund ({})", r.method.words().to_lowercase()), amount: -r.amount, tendered: None });
        }
    }
    BillDocument {
        kind, number: v.number.clone().unwrap_or_default(), clinic: clinic.clone(),
        patient: v.patient.as_ref().map(|p| BilledPatient { name: p.name.clone(), mrn: p.mrn.clone(), address: p.address.clone() }),
        issued: v.issued_at.map(|at| local.date(at)).unwrap_or_default(), service_date: v.service_date.map(|d| d.to_string()), currency: v.currency,
        lines: v.lines.iter().map(|l| BillLine { description: l.description.clone(), line: crate::domain::Line {
            quantity: l.quantity, unit_price: l.unit_price, discount: l.discount, tax_rate_bp: l.tax_rate_bp } }).collect(),
        invoice_discount: v.discount, payments, credited: v.credited, refers_to: None, reason: None, exemption_note: v.note.clone(), copy: None, printed_at,
    }
}

async fn issued(w: &mut Write<'_>, id: Uuid) -> Result<InvoiceView> {
    let v = load(w.conn(), id).await?;
    if v.status != InvoiceStatus::Finalised {
        return Err(Error::wrong_state("A draft is not printed: finalise it first."));
    }
    Ok(v)
}

async fn context(w: &mut Write<'_>) -> Result<(ClinicDetails, Local)> {
    let site_id = w.site_id();
    let zone = w.site().await?.time_zone;
    Ok((crate::ops::setup::letterhead(w.conn(), site_id).await?, Local(zone)))
}

fn done(file_name: String, bytes: Vec<u8>, copy: bool) -> PrintedDocument {
    PrintedDocument { file_name, bytes, copy }
}

/// An issued invoice.
pub async fn invoice_pdf(clinic: &Clinic, session: &Session, id: Uuid) -> Result<PrintedDocument> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let v = issued(&mut w, id).await?;
    let (letterhead, local) = context(&mut w).await?;
    let mut doc = bill(BillKind::Invoice, &v, &letterhead, &local, from_millis(w.now));
    doc.copy = printed(&mut w, "invoice", id, &local).await?;
    let bytes = print::bill_pdf(&doc)?;
    w.audit(if doc.copy.is_some() { "reprint" } else { "print" }, "invoice", Some(id), crate::audit::Details::facts(json!({"number": doc.number})));
    w.commit().await?;
    Ok(done(format!("{}.pdf", doc.number), bytes, doc.copy.is_some()))
}

/// A receipt for what was paid on an invoice, up to its latest payment.
pub async fn receipt_pdf(clinic: &Clinic, session: &Session, invoice_id: Uuid) -> Result<PrintedDocument> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let v = issued(&mut w, invoice_id).await?;
    let latest = v.payments.last().ok_or_else(|| Error::wrong_state("Nothing was paid on this invoice yet: print the invoice instead."))?.id;
    let (letterhead, local) = context(&mut w).await?;
    let mut doc = bill(BillKind::Receipt, &v, &letterhead, &local, from_millis(w.now));
    doc.copy = printed(&mut w, "receipt", latest, &local).await?;
    let bytes = print::bill_pdf(&doc)?;
    w.audit(if doc.copy.is_some() { "reprint" } else { "print" }, "payment", Some(latest), crate::audit::Details::facts(json!({"receipt_for": doc.number})));
    w.commit().await?;
    Ok(done(format!("Receipt {}.pdf", doc.number), bytes, doc.copy.is_some()))
}

/// A credit note, with the units it gives back of the invoice's lines.
pub async fn credit_note_pdf(clinic: &Clinic, session: &Session, id: Uuid) -> Result<PrintedDocument> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let invoice_id = sqlx::query_scalar!(r#"SELECT invoice_id AS "id!: Uuid" FROM credit_note WHERE id = ?"#, id)
        .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The credit note"))?;
    let v = issued(&mut w, invoice_id).await?;
    let (letterhead, local) = context(&mut w).await?;
    // The units each line had credited before this note: what its discount's part is worked from.
    let mut before = vec![0; v.lines.len()];
    let mut doc = None;
    for note in &v.credit_notes {
        if note.id == id {
            let lines = credited_lines(&v, &before, &note.credits)?;
            let mut d = bill(BillKind::CreditNote, &v, &letterhead, &local, from_millis(w.now));
            d.number = note.number.clone();
            d.issued = local.date(note.issued_at);
            d.lines = note.credits.iter().zip(lines).map(|(c, line)| BillLine { description: v.lines[c.line].description.clone(), line }).collect();
            d.invoice_discount = crate::domain::Discount::None;
            d.payments = vec![];
            d.credited = 0;
            d.refers_to = Some(format!("Invoice {} of {}", v.number.clone().unwrap_or_default(), v.issued_at.map(|at| local.date(at)).unwrap_or_default()));
            d.reason = Some(note.reason.clone());
            doc = Some(d);
            break;
        }
        for c in &note.credits {
            before[c.line] += c.quantity;
        }
    }
    let mut doc = doc.ok_or_else(|| Error::not_found("The credit note"))?;
    doc.copy = printed(&mut w, "credit_note", id, &local).await?;
    let bytes = print::bill_pdf(&doc)?;
    w.audit(if doc.copy.is_some() { "reprint" } else { "print" }, "credit_note", Some(id), crate::audit::Details::facts(json!({"number": doc.number})));
    w.commit().await?;
    Ok(done(format!("{}.pdf", doc.number), bytes, doc.copy.is_some()))
}

/// Invoices in one PDF, for printing them together (a day's, or a selection), in the order given.
pub async fn invoices_pdf(clinic: &Clinic, session: &Session, ids: Vec<Uuid>) -> Result<PrintedDocument> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    if ids.is_empty() {
        return Err(Error::invalid("ids", "Choose the invoices to print."));
    }
    let (letterhead, local) = context(&mut w).await?;
    let mut docs = Vec::with_capacity(ids.len());
    for id in &ids {
        let v = issued(&mut w, *id).await?;
        let mut doc = bill(BillKind::Invoice, &v, &letterhead, &local, from_millis(w.now));
        doc.copy = printed(&mut w, "invoice", *id, &local).await?;
        docs.push(doc);
    }
    let bytes = print::bills_pdf(&docs)?;
    let copies = docs.iter().filter(|d| d.copy.is_some()).count();
    w.audit("print", "invoice", None, crate::audit::Details::facts(json!({"invoices": ids.len(), "copies": copies})));
    let name = format!("{} invoice{} printed {}.pdf", ids.len(), if ids.len() == 1 { "" } else { "s" }, local.time(from_millis(w.now)).replace(':', "."));
    w.commit().await?;
    Ok(done(name, bytes, copies == docs.len()))
}

/// A cash session's Z-report (an X-report while it is still open): one's own, or anyone's for a manager.
pub async fn cash_up_pdf(clinic: &Clinic, session: &Session, id: Uuid) -> Result<PrintedDocument> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let s = super::cash::load(w.conn(), id).await?;
    if s.staff_id != session.staff_id {
        w.roles.allow(Permission::ReviewCashSessions)?;
    }
    let (letterhead, local) = context(&mut w).await?;
    let copy = match s.closed_at {
        Some(_) => printed(&mut w, "cash_up", id, &local).await?,
        None => None,
    };
    let doc = CashUpDocument {
        clinic: letterhead, reference: s.report_number.clone().unwrap_or_else(|| "X-report (not closed)".into()), cashier: s.cashier.clone(),
        drawer: s.drawer.clone(), opened: local.time(s.opened_at), closed: s.closed_at.map(|at| local.time(at)), currency: s.currency,
        opening_float: s.opening_float,
        methods: s.methods.iter().filter(|m| m.method == Method::Cash || m.expected != 0 || m.counted.is_some_and(|c| c != 0))
            .map(|m| MethodCount { method: m.method.words().into(), expected: m.expected, counted: m.counted }).collect(),
        // A session is a day's: its entries say the time, and the date too only past midnight.
        entries: s.entries.iter().map(|e| CashUpEntry { time: local.clock(e.at, s.opened_at), reference: e.invoice_number.clone().unwrap_or_default(),
            patient: e.billed_to.clone(), method: if e.refund { format!("Refund ({})", e.method.words().to_lowercase()) } else { e.method.words().into() },
            amount: e.amount }).collect(),
        copy, printed_at: from_millis(w.now),
    };
    let bytes = print::cash_up_pdf(&doc)?;
    w.audit(if doc.copy.is_some() { "reprint" } else { "print" }, "cash_session", Some(id), crate::audit::Details::facts(json!({"report": doc.reference})));
    w.commit().await?;
    Ok(done(format!("{} {}.pdf", doc.reference.replace(['(', ')'], ""), s.drawer), bytes, doc.copy.is_some()))
}
