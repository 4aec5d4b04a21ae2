//! The demo clinic's price list: what it charges for beside its appointment types, and the note
//! its invoices print (medical care is exempt from VAT in Portugal; a certificate is not).

use crate::auth::Session;
use crate::clinic::Clinic;
use crate::error::Result;
use crate::ops::billing::prices::{add_price_item, PriceInput};
use crate::ops::billing::settings::{update_invoice_settings, InvoiceSettingsInput};

pub const PRICE_ITEMS: &[(&str, &str, &str)] = &[
    ("Flu vaccine", "15.00", "6"), ("Tetanus vaccine", "18.00", "6"), ("Wound dressing", "8.50", "23"),
    ("Medical certificate", "20.00", "23"), ("Blood glucose test", "5.00", "0"),
];

pub async fn price_list(clinic: &Clinic, admin: &Session, manager: &Session) -> Result<()> {
    for (name, price, tax) in PRICE_ITEMS {
        add_price_item(clinic, manager, PriceInput { name: name.to_string(), price: price.to_string(), tax_rate: tax.to_string() }).await?;
    }
    update_invoice_settings(clinic, admin, InvoiceSettingsInput {
        discount_limit: "10".into(),
        invoice_note: Some("Medical care exempt from VAT under article 9 of the VAT Code (CIVA).".into()),
    }).await
}
