//! Limits: a workstation's event streams (a few at once, ended on revocation), and the rate limits
//! per address taken before a token or an enrolment code is looked up.

use std::time::Duration;

use clinic_sync::Op;
use serde_json::json;
use uuid::Uuid;

use crate::harness::*;

const PATIENCE: Duration = Duration::from_secs(5);

/// A workstation's event stream, open.
async fn stream(server: &TestServer, token: &str) -> reqwest::Response {
    let response = server.http.get(format!("{}/v1/sync/events", server.url)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response
}

/// Whether the server ends the stream within PATIENCE.
async fn ends(mut stream: reqwest::Response) -> bool {
    tokio::time::timeout(PATIENCE, async { while let Ok(Some(_)) = stream.chunk().await {} }).await.is_ok()
}

/// Whether the stream carries a poke within PATIENCE.
async fn poked(stream: &mut reqwest::Response) -> bool {
    let poke = async {
        let mut seen = String::new();
        while let Ok(Some(chunk)) = stream.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: poke") {
                return true;
            }
        }
        false
    };
    tokio::time::timeout(PATIENCE, poke).await.unwrap_or(false)
}

async fn register_a_patient(server: &TestServer, desk: &mut Desk, staff: &Staff) {
    let registered = desk.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Ana"));
    desk.push(server, &[registered]).await;
}

#[tokio::test]
async fn a_revoked_workstation_s_event_streams_end() {
    let (server, org, desk, staff) = riverside().await;
    let mut other = Desk::enrol(&server, org, None).await.unwrap();
    let (first, second) = (stream(&server, &desk.token).await, stream(&server, &desk.token).await);
    let mut kept = stream(&server, &other.token).await;

    // Revoked as an admin does it: the command, in a process of its own, on the server's database.
    let revoke = std::process::Command::new(env!("CARGO_BIN_EXE_clinic-server"))
        .args(["revoke-device", &desk.device_id.to_string()]).env("DATABASE_URL", &server.database_url).output().unwrap();
    assert!(revoke.status.success(), "{}", String::from_utf8_lossy(&revoke.stderr));
    let (first_ended, second_ended) = tokio::join!(ends(first), ends(second));
    assert!(first_ended && second_ended, "both of the revoked desk's streams end");
    assert_eq!(server.get("/v1/sync/events", Some(&desk.token)).await.0, 401, "and it cannot open another");

    // The other desk's stream stays open, and hears of a change.
    register_a_patient(&server, &mut other, &staff).await;
    assert!(poked(&mut kept).await);
}

#[tokio::test]
async fn a_workstation_keeps_at_most_four_event_streams_a_fifth_ends_the_oldest() {
    let (server, _, mut desk, staff) = riverside().await;
    let oldest = stream(&server, &desk.token).await;
    let mut newest = Vec::new();
    for _ in 0..4 {
        newest.push(stream(&server, &desk.token).await);
    }
    assert!(ends(oldest).await, "the fifth ended the oldest");
    register_a_patient(&server, &mut desk, &staff).await;
    for stream in &mut newest {
        assert!(poked(stream).await, "the four newest stay open");
    }
}

#[tokio::test]
async fn a_flood_of_unknown_tokens_is_cut_off_before_the_database() {
    let (server, _, desk, _) = riverside().await;
    // Good tokens are given back: more than the address's burst of good requests all pass.
    for _ in 0..150 {
        assert_eq!(server.get("/v1/sync/pull?limit=1", Some(&desk.token)).await.0, 200);
    }

    let mut unknown = 0;
    let (status, body) = loop {
        let (status, body) = server.get("/v1/sync/pull", Some(&format!("made-up-{unknown}"))).await;
        if status != 401 {
            break (status, body);
        }
        unknown += 1;
        assert!(unknown < 1000, "never limited");
    };
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")), "{body}");
    assert!(unknown >= 100, "a burst of 100 first, then 10 a second: {unknown}");

    // Refused without asking the database: with the database gone, where asking it answers 503,
    // the address is answered 429. (A 503 first only if a try was refilled meanwhile.)
    server.server.db.close().await;
    assert_eq!(server.get("/health", None).await.0, 503);
    let mut answers = Vec::new();
    while answers.last() != Some(&429) && answers.len() < 20 {
        answers.push(server.get("/v1/sync/pull", Some("made-up")).await.0);
    }
    assert_eq!(answers.last(), Some(&429), "{answers:?}");
    assert!(answers.iter().all(|s| [429, 503].contains(s)), "{answers:?}");
}

#[tokio::test]
async fn guessing_enrolment_codes_is_cut_off_and_the_right_code_is_not_spent() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    Desk::first(&server, org).await;
    // Enrolments that succeed are given back: a clinic enrolling many desks from one address goes on.
    for _ in 0..12 {
        Desk::enrol(&server, org, None).await.unwrap();
    }
    for i in 0..10 {
        let guess = json!({"code": format!("GUES-SING-{i:04}"), "device_id": Uuid::now_v7(), "device_name": "Guess"});
        let (status, body) = server.post("/v1/enrol", None, guess).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("bad_code")), "{body}");
    }
    let (code, device) = (server.code(org).await, Uuid::now_v7());
    let (status, body) = server.post("/v1/enrol", None, json!({"code": code, "device_id": device, "device_name": "Front desk 14"})).await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("wait a minute"), "{body}");

    let (devices, unused): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM device), (SELECT count(*) FROM enrolment_code WHERE used_at IS NULL)",
    )
    .fetch_one(&server.server.db).await.unwrap();
    assert_eq!((devices, unused), (13, 1), "no workstation enrolled, the code not spent");
}
