//! Limits: the rate limits per address taken before a token or an enrolment code is looked up.

use serde_json::json;
use uuid::Uuid;

use crate::harness::*;

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
