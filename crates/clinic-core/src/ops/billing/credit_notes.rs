//! Credit notes: an issued invoice is never changed; a credit note reverses it, in whole or so
//! many units of its lines, with a reason, numbered in the workstation's own series (`CN-…`).
//! A credit note is an invoice in reverse: its lines are the units credited, at their price, with
//! their part of the line's discount (worked out cumulatively, so the parts of a discount add up
//! to it exactly), taxed and rounded as any document's lines. A line credited whole gives back
//! exactly what it charged; credited in several parts, each part rounds its own tax.

use clinic_sync::money::CreditLine;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::view::{credited_units, load, totals_of, InvoiceStatus, InvoiceView};
use crate::domain::{totals, Discount, Line};
use super::Write;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::{required_text, share};
use clinic_sync::money::ChargeLine;
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
    }
    let amounts = totals(&credited_lines(&invoice, &before, &credits)?, Discount::None)?;
    let (total, tax) = (amounts.total, amounts.tax);
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

/// The lines a credit note gives back: so many units of each credited line, at its price, with
/// their part of the line's discount (its own and its share of the invoice's) given the units
/// credited `before`.
pub(crate) fn credited_lines(invoice: &InvoiceView, before: &[i64], credits: &[CreditLine]) -> Result<Vec<Line>> {
    let amounts = totals_of(&invoice.lines, invoice.discount)?;
    Ok(credits.iter().map(|c| {
        let ChargeLine { quantity, unit_price, tax_rate_bp, .. } = invoice.lines[c.line];
        let discount = amounts.lines[c.line].discount;
        let upto = |units: i64| share(discount, units, quantity);
        let part = upto(before[c.line] + c.quantity) - upto(before[c.line]);
        Line { quantity: c.quantity, unit_price, discount: Discount::Amount(part), tax_rate_bp }
    }).collect())
}
