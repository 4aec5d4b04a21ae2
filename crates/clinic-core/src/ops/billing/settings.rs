//! The site's money settings: the largest discount a receptionist may give, the note printed on
//! every invoice (a tax exemption), and the letterhead's logo. The site's record is the
//! administrator's, as the rest of the clinic's details.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{parse_percent, percent_text, Write, DEFAULT_DISCOUNT_LIMIT_BP};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::optional_text;
use crate::error::{Error, Result};
use crate::record;

/// The largest logo kept: it travels in the site's record to every workstation.
pub const MOST_LOGO_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct InvoiceSettings {
    /// As a form shows it: "10".
    pub discount_limit: String,
    pub invoice_note: Option<String>,
    /// The logo, as a PNG or JPEG.
    pub logo: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct InvoiceSettingsInput {
    /// As typed: "10", "12.5 %".
    pub discount_limit: String,
    pub invoice_note: Option<String>,
}

pub async fn invoice_settings(clinic: &Clinic, session: &Session) -> Result<InvoiceSettings> {
    crate::auth::authorize_any(clinic, session, &[]).await?;
    let site_id = clinic.device()?.site_id;
    let r = sqlx::query!("SELECT discount_limit_bp, invoice_note, logo FROM site WHERE id = ?", site_id).fetch_one(clinic.store().pool()).await?;
    Ok(InvoiceSettings { discount_limit: percent_text(r.discount_limit_bp.unwrap_or(DEFAULT_DISCOUNT_LIMIT_BP)), invoice_note: r.invoice_note,
        logo: r.logo.and_then(|l| base64::engine::general_purpose::STANDARD.decode(l).ok()) })
}

pub async fn update_invoice_settings(clinic: &Clinic, session: &Session, input: InvoiceSettingsInput) -> Result<()> {
    let w = Write::begin(clinic, session, Permission::ManageClinic).await?;
    let fields = [("discount_limit_bp", json!(parse_percent("discount_limit", &input.discount_limit)?)),
        ("invoice_note", json!(optional_text("invoice_note", input.invoice_note.as_deref(), 500)?))];
    save(w, &fields).await
}

/// Sets the letterhead's logo (a PNG or JPEG of at most 256 KB), or takes it away.
pub async fn set_logo(clinic: &Clinic, session: &Session, logo: Option<Vec<u8>>) -> Result<()> {
    let w = Write::begin(clinic, session, Permission::ManageClinic).await?;
    if let Some(bytes) = &logo {
        if bytes.len() > MOST_LOGO_BYTES {
            return Err(Error::invalid("logo", "The logo is too large: at most 256 KB (a PNG of a few hundred pixels is plenty)."));
        }
        crate::print::check_logo(bytes).map_err(|e| Error { field: Some("logo"), ..e })?;
    }
    let encoded = logo.map(|b| base64::engine::general_purpose::STANDARD.encode(b));
    save(w, &[("logo", json!(encoded))]).await
}

async fn save(mut w: Write<'_>, fields: &[(&str, serde_json::Value)]) -> Result<()> {
    let site_id = w.site_id();
    if record::set(&mut w, super::declared("site"), site_id, fields, "update").await?.is_empty() {
        w.nothing_changed().await;
        return Ok(());
    }
    let clinic = w.clinic;
    w.commit().await?;
    clinic.forget_site_settings();
    Ok(())
}
