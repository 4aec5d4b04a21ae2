//! Vital signs: measured together as one set, each an observation with its LOINC code and UCUM
//! unit. A value no living patient shows is a typing error and refused with the plausible range;
//! a value outside the usual adult range is kept and flagged. BMI is derived, never typed.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::clock::from_millis;
use crate::error::{Error, Result};
use crate::ops::calendar::local_to_utc;
use crate::write::Write;

/// One kind of measurement: how it is stored, coded and judged.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct Measure {
    /// The name the window and the input use (`systolic`, `temperature`…).
    pub key: &'static str,
    pub loinc: &'static str,
    pub name: &'static str,
    /// UCUM.
    pub unit: &'static str,
    /// What can be measured at all (outside: refused), in `unit`.
    pub plausible: (f64, f64),
    /// The usual adult range (outside: flagged), in `unit`.
    pub usual: (f64, f64),
    #[serde(skip)]
    column: &'static str,
    /// Stored units per `unit` (tenths of a degree, grams per kilogram).
    #[serde(skip)]
    scale: f64,
}

const fn measure(key: &'static str, loinc: &'static str, name: &'static str, unit: &'static str, plausible: (f64, f64), usual: (f64, f64), column: &'static str, scale: f64) -> Measure {
    Measure { key, loinc, name, unit, plausible, usual, column, scale }
}

/// The measures, in the order a chart shows them. The plausible ranges match the declaration's
/// (clinic-sync `vital_signs`), which the server holds every workstation to.
pub const MEASURES: [Measure; 8] = [
    measure("systolic", "8480-6", "Systolic blood pressure", "mm[Hg]", (50.0, 300.0), (90.0, 139.0), "systolic", 1.0),
    measure("diastolic", "8462-4", "Diastolic blood pressure", "mm[Hg]", (20.0, 200.0), (60.0, 89.0), "diastolic", 1.0),
    measure("pulse", "8867-4", "Heart rate", "/min", (20.0, 300.0), (60.0, 100.0), "pulse", 1.0),
    measure("temperature", "8310-5", "Body temperature", "Cel", (25.0, 45.0), (36.0, 37.9), "temperature_dc", 10.0),
    measure("respiratory_rate", "9279-1", "Respiratory rate", "/min", (4.0, 80.0), (12.0, 20.0), "respiratory_rate", 1.0),
    measure("spo2", "59408-5", "Oxygen saturation (pulse oximetry)", "%", (50.0, 100.0), (95.0, 100.0), "spo2", 1.0),
    measure("weight", "29463-7", "Body weight", "kg", (0.3, 500.0), (0.3, 500.0), "weight_g", 1000.0),
    measure("height", "8302-2", "Body height", "cm", (20.0, 280.0), (20.0, 280.0), "height_mm", 10.0),
];
/// Derived from weight and the latest height.
pub const BMI: Measure = measure("bmi", "39156-5", "Body mass index", "kg/m2", (5.0, 200.0), (18.5, 24.9), "", 1.0);

pub fn vital_measures() -> Vec<Measure> {
    MEASURES.iter().copied().chain([BMI]).collect()
}

#[derive(Debug, Clone, Default, Deserialize, specta::Type)]
pub struct VitalsInput {
    pub patient_id: Uuid,
    pub encounter_id: Option<Uuid>,
    /// Site wall time; none for now.
    pub taken_at: Option<NaiveDateTime>,
    /// By measure key (`systolic`, `temperature` in °C, `weight` in kg, `height` in cm…).
    pub values: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Observation {
    pub key: &'static str,
    pub loinc: &'static str,
    pub value: f64,
    pub unit: &'static str,
    /// "low" or "high" when outside the usual range.
    pub flag: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct VitalSet {
    pub id: Uuid,
    pub taken_at: DateTime<Utc>,
    pub observations: Vec<Observation>,
}

/// A UCUM unit as people write it, for messages ("mm Hg", not "mm[Hg]").
fn written(unit: &str) -> &str {
    match unit {
        "mm[Hg]" => "mm Hg",
        "Cel" => "°C",
        "kg/m2" => "kg/m²",
        other => other,
    }
}

fn flag(m: &Measure, value: f64) -> Option<&'static str> {
    if value < m.usual.0 { Some("low") } else if value > m.usual.1 { Some("high") } else { None }
}

pub(crate) fn observation(m: &Measure, value: f64) -> Observation {
    Observation { key: m.key, loinc: m.loinc, value, unit: m.unit, flag: flag(m, value) }
}

/// A stored set as observations (with BMI when both weight and height are known: `height_mm`
/// from this set or the latest before it).
pub(crate) fn observations(stored: [Option<i64>; 8], height_mm: Option<i64>) -> Vec<Observation> {
    let mut all: Vec<Observation> = MEASURES.iter().zip(stored).filter_map(|(m, v)| v.map(|v| observation(m, v as f64 / m.scale))).collect();
    if let (Some(weight), Some(height)) = (stored[6], stored[7].or(height_mm)) {
        let metres = height as f64 / 1000.0;
        let bmi = ((weight as f64 / 1000.0) / (metres * metres) * 10.0).round() / 10.0;
        all.push(observation(&BMI, bmi));
    }
    all
}

/// Records a set of vital signs for a patient, refusing any value no patient shows.
pub async fn record_vitals(clinic: &Clinic, session: &Session, input: VitalsInput) -> Result<VitalSet> {
    let mut w = Write::begin(clinic, session, Permission::WriteClinical).await?;
    super::chart_of(w.conn(), input.patient_id).await?;
    if input.values.is_empty() {
        return Err(Error::invalid("values", "Enter at least one measurement."));
    }
    let taken_at = match input.taken_at {
        Some(local) => local_to_utc(w.site().await?.time_zone, local, "taken_at")?.timestamp_millis(),
        None => w.now,
    };
    // A minute's grace for clocks a little apart; a later time is a typing error.
    if taken_at > w.now + 60_000 {
        return Err(Error::invalid("taken_at", "The measurements cannot be taken in the future."));
    }
    let mut fields = vec![("patient_id", json!(input.patient_id)), ("encounter_id", json!(input.encounter_id)), ("taken_at", json!(taken_at))];
    let mut stored = [None; 8];
    for (key, value) in &input.values {
        let (i, m) = MEASURES.iter().enumerate().find(|(_, m)| m.key == key)
            .ok_or_else(|| Error::invalid("values", format!("“{key}” is not a vital sign this app records.")))?;
        if !value.is_finite() || *value < m.plausible.0 || *value > m.plausible.1 {
            return Err(Error::invalid(m.key, format!("{} of {value} {} is not plausible: it must be between {} and {}.",
                m.name, written(m.unit), m.plausible.0, m.plausible.1)));
        }
        if stored[i].is_some() {
            return Err(Error::invalid(m.key, format!("{} is given twice.", m.name)));
        }
        let units = (value * m.scale).round() as i64;
        stored[i] = Some(units);
        fields.push((m.column, json!(units)));
    }
    if stored[0].is_some() != stored[1].is_some() {
        return Err(Error::invalid("systolic", "Give both the systolic and the diastolic pressure."));
    }
    if let (Some(s), Some(d)) = (stored[0], stored[1]) {
        if s <= d {
            return Err(Error::invalid("diastolic", "The diastolic pressure must be lower than the systolic."));
        }
    }
    if let Some(encounter) = input.encounter_id {
        sqlx::query_scalar!("SELECT 1 AS one FROM encounter WHERE id = ? AND patient_id = ? AND deleted_at IS NULL", encounter, input.patient_id)
            .fetch_optional(w.conn()).await?.ok_or_else(|| Error::not_found("The consultation"))?;
    }
    let id = Uuid::now_v7();
    super::create(&mut w, "vital_signs", id, &fields).await?;
    let height = latest_height(w.conn(), input.patient_id).await?;
    w.commit().await?;
    Ok(VitalSet { id, taken_at: from_millis(taken_at), observations: observations(stored, height) })
}

/// The patient's latest height: BMI uses it when a set has only a weight.
pub(crate) async fn latest_height(conn: &mut sqlx::SqliteConnection, patient_id: Uuid) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "SELECT height_mm FROM vital_signs WHERE patient_id = ? AND height_mm IS NOT NULL AND deleted_at IS NULL ORDER BY taken_at DESC LIMIT 1",
        patient_id
    ).fetch_optional(conn).await?.flatten())
}
