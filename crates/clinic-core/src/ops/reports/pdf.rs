//! A report as the PDF a manager saves or prints (`print::report_pdf`): run as `run` runs it (the
//! role and filters checked the same way), under the letterhead of the site it is about, or this
//! workstation's when it is about them all.

use super::{run, OnProgress, ReportRequest};
use crate::auth::Session;
use crate::clinic::Clinic;
use crate::error::Result;
use crate::ops::clinical::PrintedDocument;

pub async fn report_pdf(clinic: &Clinic, session: &Session, request: ReportRequest, progress: OnProgress<'_>) -> Result<PrintedDocument> {
    let site_id = match request.site_id {
        Some(site) => site,
        None => clinic.device()?.site_id,
    };
    let report = run(clinic, session, request, progress).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let letterhead = crate::ops::setup::letterhead(&mut conn, site_id).await?;
    let bytes = crate::print::report_pdf(&report, &letterhead, clinic.clock().now())?;
    // "Revenue 1–30 November 2026 · Lisbon.pdf": no character a file system refuses.
    let name: String = format!("{} {}", report.title, report.subtitle).chars().map(|c| if r#"/\:*?"<>|"#.contains(c) { '-' } else { c }).collect();
    Ok(PrintedDocument { file_name: format!("{name}.pdf"), bytes, copy: false })
}
