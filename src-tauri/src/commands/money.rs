//! The money at the front desk: the price list, invoices, payments, refunds, credit notes, cash
//! sessions and patients' accounts. Each command runs one use case of `clinic_core::ops::billing`.

use chrono::NaiveDate;
use clinic_core::ops::billing::account::{self, Account, Balance};
use clinic_core::ops::billing::cash::{self, CashSessionView, CloseCashSession, OpenCashSession};
use clinic_core::ops::billing::credit_notes::{self, CreditNoteInput};
use clinic_core::ops::billing::invoices::{self, DraftInput, InvoiceFrom, InvoiceSummary};
use clinic_core::ops::billing::payments::{self, PaymentInput, PaymentTaken, RefundInput};
use clinic_core::ops::billing::prices::{self, PriceInput, PriceKind, PriceListEntry};
use clinic_core::ops::billing::settings::{self, InvoiceSettings, InvoiceSettingsInput};
use clinic_core::ops::billing::view::InvoiceView;
use clinic_core::Result;
use tauri::State;
use uuid::Uuid;

use crate::desk::Desk;

#[tauri::command]
#[specta::specta]
pub async fn price_list(desk: State<'_, Desk>) -> Result<Vec<PriceListEntry>> {
    desk.run_as(|c, s| async move { prices::price_list(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_price_item(desk: State<'_, Desk>, input: PriceInput) -> Result<Uuid> {
    desk.run_as(move |c, s| async move { prices::add_price_item(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_price(desk: State<'_, Desk>, kind: PriceKind, id: Uuid, input: PriceInput, active: bool) -> Result<()> {
    desk.run_as(move |c, s| async move { prices::update_price(&c, &s, kind, id, input, active).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn start_invoice(desk: State<'_, Desk>, from: InvoiceFrom) -> Result<InvoiceView> {
    desk.run_as(move |c, s| async move { invoices::start_invoice(&c, &s, from).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn save_invoice_draft(desk: State<'_, Desk>, id: Uuid, input: DraftInput) -> Result<InvoiceView> {
    desk.run_as(move |c, s| async move { invoices::save_invoice_draft(&c, &s, id, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn discard_invoice_draft(desk: State<'_, Desk>, id: Uuid) -> Result<()> {
    desk.run_as(move |c, s| async move { invoices::discard_invoice_draft(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn finalise_invoice(desk: State<'_, Desk>, id: Uuid) -> Result<InvoiceView> {
    desk.run_as(move |c, s| async move { invoices::finalise_invoice(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn invoice(desk: State<'_, Desk>, id: Uuid) -> Result<InvoiceView> {
    desk.run_as(move |c, s| async move { invoices::invoice(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn invoices_of_day(desk: State<'_, Desk>, date: NaiveDate) -> Result<Vec<InvoiceSummary>> {
    desk.run_as(move |c, s| async move { invoices::invoices_of_day(&c, &s, date).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn take_payment(desk: State<'_, Desk>, input: PaymentInput) -> Result<PaymentTaken> {
    desk.run_as(move |c, s| async move { payments::take_payment(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn refund_payment(desk: State<'_, Desk>, input: RefundInput) -> Result<InvoiceView> {
    desk.run_as(move |c, s| async move { payments::refund_payment(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn issue_credit_note(desk: State<'_, Desk>, input: CreditNoteInput) -> Result<InvoiceView> {
    desk.run_as(move |c, s| async move { credit_notes::issue_credit_note(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn open_cash_session(desk: State<'_, Desk>, input: OpenCashSession) -> Result<CashSessionView> {
    desk.run_as(move |c, s| async move { cash::open_cash_session(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn current_cash_session(desk: State<'_, Desk>) -> Result<Option<CashSessionView>> {
    desk.run_as(|c, s| async move { cash::current_cash_session(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn close_cash_session(desk: State<'_, Desk>, input: CloseCashSession) -> Result<CashSessionView> {
    desk.run_as(move |c, s| async move { cash::close_cash_session(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn cash_session(desk: State<'_, Desk>, id: Uuid) -> Result<CashSessionView> {
    desk.run_as(move |c, s| async move { cash::cash_session(&c, &s, id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn cash_sessions(desk: State<'_, Desk>, date: NaiveDate) -> Result<Vec<CashSessionView>> {
    desk.run_as(move |c, s| async move { cash::cash_sessions(&c, &s, date).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn patient_balance(desk: State<'_, Desk>, patient_id: Uuid) -> Result<Balance> {
    desk.run_as(move |c, s| async move { account::patient_balance(&c, &s, patient_id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn patient_account(desk: State<'_, Desk>, patient_id: Uuid) -> Result<Account> {
    desk.run_as(move |c, s| async move { account::patient_account(&c, &s, patient_id).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn invoice_settings(desk: State<'_, Desk>) -> Result<InvoiceSettings> {
    desk.run_as(|c, s| async move { settings::invoice_settings(&c, &s).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_invoice_settings(desk: State<'_, Desk>, input: InvoiceSettingsInput) -> Result<()> {
    desk.run_as(move |c, s| async move { settings::update_invoice_settings(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_logo(desk: State<'_, Desk>, logo: Option<Vec<u8>>) -> Result<()> {
    desk.run_as(move |c, s| async move { settings::set_logo(&c, &s, logo).await }).await
}
