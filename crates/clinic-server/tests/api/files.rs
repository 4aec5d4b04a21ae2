//! Attachments' bytes on the server (`/v1/files/{sha256}`): sent in chunks and resumed, a repeat
//! taken once, a gap refused, a file that is not what its name says discarded, fetched whole or by
//! range, and only by its own organisation.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::harness::*;

/// A made-up file of `len` bytes and its name.
fn file(len: usize, seed: u8) -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
    let name = hex::encode(Sha256::digest(&bytes));
    (bytes, name)
}

async fn send(server: &TestServer, token: &str, name: &str, offset: usize, size: usize, bytes: &[u8]) -> (u16, Value) {
    send_as(server, token, name, offset, size, bytes, "application/octet-stream").await
}

async fn send_as(server: &TestServer, token: &str, name: &str, offset: usize, size: usize, bytes: &[u8], content_type: &str) -> (u16, Value) {
    send_to(server, &server.url, token, name, offset, size, bytes, content_type).await
}

#[allow(clippy::too_many_arguments)]
async fn send_to(server: &TestServer, base: &str, token: &str, name: &str, offset: usize, size: usize, bytes: &[u8], content_type: &str) -> (u16, Value) {
    let response = server.http.put(format!("{base}/v1/files/{name}/chunks?offset={offset}&size={size}"))
        .bearer_auth(token).header("content-type", content_type).body(bytes.to_vec()).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// The file's bytes (or the error), its status and its Content-Range.
async fn fetch(server: &TestServer, token: &str, name: &str, range: Option<&str>) -> (u16, Option<String>, Vec<u8>) {
    let mut request = server.http.get(format!("{}/v1/files/{name}/content", server.url)).bearer_auth(token);
    if let Some(range) = range {
        request = request.header("range", range);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_range = response.headers().get("content-range").map(|v| v.to_str().unwrap().to_string());
    (status, content_range, response.bytes().await.unwrap().to_vec())
}

/// Another server process over the same database (its own memory): a workstation's next request
/// may reach it, behind a load balancer or after a restart.
async fn second_process(server: &TestServer) -> String {
    let other = clinic_server::Server::connect(&server.database_url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, clinic_server::app(other)).await.unwrap() });
    url
}

async fn stored(server: &TestServer) -> (i64, i64) {
    sqlx::query_as("SELECT (SELECT count(*) FROM file_blob), (SELECT count(*) FROM file_chunk)").fetch_one(&server.server.db).await.unwrap()
}

#[tokio::test]
async fn a_file_sent_in_chunks_resumes_takes_a_repeat_once_and_refuses_a_gap() {
    let (server, _, desk, _) = riverside().await;
    let (bytes, name) = file(2_500_000, 1);
    let size = bytes.len();
    assert_eq!(server.get(&format!("/v1/files/{name}"), Some(&desk.token)).await.0, 404, "nothing sent yet");

    let (status, body) = send(&server, &desk.token, &name, 0, size, &bytes[..1_000_000]).await;
    assert_eq!((status, &body["received"], &body["complete"]), (200, &Value::from(1_000_000), &Value::Bool(false)), "{body}");
    // Cut off here: the status says where to carry on.
    let (status, there) = server.get(&format!("/v1/files/{name}"), Some(&desk.token)).await;
    assert_eq!((status, there["received"].as_i64(), there["size"].as_i64()), (200, Some(1_000_000), Some(size as i64)));
    assert_eq!(fetch(&server, &desk.token, &name, None).await.0, 409, "an unfinished file is not served");

    // A repeat of what arrived changes nothing; a chunk past it is refused.
    let before = stored(&server).await;
    let (status, body) = send(&server, &desk.token, &name, 0, size, &bytes[..1_000_000]).await;
    assert_eq!((status, body["received"].as_i64()), (200, Some(1_000_000)), "{body}");
    let (status, body) = send(&server, &desk.token, &name, 2_000_000, size, &bytes[2_000_000..]).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("gap")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("1000000"), "says where to carry on: {body}");
    assert_eq!(stored(&server).await, before, "nothing changed");

    // Overlapping what arrived: only the new part is taken.
    let (status, body) = send(&server, &desk.token, &name, 500_000, size, &bytes[500_000..2_000_000]).await;
    assert_eq!((status, body["received"].as_i64()), (200, Some(2_000_000)), "{body}");
    // The rest reaches another server process, which checks the whole file from the database.
    let other = second_process(&server).await;
    let (status, body) = send_to(&server, &other, &desk.token, &name, 2_000_000, size, &bytes[2_000_000..], "application/octet-stream").await;
    assert_eq!((status, &body["complete"]), (200, &Value::Bool(true)), "{body}");
    let (status, _, got) = fetch(&server, &desk.token, &name, None).await;
    assert_eq!((status, got == bytes), (200, true));

    // Sent again whole (another desk with the same scan): nothing more is kept.
    let before = stored(&server).await;
    let (status, body) = send(&server, &desk.token, &name, 0, size, &bytes[..10]).await;
    assert_eq!((status, &body["complete"]), (200, &Value::Bool(true)));
    assert_eq!(stored(&server).await, before);
}

#[tokio::test]
async fn a_file_that_is_not_what_its_name_says_is_discarded() {
    let (server, _, desk, _) = riverside().await;
    let (bytes, _) = file(300_000, 2);
    let (_, wrong) = file(300_000, 3);
    assert_eq!(send(&server, &desk.token, &wrong, 0, bytes.len(), &bytes[..100_000]).await.0, 200);
    let (status, body) = send(&server, &desk.token, &wrong, 100_000, bytes.len(), &bytes[100_000..]).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("hash_mismatch")), "{body}");
    assert_eq!(server.get(&format!("/v1/files/{wrong}"), Some(&desk.token)).await.0, 404, "discarded");
    assert_eq!(stored(&server).await, (0, 0), "no byte of it kept");
    // Checked as well when its last bytes reach another server process.
    let other = second_process(&server).await;
    assert_eq!(send(&server, &desk.token, &wrong, 0, bytes.len(), &bytes[..100_000]).await.0, 200);
    let (status, body) = send_to(&server, &other, &desk.token, &wrong, 100_000, bytes.len(), &bytes[100_000..], "application/octet-stream").await;
    assert_eq!((status, body["code"].as_str()), (422, Some("hash_mismatch")), "{body}");
    assert_eq!(stored(&server).await, (0, 0));
}

#[tokio::test]
async fn a_file_is_fetched_whole_or_by_range() {
    let (server, _, desk, _) = riverside().await;
    let (bytes, name) = file(1_234_567, 4);
    // In three pieces, so ranges cross the stored chunks.
    for (from, to) in [(0, 400_000), (400_000, 800_000), (800_000, bytes.len())] {
        assert_eq!(send(&server, &desk.token, &name, from, bytes.len(), &bytes[from..to]).await.0, 200);
    }
    let n = bytes.len();
    for (range, from, to) in [("bytes=399990-", 399_990, n), ("bytes=10-20", 10, 21), ("bytes=-5", n - 5, n), ("bytes=799999-800001", 799_999, 800_002),
        ("bytes=0-99999999", 0, n)] {
        let (status, content_range, got) = fetch(&server, &desk.token, &name, Some(range)).await;
        assert_eq!(status, 206, "{range}");
        assert_eq!(content_range, Some(format!("bytes {from}-{}/{n}", to - 1)), "{range}");
        assert!(got == bytes[from..to], "{range}: the bytes asked for");
    }
    let (status, content_range, _) = fetch(&server, &desk.token, &name, Some(&format!("bytes={n}-"))).await;
    assert_eq!((status, content_range), (416, Some(format!("bytes */{n}"))));
    // A range of another form is ignored: the whole file.
    let (status, _, got) = fetch(&server, &desk.token, &name, Some("bytes=0-1,5-9")).await;
    assert_eq!((status, got.len()), (200, n));
}

#[tokio::test]
async fn another_organisation_has_no_such_file() {
    let (server, _, desk, _) = riverside().await;
    let (bytes, name) = file(1000, 5);
    assert_eq!(send(&server, &desk.token, &name, 0, bytes.len(), &bytes).await.0, 200);
    let other = server.organisation("Hillside").await;
    let theirs = Desk::first(&server, other).await;
    assert_eq!(server.get(&format!("/v1/files/{name}"), Some(&theirs.token)).await.0, 404);
    assert_eq!(fetch(&server, &theirs.token, &name, None).await.0, 404);
    // Their own copy of the same bytes is theirs: sent in full, not taken from the other's.
    let (status, body) = send(&server, &theirs.token, &name, 0, bytes.len(), &bytes[..10]).await;
    assert_eq!((status, body["received"].as_i64(), &body["complete"]), (200, Some(10), &Value::Bool(false)));
    assert_eq!(server.get(&format!("/v1/files/{name}"), None).await.0, 401, "no token, no file");
}

#[tokio::test]
async fn a_malformed_upload_is_refused_and_changes_nothing() {
    let (server, _, desk, _) = riverside().await;
    let (bytes, name) = file(100, 6);
    let too_large = vec![0u8; clinic_sync::files::MAX_CHUNK_BYTES + 1];
    let cases: Vec<(String, usize, usize, &[u8], &str, u16)> = vec![
        (name.to_uppercase(), 0, 100, &bytes, "application/octet-stream", 422),
        ("abc".into(), 0, 100, &bytes, "application/octet-stream", 422),
        (name.clone(), 0, 100, &bytes, "application/json", 415),
        (name.clone(), 0, 100, &[], "application/octet-stream", 422),
        (name.clone(), 50, 100, &bytes, "application/octet-stream", 422),
        (name.clone(), 0, 52_428_801, &bytes, "application/octet-stream", 422),
        (name.clone(), 0, 0, &bytes, "application/octet-stream", 422),
        (name.clone(), 0, 52_428_800, &too_large, "application/octet-stream", 413),
    ];
    for (sha, offset, size, body, content_type, expected) in cases {
        let (status, answer) = send_as(&server, &desk.token, &sha, offset, size, body, content_type).await;
        assert_eq!(status, expected, "{sha} {offset} {size} {}: {answer}", body.len());
        assert!(answer["code"].is_string() && answer["message"].is_string(), "{answer}");
    }
    let response = server.http.put(format!("{}/v1/files/{name}/chunks?offset=x&size=100", server.url)).bearer_auth(&desk.token)
        .header("content-type", "application/octet-stream").body(bytes.clone()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(stored(&server).await, (0, 0));
}
