//! An invoice as the desk sees it (a draft, or one issued): its lines and what they come to,
//! what was paid, refunded and credited, and the balance, all worked out from the entries.

use chrono::{DateTime, NaiveDate, Utc};
use clinic_sync::money::{ChargeLine, CreditLine};
use serde::Serialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::Method;
use crate::clock::from_millis;
use crate::domain::{totals, Currency, Discount, Line, Totals};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    /// Issued: numbered, never changed again.
    Finalised,
    Discarded,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BilledPatient {
    pub id: Uuid,
    pub name: String,
    pub mrn: String,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RefundEntry {
    pub id: Uuid,
    pub amount: i64,
    pub method: Method,
    pub reason: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PaymentEntry {
    pub id: Uuid,
    pub method: Method,
    /// What went to the invoice.
    pub amount: i64,
    /// Cash handed over (none for other methods).
    pub tendered: Option<i64>,
    pub change: i64,
    /// Kept as the patient's credit.
    pub credit: i64,
    pub reference: Option<String>,
    pub at: DateTime<Utc>,
    pub by: String,
    pub refunds: Vec<RefundEntry>,
    /// What may still be refunded of it.
    pub refundable: i64,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CreditNoteEntry {
    pub id: Uuid,
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub credits: Vec<CreditLine>,
    pub total: i64,
    pub tax: i64,
    pub reason: String,
    pub by: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct InvoiceView {
    /// The draft's id while a draft; the invoice's once issued.
    pub id: Uuid,
    pub status: InvoiceStatus,
    pub number: Option<String>,
    pub patient: Option<BilledPatient>,
    /// A counter sale's customer, when named.
    pub customer_name: Option<String>,
    pub appointment_id: Option<Uuid>,
    pub encounter_id: Option<Uuid>,
    pub service_date: Option<NaiveDate>,
    pub issued_at: Option<DateTime<Utc>>,
    pub issued_by: Option<String>,
    pub currency: Currency,
    pub lines: Vec<ChargeLine>,
    pub discount: Discount,
    pub totals: Totals,
    pub payments: Vec<PaymentEntry>,
    pub credit_notes: Vec<CreditNoteEntry>,
    /// Paid less refunded.
    pub paid: i64,
    pub credited: i64,
    /// Still owed: total − credited − paid (negative: owed to the patient).
    pub balance: i64,
    /// The note printed on it (a tax exemption), as it was when issued.
    pub note: Option<String>,
    /// For a draft: the version its next change is made on.
    pub version: Option<i64>,
}

impl InvoiceView {
    /// Every unit of every line already credited: nothing is owed on it any more.
    pub fn fully_credited(&self) -> bool {
        self.status == InvoiceStatus::Finalised && credited_units(&self.credit_notes, self.lines.len()).iter().zip(&self.lines).all(|(c, l)| *c >= l.quantity)
    }
}

/// How many units of each line the credit notes gave back.
pub fn credited_units(notes: &[CreditNoteEntry], lines: usize) -> Vec<i64> {
    let mut units = vec![0; lines];
    for c in notes.iter().flat_map(|n| &n.credits) {
        if let Some(u) = units.get_mut(c.line) {
            *u += c.quantity;
        }
    }
    units
}

pub(crate) fn lines_of(lines: &[ChargeLine]) -> Vec<Line> {
    lines.iter().map(|l| Line { quantity: l.quantity, unit_price: l.unit_price, discount: l.discount, tax_rate_bp: l.tax_rate_bp }).collect()
}

/// What lines come to; a stored record's lines always add up (they were checked when written).
pub(crate) fn totals_of(lines: &[ChargeLine], discount: Discount) -> Result<Totals> {
    totals(&lines_of(lines), discount)
}

/// An invoice or a draft, by either's id.
pub(crate) async fn load(conn: &mut SqliteConnection, id: Uuid) -> Result<InvoiceView> {
    if let Some(v) = load_invoice(conn, id).await? {
        return Ok(v);
    }
    let d = sqlx::query!(
        r#"SELECT patient_id AS "patient_id: Uuid", customer_name, appointment_id AS "appointment_id: Uuid", encounter_id AS "encounter_id: Uuid",
                  service_date, currency, lines, discount, status, invoice_id AS "invoice_id: Uuid", version
           FROM invoice_draft WHERE id = ? AND deleted_at IS NULL"#, id
    ).fetch_optional(&mut *conn).await?.ok_or_else(|| Error::not_found("The invoice"))?;
    if let Some(issued) = d.invoice_id && let Some(v) = load_invoice(conn, issued).await? {
        return Ok(v);
    }
    let lines: Vec<ChargeLine> = serde_json::from_str(&d.lines)?;
    let discount: Discount = serde_json::from_str(&d.discount)?;
    let totals = totals_of(&lines, discount)?;
    Ok(InvoiceView {
        id, status: if d.status == "discarded" { InvoiceStatus::Discarded } else { InvoiceStatus::Draft }, number: None,
        patient: patient(conn, d.patient_id).await?, customer_name: d.customer_name, appointment_id: d.appointment_id, encounter_id: d.encounter_id,
        service_date: d.service_date.and_then(|s| s.parse().ok()), issued_at: None, issued_by: None, currency: Currency::parse(&d.currency)?,
        balance: totals.total, lines, discount, totals, payments: vec![], credit_notes: vec![], paid: 0, credited: 0, note: None, version: d.version,
    })
}

async fn load_invoice(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<InvoiceView>> {
    let Some(i) = sqlx::query!(
        r#"SELECT i.patient_id AS "patient_id: Uuid", i.customer_name, i.appointment_id AS "appointment_id: Uuid", i.encounter_id AS "encounter_id: Uuid",
                  i.number, i.issued_at, i.service_date, i.currency, i.lines, i.discount, i.note, s.full_name AS "issued_by?"
           FROM invoice i LEFT JOIN staff s ON s.id = i.created_by WHERE i.id = ? AND i.deleted_at IS NULL"#, id
    ).fetch_optional(&mut *conn).await? else { return Ok(None) };
    let lines: Vec<ChargeLine> = serde_json::from_str(&i.lines)?;
    let discount: Discount = serde_json::from_str(&i.discount)?;
    let totals = totals_of(&lines, discount)?;
    let payments = payments(conn, id).await?;
    let credit_notes = credit_notes(conn, id).await?;
    let paid: i64 = payments.iter().map(|p| p.amount - p.refunds.iter().map(|r| r.amount).sum::<i64>()).sum();
    let credited: i64 = credit_notes.iter().map(|c| c.total).sum();
    Ok(Some(InvoiceView {
        id, status: InvoiceStatus::Finalised, number: Some(i.number), patient: patient(conn, i.patient_id).await?, customer_name: i.customer_name,
        appointment_id: i.appointment_id, encounter_id: i.encounter_id, service_date: i.service_date.and_then(|s| s.parse().ok()),
        issued_at: Some(from_millis(i.issued_at)), issued_by: i.issued_by, currency: Currency::parse(&i.currency)?,
        balance: totals.total - credited - paid, lines, discount, totals, payments, credit_notes, paid, credited, note: i.note, version: None,
    }))
}

async fn patient(conn: &mut SqliteConnection, id: Option<Uuid>) -> Result<Option<BilledPatient>> {
    let Some(id) = id else { return Ok(None) };
    let p = sqlx::query!(r#"SELECT given_name || ' ' || family_name AS "name!: String", mrn, address FROM patient WHERE id = ?"#, id)
        .fetch_optional(conn).await?;
    Ok(p.map(|p| BilledPatient { id, name: p.name, mrn: p.mrn, address: p.address }))
}

async fn payments(conn: &mut SqliteConnection, invoice_id: Uuid) -> Result<Vec<PaymentEntry>> {
    let rows = sqlx::query!(
        r#"SELECT p.id AS "id!: Uuid", p.method, p.amount_minor, p.tendered_minor, p.change_minor, p.credit_minor, p.reference, p.received_at,
                  COALESCE(s.full_name, '') AS "by!: String"
           FROM payment p LEFT JOIN staff s ON s.id = p.created_by WHERE p.invoice_id = ? ORDER BY p.received_at, p.id"#, invoice_id
    ).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let refunds = sqlx::query!(
            r#"SELECT r.id AS "id!: Uuid", r.amount_minor, r.method, r.reason, r.refunded_at, COALESCE(s.full_name, '') AS "by!: String"
               FROM refund r LEFT JOIN staff s ON s.id = r.created_by WHERE r.payment_id = ? ORDER BY r.refunded_at, r.id"#, p.id
        ).fetch_all(&mut *conn).await?;
        let refunds = refunds.into_iter().map(|r| Ok(RefundEntry { id: r.id, amount: r.amount_minor, method: Method::named(&r.method)?, reason: r.reason,
            at: from_millis(r.refunded_at), by: r.by })).collect::<Result<Vec<_>>>()?;
        let refundable = p.amount_minor - refunds.iter().map(|r| r.amount).sum::<i64>();
        out.push(PaymentEntry { id: p.id, method: Method::named(&p.method)?, amount: p.amount_minor, tendered: p.tendered_minor, change: p.change_minor,
            credit: p.credit_minor, reference: p.reference, at: from_millis(p.received_at), by: p.by, refunds, refundable });
    }
    Ok(out)
}

async fn credit_notes(conn: &mut SqliteConnection, invoice_id: Uuid) -> Result<Vec<CreditNoteEntry>> {
    let rows = sqlx::query!(
        r#"SELECT c.id AS "id!: Uuid", c.number, c.issued_at, c.credits, c.total_minor, c.tax_minor, c.reason, COALESCE(s.full_name, '') AS "by!: String"
           FROM credit_note c LEFT JOIN staff s ON s.id = c.created_by WHERE c.invoice_id = ? ORDER BY c.issued_at, c.id"#, invoice_id
    ).fetch_all(conn).await?;
    rows.into_iter().map(|c| Ok(CreditNoteEntry { id: c.id, number: c.number, issued_at: from_millis(c.issued_at), credits: serde_json::from_str(&c.credits)?,
        total: c.total_minor, tax: c.tax_minor, reason: c.reason, by: c.by })).collect()
}
