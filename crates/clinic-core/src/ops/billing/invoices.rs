//! Invoices: a draft, started from an appointment, a consultation, a patient or a counter sale,
//! is edited freely (its fields merge across workstations); finalising gives it the next number
//! of the workstation's series and issues it as an invoice that never changes again.

use chrono::{NaiveDate, Utc};
use clinic_sync::money::ChargeLine;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::view::{load, totals_of, InvoiceStatus, InvoiceView};
use super::{parse_discount, parse_percent, settings, Write};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::{optional_text, required_text, Currency, Discount, Money, WHOLE_BP};
use crate::error::{Code, Error, Result};
use crate::record;

/// What an invoice is started from.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum InvoiceFrom {
    /// Checking a patient out: the appointment's service at its price.
    Appointment { appointment_id: Uuid },
    /// A consultation: its appointment's service, or for a walk-in the practitioner's fee.
    Consultation { encounter_id: Uuid },
    /// A walk-in of today's queue: their consultation's, when a doctor saw them; else their own.
    WalkIn { queue_entry_id: Uuid },
    Patient { patient_id: Uuid },
    /// Sold over the counter, to nobody on record.
    Counter,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct LineInput {
    pub description: String,
    /// The price list's entry it was chosen from.
    pub item_id: Option<Uuid>,
    pub quantity: i64,
    /// As typed, before tax: "45.00".
    pub unit_price: String,
    /// As typed: "", "10 %", "5.00".
    pub discount: String,
    /// As typed: "23", "0".
    pub tax_rate: String,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct DraftInput {
    pub lines: Vec<LineInput>,
    /// Off the whole invoice, as typed.
    pub discount: String,
    pub customer_name: Option<String>,
    pub service_date: Option<NaiveDate>,
}

/// Starts an invoice, filled in from what it is for. An appointment or consultation already
/// invoiced (or being invoiced) answers that invoice instead of starting a second one.
pub async fn start_invoice(clinic: &Clinic, session: &Session, from: InvoiceFrom) -> Result<InvoiceView> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let money = settings(&mut w).await?;
    let local_date = |ms: i64| from_millis(ms).with_timezone(&money.time_zone).date_naive();
    let (mut patient, mut appointment, mut encounter, mut service_date, mut lines) = (None, None, None, None, vec![]);
    let from = match from {
        InvoiceFrom::WalkIn { queue_entry_id } => {
            let q = sqlx::query!(
                r#"SELECT patient_id AS "patient_id: Uuid",
                          (SELECT id FROM encounter WHERE queue_entry_id = ?1 AND deleted_at IS NULL ORDER BY started_at DESC LIMIT 1) AS "encounter_id: Uuid"
                   FROM queue_entry WHERE id = ?1 AND deleted_at IS NULL"#, queue_entry_id
            ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The walk-in"))?;
            match q.encounter_id {
                Some(encounter_id) => InvoiceFrom::Consultation { encounter_id },
                None => InvoiceFrom::Patient { patient_id: q.patient_id },
            }
        }
        other => other,
    };
    match from {
        InvoiceFrom::Appointment { appointment_id } => appointment = Some(appointment_id),
        InvoiceFrom::Consultation { encounter_id } => {
            let e = sqlx::query!(
                r#"SELECT e.patient_id AS "patient_id: Uuid", e.appointment_id AS "appointment_id: Uuid", e.started_at, pr.display_name, pr.fee_minor
                   FROM encounter e JOIN practitioner pr ON pr.id = e.practitioner_id WHERE e.id = ? AND e.deleted_at IS NULL"#, encounter_id
            ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The consultation"))?;
            (patient, appointment, encounter, service_date) = (Some(e.patient_id), e.appointment_id, Some(encounter_id), Some(local_date(e.started_at)));
            if e.appointment_id.is_none() {
                lines.push(ChargeLine { description: format!("Consultation — {}", e.display_name), item_id: None, quantity: 1, unit_price: e.fee_minor,
                    discount: Discount::None, tax_rate_bp: 0 });
            }
        }
        InvoiceFrom::Patient { patient_id } => patient = Some(patient_id),
        InvoiceFrom::WalkIn { .. } | InvoiceFrom::Counter => {}
    }
    if let Some(appointment_id) = appointment {
        let a = sqlx::query!(
            r#"SELECT a.patient_id AS "patient_id: Uuid", a.starts_at, t.id AS "type_id: Uuid", t.name, t.price_minor, COALESCE(t.tax_rate_bp, 0) AS "tax!: i64"
               FROM appointment a JOIN appointment_type t ON t.id = a.type_id WHERE a.id = ? AND a.deleted_at IS NULL"#, appointment_id
        ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The appointment"))?;
        patient = Some(a.patient_id);
        service_date = service_date.or(Some(local_date(a.starts_at)));
        lines.push(ChargeLine { description: a.name, item_id: Some(a.type_id.to_string()), quantity: 1, unit_price: a.price_minor,
            discount: Discount::None, tax_rate_bp: a.tax });
    }
    let already = sqlx::query_scalar!(
        r#"SELECT id AS "id!: Uuid" FROM invoice_draft WHERE status != 'discarded' AND deleted_at IS NULL
           AND ((?1 IS NOT NULL AND appointment_id = ?1) OR (?2 IS NOT NULL AND encounter_id = ?2)) ORDER BY created_at LIMIT 1"#, appointment, encounter
    ).fetch_optional(w.conn()).await?;
    if let Some(id) = already {
        let view = load(w.conn(), id).await?;
        w.nothing_changed().await;
        return Ok(view);
    }
    if let Some(patient_id) = patient {
        crate::ops::clinical::chart_of(w.conn(), patient_id).await?;
    }
    let id = Uuid::now_v7();
    let fields = [("site_id", json!(w.site_id())), ("patient_id", json!(patient)), ("appointment_id", json!(appointment)),
        ("encounter_id", json!(encounter)), ("service_date", json!(service_date.map(|d| d.to_string()))), ("currency", json!(money.currency.code())),
        ("lines", json!(lines)), ("discount", json!(Discount::None)), ("status", json!("open"))];
    super::create(&mut w, "start_invoice", "invoice_draft", id, &fields).await?;
    let view = load(w.conn(), id).await?;
    w.commit().await?;
    Ok(view)
}

/// One line as typed, checked on its own (so a refusal can say which line).
fn line(input: &LineInput, currency: Currency) -> Result<ChargeLine> {
    let unit_price = Money::parse("unit_price", &input.unit_price, currency)?;
    let line = ChargeLine {
        description: required_text("description", "What is charged", &input.description, 200)?,
        item_id: input.item_id.map(|id| id.to_string()),
        quantity: input.quantity,
        unit_price: Money::price("unit_price", unit_price.minor, currency)?.minor,
        discount: parse_discount("discount", &input.discount, currency)?,
        tax_rate_bp: parse_percent("tax_rate", &input.tax_rate)?,
    };
    totals_of(std::slice::from_ref(&line), Discount::None)?;
    Ok(line)
}

/// Saves a draft's lines and discount. A discount over the site's limit (of what it is taken
/// off) is a manager's to give.
pub async fn save_invoice_draft(clinic: &Clinic, session: &Session, id: Uuid, input: DraftInput) -> Result<InvoiceView> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let draft = open_draft(&mut w, id).await?;
    let money = settings(&mut w).await?;
    if input.lines.len() > clinic_sync::money::MOST_LINES {
        return Err(Error::invalid("lines", format!("An invoice has at most {} lines.", clinic_sync::money::MOST_LINES)));
    }
    let lines = input.lines.iter().enumerate().map(|(i, l)| line(l, draft.currency).map_err(|e| at_line(e, i))).collect::<Result<Vec<_>>>()?;
    let discount = parse_discount("discount", &input.discount, draft.currency)?;
    let totals = totals_of(&lines, discount).map_err(|e| match e.field {
        Some("invoice_discount") => Error { field: Some("discount"), ..e },
        _ => e,
    })?;
    if totals.discount * WHOLE_BP > money.discount_limit_bp * totals.gross && w.roles.allow(Permission::GiveLargeDiscounts).is_err() {
        return Err(Error { field: Some("discount"), ..Error::new(Code::PermissionDenied, format!(
            "A discount over {} % of the price needs a manager.", super::percent_text(money.discount_limit_bp))) });
    }
    let customer = optional_text("customer_name", input.customer_name.as_deref(), 200)?;
    let fields = [("lines", json!(lines)), ("discount", json!(discount)), ("customer_name", json!(customer)),
        ("service_date", json!(input.service_date.map(|d| d.to_string())))];
    if record::set(&mut w, super::declared("invoice_draft"), id, &fields, "edit").await?.is_empty() {
        w.nothing_changed().await;
    } else {
        w.commit().await?;
    }
    load(clinic.store().pool().acquire().await?.as_mut(), id).await
}

/// A refusal about a line's field, saying which line.
fn at_line(e: Error, index: usize) -> Error {
    Error { message: format!("Line {}: {}", index + 1, e.message), ..e }
}

/// Puts a draft aside: it is never issued (nothing was numbered, so nothing needs reversing).
pub async fn discard_invoice_draft(clinic: &Clinic, session: &Session, id: Uuid) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    open_draft(&mut w, id).await?;
    record::set(&mut w, super::declared("invoice_draft"), id, &[("status", json!("discarded"))], "discard").await?;
    w.commit().await
}

/// Issues a draft: the next number of this workstation's series for the year, today's date, and
/// from then on never changed (a credit note reverses it).
pub async fn finalise_invoice(clinic: &Clinic, session: &Session, draft_id: Uuid) -> Result<InvoiceView> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let draft = open_draft(&mut w, draft_id).await?;
    if draft.lines.is_empty() {
        return Err(Error { field: Some("lines"), ..Error::wrong_state("Add what is charged before finalising: an empty invoice is not issued.") });
    }
    let money = settings(&mut w).await?;
    let totals = totals_of(&draft.lines, draft.discount)?;
    let now = from_millis(w.now);
    let year = chrono::Datelike::year(&now.with_timezone(&money.time_zone));
    let (number, series, seq) = super::next_number(&mut w, "invoice", "", year).await?;
    let id = Uuid::now_v7();
    let fields = [("site_id", json!(w.site_id())), ("patient_id", json!(draft.patient_id)), ("customer_name", json!(draft.customer_name)),
        ("appointment_id", json!(draft.appointment_id)), ("encounter_id", json!(draft.encounter_id)), ("draft_id", json!(draft_id)),
        ("number", json!(number)), ("series", json!(series)), ("seq", json!(seq)), ("issued_at", json!(w.now)),
        ("service_date", json!(draft.service_date)), ("currency", json!(draft.currency.code())), ("lines", json!(draft.lines)),
        ("discount", json!(draft.discount)), ("total_minor", json!(totals.total)), ("tax_minor", json!(totals.tax)), ("note", json!(money.invoice_note))];
    super::create(&mut w, "finalise", "invoice", id, &fields).await?;
    record::set(&mut w, super::declared("invoice_draft"), draft_id, &[("status", json!("finalised")), ("invoice_id", json!(id))], "finalise").await?;
    let view = load(w.conn(), id).await?;
    w.commit().await?;
    Ok(view)
}

/// An invoice (or a draft) with its payments, credit notes and balance.
pub async fn invoice(clinic: &Clinic, session: &Session, id: Uuid) -> Result<InvoiceView> {
    crate::auth::authorize_any(clinic, session, &[Permission::TakePayments, Permission::ViewAccounts]).await?;
    load(clinic.store().pool().acquire().await?.as_mut(), id).await
}

/// An invoice or a draft in a list: the day's, a patient's.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct InvoiceSummary {
    pub id: Uuid,
    pub status: InvoiceStatus,
    pub number: Option<String>,
    pub billed_to: String,
    /// When issued (none for a draft).
    pub issued_at: Option<chrono::DateTime<Utc>>,
    pub total: i64,
    pub balance: i64,
    pub currency: Currency,
}

/// The invoices issued on a day at the site (for printing them together), and the drafts still
/// open, newest first.
pub async fn invoices_of_day(clinic: &Clinic, session: &Session, date: NaiveDate) -> Result<Vec<InvoiceSummary>> {
    crate::auth::authorize_any(clinic, session, &[Permission::TakePayments, Permission::ViewAccounts]).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let zone = crate::ops::setup::site_settings(clinic, &mut conn).await?.time_zone;
    let (from, to) = crate::ops::calendar::day_bounds(zone, date, 1);
    let ids = sqlx::query_scalar!(
        r#"SELECT id AS "id!: Uuid" FROM (
               SELECT id, issued_at AS at FROM invoice WHERE issued_at >= ?1 AND issued_at < ?2 AND deleted_at IS NULL
               UNION ALL SELECT id, updated_at FROM invoice_draft WHERE status = 'open' AND deleted_at IS NULL AND updated_at >= ?1 AND updated_at < ?2)
           ORDER BY at DESC"#, from, to
    ).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(summary(load(&mut conn, id).await?));
    }
    Ok(out)
}

pub(crate) fn summary(v: InvoiceView) -> InvoiceSummary {
    let billed_to = v.patient.as_ref().map(|p| p.name.clone()).or(v.customer_name.clone()).unwrap_or_else(|| "Counter sale".into());
    InvoiceSummary { id: v.id, status: v.status, number: v.number, billed_to, issued_at: v.issued_at, total: v.totals.total,
        balance: v.balance, currency: v.currency }
}

struct Draft {
    currency: Currency,
    lines: Vec<ChargeLine>,
    discount: Discount,
    patient_id: Option<Uuid>,
    customer_name: Option<String>,
    appointment_id: Option<Uuid>,
    encounter_id: Option<Uuid>,
    service_date: Option<String>,
}

/// A draft still being edited; a finalised or discarded one says so.
async fn open_draft(w: &mut Write<'_>, id: Uuid) -> Result<Draft> {
    let d = sqlx::query!(
        r#"SELECT status, currency, lines, discount, patient_id AS "patient_id: Uuid", customer_name, appointment_id AS "appointment_id: Uuid",
                  encounter_id AS "encounter_id: Uuid", service_date
           FROM invoice_draft WHERE id = ? AND deleted_at IS NULL"#, id
    ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The draft invoice"))?;
    match d.status.as_str() {
        "finalised" => Err(Error::wrong_state("This invoice is issued already and can no longer be changed: a credit note reverses it.")),
        "discarded" => Err(Error::wrong_state("This draft was discarded.")),
        _ => Ok(Draft { currency: Currency::parse(&d.currency)?, lines: serde_json::from_str(&d.lines)?, discount: serde_json::from_str(&d.discount)?,
            patient_id: d.patient_id, customer_name: d.customer_name, appointment_id: d.appointment_id, encounter_id: d.encounter_id,
            service_date: d.service_date }),
    }
}
