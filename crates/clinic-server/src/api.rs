//! The HTTP API: enrolment, push, pull, health, metrics, and the OpenAPI document describing them.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use clinic_sync::{EnrolRequest, Enrolment, Outcome, PushRequest, PushResponse, MAX_PULL, MAX_PUSH};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use uuid::Uuid;

use crate::admin::{self, DeviceAuth};
use crate::error::{ApiError, ApiResult};
use crate::{apply, Server};

/// The largest request body, after decompression: a full push of large records fits well.
const MAX_BODY: usize = 8 * 1024 * 1024;

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

pub fn router(server: Server) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/v1/enrol", post(enrol))
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", get(pull))
        .route("/v1/sync/events", get(events))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(RequestDecompressionLayer::new())
        // Fastest: a first sync's pages are megabytes, and the network is usually a LAN.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
        .with_state(server)
}

async fn health(State(server): State<Server>) -> ApiResult<Json<Value>> {
    sqlx::query("SELECT 1").execute(&server.db).await?;
    Ok(Json(json!({"status": "ok"})))
}

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

async fn enrol(State(server): State<Server>, body: Result<Json<EnrolRequest>, axum::extract::rejection::JsonRejection>) -> ApiResult<Json<Enrolment>> {
    let Json(request) = body.map_err(bad_body)?;
    Ok(Json(admin::enrol(&server.db, request).await?))
}

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

#[derive(Deserialize)]
struct PullQuery {
    #[serde(default)]
    cursor: i64,
    limit: Option<i64>,
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

async fn pull(device: Device, State(server): State<Server>, query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>) -> ApiResult<Json<PulledPage>> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = q.limit.unwrap_or(1000).clamp(1, MAX_PULL);
    let rows = sqlx::query_as::<_, (String, Uuid, i64, i64, String)>(
        "SELECT entity, entity_id, version, server_seq, data::text FROM record
         WHERE org_id = $1 AND server_seq > $2 ORDER BY server_seq LIMIT $3",
    )
    .bind(device.0.org_id).bind(q.cursor).bind(limit + 1)
    .fetch_all(&server.db).await?;
    let has_more = rows.len() as i64 > limit;
    let records = rows.into_iter().take(limit as usize)
        .map(|(entity, entity_id, version, server_seq, data)| {
            let data = serde_json::value::RawValue::from_string(data).map_err(|e| {
                tracing::error!(error = %e, "stored record is not JSON");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "A stored record could not be read.")
            })?;
            Ok(PulledRecord { entity, entity_id, version, server_seq, data })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let next_cursor = records.last().map_or(q.cursor, |r| r.server_seq);
    server.metrics.pulls.fetch_add(1, Relaxed);
    server.metrics.records_served.fetch_add(records.len() as u64, Relaxed);
    Ok(Json(PulledPage { records, next_cursor, has_more }))
}

/// Server-sent events: a `poke` whenever the workstation's organisation changed, so it pulls now
/// rather than at its next timer.
async fn events(device: Device, State(server): State<Server>) -> impl IntoResponse {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio_stream::StreamExt;
    let org = device.0.org_id;
    let pokes = tokio_stream::wrappers::BroadcastStream::new(server.changes.subscribe())
        .filter(move |changed| changed.as_ref().map_or(true, |o| *o == org)) // a missed poke is a poke
        .map(|_| Ok::<_, std::convert::Infallible>(Event::default().event("poke").data("pull")));
    Sse::new(pokes).keep_alive(KeepAlive::default())
}

fn bad_body(e: axum::extract::rejection::JsonRejection) -> ApiError {
    let status = e.status();
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_request" };
    ApiError::new(if status.is_client_error() { status } else { StatusCode::BAD_REQUEST }, code, e.body_text())
}

/// An enrolled workstation, from its bearer token, within its rate limit.
struct Device(DeviceAuth);

impl FromRequestParts<Server> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, server: &Server) -> Result<Device, ApiError> {
        let token = parts.headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer ")).ok_or_else(ApiError::unauthorised)?;
        let auth = admin::authenticate(&server.db, token).await?;
        if !server.limits.allow(auth.device_id) {
            server.metrics.refused.fetch_add(1, Relaxed);
            return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests from this workstation; it will retry shortly."));
        }
        Ok(Device(auth))
    }
}

async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}
