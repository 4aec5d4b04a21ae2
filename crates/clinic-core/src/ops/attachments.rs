//! Attachments (DESIGN.md §5d): scans, photos and PDFs on a patient's record, optionally on one
//! consultation. Clinical content: only clinicians add, list or open them, and opening one is
//! audited. The record syncs like any other; its bytes are kept encrypted on this workstation
//! (`crate::files`) and travel on their own, sent after the record and fetched by another
//! workstation when opened there (or ahead of time for the day's patients, `sync`). A picture
//! has a thumbnail, made on this workstation from its bytes (`files::thumbnail`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Code, Error, Result};
use crate::files::{self, Files, Held};
use crate::ops::clinical::{chart_of, create, text};
use crate::write::{Changes, Write};

/// A file to attach, as the window read it.
pub struct AttachmentInput {
    pub patient_id: Uuid,
    /// The consultation it belongs to, if any (it must be this patient's).
    pub encounter_id: Option<Uuid>,
    /// As the person's computer named it; a path is reduced to its last part.
    pub file_name: String,
    pub description: Option<String>,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Attachment {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub encounter_id: Option<Uuid>,
    pub file_name: String,
    /// `image/jpeg`, `image/png` or `application/pdf`, as its content says.
    pub media_type: String,
    /// In bytes.
    pub size: i64,
    pub sha256: String,
    pub description: Option<String>,
    pub added_at: DateTime<Utc>,
    pub added_by: Option<String>,
    /// Its bytes are on this workstation: opening it needs no server.
    pub on_this_workstation: bool,
}

/// An attachment's content, to show.
#[derive(Clone, Serialize)]
pub struct AttachmentBytes {
    pub media_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Its size, never its content: a log line must not carry a patient's scan.
impl std::fmt::Debug for AttachmentBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentBytes").field("media_type", &self.media_type).field("file_name", &self.file_name)
            .field("bytes", &format_args!("{} bytes", self.bytes.len())).finish()
    }
}

/// A picture's thumbnail: at most 256 pixels on its longer side, upright.
#[derive(Clone)]
pub struct Thumbnail {
    /// `image/jpeg`, whatever the picture's own type.
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Its size, never its content, as `AttachmentBytes`.
impl std::fmt::Debug for Thumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thumbnail").field("media_type", &self.media_type).field("bytes", &format_args!("{} bytes", self.bytes.len())).finish()
    }
}

/// Attaches a file to a patient's record. Refused, with nothing kept, when the file is empty, over
/// 50 MB, or not what its name says.
pub async fn add_attachment(clinic: &Clinic, session: &Session, input: AttachmentInput) -> Result<Attachment> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    chart_of(w.conn(), input.patient_id).await?;
    if let Some(encounter) = input.encounter_id {
        sqlx::query_scalar!("SELECT 1 AS one FROM encounter WHERE id = ? AND patient_id = ? AND deleted_at IS NULL", encounter, input.patient_id)
            .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The consultation"))?;
    }
    let file_name = files::file_name(&input.file_name)?;
    let media_type = files::media_type(&file_name, &input.bytes)?;
    let description = text(input.description);
    if description.as_deref().is_some_and(|d| d.chars().count() > 500) {
        return Err(Error::invalid("description", "Keep the description to 500 characters."));
    }
    let size = input.bytes.len() as i64;
    let bytes = Arc::new(input.bytes);
    let hashed = bytes.clone();
    let sha256 = tokio::task::spawn_blocking(move || files::sha256(&hashed)).await
        .map_err(|e| Error::new(Code::Internal, format!("internal: hashing stopped: {e}")))?;
    let now = w.now;
    let files = Files::of(clinic.store(), w.conn(), now).await?;
    let id = Uuid::now_v7();
    let fields = [("patient_id", json!(input.patient_id)), ("encounter_id", json!(input.encounter_id)), ("file_name", json!(file_name)),
        ("media_type", json!(media_type)), ("size", json!(size)), ("sha256", json!(sha256)), ("description", json!(description))];
    // The bytes first, the record after: a record never names a file this workstation lacks.
    let new_file = files.put(&sha256, bytes.clone()).await?;
    let saved = async {
        create(&mut w, "attachment", id, &fields).await?;
        // Sent to the server after the record (`sync::files`); the same bytes once.
        sqlx::query!(
            "INSERT INTO file_transfer (sha256, direction, size, updated_at) VALUES (?, 'upload', ?, ?)
             ON CONFLICT (sha256) DO UPDATE SET direction = 'upload', done_bytes = 0, last_error = NULL, updated_at = excluded.updated_at",
            sha256, size, w.now
        ).execute(w.conn()).await?;
        let added_by = added_by(&mut w).await?;
        let now = w.now;
        w.commit().await?;
        Ok::<_, Error>((added_by, now))
    }.await;
    let (added_by, now) = saved.inspect_err(|_| if new_file { files.remove(&sha256) })?;
    if files::has_thumbnail(media_type) {
        // Its thumbnail, from the bytes in hand, after the answer: the list asks for it next.
        let (files, sha256) = (files.clone(), sha256.clone());
        tokio::spawn(async move { files.thumbnail(&sha256, Some(bytes)).await });
    }
    Ok(Attachment {
        id, patient_id: input.patient_id, encounter_id: input.encounter_id, file_name, media_type: media_type.to_string(), size, sha256,
        description, added_at: from_millis(now), added_by, on_this_workstation: true,
    })
}

async fn added_by(w: &mut Write<'_>) -> Result<Option<String>> {
    let Some(staff) = w.actor.staff_id else { return Ok(None) };
    Ok(sqlx::query_scalar!("SELECT full_name FROM staff WHERE id = ?", staff).fetch_optional(w.conn()).await?)
}

/// A patient's attachments, newest first.
pub async fn patient_attachments(clinic: &Clinic, session: &Session, patient_id: Uuid) -> Result<Vec<Attachment>> {
    crate::auth::authorize(clinic, session, Permission::ViewClinical).await?;
    of_patient(&mut *clinic.store().pool().acquire().await?, clinic.store().path(), patient_id).await
}

/// The attachments of a patient and of every duplicate merged into them, newest first (read
/// with the chart, and on their own after one is added).
pub(crate) async fn of_patient(conn: &mut sqlx::SqliteConnection, store: &std::path::Path, patient_id: Uuid) -> Result<Vec<Attachment>> {
    let rows = sqlx::query!(
        r#"SELECT a.id AS "id: Uuid", a.patient_id AS "patient_id: Uuid", a.encounter_id AS "encounter_id: Uuid", a.file_name, a.media_type, a.size,
                  a.sha256, a.description, a.created_at, s.full_name AS "added_by?"
           FROM attachment a LEFT JOIN staff s ON s.id = a.created_by
           WHERE a.patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND a.deleted_at IS NULL
           ORDER BY a.created_at DESC, a.id DESC"#,
        patient_id
    ).fetch_all(conn).await?;
    let folder = files::folder_of(store);
    Ok(rows.into_iter().map(|r| Attachment {
        on_this_workstation: files::held_in(&folder, &r.sha256),
        id: r.id, patient_id: r.patient_id, encounter_id: r.encounter_id, file_name: r.file_name, media_type: r.media_type, size: r.size, sha256: r.sha256,
        description: r.description, added_at: from_millis(r.created_at), added_by: r.added_by,
    }).collect())
}

/// Opens an attachment to show it: from this workstation, or fetched from the sync server first
/// when its bytes are not here yet. Audited as a read.
pub async fn open_attachment(clinic: &Clinic, session: &Session, id: Uuid) -> Result<AttachmentBytes> {
    // The files' key before the read begins: a key made inside the read would go with its rollback
    // (below, while fetching), and a file fetched and sealed under it would never open again.
    let files = Files::of_clinic(clinic).await?;
    let mut w = Write::reading(clinic, session, Permission::ViewClinical).await?;
    let found = sqlx::query!(
        r#"SELECT patient_id AS "patient_id: Uuid", file_name, media_type, size, sha256 FROM attachment WHERE id = ? AND deleted_at IS NULL"#, id
    ).fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The attachment"))?;
    let bytes = match files.read(&found.sha256).await? {
        Held::Bytes(bytes) => bytes,
        elsewhere => {
            // Fetched without holding the store: the network may take a while.
            let damaged = matches!(elsewhere, Held::Damaged);
            w.nothing_changed().await;
            let fetched = crate::sync::fetch_file(clinic, &files, &found.sha256, found.size).await.map_err(|e| match damaged {
                true => Error::new(e.code, format!("The copy of “{}” on this workstation is damaged and was set aside. {}", found.file_name, e.message)),
                false => e,
            })?;
            w = Write::reading(clinic, session, Permission::ViewClinical).await?;
            fetched
        }
    };
    w.audit("view", "attachment", Some(id), crate::audit::Details::facts(json!({"patient_id": found.patient_id})));
    w.commit().await?;
    Ok(AttachmentBytes { media_type: found.media_type, file_name: found.file_name, bytes })
}

/// The thumbnail of an attachment that is a picture, made from its bytes on this workstation the
/// first time (then kept). None for a PDF (the window shows a document's icon), for a picture
/// whose bytes have not reached this workstation (opening it fetches them; its thumbnail is made
/// then), and for one that does not decode.
///
/// Allowed and audited as the list of attachments is (`patient_attachments`): to clinicians, with
/// no audit entry of its own. Thumbnails are part of the chart, shown only in it, and the chart's
/// opening is the audited read (`open_chart`); an entry per thumbnail would write a dozen entries
/// (each a write, chained, sent to the server) every time a chart of photos is looked at, and
/// bury the reads that say more. Opening the picture itself is audited (`open_attachment`).
pub async fn attachment_thumbnail(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Option<Thumbnail>> {
    crate::auth::authorize(clinic, session, Permission::ViewClinical).await?;
    let found = sqlx::query!("SELECT media_type, sha256 FROM attachment WHERE id = ? AND deleted_at IS NULL", id)
        .fetch_optional(clinic.store().pool()).await?.ok_or_else(|| Error::not_found("The attachment"))?;
    if !files::has_thumbnail(&found.media_type) {
        return Ok(None);
    }
    let files = Files::of_clinic(clinic).await?;
    let thumbnail = files.thumbnail(&found.sha256, None).await?;
    Ok(thumbnail.map(|bytes| Thumbnail { media_type: files::THUMBNAIL_MEDIA_TYPE.to_string(), bytes }))
}

/// Removes an attachment entered in error: its record is tombstoned (the history keeps it); its
/// bytes stay, as another record may name the same file.
pub async fn remove_attachment(clinic: &Clinic, session: &Session, id: Uuid) -> Result<()> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    let version = sqlx::query_scalar!("SELECT version FROM attachment WHERE id = ? AND deleted_at IS NULL", id)
        .fetch_optional(w.conn()).await?
        .ok_or_else(|| Error::not_found("The attachment"))?;
    let mut changes = Changes::default();
    changes.set("deleted_at", None::<i64>, w.now);
    w.update("attachment", id, version, &changes).await?;
    w.audit("delete", "attachment", Some(id), Default::default());
    w.commit().await
}
