//! Taking money against an invoice, and giving it back. Cash handed over beyond what is owed is
//! change, or the patient's credit when the receptionist chooses (it pays a later invoice as
//! "credit"). Every payment goes into the open cash session of the person taking it.

use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::view::{load, InvoiceStatus, InvoiceView, PaymentEntry};
use super::{open_session_of, Method, Write};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::{optional_text, required_text, Money};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct PaymentInput {
    pub invoice_id: Uuid,
    pub method: Method,
    /// As typed: for cash, what was handed over.
    pub amount: String,
    /// What is handed over beyond what is owed is kept as the patient's credit, not given back.
    pub keep_as_credit: bool,
    /// A card slip's or a transfer's reference.
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PaymentTaken {
    pub payment_id: Uuid,
    /// Change to give back, in cash.
    pub change: i64,
    /// Kept as the patient's credit.
    pub credit: i64,
    pub invoice: InvoiceView,
}

/// Records a payment against an issued invoice.
pub async fn take_payment(clinic: &Clinic, session: &Session, input: PaymentInput) -> Result<PaymentTaken> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let device = w.device_id();
    let invoice = load(w.conn(), input.invoice_id).await?;
    if invoice.status != InvoiceStatus::Finalised {
        return Err(Error::wrong_state("Finalise the invoice before taking payment: a draft can still change."));
    }
    if invoice.fully_credited() {
        return Err(Error::wrong_state("This invoice was credited in full: nothing is owed on it."));
    }
    if invoice.balance <= 0 {
        return Err(Error::wrong_state("This invoice is paid in full."));
    }
    let given = Money::parse("amount", &input.amount, invoice.currency)?.minor;
    if given == 0 {
        return Err(Error::invalid("amount", "Type the amount received."));
    }
    let applied = given.min(invoice.balance);
    let over = given - applied;
    let (change, credit) = match (input.method, input.keep_as_credit) {
        (_, _) if over == 0 => (0, 0),
        (Method::Credit, _) => return Err(over_owed(&invoice)),
        (Method::Cash, false) => (over, 0),
        (_, true) if invoice.patient.is_some() => (0, over),
        (_, true) => return Err(Error::invalid("keep_as_credit", "A counter sale has no account to keep credit on: give the change back.")),
        (_, false) => return Err(over_owed(&invoice)),
    };
    let patient_id = invoice.patient.as_ref().map(|p| p.id);
    let session_id = match input.method {
        Method::Credit => {
            let available = match patient_id {
                Some(p) => super::account::credit_of(w.conn(), p).await?,
                None => 0,
            };
            if given > available {
                return Err(Error::invalid("amount", format!("The patient's credit is {}.", Money { minor: available, currency: invoice.currency }.display())));
            }
            None
        }
        _ => Some(open_session_of(w.conn(), session.staff_id, device).await?),
    };
    let reference = optional_text("reference", input.reference.as_deref(), 100)?;
    let (id, w_now) = (Uuid::now_v7(), w.now);
    let fields = [("site_id", json!(w.site_id())), ("invoice_id", json!(invoice.id)), ("patient_id", json!(patient_id)),
        ("cash_session_id", json!(session_id)), ("method", json!(input.method)), ("amount_minor", json!(applied)),
        ("tendered_minor", json!((input.method == Method::Cash).then_some(given))), ("change_minor", json!(change)), ("credit_minor", json!(credit)),
        ("received_at", json!(w_now)), ("reference", json!(reference))];
    super::create(&mut w, "take_payment", "payment", id, &fields).await?;
    w.commit().await?;
    // The answer is the invoice as read above with this payment added (not read again: this is
    // the till's busiest use case).
    let mut invoice = invoice;
    invoice.payments.push(PaymentEntry { id, method: input.method, amount: applied, tendered: (input.method == Method::Cash).then_some(given),
        change, credit, reference, at: crate::clock::from_millis(w_now), by: session.full_name.clone(), refunds: vec![], refundable: applied });
    invoice.paid += applied;
    invoice.balance -= applied;
    Ok(PaymentTaken { payment_id: id, change, credit, invoice })
}

fn over_owed(invoice: &InvoiceView) -> Error {
    Error::invalid("amount", format!("That is more than is owed ({}): take that, or keep the rest as the patient's credit.",
        Money { minor: invoice.balance, currency: invoice.currency }.display()))
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct RefundInput {
    pub payment_id: Uuid,
    /// As typed.
    pub amount: String,
    pub reason: String,
}

/// Gives money back against a payment, up to what is left of it, the way it was paid (a payment
/// from credit goes back to credit). A manager's, with a reason.
pub async fn refund_payment(clinic: &Clinic, session: &Session, input: RefundInput) -> Result<InvoiceView> {
    let mut w = Write::begin(clinic, session, Permission::RefundPayments).await?;
    let device = w.device_id();
    let p = sqlx::query!(r#"SELECT invoice_id AS "invoice_id: Uuid", patient_id AS "patient_id: Uuid", method FROM payment WHERE id = ?"#, input.payment_id)
        .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The payment"))?;
    let invoice_id = p.invoice_id.ok_or_else(|| Error::not_found("The payment's invoice"))?;
    let invoice = load(w.conn(), invoice_id).await?;
    let paid = invoice.payments.iter().find(|e| e.id == input.payment_id).ok_or_else(|| Error::not_found("The payment"))?;
    let amount = Money::parse("amount", &input.amount, invoice.currency)?.minor;
    if amount == 0 {
        return Err(Error::invalid("amount", "Type the amount to refund."));
    }
    if amount > paid.refundable {
        return Err(Error::invalid("amount", format!("At most {} of this payment can be refunded.",
            Money { minor: paid.refundable, currency: invoice.currency }.display())));
    }
    let reason = required_text("reason", "The reason", &input.reason, 500)?;
    let method = Method::named(&p.method)?;
    let session_id = match method {
        Method::Credit => None,
        _ => Some(open_session_of(w.conn(), session.staff_id, device).await?),
    };
    let id = Uuid::now_v7();
    let fields = [("site_id", json!(w.site_id())), ("payment_id", json!(input.payment_id)), ("invoice_id", json!(invoice_id)),
        ("patient_id", json!(p.patient_id)), ("cash_session_id", json!(session_id)), ("method", json!(method)), ("amount_minor", json!(amount)),
        ("reason", json!(reason)), ("refunded_at", json!(w.now))];
    super::create(&mut w, "refund", "refund", id, &fields).await?;
    let invoice = load(w.conn(), invoice_id).await?;
    w.commit().await?;
    Ok(invoice)
}
