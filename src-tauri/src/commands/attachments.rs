//! A chart's attachments (scans, photos, PDFs): kept encrypted on this workstation, synced by the
//! core. Their bytes cross from and to the window as base64 text.

use base64::Engine;
use clinic_core::ops::attachments::{self, Attachment, AttachmentInput};
use clinic_core::{Error, Result};
use serde::Serialize;
use tauri::State;
use uuid::Uuid;

use crate::desk::Desk;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[tauri::command]
#[specta::specta]
pub async fn add_attachment(desk: State<'_, Desk>, patient_id: Uuid, encounter_id: Option<Uuid>, file_name: String, description: Option<String>,
    content_base64: String) -> Result<Attachment> {
    let bytes = BASE64.decode(content_base64.as_bytes()).map_err(|_| Error::invalid("file", "The file could not be read."))?;
    let input = AttachmentInput { patient_id, encounter_id, file_name, description, bytes };
    desk.run_as(move |c, s| async move { attachments::add_attachment(&c, &s, input).await }).await
}

#[tauri::command]
#[specta::specta]
pub async fn patient_attachments(desk: State<'_, Desk>, patient_id: Uuid) -> Result<Vec<Attachment>> {
    desk.run_as(move |c, s| async move { attachments::patient_attachments(&c, &s, patient_id).await }).await
}

#[derive(Serialize, specta::Type)]
pub struct OpenedAttachment {
    pub file_name: String,
    pub media_type: String,
    pub content_base64: String,
}

/// Opens an attachment (audited; fetched from the sync server when it is not here yet).
#[tauri::command]
#[specta::specta]
pub async fn open_attachment(desk: State<'_, Desk>, id: Uuid) -> Result<OpenedAttachment> {
    let opened = desk.run_as(move |c, s| async move { attachments::open_attachment(&c, &s, id).await }).await?;
    Ok(OpenedAttachment { file_name: opened.file_name, media_type: opened.media_type, content_base64: BASE64.encode(&opened.bytes) })
}

/// A picture's thumbnail, as small across the boundary as its JPEG (~10 kB).
#[derive(Serialize, specta::Type)]
pub struct AttachmentThumbnail {
    pub media_type: String,
    pub content_base64: String,
}

/// The thumbnail of a picture; none for a PDF, or a picture not on this workstation yet.
#[tauri::command]
#[specta::specta]
pub async fn attachment_thumbnail(desk: State<'_, Desk>, id: Uuid) -> Result<Option<AttachmentThumbnail>> {
    let thumbnail = desk.run_as(move |c, s| async move { attachments::attachment_thumbnail(&c, &s, id).await }).await?;
    Ok(thumbnail.map(|t| AttachmentThumbnail { media_type: t.media_type, content_base64: BASE64.encode(&t.bytes) }))
}

#[tauri::command]
#[specta::specta]
pub async fn remove_attachment(desk: State<'_, Desk>, id: Uuid) -> Result<()> {
    desk.run_as(move |c, s| async move { attachments::remove_attachment(&c, &s, id).await }).await
}
