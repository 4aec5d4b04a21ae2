//! One bad value never stops a clinic's sync: a unique key used on two desks apart is kept and
//! shown as a conflict, a refused change is undone where it was made, and a record a desk cannot
//! store is set aside while the rest of its page applies.

use clinic_core::auth::login;
use clinic_core::ops::patients::{edit_patient, open_patient};
use clinic_core::ops::practitioners::{add_time_off, remove_time_off, TimeOffInput};
use clinic_core::ops::staff::{create_staff, set_staff_active, set_staff_roles, NewStaff};
use clinic_core::sync::needs_attention;

use crate::desks::*;
use crate::server_harness::TestServer;
use crate::stories::{assert_converged, two_desks, two_desks_and_a_patient};

fn jo(full_name: &str, password: &str) -> NewStaff {
    NewStaff { full_name: full_name.into(), username: "joana".into(), password: password.into(), roles: vec!["receptionist".into()] }
}

#[tokio::test]
async fn two_admins_apart_each_create_joana_and_every_desk_keeps_both() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    let admin_b = b.log_in("ada").await;
    create_staff(&a.clinic, &clinic.admin, jo("Jo Almeida", "first password 1")).await.unwrap();
    create_staff(&b.clinic, &admin_b, jo("Jo Bento", "second password 2")).await.unwrap();
    assert_converged(&[&a, &b]).await;
    for desk in [&a, &b] {
        let jos: i64 = sqlx::query_scalar("SELECT count(*) FROM staff WHERE username = 'joana'").fetch_one(desk.clinic.store().pool()).await.unwrap();
        assert_eq!(jos, 2, "both are kept on every desk");
        let attention = needs_attention(&desk.clinic, &desk.log_in("ada").await).await.unwrap();
        assert!(attention.conflicts.iter().any(|c| c.kind == "duplicate" && c.field.as_deref() == Some("username")), "{attention:?}");
        // Each Jo logs in with their own password.
        assert_eq!(login(&desk.clinic, "joana", "first password 1").await.unwrap().full_name, "Jo Almeida");
        assert_eq!(login(&desk.clinic, "joana", "second password 2").await.unwrap().full_name, "Jo Bento");
    }
    // A new workstation can still join the clinic.
    let org = sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM organisation").fetch_one(&server.server.db).await.unwrap();
    let c = Desk::empty().await;
    c.enrol(&server.url, &server.code(org).await, None).await.expect("a third desk joins");
    assert_converged(&[&a, &b, &c]).await;
}

#[tokio::test]
async fn a_refused_change_is_undone_where_it_was_made_and_kept_for_a_person() {
    let server = TestServer::start().await;
    let (a, b, clinic, _rita_a, rita_b, ana) = two_desks_and_a_patient(&server).await;
    // Rita's account is disabled on desk A while desk B, not synced yet, still lets her edit.
    let rita = rita_b.staff_id;
    set_staff_active(&a.clinic, &clinic.admin, rita, false).await.unwrap();
    a.sync().await;
    let mut input = person("Ana", "Quaresma");
    input.notes = Some("Prefers mornings".into());
    edit_patient(&b.clinic, &rita_b, ana.id, input).await.unwrap();
    b.sync().await;
    let manager_b = b.log_in("marta").await;
    let after = open_patient(&b.clinic, &manager_b, ana.id).await.unwrap();
    assert_eq!(after.notes, None, "the refused edit is undone on the desk that made it");
    let attention = needs_attention(&b.clinic, &manager_b).await.unwrap();
    assert_eq!(attention.refused.len(), 1, "and kept in Needs attention");
    assert_converged(&[&a, &b]).await;
}

#[tokio::test]
async fn a_record_a_desk_cannot_store_is_set_aside_and_the_rest_of_the_page_applies() {
    let server = TestServer::start().await;
    let (a, b, _clinic, rita_a, _rita_b, ana) = two_desks_and_a_patient(&server).await;
    let rui = register(&a, &rita_a, "Rui").await;
    a.sync().await;
    // A record the server holds that no desk could store (say, written by an older server before
    // it checked values): its priority is out of range.
    sqlx::query("UPDATE record SET data = jsonb_set(data, '{sex}', '\"dragon\"'), server_seq = nextval('server_seq') WHERE entity_id = $1")
        .bind(ana.id).execute(&server.server.db).await.unwrap();
    b.sync().await;
    let rita_b = b.log_in("rita").await;
    let attention = needs_attention(&b.clinic, &rita_b).await.unwrap();
    assert_eq!(attention.set_aside.len(), 1, "{attention:?}");
    assert!(attention.set_aside[0].reason.contains("sex"), "{}", attention.set_aside[0].reason);
    assert!(open_patient(&b.clinic, &rita_b, rui.id).await.is_ok(), "the rest of the page was applied");
    // A version the desk can store replaces it.
    sqlx::query("UPDATE record SET data = jsonb_set(data, '{sex}', '\"female\"'), server_seq = nextval('server_seq') WHERE entity_id = $1")
        .bind(ana.id).execute(&server.server.db).await.unwrap();
    b.sync().await;
    assert!(needs_attention(&b.clinic, &rita_b).await.unwrap().set_aside.is_empty());
}

#[tokio::test]
async fn a_refused_withdrawal_is_undone_too_though_the_server_s_record_never_named_the_field() {
    let server = TestServer::start().await;
    let (a, b, clinic) = two_desks(&server).await;
    let marta_b = b.log_in("marta").await;
    let off = add_time_off(&a.clinic, &a.log_in("marta").await, TimeOffInput {
        practitioner_id: Some(clinic.practitioner.id), starts: at("2026-11-30 09:00"), ends: at("2026-11-30 12:00"), reason: "Training".into(),
    }).await.unwrap();
    assert_converged(&[&a, &b]).await;
    // Marta is no longer a manager (desk A); on desk B, not synced yet, she withdraws the time off.
    set_staff_roles(&a.clinic, &clinic.admin, marta_b.staff_id, vec!["receptionist".into()]).await.unwrap();
    a.sync().await;
    remove_time_off(&b.clinic, &marta_b, off.id).await.unwrap();
    b.sync().await;
    let withdrawn: Option<i64> = sqlx::query_scalar("SELECT deleted_at FROM time_off WHERE id = ?").bind(off.id)
        .fetch_one(b.clinic.store().pool()).await.unwrap();
    assert_eq!(withdrawn, None, "the time off is back on desk B, as the server holds it");
    assert_converged(&[&a, &b]).await;
}

fn at(text: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}
