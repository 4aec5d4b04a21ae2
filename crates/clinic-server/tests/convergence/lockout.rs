//! A lockout is counted on the workstation where the wrong passwords were typed; an admin's
//! password reset on any other workstation lifts it once the staff record arrives.

use clinic_core::auth::login;
use clinic_core::ops::staff::reset_password;
use clinic_core::Code;

use crate::desks::*;
use crate::server_harness::TestServer;
use crate::stories::two_desks;

#[tokio::test]
async fn an_admins_reset_on_one_desk_lifts_the_lockout_on_another() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    let rita = a.log_in("rita").await;
    for _ in 0..5 {
        login(&b.clinic, "rita", "wrong password").await.unwrap_err();
    }
    assert_eq!(login(&b.clinic, "rita", PASSWORD).await.unwrap_err().code, Code::LoginFailed, "locked on desk B");
    reset_password(&a.clinic, &clinic.admin, rita.staff_id, "a brand new password").await.unwrap();
    a.sync().await;
    b.sync().await;
    login(&b.clinic, "rita", "a brand new password").await.unwrap();
}
