//! Cash sessions: a person's drawer from its opening float to its count at closing. What the
//! drawer should hold is worked out from the session's payments and refunds; what was counted is
//! written beside it at closing, and the difference is the variance. Closed, a session is locked
//! (the server refuses any change) and its Z-report is printed from it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::{Method, Write};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::{optional_text, required_text, Currency, Money};
use crate::error::{Error, Result};
use crate::record;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct MethodTotal {
    pub method: Method,
    /// Taken in (cash: what stayed in the drawer, change given back already out).
    pub received: i64,
    pub refunded: i64,
    /// What the drawer (or the card terminal's report) should show: for cash, the float too.
    pub expected: i64,
    pub counted: Option<i64>,
    /// Counted less expected: short when negative.
    pub variance: Option<i64>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CashEntry {
    pub at: DateTime<Utc>,
    /// A refund is money going out.
    pub refund: bool,
    pub invoice_id: Option<Uuid>,
    pub invoice_number: Option<String>,
    pub billed_to: String,
    pub method: Method,
    /// Into the drawer; negative for a refund.
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CashSessionView {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub cashier: String,
    pub drawer: String,
    pub currency: Currency,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub opening_float: i64,
    pub methods: Vec<MethodTotal>,
    pub entries: Vec<CashEntry>,
    /// The Z-report's number, given at closing.
    pub report_number: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct OpenCashSession {
    pub drawer: String,
    /// As typed.
    pub opening_float: String,
}

/// Opens the caller's cash session on a drawer: one open session per person.
pub async fn open_cash_session(clinic: &Clinic, session: &Session, input: OpenCashSession) -> Result<CashSessionView> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let device = w.device_id();
    let currency = w.site().await?.currency;
    let drawer = required_text("drawer", "The drawer", &input.drawer, 64)?;
    let float = Money::parse("opening_float", &input.opening_float, currency)?.minor;
    if let Ok(open) = super::open_session_of(w.conn(), session.staff_id, device).await {
        let v = load(w.conn(), open).await?;
        return Err(Error::wrong_state(format!("You have a cash session open already ({}): close it first.", v.drawer)));
    }
    let id = Uuid::now_v7();
    let fields = [("site_id", json!(w.site_id())), ("staff_id", json!(session.staff_id)), ("device_id", json!(w.actor.device.id)), ("drawer", json!(drawer)), ("currency", json!(currency.code())),
        ("opened_at", json!(w.now)), ("opening_float", json!(float))];
    super::create(&mut w, "open", "cash_session", id, &fields).await?;
    let view = load(w.conn(), id).await?;
    w.commit().await?;
    Ok(view)
}

/// The caller's open cash session, if any.
pub async fn current_cash_session(clinic: &Clinic, session: &Session) -> Result<Option<CashSessionView>> {
    crate::auth::authorize(clinic, session, Permission::TakePayments).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    match super::open_session_of(&mut conn, session.staff_id, clinic.device()?.id).await {
        Ok(id) => Ok(Some(load(&mut conn, id).await?)),
        Err(_) => Ok(None),
    }
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct Counted {
    pub method: Method,
    /// As typed.
    pub amount: String,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct CloseCashSession {
    pub id: Uuid,
    /// What was counted, per method: cash, and every method the session took money by.
    pub counted: Vec<Counted>,
    pub note: Option<String>,
}

/// Closes the caller's own session with what was counted; it is locked from then on.
pub async fn close_cash_session(clinic: &Clinic, session: &Session, input: CloseCashSession) -> Result<CashSessionView> {
    let mut w = Write::begin(clinic, session, Permission::TakePayments).await?;
    let view = load(w.conn(), input.id).await?;
    let mut counted = BTreeMap::new();
    for c in &input.counted {
        if c.method == Method::Credit {
            return Err(Error::invalid("counted", "Patient credit is not counted: no money moves."));
        }
        let amount = Money::parse("counted", &c.amount, view.currency).map_err(|e| Error { message: format!("{}: {}", c.method.words(), e.message), ..e })?;
        if counted.insert(c.method.as_str(), amount.minor).is_some() {
            return Err(Error::invalid("counted", format!("{} is counted twice.", c.method.words())));
        }
    }
    if let Some(missing) = view.methods.iter().find(|m| (m.method == Method::Cash || m.expected != 0) && !counted.contains_key(m.method.as_str())) {
        return Err(Error::invalid("counted", format!("Count {} too.", missing.method.words().to_lowercase())));
    }
    let expected: BTreeMap<&str, i64> = view.methods.iter().map(|m| (m.method.as_str(), m.expected)).collect();
    let money = super::settings(&mut w).await?;
    let year = chrono::Datelike::year(&from_millis(w.now).with_timezone(&money.time_zone));
    let (number, _, _) = super::next_number(&mut w, "z_report", "Z-", year).await?;
    let note = optional_text("note", input.note.as_deref(), 500)?;
    // The owner and the lock are checked by the record's policy (closing someone else's, or twice).
    let fields = [("closed_at", json!(w.now)), ("counted", json!(counted)), ("expected", json!(expected)), ("report_number", json!(number)),
        ("note", json!(note))];
    record::set(&mut w, super::declared("cash_session"), input.id, &fields, "close").await?;
    let view = load(w.conn(), input.id).await?;
    w.commit().await?;
    Ok(view)
}

/// One session with its entries: the caller's own, or anyone's for a manager.
pub async fn cash_session(clinic: &Clinic, session: &Session, id: Uuid) -> Result<CashSessionView> {
    let roles = crate::auth::authorize_any(clinic, session, &[Permission::TakePayments, Permission::ReviewCashSessions]).await?;
    let view = load(&mut *clinic.store().pool().acquire().await?, id).await?;
    if view.staff_id != session.staff_id {
        roles.allow(Permission::ReviewCashSessions)?;
    }
    Ok(view)
}

/// The sessions opened on a day at the site: every cashier's for a manager, one's own otherwise.
pub async fn cash_sessions(clinic: &Clinic, session: &Session, date: NaiveDate) -> Result<Vec<CashSessionView>> {
    let roles = crate::auth::authorize_any(clinic, session, &[Permission::TakePayments, Permission::ReviewCashSessions]).await?;
    let everyone = roles.allow(Permission::ReviewCashSessions).is_ok();
    let mut conn = clinic.store().pool().acquire().await?;
    let zone = crate::ops::setup::site_settings(clinic, &mut conn).await?.time_zone;
    let (from, to) = crate::ops::calendar::day_bounds(zone, date, 1);
    let ids = sqlx::query_scalar!(
        r#"SELECT id AS "id!: Uuid" FROM cash_session WHERE opened_at >= ? AND opened_at < ? AND deleted_at IS NULL AND (? OR staff_id = ?)
           ORDER BY opened_at"#, from, to, everyone, session.staff_id
    ).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(load(&mut conn, id).await?);
    }
    Ok(out)
}

/// A session with its entries and what each method comes to.
pub(crate) async fn load(conn: &mut SqliteConnection, id: Uuid) -> Result<CashSessionView> {
    let s = sqlx::query!(
        r#"SELECT c.staff_id AS "staff_id!: Uuid", COALESCE(st.full_name, '') AS "cashier!: String", c.drawer, c.currency, c.opened_at, c.closed_at,
                  c.opening_float, c.counted, c.report_number, c.note
           FROM cash_session c LEFT JOIN staff st ON st.id = c.staff_id WHERE c.id = ? AND c.deleted_at IS NULL"#, id
    ).fetch_optional(&mut *conn).await?.ok_or_else(|| Error::not_found("The cash session"))?;
    let rows = sqlx::query!(
        r#"SELECT at AS "at!: i64", refund AS "refund!: bool", invoice_id AS "invoice_id: Uuid", number, billed_to AS "billed_to!: String", method AS "method!: String", amount AS "amount!: i64" FROM (
               SELECT p.received_at AS at, 0 AS refund, p.invoice_id, i.number, COALESCE(pt.given_name || ' ' || pt.family_name, i.customer_name, 'Counter sale') AS billed_to,
                      p.method, p.amount_minor + p.credit_minor AS amount
               FROM payment p LEFT JOIN invoice i ON i.id = p.invoice_id LEFT JOIN patient pt ON pt.id = p.patient_id WHERE p.cash_session_id = ?1
               UNION ALL
               SELECT r.refunded_at, 1, r.invoice_id, i.number, COALESCE(pt.given_name || ' ' || pt.family_name, i.customer_name, 'Counter sale'),
                      r.method, -r.amount_minor
               FROM refund r LEFT JOIN invoice i ON i.id = r.invoice_id LEFT JOIN patient pt ON pt.id = r.patient_id WHERE r.cash_session_id = ?1)
           ORDER BY at"#, id
    ).fetch_all(&mut *conn).await?;
    let entries = rows.into_iter().map(|r| Ok(CashEntry { at: from_millis(r.at), refund: r.refund, invoice_id: r.invoice_id, invoice_number: r.number,
        billed_to: r.billed_to, method: Method::named(&r.method)?, amount: r.amount })).collect::<Result<Vec<_>>>()?;
    let counted: BTreeMap<String, i64> = s.counted.as_deref().map(serde_json::from_str).transpose()?.unwrap_or_default();
    let methods = Method::DRAWER.into_iter().map(|method| {
        let of = entries.iter().filter(|e| e.method == method);
        let received: i64 = of.clone().filter(|e| !e.refund).map(|e| e.amount).sum();
        let refunded: i64 = -of.filter(|e| e.refund).map(|e| e.amount).sum::<i64>();
        let expected = received - refunded + if method == Method::Cash { s.opening_float } else { 0 };
        let counted = s.closed_at.map(|_| counted.get(method.as_str()).copied().unwrap_or(0));
        MethodTotal { method, received, refunded, expected, counted, variance: counted.map(|c| c - expected) }
    }).collect();
    Ok(CashSessionView {
        id, staff_id: s.staff_id, cashier: s.cashier, drawer: s.drawer, currency: Currency::parse(&s.currency)?, opened_at: from_millis(s.opened_at),
        closed_at: s.closed_at.map(from_millis), opening_float: s.opening_float, methods, entries, report_number: s.report_number, note: s.note,
    })
}
