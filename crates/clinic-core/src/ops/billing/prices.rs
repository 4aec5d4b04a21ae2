//! The price list: the services (the appointment types, at their prices) and the other things
//! the clinic charges for (vaccines, dressings, certificates), each with its tax rate. Managers
//! change it; an invoice copies what it charged, so a later change never alters one issued.

use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{parse_percent, Write};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::{required_text, Currency, Money};
use crate::error::Result;
use crate::record;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PriceKind {
    /// An appointment type.
    Service,
    Item,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PriceListEntry {
    pub id: Uuid,
    pub kind: PriceKind,
    pub name: String,
    /// Before tax.
    pub price: Money,
    pub tax_rate_bp: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct PriceInput {
    pub name: String,
    /// As typed: "12.50".
    pub price: String,
    /// As typed: "23", "6 %", "0".
    pub tax_rate: String,
}

/// The whole price list, services first, by name: what an invoice's lines are chosen from (the
/// screen offers the active ones) and what a manager edits.
pub async fn price_list(clinic: &Clinic, session: &Session) -> Result<Vec<PriceListEntry>> {
    crate::auth::authorize_any(clinic, session, &[Permission::TakePayments, Permission::ManagePrices]).await?;
    let rows = sqlx::query!(
        r#"SELECT id AS "id!: Uuid", 'service' AS "kind!: String", name, price_minor, currency, COALESCE(tax_rate_bp, 0) AS "tax_rate_bp!: i64", active AS "active!: bool"
           FROM appointment_type WHERE deleted_at IS NULL
           UNION ALL
           SELECT id, 'item', name, price_minor, currency, tax_rate_bp, active FROM price_item WHERE deleted_at IS NULL
           ORDER BY 2 DESC, 3 COLLATE NOCASE"#
    ).fetch_all(clinic.store().pool()).await?;
    rows.into_iter().map(|r| Ok(PriceListEntry {
        id: r.id, kind: if r.kind == "service" { PriceKind::Service } else { PriceKind::Item }, name: r.name,
        price: Money { minor: r.price_minor, currency: Currency::parse(&r.currency)? }, tax_rate_bp: r.tax_rate_bp, active: r.active,
    })).collect()
}

async fn fields(w: &mut Write<'_>, input: &PriceInput) -> Result<Vec<(&'static str, serde_json::Value)>> {
    let currency = w.site().await?.currency;
    let price = Money::parse("price", &input.price, currency)?;
    Money::price("price", price.minor, currency)?;
    Ok(vec![("name", json!(required_text("name", "The name", &input.name, 200)?)), ("price_minor", json!(price.minor)),
        ("currency", json!(currency.code())), ("tax_rate_bp", json!(parse_percent("tax_rate", &input.tax_rate)?))])
}

pub async fn add_price_item(clinic: &Clinic, session: &Session, input: PriceInput) -> Result<Uuid> {
    let mut w = Write::begin(clinic, session, Permission::ManagePrices).await?;
    let fields = fields(&mut w, &input).await?;
    let id = Uuid::now_v7();
    super::create(&mut w, "create", "price_item", id, &fields).await?;
    w.commit().await?;
    Ok(id)
}

/// Changes an item of the price list, or a service's price and tax rate (its name and the rest
/// are the appointment type's, edited there). `active`: still offered on new invoices.
pub async fn update_price(clinic: &Clinic, session: &Session, kind: PriceKind, id: Uuid, input: PriceInput, active: bool) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::ManagePrices).await?;
    let mut fields = fields(&mut w, &input).await?;
    fields.push(("active", json!(active)));
    let entity = match kind {
        PriceKind::Item => "price_item",
        PriceKind::Service => {
            fields.retain(|(f, _)| ["price_minor", "tax_rate_bp", "active"].contains(f));
            "appointment_type"
        }
    };
    if record::set(&mut w, super::declared(entity), id, &fields, "edit_price").await?.is_empty() {
        w.nothing_changed().await;
        return Ok(());
    }
    w.commit().await
}
