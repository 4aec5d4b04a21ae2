//! A consultation's note: SOAP sections (or free text), saved as versions while the doctor types
//! (each save is a change that syncs: a crash loses at most the seconds since the last), signed by
//! its author (a content hash signed with their own key, after which nobody changes it anywhere),
//! and corrected only by signed addenda with a reason.

use chrono::{DateTime, Utc};
use clinic_sync::signed::{content_hash, sign, verify};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Code, Error, Result};
use crate::record;
use crate::write::{Changes, Write};

/// The sections of a note, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, specta::Type)]
pub struct NoteText {
    pub subjective: Option<String>,
    pub objective: Option<String>,
    pub assessment: Option<String>,
    pub plan: Option<String>,
    /// Free text, for a note not written as SOAP.
    pub body: Option<String>,
}

const SECTIONS: [&str; 5] = ["subjective", "objective", "assessment", "plan", "body"];

impl NoteText {
    fn sections(&self) -> [(&'static str, &Option<String>); 5] {
        [("subjective", &self.subjective), ("objective", &self.objective), ("assessment", &self.assessment), ("plan", &self.plan), ("body", &self.body)]
    }
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Note {
    pub id: Uuid,
    pub encounter_id: Uuid,
    pub patient_id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    /// soap or free
    pub format: String,
    pub text: NoteText,
    pub updated_at: DateTime<Utc>,
    pub signed_at: Option<DateTime<Utc>>,
    /// Whether the signature is its author's over exactly this text (checked as it is read).
    pub signature_holds: Option<bool>,
    pub addenda: Vec<Addendum>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Addendum {
    pub id: Uuid,
    pub note_id: Uuid,
    pub author_name: String,
    pub reason: String,
    pub body: String,
    pub signed_at: DateTime<Utc>,
    pub signature_holds: bool,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct AddendumInput {
    pub reason: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct NoteSaved {
    pub saved_at: DateTime<Utc>,
    /// Whether anything was different from what was stored.
    pub changed: bool,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct UnsignedNote {
    pub note_id: Uuid,
    pub encounter_id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub patient_mrn: String,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A template as an appointment type keeps it: the sections given, as JSON; none when all are empty.
pub(crate) fn template_json(template: NoteText) -> Result<Option<String>> {
    let mut sections = serde_json::Map::new();
    for (name, value) in template.sections() {
        if let Some(text) = super::text(value.clone()) {
            if text.chars().count() > 4000 {
                return Err(Error::invalid(name, "A template section is at most 4,000 characters."));
            }
            sections.insert(name.to_string(), json!(text));
        }
    }
    Ok((!sections.is_empty()).then(|| Value::Object(sections).to_string()))
}

/// A template as stored (`template_json`), read back; none when there is none (or it cannot be
/// read: a consultation then starts from an empty note rather than not at all).
pub(crate) fn template_text(stored: Option<&str>) -> Option<NoteText> {
    stored.and_then(|t| serde_json::from_str(t).ok())
}

fn entity(name: &str) -> &'static clinic_sync::Entity {
    super::declared(name)
}

/// The draft note of a new consultation, from the visit type's template (SOAP sections as JSON).
pub(crate) async fn start_note(w: &mut Write<'_>, encounter_id: Uuid, patient_id: Uuid, template: Option<&str>) -> Result<Uuid> {
    let template = template_text(template).unwrap_or_default();
    let author = w.actor.staff_id.expect("a doctor is logged in");
    let id = Uuid::now_v7();
    let mut fields = vec![("encounter_id", json!(encounter_id)), ("patient_id", json!(patient_id)), ("author_id", json!(author)), ("format", json!("soap"))];
    fields.extend(template.sections().into_iter().filter_map(|(name, value)| super::text(value.clone()).map(|v| (name, json!(v)))));
    super::create(w, "clinical_note", id, &fields).await?;
    Ok(id)
}

/// A draft of the logged-in doctor's own, as stored.
async fn own_draft(w: &mut Write<'_>, session: &Session, id: Uuid) -> Result<record::Stored> {
    let note = record::read(w.conn(), entity("clinical_note"), id).await?.filter(|n| !n.deleted).ok_or_else(|| Error::not_found("The note"))?;
    if !note.data["signed_at"].is_null() {
        return Err(Error::wrong_state("This note is signed and can no longer be changed: add an addendum to correct it."));
    }
    if note.data["author_id"] != json!(session.staff_id) {
        return Err(Error::new(Code::PermissionDenied, "Only the note's author may change or sign it."));
    }
    Ok(note)
}

/// Saves what the doctor has typed so far: one version of the draft.
pub async fn save_note(clinic: &Clinic, session: &Session, id: Uuid, text: NoteText) -> Result<NoteSaved> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    let note = own_draft(&mut w, session, id).await?;
    let mut changes = Changes::default();
    for (name, value) in text.sections() {
        let new = super::text(value.clone());
        if new.as_ref().is_some_and(|t| t.chars().count() > 100_000) {
            return Err(Error::invalid(name, "This section is longer than 100,000 characters."));
        }
        changes.set(name, &note.data[name], new);
    }
    let saved_at = from_millis(w.now);
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(NoteSaved { saved_at, changed: false });
    }
    w.update("clinical_note", id, note.version, &changes).await?;
    w.audit("save_draft", "clinical_note", Some(id), crate::audit::Details::of_record(entity("clinical_note"), &changes));
    w.commit().await?;
    Ok(NoteSaved { saved_at, changed: true })
}

/// Signs the logged-in doctor's own draft: its content hash, signed with their key. From then on
/// the note is frozen, here and on the server.
pub async fn sign_note(clinic: &Clinic, session: &Session, id: Uuid) -> Result<Note> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    let note = own_draft(&mut w, session, id).await?;
    if SECTIONS.iter().all(|s| note.data[*s].is_null()) {
        return Err(Error::wrong_state("The note is empty: write it before signing it."));
    }
    let kind = entity("clinical_note");
    let hash = content_hash(kind, |f| note.data.get(f).cloned());
    let signature = sign(w.signer()?, kind.name, id, &hash, w.now);
    let mut changes = Changes::default();
    changes.set("signed_at", Value::Null, w.now).set("content_hash", Value::Null, &hash).set("signature", Value::Null, &signature);
    w.update("clinical_note", id, note.version, &changes).await?;
    w.audit("sign", "clinical_note", Some(id), crate::audit::Details::facts(json!({"content_hash": hash})));
    w.commit().await?;
    load_note(clinic, id).await
}

/// A correction to a signed note, signed by its author (any doctor) with a reason.
pub async fn add_addendum(clinic: &Clinic, session: &Session, note_id: Uuid, input: AddendumInput) -> Result<Note> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    let reason = crate::domain::required_text("reason", "The reason for the addendum", &input.reason, 500)?;
    let body = super::text(Some(input.body)).ok_or_else(|| Error::invalid("body", "Write the addendum."))?;
    let note = record::read(w.conn(), entity("clinical_note"), note_id).await?.filter(|n| !n.deleted).ok_or_else(|| Error::not_found("The note"))?;
    if note.data["signed_at"].is_null() {
        return Err(Error::wrong_state("This note is not signed yet: change the note itself."));
    }
    let kind = entity("note_addendum");
    let id = Uuid::now_v7();
    let mut fields = vec![("note_id", json!(note_id)), ("patient_id", note.data["patient_id"].clone()), ("author_id", json!(session.staff_id)),
        ("reason", json!(reason)), ("body", json!(body))];
    let hash = content_hash(kind, |f| fields.iter().find(|(name, _)| *name == f).map(|(_, v)| v.clone()));
    let signature = sign(w.signer()?, kind.name, id, &hash, w.now);
    fields.extend([("signed_at", json!(w.now)), ("content_hash", json!(hash)), ("signature", json!(signature))]);
    super::create(&mut w, "note_addendum", id, &fields).await?;
    w.commit().await?;
    load_note(clinic, note_id).await
}

/// The logged-in doctor's notes still awaiting signature, oldest first.
pub async fn unsigned_notes(clinic: &Clinic, session: &Session) -> Result<Vec<UnsignedNote>> {
    crate::auth::authorize(clinic, session, Permission::ViewClinical).await?;
    let rows = sqlx::query!(
        r#"SELECT n.id AS "id: Uuid", n.encounter_id AS "encounter_id: Uuid", n.patient_id AS "patient_id: Uuid",
                  p.given_name || ' ' || p.family_name AS "patient_name!: String", p.mrn, e.started_at, n.updated_at
           FROM clinical_note n JOIN encounter e ON e.id = n.encounter_id JOIN patient p ON p.id = n.patient_id
           WHERE n.author_id = ? AND n.signed_at IS NULL AND n.deleted_at IS NULL
           ORDER BY e.started_at"#, session.staff_id
    ).fetch_all(clinic.store().pool()).await?;
    Ok(rows.into_iter().map(|r| UnsignedNote {
        note_id: r.id, encounter_id: r.encounter_id, patient_id: r.patient_id, patient_name: r.patient_name, patient_mrn: r.mrn,
        started_at: from_millis(r.started_at), updated_at: from_millis(r.updated_at),
    }).collect())
}

/// The notes of the consultations that started in [`from`, `until`) (with their addenda), each
/// signature checked.
pub(crate) async fn notes_of(conn: &mut sqlx::SqliteConnection, patient_id: Uuid, from: i64, until: i64) -> Result<Vec<Note>> {
    let rows = sqlx::query!(
        r#"SELECT n.id AS "id: Uuid", n.patient_id AS "patient_id: Uuid", n.encounter_id AS "encounter_id: Uuid", n.author_id AS "author_id: Uuid", s.full_name AS author_name,
                  n.format, n.subjective, n.objective, n.assessment, n.plan, n.body, n.updated_at, n.signed_at, n.content_hash, n.signature
           FROM clinical_note n JOIN encounter e ON e.id = n.encounter_id JOIN staff s ON s.id = n.author_id
           WHERE n.patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND e.started_at >= ?2 AND e.started_at < ?3
             AND n.deleted_at IS NULL"#, patient_id, from, until
    ).fetch_all(&mut *conn).await?;
    let addenda = sqlx::query!(
        r#"SELECT a.id AS "id: Uuid", a.patient_id AS "patient_id: Uuid", a.note_id AS "note_id: Uuid", a.author_id AS "author_id: Uuid", s.full_name AS author_name,
                  a.reason, a.body, a.signed_at, a.content_hash, a.signature
           FROM note_addendum a JOIN staff s ON s.id = a.author_id
           WHERE a.patient_id IN (SELECT id FROM patient WHERE id = ?1 OR merged_into = ?1) AND a.deleted_at IS NULL ORDER BY a.signed_at"#, patient_id
    ).fetch_all(&mut *conn).await?;
    // Every key each author has had: a signature holds if one of them made it.
    let keys = sqlx::query!(r#"SELECT staff_id AS "staff_id: Uuid", public_key FROM staff_key"#).fetch_all(&mut *conn).await?;
    let signed_by = |author: Uuid, check: &dyn Fn(&str) -> bool| keys.iter().any(|k| k.staff_id == author && check(&k.public_key));
    let kind = entity("note_addendum");
    let addenda: Vec<Addendum> = addenda.into_iter().map(|a| {
        let data = json!({"note_id": a.note_id, "patient_id": a.patient_id, "author_id": a.author_id, "reason": a.reason, "body": a.body});
        let holds = content_hash(kind, |f| data.get(f).cloned()) == a.content_hash
            && signed_by(a.author_id, &|key| verify(key, kind.name, a.id, &a.content_hash, a.signed_at, &a.signature));
        Addendum { id: a.id, note_id: a.note_id, author_name: a.author_name, reason: a.reason, body: a.body, signed_at: from_millis(a.signed_at), signature_holds: holds }
    }).collect();
    let kind = entity("clinical_note");
    Ok(rows.into_iter().map(|n| {
        let text = NoteText { subjective: n.subjective, objective: n.objective, assessment: n.assessment, plan: n.plan, body: n.body };
        let holds = n.signed_at.map(|at| {
            let data = json!({"encounter_id": n.encounter_id, "patient_id": n.patient_id, "author_id": n.author_id, "format": n.format,
                "subjective": text.subjective, "objective": text.objective, "assessment": text.assessment, "plan": text.plan, "body": text.body});
            let hash = content_hash(kind, |f| data.get(f).cloned());
            Some(hash.as_str()) == n.content_hash.as_deref()
                && n.signature.as_deref().is_some_and(|sig| signed_by(n.author_id, &|key| verify(key, kind.name, n.id, &hash, at, sig)))
        });
        Note {
            id: n.id, encounter_id: n.encounter_id, patient_id: n.patient_id, author_id: n.author_id, author_name: n.author_name, format: n.format, text,
            updated_at: from_millis(n.updated_at), signed_at: n.signed_at.map(from_millis), signature_holds: holds,
            addenda: addenda.iter().filter(|a| a.note_id == n.id).cloned().collect(),
        }
    }).collect())
}

/// One note as stored now (for the use cases that change it; the chart's reads are audited there).
async fn load_note(clinic: &Clinic, id: Uuid) -> Result<Note> {
    let mut conn = clinic.store().pool().acquire().await?;
    let n = sqlx::query!(r#"SELECT n.patient_id AS "patient_id: Uuid", e.started_at FROM clinical_note n JOIN encounter e ON e.id = n.encounter_id WHERE n.id = ?"#, id)
        .fetch_one(&mut *conn).await?;
    notes_of(&mut conn, n.patient_id, n.started_at, n.started_at + 1).await?.into_iter().find(|note| note.id == id).ok_or_else(|| Error::not_found("The note"))
}
