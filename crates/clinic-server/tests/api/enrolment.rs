use clinic_sync::LocalClinic;
use crate::harness::patient_fields;
use serde_json::json;
use uuid::Uuid;

use crate::harness::*;

#[tokio::test]
async fn the_clinic_s_workstation_enrols_first_then_empty_ones_join_it() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;

    // An empty workstation cannot go first: there is no clinic to receive yet.
    let (status, body) = Desk::enrol(&server, org, None).await.err().unwrap();
    assert_eq!((status, body["code"].as_str()), (409, Some("no_clinic_yet")));

    let first = Desk::first(&server, org).await;
    assert_eq!(first.number, 1);
    let second = Desk::enrol(&server, org, None).await.unwrap();
    assert_eq!((second.clinic_id, second.number), (first.clinic_id, 2), "the second desk receives the clinic and the next number");

    // A workstation holding another clinic cannot join.
    let other = LocalClinic { clinic_id: Uuid::now_v7(), device_number: 1 };
    let (status, body) = Desk::enrol(&server, org, Some(other)).await.err().unwrap();
    assert_eq!((status, body["code"].as_str()), (409, Some("other_clinic")));
}

#[tokio::test]
async fn a_code_works_once_and_a_revoked_device_is_refused() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let code = server.code(org).await;
    let request = |device: Uuid| json!({"code": code, "device_id": device, "device_name": "Desk 1",
        "clinic": {"clinic_id": Uuid::now_v7(), "device_number": 1}});
    let (status, first) = server.post("/v1/enrol", None, request(Uuid::now_v7())).await;
    assert_eq!(status, 200);
    let (status, again) = server.post("/v1/enrol", None, request(Uuid::now_v7())).await;
    assert_eq!((status, again["code"].as_str()), (403, Some("bad_code")));
    let (status, _) = server.post("/v1/enrol", None, json!({"code": "NOPE-NOPE-NOPE", "device_id": Uuid::now_v7(), "device_name": "x"})).await;
    assert_eq!(status, 403);

    let token = first["token"].as_str().unwrap();
    assert_eq!(server.get("/v1/sync/pull", Some(token)).await.0, 200);
    clinic_server::admin::revoke_device(&server.server.db, first["device_id"].as_str().unwrap().parse().unwrap()).await.unwrap();
    let (status, body) = server.get("/v1/sync/pull", Some(token)).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorised")));
    let (status, _) = server.post("/v1/sync/push", Some(token), json!({"mutations": []})).await;
    assert_eq!(status, 401);
    assert_eq!(server.get("/v1/sync/pull", Some("not-a-token")).await.0, 401);
    assert_eq!(server.get("/v1/sync/pull", None).await.0, 401);
}

#[tokio::test]
async fn health_metrics_and_the_api_description_are_served() {
    let server = TestServer::start().await;
    assert_eq!(server.get("/health", None).await, (200, json!({"status": "ok"})));
    let metrics = server.http.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("clinic_mutations_applied_total 0"), "{metrics}");
    let (status, doc) = server.get("/openapi.json", None).await;
    assert_eq!(status, 200);
    for path in ["/health", "/metrics", "/v1/enrol", "/v1/sync/push", "/v1/sync/pull", "/v1/sync/events"] {
        assert!(doc["paths"].get(path).is_some(), "{path} is described");
    }
}

#[tokio::test]
async fn a_push_pokes_the_other_workstations_of_its_organisation_only() {
    let server = TestServer::start().await;
    let (org, other) = (server.organisation("Riverside").await, server.organisation("Elsewhere").await);
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let b = Desk::enrol(&server, org, None).await.unwrap();
    let stranger = Desk::first(&server, other).await;
    let listen = |token: String| {
        let request = server.http.get(format!("{}/v1/sync/events", server.url)).bearer_auth(token);
        async move {
            let mut stream = request.send().await.unwrap();
            assert_eq!(stream.status(), 200);
            let mut seen = String::new();
            while let Ok(Some(chunk)) = stream.chunk().await {
                seen.push_str(&String::from_utf8_lossy(&chunk));
                if seen.contains("event: poke") {
                    return seen;
                }
            }
            seen
        }
    };
    let (for_b, for_stranger) = (tokio::spawn(listen(b.token.clone())), tokio::spawn(listen(stranger.token.clone())));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let registered = a.mutation(staff.reception, "patient", Uuid::now_v7(), clinic_sync::Op::Insert, None, &patient_fields("Ana"));
    a.push(&server, &[registered]).await;
    let poke = tokio::time::timeout(std::time::Duration::from_secs(5), for_b).await.expect("B is poked").unwrap();
    assert!(poke.contains("event: poke"));
    assert!(tokio::time::timeout(std::time::Duration::from_millis(500), for_stranger).await.is_err(), "another organisation is not poked");
}

/// Every workstation as the server holds it: (id, token hash, revoked, name, number).
async fn devices(server: &TestServer) -> Vec<(Uuid, String, bool, String, i32)> {
    sqlx::query_as("SELECT id, token_hash, revoked_at IS NOT NULL, name, number FROM device ORDER BY id").fetch_all(&server.server.db).await.unwrap()
}

async fn unused_codes(server: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM enrolment_code WHERE used_at IS NULL").fetch_one(&server.server.db).await.unwrap()
}

/// Enrols `device` with a fresh code of `org`.
async fn enrol_as(server: &TestServer, org: Uuid, device: Uuid, clinic: Option<LocalClinic>) -> (u16, serde_json::Value) {
    let code = server.code(org).await;
    server.post("/v1/enrol", None, json!({"code": code, "device_id": device, "device_name": "Taken over", "clinic": clinic})).await
}

#[tokio::test]
async fn a_workstation_enrols_once_and_a_revoked_one_stays_revoked() {
    let server = TestServer::start().await;
    let (org, elsewhere) = (server.organisation("Riverside").await, server.organisation("Elsewhere").await);
    let first = Desk::first(&server, org).await;
    let lost = Desk::enrol(&server, org, None).await.unwrap();
    clinic_server::admin::revoke_device(&server.server.db, lost.device_id).await.unwrap();
    let before = devices(&server).await;

    // With a fresh code, as itself or as a copy of it, empty or holding the clinic, into its own
    // organisation or another: refused, with a message to show.
    let own = |number| Some(LocalClinic { clinic_id: first.clinic_id, device_number: number });
    let other = Some(LocalClinic { clinic_id: Uuid::now_v7(), device_number: 1 });
    for (org, device, clinic, who) in [
        (org, first.device_id, own(1), "the clinic's desk"), (org, first.device_id, None, "the clinic's desk, empty"),
        (org, lost.device_id, None, "the revoked desk"), (org, lost.device_id, own(2), "the revoked desk, with the clinic"),
        (elsewhere, first.device_id, other, "the clinic's desk, into another organisation"),
    ] {
        let (status, body) = enrol_as(&server, org, device, clinic).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("device_exists")), "{who}: {body}");
        assert!(body["message"].as_str().unwrap().contains("cannot be enrolled again"), "{who}: {body}");
    }

    // Nothing changed: the tokens, the revocation, the names and numbers; no code used up.
    assert_eq!(devices(&server).await, before);
    assert_eq!(unused_codes(&server).await, 5);
    assert_eq!(server.get("/v1/sync/pull", Some(&first.token)).await.0, 200, "the clinic's desk keeps its token");
    assert_eq!(server.get("/v1/sync/pull", Some(&lost.token)).await.0, 401, "the revoked desk stays revoked");
    let next = Desk::enrol(&server, org, None).await.unwrap();
    assert_eq!(next.number, 3, "a new workstation joins with the next number");
}

#[tokio::test]
async fn the_number_a_workstation_is_told_is_the_one_stored_and_never_told_twice() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let first = Desk::first(&server, org).await;
    let second = Desk::enrol(&server, org, None).await.unwrap();
    // The second desk asks to join again with its id (before, it was told 3 and kept 2: the next
    // desk was then told 3 too, and both made the same record numbers).
    let (status, body) = enrol_as(&server, org, second.device_id, None).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("device_exists")), "{body}");
    let third = Desk::enrol(&server, org, None).await.unwrap();
    let stored: Vec<(Uuid, i32)> = sqlx::query_as("SELECT id, number FROM device ORDER BY number").fetch_all(&server.server.db).await.unwrap();
    let told: Vec<(Uuid, i32)> = [&first, &second, &third].iter().map(|d| (d.device_id, d.number as i32)).collect();
    assert_eq!(stored, told);
    assert_eq!(told.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [1, 2, 3]);
}

#[tokio::test]
async fn an_organisation_out_of_workstation_numbers_says_so_and_changes_nothing() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    Desk::first(&server, org).await;
    // Numbers 2 to 99 taken (by workstations since revoked, say: a number is never used again).
    sqlx::query("INSERT INTO device (id, org_id, name, number, token_hash, revoked_at)
                 SELECT gen_random_uuid(), $1, 'Old desk', n, md5(n::text), now() FROM generate_series(2, 99) AS n")
        .bind(org).execute(&server.server.db).await.unwrap();
    let before = devices(&server).await;
    let (status, body) = Desk::enrol(&server, org, None).await.err().unwrap();
    assert_eq!((status, body["code"].as_str()), (409, Some("no_device_numbers")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("all 99 workstation numbers"), "{body}");
    assert_eq!((devices(&server).await, unused_codes(&server).await), (before, 1), "nothing changed, the code not used");
}
