//! The demo clinic's clinical side: a formulary, note templates, and a believable history for
//! the patients seen in the past (consultations with signed SOAP notes, vitals, diagnoses and
//! prescriptions), so a doctor trying the app finds full charts. Seeded in bulk like the rest of
//! the demo; each note is signed with its doctor's own key, so its signature verifies.

use clinic_sync::signed::{content_hash, sign};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::Session;
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::ops::appointment_types::{set_note_template, AppointmentType};
use crate::ops::attachments::{add_attachment, AttachmentInput};
use crate::ops::clinical::{add_formulary_drug, FormularyDrugInput, NoteText, Route};
use crate::write::Write;

/// (name, strength, form, route, usual dose, usual frequency)
const FORMULARY: &[(&str, &str, &str, Route, &str, &str)] = &[
    ("Amoxicillin", "500 mg", "capsule", Route::Oral, "1 capsule", "three times a day"),
    ("Paracetamol", "500 mg", "tablet", Route::Oral, "1–2 tablets", "every 6 hours when needed"),
    ("Ibuprofen", "400 mg", "tablet", Route::Oral, "1 tablet", "three times a day with food"),
    ("Amlodipine", "5 mg", "tablet", Route::Oral, "1 tablet", "once a day"),
    ("Metformin", "850 mg", "tablet", Route::Oral, "1 tablet", "twice a day with meals"),
    ("Salbutamol", "100 micrograms/dose", "inhaler", Route::Inhaled, "2 puffs", "when needed"),
    ("Omeprazole", "20 mg", "capsule", Route::Oral, "1 capsule", "once a day before breakfast"),
    ("Nitrofurantoin", "100 mg", "capsule", Route::Oral, "1 capsule", "twice a day"),
    ("Sertraline", "50 mg", "tablet", Route::Oral, "1 tablet", "once a day"),
    ("Hydrocortisone", "1 %", "cream", Route::Topical, "thin layer", "twice a day"),
    ("Azithromycin", "500 mg", "tablet", Route::Oral, "1 tablet", "once a day"),
    ("Cetirizine", "10 mg", "tablet", Route::Oral, "1 tablet", "once a day"),
];

/// A kind of visit a family doctor sees: its diagnosis, note and prescription.
struct Scenario {
    code: &'static str,
    description: &'static str,
    subjective: &'static str,
    objective: &'static str,
    assessment: &'static str,
    plan: &'static str,
    /// (drug, strength, form, dose, frequency, days, quantity)
    drug: Option<(&'static str, &'static str, &'static str, &'static str, &'static str, i64, i64)>,
    /// Whether it is a long-term problem (stays active) or resolves.
    chronic: bool,
}

const SCENARIOS: &[Scenario] = &[
    Scenario { code: "J06.9", description: "Acute upper respiratory infection, unspecified", subjective: "Sore throat, runny nose and cough for three days. No shortness of breath.",
        objective: "Pharynx mildly red, no exudate. Chest clear.", assessment: "Viral upper respiratory infection.", plan: "Fluids, rest, paracetamol when needed. Return if fever lasts more than 3 days.",
        drug: Some(("Paracetamol", "500 mg", "tablet", "1–2 tablets", "every 6 hours when needed", 5, 20)), chronic: false },
    Scenario { code: "I10", description: "Essential (primary) hypertension", subjective: "Review of blood pressure. Occasional headaches, no chest pain.",
        objective: "BP raised on two readings. Heart sounds normal.", assessment: "Essential hypertension, not at target.", plan: "Start amlodipine, reduce salt, home BP diary, review in 4 weeks.",
        drug: Some(("Amlodipine", "5 mg", "tablet", "1 tablet", "once a day", 90, 30)), chronic: true },
    Scenario { code: "E11.9", description: "Type 2 diabetes mellitus without complications", subjective: "Diabetes review. Feels well, following the diet.",
        objective: "Feet: pulses present, sensation intact. Weight stable.", assessment: "Type 2 diabetes, reasonable control.", plan: "Continue metformin. HbA1c and kidney function before next visit.",
        drug: Some(("Metformin", "850 mg", "tablet", "1 tablet", "twice a day with meals", 90, 60)), chronic: true },
    Scenario { code: "J45.909", description: "Unspecified asthma, uncomplicated", subjective: "Wheeze at night twice a week, worse with cold air.",
        objective: "Scattered wheeze, no distress. SpO2 normal.", assessment: "Asthma, partly controlled.", plan: "Reliever inhaler; inhaler technique checked; asthma plan given.",
        drug: Some(("Salbutamol", "100 micrograms/dose", "inhaler", "2 puffs", "when needed", 60, 1)), chronic: true },
    Scenario { code: "M54.50", description: "Low back pain, unspecified", subjective: "Low back pain for a week after lifting boxes. No leg weakness or numbness.",
        objective: "Paraspinal tenderness, straight leg raise negative.", assessment: "Mechanical low back pain.", plan: "Keep active, ibuprofen with food, physiotherapy exercises.",
        drug: Some(("Ibuprofen", "400 mg", "tablet", "1 tablet", "three times a day with food", 7, 21)), chronic: false },
    Scenario { code: "N39.0", description: "Urinary tract infection, site not specified", subjective: "Burning on passing urine and frequency for two days. No fever.",
        objective: "Mild suprapubic tenderness. Urine dipstick: nitrites and leucocytes positive.", assessment: "Uncomplicated lower urinary tract infection.", plan: "Nitrofurantoin for 5 days, fluids.",
        drug: Some(("Nitrofurantoin", "100 mg", "capsule", "1 capsule", "twice a day", 5, 10)), chronic: false },
    Scenario { code: "K21.9", description: "Gastro-esophageal reflux disease without esophagitis", subjective: "Heartburn after meals and at night for a month.",
        objective: "Abdomen soft, mild epigastric tenderness.", assessment: "Gastro-oesophageal reflux.", plan: "Omeprazole for 4 weeks, smaller evening meals, raise the head of the bed.",
        drug: Some(("Omeprazole", "20 mg", "capsule", "1 capsule", "once a day before breakfast", 28, 28)), chronic: false },
    Scenario { code: "F41.1", description: "Generalized anxiety disorder", subjective: "Worry most days, poor sleep, difficulty concentrating at work for 6 months.",
        objective: "Anxious but engaged. No thoughts of self-harm.", assessment: "Generalised anxiety disorder.", plan: "Talking therapy referral; sertraline started; review in 2 weeks.",
        drug: Some(("Sertraline", "50 mg", "tablet", "1 tablet", "once a day", 28, 28)), chronic: true },
    Scenario { code: "L20.9", description: "Atopic dermatitis, unspecified", subjective: "Itchy dry patches on both elbows, worse in winter.",
        objective: "Dry erythematous plaques in the antecubital fossae.", assessment: "Atopic eczema flare.", plan: "Emollients often; hydrocortisone cream for a week.",
        drug: Some(("Hydrocortisone", "1 %", "cream", "thin layer", "twice a day", 7, 1)), chronic: false },
    Scenario { code: "Z00.00", description: "Encounter for general adult medical examination without abnormal findings", subjective: "Routine check-up. No complaints.",
        objective: "Examination normal.", assessment: "Healthy adult.", plan: "Lifestyle advice. Next check-up in a year.", drug: None, chronic: false },
];

/// What the demo's doctors prescribe from, and templates for two of its visit types.
pub(super) async fn formulary_and_templates(clinic: &Clinic, manager: &Session, types: &[AppointmentType]) -> Result<()> {
    for (name, strength, form, route, dose, frequency) in FORMULARY {
        let input = FormularyDrugInput { name: name.to_string(), strength: strength.to_string(), form: form.to_string(), route: *route,
            usual_dose: Some(dose.to_string()), usual_frequency: Some(frequency.to_string()) };
        add_formulary_drug(clinic, manager, input).await?;
    }
    let template = |s: &str, o: &str, a: &str, p: &str| NoteText { subjective: Some(s.into()), objective: Some(o.into()), assessment: Some(a.into()), plan: Some(p.into()), body: None };
    for t in types {
        let text = match t.name.as_str() {
            "Consultation" => template("Presenting complaint:\nHistory:", "Examination:", "Impression:", "Plan:\nFollow-up:"),
            "Check-up" => template("Concerns:\nLifestyle (smoking, alcohol, exercise):", "BP, weight, general examination:", "Summary:", "Screening due:\nAdvice given:"),
            _ => continue,
        };
        set_note_template(clinic, manager, t.id, text).await?;
    }
    Ok(())
}

/// A signed consultation, with its vitals, diagnosis and prescription, for each of the first
/// doctor's completed appointments (the newest `limit`), and a few for the others.
pub(super) async fn history(clinic: &Clinic, doctor: &Session, rng: &mut StdRng, limit: i64) -> Result<usize> {
    let practitioner = sqlx::query_scalar!(r#"SELECT id AS "id: Uuid" FROM practitioner WHERE staff_id = ?"#, doctor.staff_id)
        .fetch_one(clinic.store().pool()).await?;
    let visits: Vec<Visit> = sqlx::query!(
        r#"SELECT a.id AS "id: Uuid", a.patient_id AS "patient_id: Uuid", a.starts_at, a.ends_at, t.name AS type_name
           FROM appointment a JOIN appointment_type t ON t.id = a.type_id
           WHERE a.practitioner_id = ? AND a.status = 'completed' ORDER BY a.starts_at DESC LIMIT ?"#, practitioner, limit
    ).fetch_all(clinic.store().pool()).await?.into_iter().rev()
        .map(|v| Visit { id: Some(v.id), patient_id: v.patient_id, starts_at: v.starts_at, ends_at: v.ends_at, type_name: v.type_name }).collect();
    record_visits(clinic, doctor, practitioner, &visits, rng).await?;
    Ok(visits.len())
}

struct Visit {
    /// The appointment, if it was one.
    id: Option<Uuid>,
    patient_id: Uuid,
    starts_at: i64,
    ends_at: i64,
    type_name: String,
}

/// The benchmark's long chart: years of history.
#[derive(Debug, Clone, Copy)]
pub struct History {
    /// Consultations, a week apart up to now.
    pub visits: usize,
    /// Vital sign sets in all (one per visit, the rest home readings between visits).
    pub vitals: usize,
    /// Scans attached to the record (small PDFs, stored as any attachment is).
    pub attachments: usize,
}

/// One patient given `history`.
pub async fn long_history(clinic: &Clinic, doctor: &Session, patient_id: Uuid, history: History, rng: &mut StdRng) -> Result<()> {
    let History { visits, vitals, attachments } = history;
    let practitioner = sqlx::query_scalar!(r#"SELECT id AS "id: Uuid" FROM practitioner WHERE staff_id = ?"#, doctor.staff_id)
        .fetch_one(clinic.store().pool()).await?;
    let now = clinic.clock().now().timestamp_millis();
    let week = 7 * 86_400_000;
    let list: Vec<Visit> = (0..visits as i64).rev().map(|i| Visit { id: None, patient_id, starts_at: now - (i + 1) * week, ends_at: now - (i + 1) * week + 1_200_000,
        type_name: "Consultation".into() }).collect();
    record_visits(clinic, doctor, practitioner, &list, rng).await?;
    // The rest of the measurements: home readings between visits.
    let mut w = Write::begin_as(clinic, Some(doctor.staff_id)).await?;
    let (org, hlc, by) = (w.org_id(), w.hlc.clone(), doctor.staff_id);
    for i in 0..vitals.saturating_sub(visits) as i64 {
        let at = now - i * 86_400_000 / 2 - 3_600_000;
        let (systolic, diastolic, pulse) = (rng.random_range(112..150), rng.random_range(68..96), rng.random_range(58..96));
        sqlx::query!(
            "INSERT INTO vital_signs (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, patient_id, taken_at, systolic, diastolic, pulse)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            Uuid::now_v7(), org, at, by, at, hlc, by, patient_id, at, systolic, diastolic, pulse
        ).execute(w.conn()).await?;
    }
    w.audit("demo_seed", "vital_signs", None, crate::audit::Details::facts(json!({"patient": patient_id, "vitals": vitals})));
    w.commit().await?;
    for i in 0..attachments {
        let bytes = format!("%PDF-1.4\n% Clinic Desk benchmark: scanned letter {i}\n%%EOF\n").into_bytes();
        add_attachment(clinic, doctor, AttachmentInput { patient_id, encounter_id: None, file_name: format!("letter-{i:03}.pdf"),
            description: Some(format!("Hospital letter {i}")), bytes }).await?;
    }
    Ok(())
}

async fn record_visits(clinic: &Clinic, doctor: &Session, practitioner: Uuid, visits: &[Visit], rng: &mut StdRng) -> Result<()> {
    let signer = doctor.signer.clone().ok_or_else(|| Error::new(Code::Internal, "internal: the demo doctor's key is not open"))?;
    let note_kind = clinic_sync::entity("clinical_note").expect("declared");
    let mut w = Write::begin_as(clinic, Some(doctor.staff_id)).await?;
    let (org, hlc, by) = (w.org_id(), w.hlc.clone(), doctor.staff_id);
    for v in visits {
        let s = SCENARIOS.choose(rng).expect("scenarios");
        let (encounter, note, at, end) = (Uuid::now_v7(), Uuid::now_v7(), v.starts_at, v.ends_at);
        sqlx::query!(
            "INSERT INTO encounter (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, patient_id, practitioner_id, appointment_id,
                                    reason, started_at, ended_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed')",
            encounter, org, at, by, end, hlc, by, v.patient_id, practitioner, v.id, v.type_name, at, end
        ).execute(w.conn()).await?;
        let mut content = Map::new();
        for (k, value) in [("encounter_id", json!(encounter)), ("patient_id", json!(v.patient_id)), ("author_id", json!(by)), ("format", json!("soap")),
            ("subjective", json!(s.subjective)), ("objective", json!(s.objective)), ("assessment", json!(s.assessment)), ("plan", json!(s.plan)), ("body", Value::Null)] {
            content.insert(k.into(), value);
        }
        let hash = content_hash(note_kind, |f| content.get(f).cloned());
        let signature = sign(&signer, note_kind.name, note, &hash, end);
        sqlx::query!(
            "INSERT INTO clinical_note (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, encounter_id, patient_id, author_id, format,
                                        subjective, objective, assessment, plan, signed_at, content_hash, signature)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'soap', ?, ?, ?, ?, ?, ?, ?)",
            note, org, at, by, end, hlc, by, encounter, v.patient_id, by, s.subjective, s.objective, s.assessment, s.plan, end, hash, signature
        ).execute(w.conn()).await?;
        let hypertensive = s.code == "I10";
        let (systolic, diastolic) = if hypertensive { (rng.random_range(142..168), rng.random_range(88..102)) } else { (rng.random_range(108..134), rng.random_range(64..84)) };
        let (pulse, temp, spo2) = (rng.random_range(58..96), rng.random_range(361..378), rng.random_range(95..100));
        let (weight, height) = (rng.random_range(52_000..96_000), rng.random_range(1_550..1_880));
        sqlx::query!(
            "INSERT INTO vital_signs (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, patient_id, encounter_id, taken_at,
                                      systolic, diastolic, pulse, temperature_dc, spo2, weight_g, height_mm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            Uuid::now_v7(), org, at, by, at, hlc, by, v.patient_id, encounter, at, systolic, diastolic, pulse, temp, spo2, weight, height
        ).execute(w.conn()).await?;
        let listed = sqlx::query_scalar!("SELECT 1 AS one FROM diagnosis WHERE patient_id = ? AND code = ?", v.patient_id, s.code).fetch_optional(w.conn()).await?;
        if listed.is_none() {
            let day = crate::clock::from_millis(at).date_naive();
            let (status, onset, resolved) = if s.chronic { ("active", day.to_string(), None) } else { ("resolved", day.to_string(), Some(day.to_string())) };
            sqlx::query!(
                "INSERT INTO diagnosis (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, patient_id, encounter_id, code, description,
                                        status, onset, resolved_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                Uuid::now_v7(), org, at, by, at, hlc, by, v.patient_id, encounter, s.code, s.description, status, onset, resolved
            ).execute(w.conn()).await?;
        }
        if let Some((drug, strength, form, dose, frequency, days, quantity)) = s.drug {
            sqlx::query!(
                "INSERT INTO prescription (id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, patient_id, encounter_id, prescriber_id,
                                           drug, strength, form, dose, route, frequency, duration_days, quantity, repeats, prescribed_at, status, first_printed_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'active', ?)",
                Uuid::now_v7(), org, at, by, at, hlc, by, v.patient_id, encounter, by, drug, strength, form, dose,
                if form == "inhaler" { "inhaled" } else if form == "cream" { "topical" } else { "oral" }, frequency, days, quantity, end, end
            ).execute(w.conn()).await?;
        }
    }
    w.audit("demo_seed", "encounter", None, crate::audit::Details::facts(json!({"consultations": visits.len()})));
    w.commit().await
}

#[cfg(test)]
mod tests {
    use super::SCENARIOS;
    use crate::clinical::icd10::lookup;

    #[test]
    fn every_demo_diagnosis_is_a_code_of_the_code_set() {
        for s in SCENARIOS {
            let code = lookup(s.code).unwrap_or_else(|| panic!("{} is not an ICD-10-CM code", s.code));
            assert_eq!(code.description, s.description, "{}", s.code);
        }
    }
}
