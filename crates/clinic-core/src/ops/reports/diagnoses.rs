//! The most frequent diagnoses recorded in the period: by ICD-10-CM chapter, and the codes
//! themselves (the fifty most frequent). Diagnoses entered in error do not count. From the
//! diagnosis tally.

use std::collections::HashMap;

use super::{step, ChartKind, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::clinical::icd10;
use crate::error::Result;

/// How many codes the list by code shows.
pub const MOST_CODES: usize = 50;

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let currency = crate::ops::setup::site_settings(clinic, &mut conn).await?.currency;
    let (from, to) = scope.period.bounds();
    let codes = sqlx::query!(
        r#"SELECT code AS "code!: String", sum(diagnoses) AS "n!: i64" FROM diagnosis_tally WHERE day >= ?1 AND day <= ?2
               AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4)
           GROUP BY code HAVING sum(diagnoses) > 0 ORDER BY sum(diagnoses) DESC, code"#,
        from, to, scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    step(progress, 1, 1)?;
    let total: i64 = codes.iter().map(|c| c.n).sum();
    let mut per_chapter: HashMap<u8, i64> = HashMap::new();
    for c in &codes {
        *per_chapter.entry(icd10::chapter_of(&c.code).map_or(0, |ch| ch.number)).or_default() += c.n;
    }
    let mut chapters = Table::new("By chapter", &[("Chapter", Kind::Text), ("Codes", Kind::Text), ("Diagnoses", Kind::Count), ("Share", Kind::Percent)]);
    let mut listed: Vec<(u8, i64)> = per_chapter.into_iter().collect();
    listed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    chapters.rows = listed.into_iter().map(|(number, n)| {
        let chapter = icd10::chapters().iter().find(|c| c.number == number);
        let title = chapter.map_or("Not in ICD-10-CM".to_string(), |c| c.title.clone());
        vec![title.into(), chapter.map_or(String::new(), |c| c.range.clone()).into(), n.into(), super::appointments::rate(n, total).into()]
    }).collect();
    chapters.total = Some(vec!["Total".into(), "".into(), total.into(), (if total == 0 { 0 } else { 10_000 }).into()]);
    let chapters = chapters.chart(ChartKind::Bars, &["Diagnoses"], currency);
    let mut by_code = Table::new("By code", &[("Code", Kind::Text), ("Description", Kind::Text), ("Diagnoses", Kind::Count)]);
    by_code.rows = codes.iter().take(MOST_CODES).map(|c| {
        let description = icd10::lookup(&c.code).map_or(String::new(), |d| d.description.clone());
        vec![c.code.clone().into(), description.into(), c.n.into()]
    }).collect();
    if codes.len() > MOST_CODES {
        by_code.note = Some(format!("The {MOST_CODES} most frequent of {} codes recorded.", codes.len()));
    }
    Ok(Report { title: "Diagnoses".into(), subtitle: scope.subtitle.clone(), currency, tables: vec![chapters, by_code] })
}
