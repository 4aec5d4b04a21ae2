//! A workstation that syncs, lost and restored from its backup onto a new computer: it catches up
//! with the server as it is restored, so what it did after the backup comes back, nothing is
//! applied twice, its record and invoice numbers carry on past the ones it gave, and its audit
//! chain stays whole on the server.

use std::ops::ControlFlow;

use clinic_core::backup;
use clinic_core::clock::Clock;
use clinic_core::ops::billing::invoices::{finalise_invoice, save_invoice_draft, start_invoice, DraftInput, InvoiceFrom, LineInput};
use clinic_core::Code;

use crate::desks::{register, Desk};
use crate::server_harness::TestServer;
use crate::stories::{assert_converged, two_desks};

#[tokio::test]
async fn a_restored_workstation_catches_up_without_losing_or_repeating_anything() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    let (admin, rita) = (a.log_in("ada").await, a.log_in("rita").await);
    let usb = tempfile::tempdir().unwrap();
    backup::choose_folder(&a.clinic, &admin, usb.path().to_str().unwrap()).await.unwrap();
    let code = backup::new_recovery_code(&a.clinic, &admin).await.unwrap().code;

    // Ana reached the server before the backup; Bea is still waiting in A's outbox when it is made.
    let ana = register(&a, &rita, "Ana").await;
    a.sync().await;
    let bea = register(&a, &rita, "Bea").await;
    let made = backup::back_up_now(&a.clinic, &admin, &*a.keys, &|_| ControlFlow::Continue(())).await.unwrap();
    // After the backup A goes on working and syncing: Bea goes up, Caio is registered, an invoice issued.
    let caio = register(&a, &rita, "Caio").await;
    let issued = invoice(&a, &rita).await;
    a.sync().await;
    let changes_before = changes(&server).await;

    // A's disk dies. On a new computer, with only the backup folder and the recovery code:
    let (restored, done) = Desk::restored(std::path::Path::new(&made.path), &code.grouped(), a.clock.now()).await.unwrap();
    assert!(done.caught_up.unwrap() > 0, "it pulled what A did after the backup");
    assert_eq!(changes(&server).await, changes_before, "Bea's change, already on the server, was not applied again");
    let rita_again = restored.log_in("rita").await;
    for p in [&ana, &bea, &caio] {
        clinic_core::ops::patients::open_patient(&restored.clinic, &rita_again, p.id).await.expect("nothing lost");
    }
    // Its numbers carry on after Caio's, not after Bea's.
    let eva = register(&restored, &rita_again, "Eva").await;
    let seq = |mrn: &str| mrn.split('-').nth(1).unwrap().parse::<i64>().unwrap();
    assert_eq!(seq(&eva.mrn), seq(&caio.mrn) + 1, "{} after {}", eva.mrn, caio.mrn);
    let next = invoice(&restored, &rita_again).await;
    assert_eq!((next.0.as_str(), next.1), (issued.0.as_str(), issued.1 + 1), "the invoice series carries on, with no number given twice");
    assert_converged(&[&restored, &b]).await;
    // The audit chain the server holds for this workstation is whole.
    let org: uuid::Uuid = sqlx::query_scalar("SELECT org_id FROM change_log LIMIT 1").fetch_one(&server.server.db).await.unwrap();
    let (_, problems) = clinic_server::audit::verify(&server.server.db, org).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let _ = clinic;
}

/// Issues an invoice of one line at the counter; answers its series and number in it.
async fn invoice(desk: &Desk, cashier: &clinic_core::auth::Session) -> (String, i64) {
    let d = start_invoice(&desk.clinic, cashier, InvoiceFrom::Counter).await.unwrap();
    let lines = vec![LineInput { description: "Consultation".into(), item_id: None, quantity: 1, unit_price: "45.00".into(), discount: String::new(), tax_rate: "0".into() }];
    save_invoice_draft(&desk.clinic, cashier, d.id, DraftInput { lines, discount: String::new(), customer_name: None, service_date: None }).await.unwrap();
    let issued = finalise_invoice(&desk.clinic, cashier, d.id).await.unwrap();
    let (series, seq): (String, i64) = sqlx::query_as("SELECT series, seq FROM invoice WHERE id = ?").bind(issued.id).fetch_one(desk.clinic.store().pool()).await.unwrap();
    (series, seq)
}

/// The changes the server has applied, all told.
async fn changes(server: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM change_log").fetch_one(&server.server.db).await.unwrap()
}

#[tokio::test]
async fn a_workstation_that_syncs_is_not_restored_while_its_server_will_not_answer_it() {
    let server = TestServer::start().await;
    let (a, _b, _) = two_desks(&server).await;
    let admin = a.log_in("ada").await;
    let usb = tempfile::tempdir().unwrap();
    backup::choose_folder(&a.clinic, &admin, usb.path().to_str().unwrap()).await.unwrap();
    let code = backup::new_recovery_code(&a.clinic, &admin).await.unwrap().code;
    let made = backup::back_up_now(&a.clinic, &admin, &*a.keys, &|_| ControlFlow::Continue(())).await.unwrap();
    // The server no longer answers this workstation (its laptop was reported stolen).
    clinic_server::admin::revoke_device(&server.server.db, a.clinic.device().unwrap().id).await.unwrap();
    let e = Desk::restored(std::path::Path::new(&made.path), &code.grouped(), a.clock.now()).await.err().expect("refused");
    assert_eq!(e.code, Code::SyncUnavailable, "{e:?}");
    assert!(e.message.contains("nothing was changed"), "{}", e.message);
}
