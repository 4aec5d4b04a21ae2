use clinic_sync::{Op, Outcome};
use serde_json::json;
use uuid::Uuid;

use crate::harness::*;

#[tokio::test]
async fn malformed_oversized_and_wrong_typed_bodies_get_a_4xx_and_change_nothing() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let before = server.counts().await;
    let token = a.token.clone();
    let push = |body: String| {
        let request = server.http.post(format!("{}/v1/sync/push", server.url)).bearer_auth(&token)
            .header("content-type", "application/json").body(body);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let (status, body) = push("{not json".into()).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (status, _) = push(json!({"mutations": [{"mutation_id": 7}]}).to_string()).await;
    assert!((400..500).contains(&status), "wrong types: {status}");
    let (status, body) = push(json!({"mutations": "x".repeat(9 * 1024 * 1024)}).to_string()).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("too_large")));
    let many: Vec<_> = (0..501).map(|_| a.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("X"))).collect();
    let (status, body) = push(json!({"mutations": many}).to_string()).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("too_many")));
    // A body that says it is gzip and is not.
    let response = server.http.post(format!("{}/v1/sync/push", server.url)).bearer_auth(&a.token)
        .header("content-type", "application/json").header("content-encoding", "gzip").body("not gzip at all").send().await.unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    let (status, _) = server.get("/v1/sync/pull?cursor=abc", Some(&a.token)).await;
    assert_eq!(status, 400);
    assert_eq!(server.counts().await, before, "nothing changed");
}

#[tokio::test]
async fn each_mutation_s_user_is_checked_and_bad_ones_are_rejected_with_a_reason() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let batch = vec![
        // A receptionist may not create staff, nor book over another appointment on purpose.
        a.mutation(staff.reception, "staff", Uuid::now_v7(), Op::Insert, None, &[("roles", json!("admin"))]),
        a.mutation(staff.reception, "appointment", Uuid::now_v7(), Op::Insert, None, &[("double_booked", json!(true))]),
        // An admin alone does not register patients; nobody unknown changes anything.
        a.mutation(staff.admin, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Ana")),
        a.mutation(Uuid::now_v7(), "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Ana")),
        a.mutation(staff.reception, "nonsense", Uuid::now_v7(), Op::Insert, None, &[]),
        a.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &[("version", json!(99))]),
        a.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Update, Some(1), &[("notes", json!("?"))]),
        // Everyone may change their own password.
        a.mutation(staff.reception, "staff", staff.reception, Op::Update, Some(1), &[("password_hash", json!("$argon2id$..."))]),
    ];
    let codes: Vec<Option<String>> = a.push(&server, &batch).await.into_iter()
        .map(|o| match o { Outcome::Rejected { code, .. } => Some(code), _ => None }).collect();
    let expected = ["permission_denied", "permission_denied", "permission_denied", "permission_denied", "unknown_entity", "bad_field", "unknown_record"];
    assert_eq!(codes, expected.iter().map(|c| Some(c.to_string())).chain([None]).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_organisation_never_sees_or_changes_another_s_records() {
    let server = TestServer::start().await;
    let (north, south) = (server.organisation("North").await, server.organisation("South").await);
    let mut n = Desk::first(&server, north).await;
    let n_staff = n.set_up(&server).await;
    let mut s = Desk::first(&server, south).await;
    let s_staff = s.set_up(&server).await;
    let patient = Uuid::now_v7();
    let created = n.mutation(n_staff.reception, "patient", patient, Op::Insert, None, &patient_fields("Ana"));
    n.push(&server, &[created]).await;

    let seen = s.pull_all(&server).await;
    assert!(seen.iter().all(|r| r.data["org_id"] == json!(s.clinic_id)), "South receives only its own rows");
    assert!(!seen.iter().any(|r| r.entity_id == patient));
    // South cannot change North's patient, even knowing its id; its replay of North's mutation id is refused.
    let attack = s.mutation(s_staff.reception, "patient", patient, Op::Update, Some(1), &[("notes", json!("hijacked"))]);
    assert!(matches!(&s.push(&server, &[attack]).await[0], Outcome::Rejected { code, .. } if code == "unknown_record"));
    let theirs = n.pull_all(&server).await.into_iter().find(|r| r.entity_id == patient).unwrap();
    assert_eq!((theirs.version, theirs.data.get("notes")), (1, None));
}

#[tokio::test]
async fn a_workstation_that_floods_the_server_is_slowed_down_not_served_everything() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let a = Desk::first(&server, org).await;
    // Requests as fast as they go, until the server says slow down (the bucket's arithmetic is
    // tested with a clock in limits.rs; here, that the answer is a 429 a workstation understands).
    let mut statuses = Vec::new();
    while statuses.len() < 2000 && !statuses.last().is_some_and(|(s, _)| *s == 429) {
        statuses.push(server.get("/v1/sync/pull", Some(&a.token)).await);
    }
    let (status, body) = statuses.last().unwrap();
    assert_eq!((*status, body["code"].as_str()), (429, Some("rate_limited")), "past its burst, a workstation is told to slow down");
    assert!(statuses.iter().take(150).all(|(s, _)| *s == 200), "a burst (a first sync's pages) passes");
}

#[tokio::test]
async fn values_no_workstation_could_store_are_refused_and_the_rest_of_the_batch_applies() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let appointment = Uuid::now_v7();
    let mut booking = appointment_fields(a.fixture("practitioner"), 1_795_000_000_000);
    booking.push(("patient_id", json!(a.fixture("patient"))));
    let booked = a.mutation(staff.reception, "appointment", appointment, Op::Insert, None, &booking);
    a.push(&server, &[booked]).await;
    let batch = vec![
        a.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &[("given_name", json!("A\u{0}na"))]),
        a.mutation(staff.reception, "appointment", Uuid::now_v7(), Op::Insert, None, &[("patient_id", json!("not-an-id"))]),
        a.mutation(staff.reception, "queue_entry", Uuid::now_v7(), Op::Insert, None, &[("arrived_at", json!("today"))]),
        // Its end before its start: refused, and the appointment stays as it was.
        a.mutation(staff.reception, "appointment", appointment, Op::Update, Some(1), &[("ends_at", json!(1_794_000_000_000i64))]),
        // A workstation does not open conflicts, nor delete its own staff record.
        a.mutation(staff.reception, "sync_conflict", Uuid::now_v7(), Op::Insert, None, &[("status", json!("open"))]),
        a.mutation(staff.reception, "staff", staff.reception, Op::Delete, Some(1), &[]),
        a.mutation(staff.reception, "patient", Uuid::now_v7(), Op::Insert, None, &patient_fields("Rui")),
    ];
    let codes: Vec<Option<String>> = a.push(&server, &batch).await.into_iter()
        .map(|o| match o { Outcome::Rejected { code, .. } => Some(code), _ => None }).collect();
    assert_eq!(codes, ["bad_value", "bad_value", "bad_value", "bad_value", "bad_field", "permission_denied"].iter()
        .map(|c| Some(c.to_string())).chain([None]).collect::<Vec<_>>());
    let held = a.pull_all(&server).await.into_iter().find(|r| r.entity_id == appointment).unwrap();
    assert_eq!((held.version, held.data["ends_at"].as_i64()), (1, Some(1_795_001_800_000)));
}

#[tokio::test]
async fn a_role_given_earlier_in_the_same_batch_counts() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut a = Desk::first(&server, org).await;
    let staff = a.set_up(&server).await;
    let (ana, rui) = (Uuid::now_v7(), Uuid::now_v7());
    let batch = vec![
        a.mutation(staff.reception, "patient", ana, Op::Insert, None, &patient_fields("Ana")),
        a.mutation(staff.reception, "patient", rui, Op::Insert, None, &patient_fields("Rui")),
        a.mutation(staff.admin, "staff", staff.reception, Op::Update, Some(1), &[("roles", json!("receptionist,manager"))]),
        a.mutation(staff.reception, "patient", rui, Op::Update, Some(1), &[("merged_into", json!(ana))]),
    ];
    let outcomes = a.push(&server, &batch).await;
    assert!(outcomes.iter().all(|o| matches!(o, Outcome::Applied { .. })), "{outcomes:?}");
}
