//! What the report form offers: the reports each role may run (each report's own permission), and
//! the sites and practitioners a report can be narrowed to.

use clinic_core::ops::reports::choices::report_choices;
use clinic_core::ops::reports::ReportName;
use clinic_core::Code;

use crate::helpers::*;

#[tokio::test]
async fn a_manager_is_offered_the_clinic_s_reports_an_admin_who_opened_which_chart_and_the_front_desk_none() {
    let f = front_desk().await;
    let c = &f.t.clinic;
    let manager = report_choices(c, &f.manager).await.unwrap();
    let managers: Vec<ReportName> = ReportName::ALL.into_iter().filter(|r| *r != ReportName::ChartAccess).collect();
    assert_eq!(manager.reports, managers);
    assert_eq!(manager.sites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Harbour Clinic"]);
    assert_eq!(manager.practitioners.iter().map(|p| p.id).collect::<Vec<_>>(), [f.practitioner.id]);

    let admin = report_choices(c, &f.t.admin).await.unwrap();
    assert_eq!(admin.reports, [ReportName::ChartAccess]);

    assert_eq!(report_choices(c, &f.desk).await.unwrap_err().code, Code::PermissionDenied);
}
