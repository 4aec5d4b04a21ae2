//! The OpenAPI document the server serves describes that server: every route it serves, each
//! status it answers, and the rules it enforces (scripts/api-fuzz checks the same thing with
//! schemathesis, at length; this is the quick, always-run part).

use std::collections::BTreeSet;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::*;

/// Every route api.rs registers. A route added there appears in the document by construction
/// (utoipa-axum registers both at once); it must be added here too, knowingly.
const SERVED: &[(&str, &str)] = &[
    ("get", "/health"), ("get", "/metrics"), ("get", "/openapi.json"), ("post", "/v1/enrol"),
    ("post", "/v1/sync/push"), ("get", "/v1/sync/pull"), ("get", "/v1/sync/events"), ("get", "/v1/audit/heads"),
    ("get", "/v1/files/{sha256}"), ("put", "/v1/files/{sha256}/chunks"), ("get", "/v1/files/{sha256}/content"),
    ("get", "/v1/updates/{platform}/{current_version}"), ("get", "/v1/updates/{platform}/{version}/package"),
];

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    doc["paths"].as_object().unwrap().iter()
        .flat_map(|(path, item)| item.as_object().unwrap().iter().map(move |(method, op)| (method.clone(), path.clone(), op)))
        .collect()
}

fn statuses(op: &Value) -> BTreeSet<&str> {
    op["responses"].as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn the_document_names_every_route_the_router_serves_and_nothing_else() {
    let server = TestServer::start().await;
    let (status, doc) = server.get("/openapi.json", None).await;
    assert_eq!((status, doc["openapi"].as_str()), (200, Some("3.1.0")));
    let documented: BTreeSet<(String, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    let served: BTreeSet<(String, String)> = SERVED.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, served, "the document names exactly the routes served");

    // Each documented operation reaches its handler (no fallback answers it), and every other
    // method on its path is refused as not allowed, in the API's own error shape.
    for path in served.iter().map(|(_, p)| p).collect::<BTreeSet<_>>() {
        for method in ["get", "post", "put", "patch", "delete"] {
            let request = server.http.request(method.to_uppercase().parse().unwrap(), format!("{}{path}", server.url));
            // A short timeout: the event stream, once authorised, never ends (without a token it is a 401).
            let response = request.json(&json!({})).timeout(std::time::Duration::from_secs(10)).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            if documented.contains(&(method.to_string(), path.clone())) {
                assert!(!matches!(status, 404 | 405), "{method} {path} is served: {status} {body}");
                let op = &doc["paths"][path][method];
                assert!(statuses(op).contains(status.to_string().as_str()), "{method} {path} answered {status}, documented {:?}", statuses(op));
            } else {
                assert_eq!((status, body["code"].as_str()), (405, Some("method_not_allowed")), "{method} {path}");
            }
        }
    }
    let (status, body) = server.get("/v1/nothing-here", None).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));

    // What each kind of operation can answer is documented on every one of that kind.
    for (method, path, op) in operations(&doc) {
        let answers = statuses(op);
        let authenticated = answers.contains("401");
        assert_eq!(op["security"], if authenticated { json!([{"device": []}]) } else { Value::Null }, "{method} {path}: its bearer token");
        let needed: &[&str] = match (authenticated, op.get("requestBody").is_some(), op.get("parameters").is_some()) {
            (true, true, _) => &["200", "400", "401", "413", "415", "422", "429", "503"],
            (true, false, true) => &["200", "400", "401", "422", "429", "503"],
            (true, false, false) => &["200", "401", "429", "503"],
            (false, true, _) => &["200", "400", "413", "415", "422", "429", "503"],
            (false, false, _) => &["200"],
        };
        for status in needed {
            assert!(answers.contains(status), "{method} {path} documents {status}: {answers:?}");
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            // Successes answer what they are (a file's bytes too); every failure answers `{code, message}`.
            if !status.starts_with('2') {
                assert_eq!(response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody", "{method} {path} {status}");
            }
        }
    }
    let scheme = &doc["components"]["securitySchemes"]["device"];
    assert_eq!((scheme["type"].as_str(), scheme["scheme"].as_str()), (Some("http"), Some("bearer")));
}

#[tokio::test]
async fn what_the_document_states_the_server_enforces() {
    let server = TestServer::start().await;
    let (_, doc) = server.get("/openapi.json", None).await;
    let org = server.organisation("Riverside").await;
    let desk = Desk::first(&server, org).await;

    // The pull's parameters: their documented ranges, and the answers outside them.
    let params = doc["paths"]["/v1/sync/pull"]["get"]["parameters"].as_array().unwrap();
    let range = |name: &str| params.iter().find(|p| p["name"] == name).map(|p| (p["schema"]["minimum"].as_i64(), p["schema"]["maximum"].as_i64())).unwrap();
    assert_eq!(range("cursor"), (Some(0), Some(i64::MAX)));
    assert_eq!(range("limit"), (Some(1), Some(clinic_sync::MAX_PULL)));
    for (query, status) in [
        ("limit=0", 422), ("limit=5001", 422), ("limit=5000", 200), ("limit=1", 200), ("cursor=-1", 422),
        ("cursor=9223372036854775807", 200), ("cursor=9223372036854775808", 422), ("cursor=123456789012345678901234567890", 422),
        ("cursor=abc", 400), ("limit=1.5", 400), ("cursor=", 400),
    ] {
        let (got, body) = server.get(&format!("/v1/sync/pull?{query}"), Some(&desk.token)).await;
        assert_eq!(got, status, "{query}: {body}");
        if status != 200 {
            assert!(body["code"].is_string() && body["message"].is_string(), "{query}: {body}");
        }
    }

    // The enrolment's rules, as the schema states them: refused as invalid, not left to the database.
    let name = &doc["components"]["schemas"]["EnrolRequest"]["properties"]["device_name"];
    assert_eq!((name["minLength"].as_u64(), name["maxLength"].as_u64()), (Some(1), Some(80)));
    let number = &doc["components"]["schemas"]["LocalClinic"]["properties"]["device_number"];
    assert_eq!((number["minimum"].as_i64(), number["maximum"].as_i64()), (Some(1), Some(99)));
    let code = server.code(org).await;
    let clinic = json!({"clinic_id": desk.clinic_id, "device_number": 7});
    for (device_name, clinic, why) in [
        (json!(""), clinic.clone(), "empty"), (json!("   "), clinic.clone(), "only spaces"), (json!("x".repeat(81)), clinic.clone(), "too long"),
        (json!("Desk\u{0}1"), clinic.clone(), "a NUL"), (json!("Desk\n1"), clinic.clone(), "a control character"),
        (json!("Desk"), json!({"clinic_id": desk.clinic_id, "device_number": 100}), "number out of range"),
        (json!("Desk"), json!({"clinic_id": desk.clinic_id, "device_number": 4_294_967_297i64}), "number past 32 bits"),
        (json!("Desk"), json!({"clinic_id": desk.clinic_id, "device_number": 0}), "number zero"),
    ] {
        let (status, body) = server.post("/v1/enrol", None, json!({"code": code, "device_id": Uuid::now_v7(), "device_name": device_name, "clinic": clinic})).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("invalid")), "{why}: {body}");
    }
    let (status, _) = server.post("/v1/enrol", None, json!({"code": code, "device_id": Uuid::now_v7(), "device_name": "x".repeat(80), "clinic": clinic})).await;
    assert_eq!(status, 200, "80 characters and a number in range enrol (the code was not used up by the refusals)");

    // Bodies: not sent as JSON 415, not JSON 400, the wrong shape 422, each `{code, message}`.
    let post = |content_type: &'static str, body: &'static str| {
        server.http.post(format!("{}/v1/sync/push", server.url)).bearer_auth(&desk.token).header("content-type", content_type).body(body).send()
    };
    for (content_type, body, status, code) in [
        ("text/plain", "{\"mutations\": []}", 415, "unsupported_media_type"),
        ("application/json", "{not json", 400, "bad_request"),
        ("application/json", "{\"mutations\": 7}", 422, "invalid"),
    ] {
        let response = post(content_type, body).await.unwrap();
        let got = response.status().as_u16();
        assert_eq!((got, response.json::<Value>().await.unwrap()["code"].as_str()), (status, Some(code)), "{content_type} {body}");
    }

    let response = server.http.post(format!("{}/v1/sync/push", server.url)).bearer_auth(&desk.token)
        .header("content-type", "application/json").header("content-encoding", "br").body("{}").send().await.unwrap();
    assert_eq!((response.status().as_u16(), response.json::<Value>().await.unwrap()["code"].as_str()), (415, Some("unsupported_media_type")), "an encoding not gzip");

    // A NUL in an entity's name is refused with that mutation, not a 503 for the batch.
    let mut nul = desk_mutation(&desk);
    nul["entity"] = json!("pat\u{0}ient");
    let (status, body) = server.post("/v1/sync/push", Some(&desk.token), json!({"mutations": [nul]})).await;
    assert_eq!((status, body["results"][0]["code"].as_str()), (200, Some("unknown_entity")), "{body}");
}

/// A mutation of the right shape (whether it applies is not the point).
fn desk_mutation(desk: &Desk) -> Value {
    json!({"mutation_id": Uuid::now_v7(), "device_seq": 1, "hlc": format!("0000000000000001-{}", desk.device_id.simple()), "at": 1,
        "entity": "patient", "entity_id": Uuid::now_v7(), "op": "insert", "changes": {}})
}
