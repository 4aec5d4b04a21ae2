//! Installing an update is an admin's, and recorded (docs/updates.md); anyone else is refused with
//! nothing written.

use clinic_core::ops::updates::approve_update;
use clinic_core::Code;

use crate::helpers::*;

async fn approvals(f: &Front) -> Vec<String> {
    sqlx::query_scalar("SELECT details FROM audit_event WHERE action = 'approve_update' ORDER BY seq")
        .fetch_all(f.t.clinic.store().pool()).await.unwrap()
}

#[tokio::test]
async fn an_admin_approves_an_update_and_the_trail_says_from_which_version_to_which() {
    let f = front_desk().await;
    approve_update(&f.t.clinic, &f.t.admin, "0.1.0", "0.2.0").await.unwrap();
    let approved = approvals(&f).await;
    assert_eq!(approved.len(), 1);
    let details: serde_json::Value = serde_json::from_str(&approved[0]).unwrap();
    assert_eq!((details["from"].as_str(), details["to"].as_str()), (Some("0.1.0"), Some("0.2.0")), "{details}");
}

#[tokio::test]
async fn the_front_desk_cannot_install_an_update_and_nothing_is_written() {
    let f = front_desk().await;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_event").fetch_one(f.t.clinic.store().pool()).await.unwrap();
    let refused = approve_update(&f.t.clinic, &f.desk, "0.1.0", "0.2.0").await.unwrap_err();
    assert_eq!(refused.code, Code::PermissionDenied);
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_event").fetch_one(f.t.clinic.store().pool()).await.unwrap();
    assert_eq!(after, before, "a refused approval writes nothing");
    assert_eq!(approve_update(&f.t.clinic, &f.t.admin, "0.1.0", " ").await.unwrap_err().code, Code::Invalid);
    assert!(approvals(&f).await.is_empty());
}
