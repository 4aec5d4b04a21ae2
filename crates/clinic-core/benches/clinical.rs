//! The doctor's figures (issue 10): opening a long chart, saving a note version as the doctor
//! types, and the ICD-10-CM search as they type, beside bare SQLite (and the bare code-set search)
//! on the same file.

use std::time::Instant;

use clinic_core::auth::login;
use clinic_core::clinical::icd10;
use clinic_core::demo::{long_history, History, DEMO_PASSWORD};
use clinic_core::ops::clinical::{find_diagnosis_codes, open_chart, open_consultation, save_note, NoteText, VisitRef};
use clinic_core::ops::queue::{add_walk_in, Priority, WalkInInput, WalkInPatient};
use clinic_core::ClinicThread;
use rand::rngs::StdRng;
use rand::SeedableRng;
use uuid::Uuid;

use crate::bare::{Arg, Bare};
use crate::Row;

/// The patient of the long chart (made once per database).
const LONG: History = History { visits: 1_000, vitals: 5_000, attachments: 200 };

pub async fn figures(clinic: &ClinicThread, raw: &Bare, rows: &mut Vec<Row>) {
    let doctor = std::sync::Arc::new(clinic.run(|c| async move { login(&c, "dr.silva", DEMO_PASSWORD).await.unwrap() }).await.unwrap());
    let desk = std::sync::Arc::new(clinic.run(|c| async move { login(&c, "reception", DEMO_PASSWORD).await.unwrap() }).await.unwrap());
    let d = doctor.clone();
    let patient: Uuid = clinic.run(move |c| async move {
        let pool = c.store().pool().clone();
        let longest: Option<(Uuid, i64)> = sqlx::query_as("SELECT patient_id, count(*) AS n FROM encounter GROUP BY patient_id ORDER BY n DESC LIMIT 1")
            .fetch_optional(&pool).await.unwrap();
        match longest {
            Some((id, n)) if n >= LONG.visits as i64 => id,
            _ => {
                let id: Uuid = sqlx::query_scalar("SELECT id FROM patient WHERE rowid = 4242").fetch_one(&pool).await.unwrap();
                let started = Instant::now();
                long_history(&c, &d, id, LONG, &mut StdRng::seed_from_u64(11)).await.unwrap();
                eprintln!("gave one patient {LONG:?} in {:.1?}", started.elapsed());
                id
            }
        }
    }).await.unwrap();

    // 1. Opening the long chart (audited, its attachments listed with it); after a first opening
    // (a chart in use, not the disk).
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    let mut chart_reads = [
        raw.prepare("SELECT mrn, given_name, family_name, sex, birth_date, blood_group, no_known_allergies FROM patient WHERE id = ?1"),
        raw.prepare("SELECT id, substance, reaction, severity, status FROM allergy WHERE patient_id = ?1 AND deleted_at IS NULL"),
        raw.prepare("SELECT id, code, description, status, onset, resolved_on FROM diagnosis WHERE patient_id = ?1 AND deleted_at IS NULL"),
        raw.prepare("SELECT r.*, s.full_name FROM prescription r JOIN staff s ON s.id = r.prescriber_id WHERE r.patient_id = ?1 AND r.status = 'active' AND r.deleted_at IS NULL"),
        raw.prepare("SELECT * FROM vital_signs WHERE patient_id = ?1 AND deleted_at IS NULL ORDER BY taken_at DESC LIMIT 60"),
        raw.prepare("SELECT e.*, p.display_name FROM encounter e JOIN practitioner p ON p.id = e.practitioner_id WHERE e.patient_id = ?1 AND e.deleted_at IS NULL ORDER BY e.started_at DESC LIMIT 20"),
        raw.prepare("SELECT n.*, s.full_name, s.public_key FROM clinical_note n JOIN encounter e ON e.id = n.encounter_id JOIN staff s ON s.id = n.author_id
                     WHERE n.patient_id = ?1 AND e.started_at >= (SELECT min(started_at) FROM (SELECT started_at FROM encounter WHERE patient_id = ?1 ORDER BY started_at DESC LIMIT 20))"),
        raw.prepare("SELECT a.*, s.full_name FROM attachment a LEFT JOIN staff s ON s.id = a.created_by WHERE a.patient_id = ?1 AND a.deleted_at IS NULL ORDER BY a.created_at DESC"),
    ];
    let (mut encounters, mut attachments) = (0, 0);
    for i in 0..201 {
        let d = doctor.clone();
        let t = Instant::now();
        let chart = clinic.run(move |c| async move { open_chart(&c, &d, patient, None).await.unwrap() }).await.unwrap();
        if i > 0 {
            ours.push(t.elapsed());
        }
        (encounters, attachments) = (chart.encounters.items.len(), chart.attachments.len());
        let t = Instant::now();
        raw.exec("BEGIN");
        for q in &mut chart_reads {
            q.run(&[Arg::Blob(patient.as_bytes())]);
        }
        raw.exec("COMMIT");
        if i > 0 {
            bare.push(t.elapsed());
        }
    }
    println!("(the long chart: {} consultations, {} vital sign sets, {attachments} attachments; its first page shows {encounters})", LONG.visits, LONG.vitals);
    rows.push(Row { what: "open a chart of 1,000 consultations, 200 attachments", ours, bare, budget: "≤ 10 ms" });

    // 2. Saving a note version as the doctor types: a sentence more each time.
    let d = doctor.clone();
    let s = desk.clone();
    let note = clinic.run(move |c| async move {
        let walk_in = WalkInInput { patient: WalkInPatient::Existing(patient), reason: "Bench".into(), priority: Priority::Normal, practitioner_id: None };
        match add_walk_in(&c, &s, walk_in).await {
            Ok(entry) => open_consultation(&c, &d, VisitRef::QueueEntry(entry.id)).await.unwrap().note_id,
            // A second run the same day: the patient is still in today's queue, her note unsigned.
            Err(_) => sqlx::query_scalar("SELECT id FROM clinical_note WHERE patient_id = ? AND signed_at IS NULL ORDER BY created_at DESC LIMIT 1")
                .bind(patient).fetch_one(c.store().pool()).await.unwrap(),
        }
    }).await.unwrap();
    let mut update = raw.prepare("UPDATE clinical_note SET subjective = ?2, updated_at = ?3, updated_hlc = 'bench' WHERE id = ?1");
    let mut seq = raw.prepare("UPDATE series SET next = next + 1 WHERE name = 'device_seq' RETURNING next - 1");
    let mut outbox = raw.prepare(
        "INSERT INTO outbox (mutation_id, device_seq, hlc, entity, entity_id, op, changes, created_at) VALUES (?1, (SELECT next - 1 FROM series WHERE name = 'device_seq'), 'bench', 'clinical_note', ?2, 'update', ?3, ?4)");
    let mut audit = raw.prepare(
        "INSERT INTO audit_event (id, org_id, device_id, seq, at, action, entity, entity_id, details, prev_hash, hash)
         SELECT ?1, org_id, zeroblob(16), (SELECT coalesce(max(seq), 0) + 1 FROM audit_event WHERE device_id = zeroblob(16)), ?2, 'bench', 'clinical_note', ?3, '{}', 'x', 'x' FROM device");
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    let mut typed = String::new();
    for i in 0..500 {
        typed.push_str(&format!("Sentence {i} of the history, as the doctor types it. "));
        let (d, text) = (doctor.clone(), NoteText { subjective: Some(typed.clone()), ..Default::default() });
        let t = Instant::now();
        clinic.run(move |c| async move { save_note(&c, &d, note, text).await.unwrap() }).await.unwrap();
        ours.push(t.elapsed());
    }
    let now = chrono::Utc::now().timestamp_millis();
    for _ in 0..500 {
        typed.push_str("More words. ");
        let changes = serde_json::json!({"subjective": {"old": typed, "new": typed}}).to_string();
        let t = Instant::now();
        raw.exec("BEGIN IMMEDIATE");
        update.run(&[Arg::Blob(note.as_bytes()), Arg::Text(&typed), Arg::Int(now)]);
        seq.run(&[]);
        outbox.run(&[Arg::Blob(Uuid::now_v7().as_bytes()), Arg::Blob(note.as_bytes()), Arg::Text(&changes), Arg::Int(now)]);
        audit.run(&[Arg::Blob(Uuid::now_v7().as_bytes()), Arg::Int(now), Arg::Blob(note.as_bytes())]);
        raw.exec("COMMIT");
        bare.push(t.elapsed());
    }
    rows.push(Row { what: "save a note version as the doctor types", ours, bare, budget: "p99 ≤ 5 ms" });

    // 3. ICD-10-CM as you type (each prefix of what a doctor types), beside the bare code-set search.
    icd10::chapters();
    let queries = ["e11.9", "hypertension", "diabetes mel", "j45", "low back pain", "otitis media", "urinary tract", "asthma", "gastro-esoph", "z00.00"];
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for q in queries {
        for end in 1..=q.len() {
            let typed = q[..end].to_string();
            let d = doctor.clone();
            let t = Instant::now();
            std::hint::black_box(clinic.run(move |c| async move { find_diagnosis_codes(&c, &d, &typed, 20).await.unwrap() }).await.unwrap());
            ours.push(t.elapsed());
            let t = Instant::now();
            std::hint::black_box(icd10::search(&q[..end], 20));
            bare.push(t.elapsed());
        }
    }
    rows.push(Row { what: "ICD-10-CM search as you type (bare: no SQL)", ours, bare, budget: "p99 ≤ 5 ms" });
}
