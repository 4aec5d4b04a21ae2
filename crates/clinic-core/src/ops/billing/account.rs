//! A patient's account: their invoices, credit notes, payments and refunds in time order, what
//! they owe, and their credit (overpayments kept, less what they paid with). Worked out from the
//! entries every time, never stored; a duplicate merged into the patient brings its account.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::invoices::{summary, InvoiceSummary};
use super::view::load;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::domain::Currency;
use crate::error::Result;

#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct Balance {
    /// Owed on issued invoices (negative: owed to the patient).
    pub owed: i64,
    /// Overpayments kept as credit, less what was paid with it.
    pub credit: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct StatementLine {
    pub at: DateTime<Utc>,
    /// "Invoice", "Payment (bank transfer)", "Refund (cash)", "Credit note".
    pub what: String,
    pub reference: Option<String>,
    pub invoice_id: Option<Uuid>,
    /// What it adds to what is owed (a payment takes off).
    pub amount: i64,
    /// Owed after it.
    pub balance: i64,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Account {
    pub balance: Balance,
    pub invoices: Vec<InvoiceSummary>,
    pub statement: Vec<StatementLine>,
}

/// What a patient owes, and their credit: all a doctor sees of an account.
pub async fn patient_balance(clinic: &Clinic, session: &Session, patient_id: Uuid) -> Result<Balance> {
    crate::auth::authorize(clinic, session, Permission::ViewBalance).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let statement = statement(&mut conn, patient_id).await?;
    balance(clinic, &mut conn, patient_id, &statement).await
}

pub async fn patient_account(clinic: &Clinic, session: &Session, patient_id: Uuid) -> Result<Account> {
    crate::auth::authorize(clinic, session, Permission::ViewAccounts).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let statement = statement(&mut conn, patient_id).await?;
    let balance = balance(clinic, &mut conn, patient_id, &statement).await?;
    let ids = sqlx::query_scalar!(
        r#"SELECT id AS "id!: Uuid" FROM (
               SELECT id, issued_at AS at FROM invoice WHERE patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1)
               UNION ALL SELECT id, updated_at FROM invoice_draft WHERE status = 'open' AND deleted_at IS NULL
                   AND patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1))
           ORDER BY at DESC"#, patient_id
    ).fetch_all(&mut *conn).await?;
    let mut invoices = Vec::with_capacity(ids.len());
    for id in ids {
        invoices.push(summary(load(&mut conn, id).await?));
    }
    Ok(Account { balance, invoices, statement })
}

async fn balance(clinic: &Clinic, conn: &mut SqliteConnection, patient_id: Uuid, statement: &[StatementLine]) -> Result<Balance> {
    let currency = crate::ops::setup::site_settings(clinic, conn).await?.currency;
    Ok(Balance { owed: statement.last().map_or(0, |l| l.balance), credit: credit_of(conn, patient_id).await?, currency })
}

/// Every entry of the patient's account, oldest first (ids are made in time order, within a millisecond too), with what is owed after each.
async fn statement(conn: &mut SqliteConnection, patient_id: Uuid) -> Result<Vec<StatementLine>> {
    let rows = sqlx::query!(
        r#"WITH mine AS (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1),
                invoices AS (SELECT id, number FROM invoice WHERE patient_id IN mine)
           SELECT at AS "at!: i64", what AS "what!: String", method AS "method?: String", reference AS "reference?: String", invoice_id AS "invoice_id?: Uuid",
                  amount AS "amount!: i64" FROM (
               SELECT issued_at AS at, id, 'Invoice' AS what, NULL AS method, number AS reference, id AS invoice_id, total_minor AS amount FROM invoice WHERE patient_id IN mine
               UNION ALL SELECT c.issued_at, c.id, 'Credit note', NULL, c.number, c.invoice_id, -c.total_minor FROM credit_note c WHERE c.invoice_id IN (SELECT id FROM invoices)
               UNION ALL SELECT p.received_at, p.id, 'Payment', p.method, (SELECT number FROM invoices WHERE id = p.invoice_id), p.invoice_id, -p.amount_minor
                   FROM payment p WHERE p.invoice_id IN (SELECT id FROM invoices)
               UNION ALL SELECT r.refunded_at, r.id, 'Refund', r.method, (SELECT number FROM invoices WHERE id = r.invoice_id), r.invoice_id, r.amount_minor
                   FROM refund r WHERE r.invoice_id IN (SELECT id FROM invoices))
           ORDER BY at, id"#, patient_id
    ).fetch_all(conn).await?;
    let mut owed = 0;
    rows.into_iter().map(|r| {
        owed += r.amount;
        let what = match r.method.as_deref() {
            Some(method) => format!("{} ({})", r.what, super::Method::named(method)?.words().to_lowercase()),
            None => r.what,
        };
        Ok(StatementLine { at: from_millis(r.at), what, reference: r.reference, invoice_id: r.invoice_id, amount: r.amount, balance: owed })
    }).collect()
}

/// The patient's credit: overpayments kept, less payments made from it, plus refunds back to it.
pub(crate) async fn credit_of(conn: &mut SqliteConnection, patient_id: Uuid) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"WITH mine AS (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1)
           SELECT (SELECT COALESCE(SUM(credit_minor), 0) - COALESCE(SUM(CASE WHEN method = 'credit' THEN amount_minor END), 0) FROM payment WHERE patient_id IN mine)
                + (SELECT COALESCE(SUM(amount_minor), 0) FROM refund WHERE method = 'credit' AND patient_id IN mine) AS "credit!: i64""#, patient_id
    ).fetch_one(conn).await?)
}
