//! Likely duplicates, shown before a new record is saved: same national id, same name and date of
//! birth, same phone, or a similar name born within a year.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::details::{PatientDetails, PatientInput};
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::fold;
use crate::error::Result;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DuplicateCandidate {
    pub id: Uuid,
    pub mrn: String,
    pub full_name: String,
    pub birth_date: String,
    /// Why it looks like the same person, in words for the receptionist.
    pub reason: String,
}

/// Names at least this alike (Jaro-Winkler over folded full names) count as similar.
const SIMILAR: f64 = 0.9;

struct Row {
    id: Uuid,
    mrn: String,
    given_name: String,
    family_name: String,
    birth_date: String,
}

fn candidate(r: Row, reason: &str) -> DuplicateCandidate {
    DuplicateCandidate { id: r.id, mrn: r.mrn, full_name: format!("{} {}", r.given_name, r.family_name), birth_date: r.birth_date, reason: reason.into() }
}

pub(crate) async fn find_duplicates(conn: &mut SqliteConnection, new: &PatientDetails, exclude: Option<Uuid>) -> Result<Vec<DuplicateCandidate>> {
    let mut found: Vec<DuplicateCandidate> = Vec::new();
    let mut add = |c: DuplicateCandidate| {
        if Some(c.id) != exclude && !found.iter().any(|f| f.id == c.id) {
            found.push(c);
        }
    };
    let name = fold(&new.full_name());

    if let Some(national_id) = &new.national_id {
        for r in sqlx::query_as!(Row, r#"SELECT id AS "id: Uuid", mrn, given_name, family_name, birth_date FROM patient
                 WHERE national_id = ? AND deleted_at IS NULL AND merged_into IS NULL"#, national_id)
            .fetch_all(&mut *conn).await?
        {
            add(candidate(r, "same national id"));
        }
    }

    let birth_date = new.birth.date.format("%Y-%m-%d").to_string();
    for r in sqlx::query_as!(Row, r#"SELECT id AS "id: Uuid", mrn, given_name, family_name, birth_date FROM patient
             WHERE birth_date = ? AND deleted_at IS NULL AND merged_into IS NULL"#, birth_date)
        .fetch_all(&mut *conn).await?
    {
        let theirs = fold(&format!("{} {}", r.given_name, r.family_name));
        if theirs == name {
            add(candidate(r, "same name and date of birth"));
        } else if strsim::jaro_winkler(&theirs, &name) >= SIMILAR {
            add(candidate(r, "similar name, same date of birth"));
        }
    }

    for phone in &new.phones {
        let query = format!("phone : \"{}\"", phone.digits());
        for r in sqlx::query_as!(Row, r#"SELECT p.id AS "id: Uuid", p.mrn, p.given_name, p.family_name, p.birth_date
                 FROM patient_search s JOIN patient p ON p.rowid = s.rowid WHERE patient_search MATCH ? LIMIT 10"#, query)
            .fetch_all(&mut *conn).await?
        {
            add(candidate(r, "same phone number"));
        }
    }

    // Similar names born within a year of each other: look among those sharing the first three
    // letters of both names.
    let prefix = |n: &str| fold(n).chars().filter(|c| c.is_alphanumeric()).take(3).collect::<String>();
    let (given, family) = (prefix(new.given_name.as_str()), prefix(new.family_name.as_str()));
    if !given.is_empty() && !family.is_empty() {
        let query = format!("name : \"{given}\"* AND name : \"{family}\"*");
        let year = new.birth.date.year();
        for r in sqlx::query_as!(Row, r#"SELECT p.id AS "id: Uuid", p.mrn, p.given_name, p.family_name, p.birth_date
                 FROM patient_search s JOIN patient p ON p.rowid = s.rowid WHERE patient_search MATCH ? LIMIT 500"#, query)
            .fetch_all(&mut *conn).await?
        {
            let theirs = fold(&format!("{} {}", r.given_name, r.family_name));
            let near = NaiveDate::parse_from_str(&r.birth_date, "%Y-%m-%d").is_ok_and(|d| (d.year() - year).abs() <= 1);
            if near && strsim::jaro_winkler(&theirs, &name) >= SIMILAR {
                add(candidate(r, "similar name, born around the same time"));
            }
        }
    }
    Ok(found)
}

/// The warning shown before saving a new patient.
pub async fn likely_duplicates(clinic: &Clinic, session: &Session, input: PatientInput) -> Result<Vec<DuplicateCandidate>> {
    crate::auth::authorize(clinic, session, Permission::RegisterPatients).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let zone = crate::ops::setup::site_settings(clinic, &mut conn).await?.time_zone;
    let today = clinic.clock().now().with_timezone(&zone).date_naive();
    let details = PatientDetails::parse(&input, today)?;
    find_duplicates(&mut conn, &details, None).await
}
