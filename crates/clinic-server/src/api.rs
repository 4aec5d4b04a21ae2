//! The HTTP API: enrolment, push, pull, files (`files/`), the app's updates (`updates/`), health, metrics, and the OpenAPI document describing them.
//! Each handler's `#[utoipa::path]` is its entry in that document: the statuses it lists are the
//! ones it (and the extractors and layers before it) can answer.

use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json, Router};
use clinic_sync::{EnrolRequest, Enrolment, Outcome, PushRequest, PushResponse, MAX_PULL, MAX_PUSH};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::admin::{self, DEVICE_NUMBERS};
use crate::caller::{refused, Client, Device};
use crate::error::{ApiError, ApiResult};
use crate::openapi::{self as doc, ErrorBody};
use crate::{apply, files, streams, updates, Server};

/// The largest request body, after decompression: a full push of large records fits well.
pub(crate) const MAX_BODY: usize = 8 * 1024 * 1024;

#[derive(Default)]
pub struct Metrics {
    pushes: AtomicU64,
    applied: AtomicU64,
    duplicates: AtomicU64,
    conflicts: AtomicU64,
    rejected: AtomicU64,
    pulls: AtomicU64,
    records_served: AtomicU64,
    refused: AtomicU64,
}

impl Metrics {
    pub fn count_refused(&self) {
        self.refused.fetch_add(1, Relaxed);
    }
}

/// Every route, with its description. Routes are added here through `routes!` only (never a
/// plain `.route`), so whatever the server serves, the document names (the API test checks it).
fn routes() -> OpenApiRouter<Server> {
    OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(metrics))
        .routes(routes!(openapi))
        .routes(routes!(enrol))
        .routes(routes!(push))
        .routes(routes!(pull))
        .routes(routes!(events))
        .routes(routes!(audit_heads))
        .routes(routes!(files::file_status))
        .routes(routes!(files::send_chunk))
        .routes(routes!(files::file_content))
        .routes(routes!(updates::manifest))
        .routes(routes!(updates::package))
}

/// The document, as served (built once, with the router).
#[derive(Clone)]
struct Document(Arc<Value>);

pub(crate) fn router(server: Server) -> Router {
    let (routes, document) = routes().split_for_parts();
    let document = Document(Arc::new(serde_json::to_value(document).expect("the OpenAPI document is JSON")));
    routes
        // Errors are `{code, message}` everywhere, also for a path or a method no route has.
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such endpoint: /openapi.json lists them.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "This endpoint does not take that method: /openapi.json lists them.")
        })
        .layer(Extension(document))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(RequestDecompressionLayer::new())
        // The decompression layer refuses an encoding it does not know (not gzip) with a bare 415:
        // answered in the API's error shape, as the document says a 415 is.
        .layer(axum::middleware::map_response(|response: axum::response::Response| async move {
            if response.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE && !response.headers().contains_key(header::CONTENT_TYPE) {
                return ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Send the body as JSON, plain or gzip-encoded.")
                    .into_response();
            }
            response
        }))
        // Fastest: a first sync's pages are megabytes, and the network is usually a LAN. Files are
        // sent as they are: scans are compressed already, and a range must count their own bytes.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest)
            .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/octet-stream"))))
        .with_state(server)
}

#[derive(Serialize, ToSchema)]
struct Health {
    /// Always `ok`: the server answers and so does its database.
    #[schema(example = "ok")]
    status: &'static str,
}

/// The server and its database answer.
#[utoipa::path(get, path = "/health", tag = "operations", responses(
    (status = 200, description = "Up, and its database answers", body = Health),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
async fn health(State(server): State<Server>) -> ApiResult<Json<Health>> {
    sqlx::query_scalar!("SELECT 1 AS one").fetch_one(&server.db).await?;
    Ok(Json(Health { status: "ok" }))
}

/// Counters since the server started, in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "One counter a line", content_type = "text/plain; version=0.0.4", body = String),
))]
async fn metrics(State(server): State<Server>) -> impl IntoResponse {
    let m = &server.metrics;
    let lines = [
        ("clinic_pushes_total", &m.pushes), ("clinic_mutations_applied_total", &m.applied),
        ("clinic_mutations_duplicate_total", &m.duplicates), ("clinic_mutations_conflict_total", &m.conflicts),
        ("clinic_mutations_rejected_total", &m.rejected), ("clinic_pulls_total", &m.pulls),
        ("clinic_records_served_total", &m.records_served), ("clinic_requests_refused_total", &m.refused),
    ];
    let body: String = lines.iter().map(|(name, v)| format!("# TYPE {name} counter\n{name} {}\n", v.load(Relaxed))).collect();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses(
    (status = 200, description = "The OpenAPI 3.1 description of every endpoint", content_type = "application/json", body = Object),
))]
async fn openapi(Extension(Document(document)): Extension<Document>) -> Json<Value> {
    Json(Value::clone(&document))
}

/// The longest workstation name, in characters (admin.rs keeps the same bound on the trimmed name).
const DEVICE_NAME_MAX: usize = 80;

/// Exchange a one-time enrolment code for a device token.
///
/// The first workstation to enrol brings its clinic (`clinic` set); every later one must be empty
/// or hold that same clinic, and gets the next device number. A workstation enrols once: its id
/// cannot be enrolled again (a revoked one stays revoked). Refused tries are limited per address.
#[utoipa::path(post, path = "/v1/enrol", tag = "sync", request_body = doc::EnrolRequest, responses(
    (status = 200, description = "Enrolled: the device token (shown once)", body = doc::Enrolment),
    (status = 400, description = doc::BAD_REQUEST, body = ErrorBody),
    (status = 403, description = "`bad_code`: the code is mistyped, used, or expired.", body = ErrorBody),
    (status = 409, description = "`no_clinic_yet`: an empty workstation cannot enrol before the clinic's own; \
        `other_clinic`: it holds another clinic's data; `device_exists`: a workstation with this id is enrolled already \
        (or was, and was revoked); `device_number_taken`: another workstation uses its number; \
        `no_device_numbers`: the organisation has used all 99 workstation numbers.", body = ErrorBody),
    (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
    (status = 415, description = doc::UNSUPPORTED, body = ErrorBody),
    (status = 422, description = doc::INVALID, body = ErrorBody),
    (status = 429, description = doc::CODES_LIMITED, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
async fn enrol(Client(address): Client, State(server): State<Server>, body: Result<Json<EnrolRequest>, axum::extract::rejection::JsonRejection>) -> ApiResult<Json<Enrolment>> {
    let Json(request) = body.map_err(bad_body)?;
    // The schema's rules for the name (openapi.rs), checked as stated there: a name PostgreSQL
    // cannot store (a NUL) must be refused here, not fail the insert.
    let name = &request.device_name;
    if !(1..=DEVICE_NAME_MAX).contains(&name.chars().count()) || name.chars().all(char::is_whitespace) || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "Give the workstation a name of 1 to {DEVICE_NAME_MAX} characters, not only spaces, without control characters."
        )));
    }
    if let Some(clinic) = &request.clinic {
        if !DEVICE_NUMBERS.contains(&clinic.device_number) {
            return Err(ApiError::invalid(format!(
                "A workstation's number is from {} to {}.", DEVICE_NUMBERS.start(), DEVICE_NUMBERS.end()
            )));
        }
    }
    // Taken before the code is looked up, given back when it enrols: only refused tries count.
    if !server.limits.code_tries.take(address) {
        return Err(refused(&server, "Too many refused enrolments from this address: wait a minute, then try again with the code the admin gave."));
    }
    let enrolment = admin::enrol(&server.db, request).await?;
    server.limits.code_tries.give_back(address);
    Ok(Json(enrolment))
}

/// Push outbox mutations; each gets its own result.
///
/// A replayed mutation id answers its first result and changes nothing. Each mutation is checked
/// on its own (its entity's declaration, the user's permission): one that cannot be applied is
/// answered `rejected` and the rest of the batch applies.
#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", security(("device" = [])), request_body = doc::PushRequest, responses(
    (status = 200, description = "One result per mutation, in device order", body = doc::PushResponse),
    (status = 400, description = doc::BAD_REQUEST, body = ErrorBody),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 413, description = doc::TOO_LARGE_OR_MANY, body = ErrorBody),
    (status = 415, description = doc::UNSUPPORTED, body = ErrorBody),
    (status = 422, description = doc::INVALID, body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
async fn push(device: Device, State(server): State<Server>, body: Result<Json<PushRequest>, axum::extract::rejection::JsonRejection>) -> ApiResult<Json<PushResponse>> {
    let Json(request) = body.map_err(bad_body)?;
    if request.mutations.len() > MAX_PUSH {
        return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_many", format!("Push at most {MAX_PUSH} mutations at a time.")));
    }
    let results = apply::push(&server.db, &device.0, request.mutations).await?;
    if results.iter().any(|r| matches!(r.outcome, Outcome::Applied { .. } | Outcome::Conflict { .. })) {
        let _ = server.changes.send(device.0.org_id); // nobody listening is fine
    }
    let m = &server.metrics;
    m.pushes.fetch_add(1, Relaxed);
    for r in &results {
        let counter = match r.outcome {
            Outcome::Applied { .. } => &m.applied,
            Outcome::Duplicate { .. } => &m.duplicates,
            Outcome::Conflict { .. } => &m.conflicts,
            Outcome::Rejected { .. } => &m.rejected,
        };
        counter.fetch_add(1, Relaxed);
    }
    Ok(Json(PushResponse { results }))
}

/// The pull's query, read as text and checked by `whole_number`: so a number out of range (a cursor
/// past 64 bits, limit 0) is answered 422, and text that is no number 400, each as documented.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PullQuery {
    /// Changes after this server sequence number: 0 (the default) for a first sync, then the previous page's `next_cursor`.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 9223372036854775807i64)]
    cursor: Option<String>,
    /// The most records in the page (default 1000).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 5000)]
    limit: Option<String>,
}
const _: () = assert!(MAX_PULL == 5000, "PullQuery's limit maximum states MAX_PULL");

/// A query parameter's value: absent is `default`; text that is not a whole number is a bad
/// request; a whole number outside `range` (however many digits) is invalid.
pub(crate) fn whole_number(name: &str, text: Option<&str>, default: i64, range: RangeInclusive<i64>) -> ApiResult<i64> {
    let Some(text) = text else { return Ok(default) };
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request(format!("{name} is a whole number.")));
    }
    match text.parse::<i64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ApiError::invalid(format!("{name} is a whole number from {} to {}.", range.start(), range.end()))),
    }
}

/// A pulled record, its columns passed through as stored (not parsed and written again).
#[derive(serde::Serialize)]
struct PulledRecord {
    entity: String,
    entity_id: Uuid,
    version: i64,
    server_seq: i64,
    data: Box<serde_json::value::RawValue>,
}

/// The same shape as `clinic_sync::PullResponse`.
#[derive(serde::Serialize)]
struct PulledPage {
    records: Vec<PulledRecord>,
    next_cursor: i64,
    has_more: bool,
}

/// The records of the device's organisation changed after the cursor, each once at its latest state, in server order.
///
/// The same call serves the first sync (from cursor 0, paged) and the tail. Answers are gzip when asked.
#[utoipa::path(get, path = "/v1/sync/pull", tag = "sync", security(("device" = [])), params(PullQuery), responses(
    (status = 200, description = "A page of records", body = doc::PullResponse),
    (status = 400, description = doc::BAD_REQUEST, body = ErrorBody),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 422, description = doc::INVALID, body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 500, description = doc::INTERNAL, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
async fn pull(device: Device, State(server): State<Server>, query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>) -> ApiResult<Json<PulledPage>> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let cursor = whole_number("cursor", q.cursor.as_deref(), 0, 0..=i64::MAX)?;
    let limit = whole_number("limit", q.limit.as_deref(), 1000, 1..=MAX_PULL)?;
    let rows = sqlx::query!(
        r#"SELECT entity, entity_id, version, server_seq, data::text AS "data!" FROM record
         WHERE org_id = $1 AND server_seq > $2 ORDER BY server_seq LIMIT $3"#,
        device.0.org_id, cursor, limit + 1,
    )
    .fetch_all(&server.db).await?;
    let has_more = rows.len() as i64 > limit;
    let records = rows.into_iter().take(limit as usize)
        .map(|r| {
            let (entity, entity_id, version, server_seq, data) = (r.entity, r.entity_id, r.version, r.server_seq, r.data);
            let data = serde_json::value::RawValue::from_string(data).map_err(|e| {
                tracing::error!(error = %e, "stored record is not JSON");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "A stored record could not be read.")
            })?;
            Ok(PulledRecord { entity, entity_id, version, server_seq, data })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let next_cursor = records.last().map_or(cursor, |r| r.server_seq);
    server.metrics.pulls.fetch_add(1, Relaxed);
    server.metrics.records_served.fetch_add(records.len() as u64, Relaxed);
    Ok(Json(PulledPage { records, next_cursor, has_more }))
}

/// The last entry of each workstation's audit chain the server acknowledged: a workstation holds
/// its copy of every chain to these, so entries cut off its trail show.
#[utoipa::path(get, path = "/v1/audit/heads", tag = "sync", security(("device" = [])), responses(
    (status = 200, description = "One head per workstation that has pushed audit entries", body = Vec<doc::ChainHead>),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 500, description = doc::INTERNAL, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
async fn audit_heads(device: Device, State(server): State<Server>) -> ApiResult<Json<Vec<clinic_sync::audit_chain::ChainHead>>> {
    Ok(Json(crate::audit::heads(&server.db, device.0.org_id).await?))
}

/// Server-sent events: a `poke` whenever the workstation's organisation changed, so it pulls now
/// rather than at its next timer.
///
/// A workstation keeps at most 4 streams open: opening a fifth ends its oldest. Its streams end
/// when it is revoked.
#[utoipa::path(get, path = "/v1/sync/events", tag = "sync", security(("device" = [])), responses(
    (status = 200, description = "An endless stream: `event: poke` (data `pull`) on each change, and keep-alive comments", content_type = "text/event-stream", body = String),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
async fn events(device: Device, State(server): State<Server>) -> impl IntoResponse {
    use axum::response::sse::{KeepAlive, Sse};
    let stream = server.streams.open(device.0.device_id);
    Sse::new(streams::pokes(stream, server.changes.subscribe(), device.0.org_id)).keep_alive(KeepAlive::default())
}

/// A JSON body axum could not take, as documented: 413 too large, 415 not sent as JSON, 422 JSON
/// of the wrong shape, 400 anything else (not JSON, a broken gzip stream).
fn bad_body(e: axum::extract::rejection::JsonRejection) -> ApiError {
    let (status, code) = match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        StatusCode::UNPROCESSABLE_ENTITY => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        _ => (StatusCode::BAD_REQUEST, "bad_request"),
    };
    ApiError::new(status, code, e.body_text())
}
