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
