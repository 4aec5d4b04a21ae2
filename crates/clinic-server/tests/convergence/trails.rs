//! The audit trail, held to the server (issue 9, findings 3 and 4): with the database key one can
//! rewrite a workstation's own store, but not what the server acknowledged. `verify` in the window
//! finds entries cut off the end of a trail, and an entry forged for another workstation.

use clinic_core::audit::verify;
use clinic_core::Clinic;
use clinic_sync::audit_chain::ChainEntry;

use crate::desks::*;
use crate::server_harness::TestServer;
use crate::stories::{assert_converged, two_desks};

async fn own_device(clinic: &Clinic) -> uuid::Uuid {
    clinic.device().unwrap().id
}

#[tokio::test]
async fn entries_cut_off_the_end_of_a_trail_are_found_against_the_server_s_head() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    let rita = a.log_in("rita").await;
    for name in ["Ana", "Rui", "Inês"] {
        register(&a, &rita, name).await;
    }
    assert_converged(&[&a, &b]).await;
    let report = verify(&a.clinic, &clinic.admin).await.unwrap();
    assert!(report.compared_with_server && report.problems.is_empty(), "{report:?}");
    // With the database key: the no-delete rule dropped, the newest entries deleted.
    let device = own_device(&a.clinic).await;
    let newest: i64 = sqlx::query_scalar("SELECT max(seq) FROM audit_event WHERE device_id = ?").bind(device).fetch_one(a.clinic.store().pool()).await.unwrap();
    sqlx::query("DROP TRIGGER audit_event_no_delete").execute(a.clinic.store().pool()).await.unwrap();
    sqlx::query("DELETE FROM audit_event WHERE device_id = ? AND seq > ?").bind(device).bind(newest - 3).execute(a.clinic.store().pool()).await.unwrap();
    // What remains still links up: on its own, the trail looks intact.
    let report = verify(&a.clinic, &clinic.admin).await.unwrap();
    let found: Vec<_> = report.problems.iter().map(|p| (p.device_id, p.problem.as_str())).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, device);
    assert!(found[0].1.starts_with(&format!("entries {} to", newest - 2)), "{}", found[0].1);
    assert!(found[0].1.ends_with("are missing here: the server acknowledged them"), "{}", found[0].1);
}

#[tokio::test]
async fn an_entry_forged_for_another_workstation_is_refused_by_the_server_and_found_where_it_was_written() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    assert_converged(&[&a, &b]).await;
    let a_device = own_device(&a.clinic).await;
    // On desk B, with its database key: an entry 'by desk A', well formed and linked.
    let last: ChainEntry = sqlx::query_as::<_, (uuid::Uuid, uuid::Uuid, i64, i64, String, String, String, String)>(
        "SELECT id, org_id, seq, at, action, entity, details, hash FROM audit_event WHERE device_id = ? ORDER BY seq DESC LIMIT 1")
        .bind(a_device).fetch_one(b.clinic.store().pool()).await
        .map(|(id, org_id, seq, at, action, entity, details, hash)| ChainEntry {
            id, org_id, device_id: a_device, seq, at, staff_id: None, action, entity, entity_id: None, details, prev_hash: String::new(), hash,
        }).unwrap();
    let mut forged = ChainEntry {
        id: uuid::Uuid::now_v7(), seq: last.seq + 1, action: "export".into(), details: "{}".into(), prev_hash: last.hash.clone(), ..last
    };
    forged.hash = forged.computed_hash();
    sqlx::query("INSERT INTO audit_event (id, org_id, device_id, seq, at, action, entity, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(forged.id).bind(forged.org_id).bind(a_device).bind(forged.seq).bind(forged.at).bind(&forged.action).bind(&forged.entity)
        .bind(&forged.details).bind(&forged.prev_hash).bind(&forged.hash).execute(b.clinic.store().pool()).await.unwrap();
    b.sync().await;
    let admin_b = b.log_in("ada").await;
    let report = verify(&b.clinic, &admin_b).await.unwrap();
    let found: Vec<_> = report.problems.iter().map(|p| (p.device_id, p.seq, p.problem.as_str())).collect();
    assert_eq!(found, [(a_device, forged.seq, "was never acknowledged by the server: that workstation did not write it")]);
    // It never left desk B: desk A's trail, here and on the server, is intact.
    a.sync().await;
    let report = verify(&a.clinic, &clinic.admin).await.unwrap();
    assert!(report.problems.is_empty(), "{report:?}");
    let org = sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM organisation").fetch_one(&server.server.db).await.unwrap();
    assert_eq!(clinic_server::audit::verify(&server.server.db, org).await.unwrap().1, vec![]);
    // A's real entry with that number reaches desk B: not silently dropped behind the forgery, but
    // set aside for Needs attention.
    let rita = a.log_in("rita").await;
    register(&a, &rita, "Ana").await;
    a.sync().await;
    b.sync().await;
    let set_aside: Vec<String> = sqlx::query_scalar("SELECT reason FROM sync_set_aside WHERE entity = 'audit_event'")
        .fetch_all(b.clinic.store().pool()).await.unwrap();
    assert_eq!(set_aside.len(), 1, "{set_aside:?}");
    assert!(set_aside[0].contains("holds another audit entry with the same number"), "{set_aside:?}");
}
