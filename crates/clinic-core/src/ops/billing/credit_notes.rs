//! Credit notes: an issued invoice is never changed; a credit note reverses it, in whole or so
//! many units of its lines, with a reason, numbered in the workstation's own series (`CN-…`).
//! What a line gives back is worked out cumulatively (all the units credited so far, less what
//! earlier notes gave), so crediting a line in parts gives back exactly what it charged.

use clinic_sync::money::CreditLine;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::view::{credited_units, load, totals_of, InvoiceStatus, InvoiceView};
use super::Write;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::{required_text, share};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct CreditNoteInput {
    pub invoice_id: Uuid,
    /// The units of each line to credit; empty: everything not credited yet.
    pub lines: Vec<CreditLine>,
    pub reason: String,
}

pub async fn issue_credit_note(clinic: &Clinic, session: &Session, input: CreditNoteInput) -> Result<InvoiceView> {
    let mut w = Write::begin(clinic, session, Permission::CreditInvoices).await?;
    let invoice = load(w.conn(), input.invoice_id).await?;
    if invoice.status != InvoiceStatus::Finalised {
        return Err(Error::wrong_state("Only an issued invoice is credited: a draft is changed or discarded."));
    }
    let reason = required_text("reason", "The reason", &input.reason, 500)?;
    let before = credited_units(&invoice.credit_notes, invoice.lines.len());
    let credits: Vec<CreditLine> = if input.lines.is_empty() {
        invoice.lines.iter().zip(&before).enumerate().filter(|(_, (l, c))| l.quantity > **c)
            .map(|(line, (l, c))| CreditLine { line, quantity: l.quantity - c }).collect()
    } else {
        input.lines.clone()
    };
    if credits.is_empty() {
        return Err(Error::wrong_state("This invoice is credited in full already."));
    }
    let amounts = totals_of(&invoice.lines, invoice.discount)?;
    let (mut total, mut tax) = (0, 0);
    let mut seen = vec![false; invoice.lines.len()];
    for c in &credits {
        let Some(line) = invoice.lines.get(c.line) else { return Err(Error::invalid("lines", "That line is not on the invoice.")) };
        if std::mem::replace(&mut seen[c.line], true) {
            return Err(Error::invalid("lines", "Name each line once."));
        }
        let left = line.quantity - before[c.line];
        if c.quantity < 1 || c.quantity > left {
            return Err(Error::invalid("lines", format!("“{}”: {left} of {} can still be credited.", line.description, line.quantity)));
        }
        let a = amounts.lines[c.line];
        let upto = |units: i64, of: i64| share(of, units, line.quantity);
        total += upto(before[c.line] + c.quantity, a.total) - upto(before[c.line], a.total);
        tax += upto(before[c.line] + c.quantity, a.tax) - upto(before[c.line], a.tax);
    }
    let money = super::settings(&mut w).await?;
    let year = chrono::Datelike::year(&from_millis(w.now).with_timezone(&money.time_zone));
    let (number, series, seq) = super::next_number(&mut w, "credit_note", "CN-", year).await?;
    let id = Uuid::now_v7();
    let fields = [("site_id", json!(w.site_id())), ("invoice_id", json!(invoice.id)), ("number", json!(number)), ("series", json!(series)),
        ("seq", json!(seq)), ("issued_at", json!(w.now)), ("credits", json!(credits)), ("total_minor", json!(total)), ("tax_minor", json!(tax)),
        ("reason", json!(reason))];
    super::create(&mut w, "credit", "credit_note", id, &fields).await?;
    let invoice = load(w.conn(), invoice.id).await?;
    w.commit().await?;
    Ok(invoice)
}
