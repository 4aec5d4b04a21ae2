//! What the report form offers: the reports this person may run (each report's own permission),
//! and the sites and practitioners a report can be narrowed to (those `run` accepts).

use serde::Serialize;
use uuid::Uuid;

use super::ReportName;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::Result;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ReportChoices {
    /// In the order of `ReportName::ALL`.
    pub reports: Vec<ReportName>,
    /// The organisation's sites and practitioners, by name.
    pub sites: Vec<Choice>,
    pub practitioners: Vec<Choice>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Choice {
    pub id: Uuid,
    pub name: String,
}

pub async fn report_choices(clinic: &Clinic, session: &Session) -> Result<ReportChoices> {
    let roles = crate::auth::authorize_any(clinic, session, &[Permission::ViewReports, Permission::ViewAudit]).await?;
    let pool = clinic.store().pool();
    let sites = sqlx::query_as!(Choice, r#"SELECT id AS "id!: Uuid", name FROM site WHERE deleted_at IS NULL ORDER BY name"#)
        .fetch_all(pool).await?;
    let practitioners = sqlx::query_as!(Choice,
        r#"SELECT id AS "id!: Uuid", display_name AS name FROM practitioner WHERE deleted_at IS NULL ORDER BY display_name"#
    ).fetch_all(pool).await?;
    let reports = ReportName::ALL.into_iter().filter(|r| roles.allow(r.permission()).is_ok()).collect();
    Ok(ReportChoices { reports, sites, practitioners })
}
