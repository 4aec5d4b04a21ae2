//! Find as you type: by name (case and accents folded), phone digits, record number or national id.

use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::Result;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PatientSummary {
    pub id: Uuid,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub sex: String,
    pub birth_date: String,
    pub phones: Vec<String>,
}

/// Turns what was typed into an FTS5 query: every word must match the start of a word of the
/// record. Phone numbers typed with spaces or dashes become one run of digits; hyphens inside a
/// record number are dropped, as they are in the index.
pub(crate) fn fts_query(typed: &str) -> Option<String> {
    let phone_like = typed.chars().any(|c| c.is_ascii_digit()) && typed.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let words: Vec<String> = if phone_like {
        vec![typed.chars().filter(char::is_ascii_digit).collect()]
    } else {
        typed
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .map(|w| if w.chars().any(|c| c.is_ascii_digit()) { w.replace('-', "") } else { w.to_string() })
            .map(|w| w.chars().filter(|c| c.is_alphanumeric() || "'’-".contains(*c)).collect::<String>())
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect()
    };
    if words.is_empty() {
        return None;
    }
    Some(words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" "))
}

/// Up to `limit` live records whose words start with what was typed, newest registrations first.
/// Results are not ranked by relevance on purpose: ranking costs ~1000× at a million patients,
/// and type-ahead narrows itself with each key.
pub async fn search_patients(clinic: &Clinic, session: &Session, typed: &str, limit: u32) -> Result<Vec<PatientSummary>> {
    crate::auth::authorize(clinic, session, Permission::ViewPatients).await?;
    let Some(query) = fts_query(typed) else { return Ok(Vec::new()) };
    let limit = limit.clamp(1, 200) as i64;
    let rows = sqlx::query!(
        r#"SELECT p.id AS "id: Uuid", p.mrn, p.given_name, p.family_name, p.sex, p.birth_date, p.phones
           FROM patient_search s JOIN patient p ON p.rowid = s.rowid
           WHERE patient_search MATCH ?
           ORDER BY s.rowid DESC LIMIT ?"#,
        query, limit
    )
    .fetch_all(clinic.store().pool())
    .await?;
    rows.into_iter()
        .map(|r| Ok(PatientSummary {
            id: r.id, mrn: r.mrn, given_name: r.given_name, family_name: r.family_name, sex: r.sex,
            birth_date: r.birth_date, phones: serde_json::from_str(&r.phones)?,
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn typed_text_becomes_prefix_terms() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("mar gar").unwrap(), "\"mar\"* \"gar\"*");
        assert_eq!(fts_query("Garcia, Maria").unwrap(), "\"Garcia\"* \"Maria\"*");
        assert_eq!(fts_query("+351 912-345").unwrap(), "\"351912345\"*");
        assert_eq!(fts_query("HC01-0000").unwrap(), "\"HC010000\"*");
        assert_eq!(fts_query("o\"brien").unwrap(), "\"obrien\"*");
        assert_eq!(fts_query("\"*)(").is_none(), true);
    }
}
