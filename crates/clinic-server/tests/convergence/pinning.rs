//! Real workstations against the real server over HTTPS with its self-made certificate (on
//! 127.0.0.1, TLS on), pinned by fingerprint (DESIGN.md §5c): the right fingerprint enrols and
//! syncs; a wrong one is refused before anything is sent, and nothing is stored.

use clinic_core::error::Code;
use clinic_core::sync;
use clinic_server::TlsFiles;

use crate::desks::*;
use crate::server_harness::TestServer;

/// The server also over HTTPS with a certificate of its own: its address and fingerprint.
async fn https(server: &TestServer, data: &std::path::Path) -> (String, String) {
    let files = TlsFiles::in_folder(data);
    let url = server.serve_https(files.clone()).await;
    (url, files.fingerprint().unwrap().to_string())
}

async fn pinned(desk: &Desk) -> Option<String> {
    sqlx::query_scalar("SELECT server_fingerprint FROM sync_state").fetch_one(desk.clinic.store().pool()).await.unwrap()
}

#[tokio::test]
async fn pinned_to_the_right_fingerprint_desks_enrol_and_sync_over_https() {
    let server = TestServer::start().await;
    let data = tempfile::tempdir().unwrap();
    let (url, fingerprint) = https(&server, data.path()).await;
    let org = server.organisation("Harbour Health").await;

    let a = Desk::empty().await;
    let clinic = set_up(&a).await;
    a.enrol_pinned(&url, &fingerprint, &server.code(org).await, Some(&clinic.admin)).await.unwrap();
    assert_eq!(pinned(&a).await.as_deref(), Some(fingerprint.as_str()), "the pin is kept with the sync state");
    let rita = a.log_in("rita").await;
    register(&a, &rita, "Ana").await;
    assert!(a.sync().await.pushed > 0, "pushed over https");

    // As people copy it: lower case, no colons.
    let b = Desk::empty().await;
    let typed = fingerprint.replace(':', "").to_lowercase();
    let status = b.enrol_pinned(&format!("{url}/"), &typed, &server.code(org).await, None).await.unwrap();
    assert!(status.enrolled && b.clinic.is_set_up(), "the empty desk received the clinic over https");
    assert_eq!(pinned(&b).await.as_deref(), Some(fingerprint.as_str()));
    let rita_b = b.log_in("rita").await;
    let found = clinic_core::ops::patients::search_patients(&b.clinic, &rita_b, "Ana", 10).await.unwrap();
    assert_eq!(found.len(), 1, "B sees A's patient");
}

#[tokio::test]
async fn a_wrong_fingerprint_is_refused_before_anything_is_sent() {
    let server = TestServer::start().await;
    let data = tempfile::tempdir().unwrap();
    let (url, fingerprint) = https(&server, data.path()).await;
    let other = tempfile::tempdir().unwrap();
    let wrong = TlsFiles::in_folder(other.path()).ensure().unwrap().to_string();
    let org = server.organisation("Harbour Health").await;
    let code = server.code(org).await;

    let a = Desk::empty().await;
    let clinic = set_up(&a).await;
    let refused = a.enrol_pinned(&url, &wrong, &code, Some(&clinic.admin)).await.expect_err("refused");
    assert_eq!((refused.code, refused.field), (Code::Invalid, Some("fingerprint")), "{}", refused.message);
    assert!(refused.message.contains("nothing was sent") && !refused.message.contains(&fingerprint), "{}", refused.message);
    let status = sync::status(&a.clinic, None).await.unwrap();
    assert!(!status.enrolled, "nothing stored");
    // The server never received the code: it still enrols, with the right fingerprint.
    a.enrol_pinned(&url, &fingerprint, &code, Some(&clinic.admin)).await.unwrap();

    // Every later round pins too: the address now answers with another certificate (someone on
    // the network posing as the server), and the round sends nothing.
    let rita = a.log_in("rita").await;
    register(&a, &rita, "Ana").await;
    let impostor = https(&server, other.path()).await.0;
    sqlx::query("UPDATE sync_state SET server_url = ?").bind(&impostor).execute(a.clinic.store().pool()).await.unwrap();
    let before = server.counts().await;
    let refused = sync::sync_once(&a.clinic, &*a.keys).await.expect_err("refused");
    assert_eq!(refused.field, Some("fingerprint"), "{}", refused.message);
    assert_eq!(server.counts().await, before, "nothing was pushed");
    assert!(sync::status(&a.clinic, None).await.unwrap().waiting > 0, "the change still waits");
}
