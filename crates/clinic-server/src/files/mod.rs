//! Attachments' bytes (DESIGN.md §5d): each organisation's files, named by the SHA-256 of their
//! content, sent in chunks and fetched by range, on endpoints of their own (never in a push).
//! An upload is resumable: a chunk at the offset the server has reached is appended, one it
//! already holds is taken as sent, one past it is refused (`gap`). When the last byte arrives the
//! server hashes the whole file again; a file that is not what its name says is discarded.
//! Another organisation's files do not exist here (404), whatever their hash.

mod store;

pub(crate) use store::Receiving;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use clinic_sync::files::{is_sha256, FileStatus, MAX_CHUNK_BYTES, MAX_FILE_BYTES};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::api::whole_number;
use crate::caller::Device;
use crate::error::{ApiError, ApiResult};
use crate::openapi::{self as doc, ErrorBody};
use crate::Server;

const BAD_PATH: &str = "`bad_request`: the path cannot be read (it is not UTF-8 once decoded).";
const BAD_NAME: &str = "`invalid`: the name is not a SHA-256 (64 lower-case hex digits).";

const _: () = assert!(MAX_CHUNK_BYTES == crate::api::MAX_BODY, "a chunk is at most one request body");

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct FilePath {
    /// The SHA-256 of the file's whole content, as 64 lower-case hex digits.
    #[param(pattern = "^[0-9a-f]{64}$", min_length = 64, max_length = 64)]
    sha256: String,
}

/// The upload's query, read as text and checked by `whole_number` (as the pull's).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ChunkQuery {
    /// Where these bytes start in the file: the server's `received` to carry on.
    #[param(value_type = i64, minimum = 0, maximum = 52428799)]
    offset: Option<String>,
    /// The whole file's size in bytes (at most 50 MiB).
    #[param(value_type = i64, minimum = 1, maximum = 52428800)]
    size: Option<String>,
}
const _: () = assert!(MAX_FILE_BYTES == 52_428_800, "ChunkQuery's bounds state MAX_FILE_BYTES");

fn file_name(path: Result<Path<FilePath>, PathRejection>) -> ApiResult<String> {
    let Path(FilePath { sha256 }) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if !is_sha256(&sha256) {
        return Err(ApiError::invalid("A file is named by the SHA-256 of its content: 64 lower-case hex digits."));
    }
    Ok(sha256)
}

fn no_such_file() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "This organisation has no file of that name on the server.")
}

/// How much of a file the server holds.
///
/// A workstation asks before sending a file (to carry on where the server's copy stops, or not at
/// all) and before fetching one (only a complete file is served).
#[utoipa::path(get, path = "/v1/files/{sha256}", tag = "files", security(("device" = [])), params(FilePath), responses(
    (status = 200, description = "The file's size, how many bytes from the start the server holds, and whether it is complete", body = doc::FileStatus),
    (status = 400, description = BAD_PATH, body = ErrorBody),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 404, description = "`not_found`: the organisation has none of this file.", body = ErrorBody),
    (status = 422, description = BAD_NAME, body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
pub(crate) async fn file_status(device: Device, State(server): State<Server>, path: Result<Path<FilePath>, PathRejection>) -> ApiResult<Json<doc::FileStatus>> {
    let sha256 = file_name(path)?;
    Ok(Json(status(&server.db, device.0.org_id, &sha256).await?.ok_or_else(no_such_file)?.into()))
}

async fn status(db: &sqlx::PgPool, org: Uuid, sha256: &str) -> ApiResult<Option<FileStatus>> {
    let row = sqlx::query!("SELECT size, received, complete FROM file_blob WHERE org_id = $1 AND sha256 = $2", org, sha256)
        .fetch_optional(db).await?;
    Ok(row.map(|r| FileStatus { sha256: sha256.to_string(), size: r.size, received: r.received, complete: r.complete }))
}

/// Send a file's bytes from `offset` on (resumable).
///
/// Bytes starting where the server's copy stops are appended; bytes it holds already are taken as
/// sent (a repeat changes nothing); bytes starting past it are refused. A first chunk (offset 0)
/// with another size starts an unfinished file again. Once all of it arrived, the server hashes
/// it: a file that is not what its name says is discarded, to be sent again.
#[utoipa::path(put, path = "/v1/files/{sha256}/chunks", tag = "files", security(("device" = [])), params(FilePath, ChunkQuery),
    request_body(content = doc::Binary, content_type = "application/octet-stream", description = "1 byte to 8 MiB of the file, from `offset` on"),
    responses(
    (status = 200, description = "Taken: how much of the file the server holds now", body = doc::FileStatus),
    (status = 400, description = "`bad_request`: the path cannot be read, `offset` or `size` is not a whole number, or the body could not be read.", body = ErrorBody),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 409, description = "`gap`: the bytes start past what the server holds (its `received` is in the message); \
        `size_mismatch`: the server is receiving this file with another size.", body = ErrorBody),
    (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
    (status = 415, description = "`unsupported_media_type`: the body is not sent as `application/octet-stream`.", body = ErrorBody),
    (status = 422, description = "`invalid`: a name that is not a SHA-256, an offset or size out of range, no bytes, or bytes running past the size; \
        `hash_mismatch`: the whole file arrived and is not what its name says, so it was discarded.", body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
pub(crate) async fn send_chunk(device: Device, State(server): State<Server>, path: Result<Path<FilePath>, PathRejection>,
    query: Result<Query<ChunkQuery>, QueryRejection>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> ApiResult<Json<doc::FileStatus>> {
    let sha256 = file_name(path)?;
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let required = |name: &str| ApiError::invalid(format!("{name} is required."));
    let offset = whole_number("offset", Some(q.offset.as_deref().ok_or_else(|| required("offset"))?), 0, 0..=MAX_FILE_BYTES - 1)?;
    let size = whole_number("size", Some(q.size.as_deref().ok_or_else(|| required("size"))?), 0, 1..=MAX_FILE_BYTES)?;
    let binary = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/octet-stream"));
    if !binary {
        return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Send the file's bytes as application/octet-stream."));
    }
    let bytes = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "Send at most 8 MiB at a time."),
        _ => ApiError::bad_request(e.body_text()),
    })?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("Send at least one byte."));
    }
    if offset + bytes.len() as i64 > size {
        return Err(ApiError::invalid("These bytes run past the file's size."));
    }
    Ok(Json(store::append(&server.db, &server.receiving, &device.0, &sha256, size, offset, &bytes).await?.into()))
}

/// A file's bytes, whole or from a `Range` (to carry on a download that was cut short).
///
/// Only a complete file is served. One range of the form `bytes=first-[last]` or `bytes=-suffix`
/// is honoured; a `Range` header of any other form is ignored (the whole file is sent).
#[utoipa::path(get, path = "/v1/files/{sha256}/content", tag = "files", security(("device" = [])),
    params(FilePath, ("Range" = Option<String>, Header, nullable = false, description = "`bytes=first-`, `bytes=first-last` or `bytes=-suffix`")),
    responses(
    (status = 200, description = "The whole file", content_type = "application/octet-stream", body = doc::Binary),
    (status = 206, description = "The range asked for", content_type = "application/octet-stream", body = doc::Binary,
        headers(("Content-Range" = String, description = "`bytes first-last/size`"))),
    (status = 400, description = BAD_PATH, body = ErrorBody),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 404, description = "`not_found`: the organisation has none of this file.", body = ErrorBody),
    (status = 409, description = "`incomplete`: the file has not all arrived yet.", body = ErrorBody),
    (status = 416, description = "`range_not_satisfiable`: the range starts past the file's end.", body = ErrorBody,
        headers(("Content-Range" = String, description = "`bytes */size`"))),
    (status = 422, description = BAD_NAME, body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
pub(crate) async fn file_content(device: Device, State(server): State<Server>, path: Result<Path<FilePath>, PathRejection>, headers: HeaderMap) -> ApiResult<Response> {
    let sha256 = file_name(path)?;
    let org = device.0.org_id;
    let file = status(&server.db, org, &sha256).await?.ok_or_else(no_such_file)?;
    if !file.complete {
        return Err(ApiError::new(StatusCode::CONFLICT, "incomplete", "The file has not all arrived on the server yet."));
    }
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).map(|v| range(v, file.size));
    let (first, last, status) = match asked {
        Some(Ranged::Unsatisfiable) => {
            let mut refused = ApiError::new(StatusCode::RANGE_NOT_SATISFIABLE, "range_not_satisfiable", format!("The file has {} bytes.", file.size)).into_response();
            refused.headers_mut().insert(header::CONTENT_RANGE, format!("bytes */{}", file.size).parse().expect("a header value"));
            return Ok(refused);
        }
        Some(Ranged::Bytes(first, last)) => (first, last, StatusCode::PARTIAL_CONTENT),
        Some(Ranged::Ignored) | None => (0, file.size - 1, StatusCode::OK),
    };
    let body = Body::from_stream(store::read(server.db.clone(), org, sha256, first, last));
    let mut response = (status, [(header::CONTENT_TYPE, "application/octet-stream"), (header::ACCEPT_RANGES, "bytes")], body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, (last - first + 1).into());
    if status == StatusCode::PARTIAL_CONTENT {
        headers.insert(header::CONTENT_RANGE, format!("bytes {first}-{last}/{}", file.size).parse().expect("a header value"));
    }
    Ok(response)
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq)]
enum Ranged {
    /// From the first to the last byte, both included (the last within the file).
    Bytes(i64, i64),
    Unsatisfiable,
    /// Not one range of bytes: the whole file is sent (as HTTP allows).
    Ignored,
}

fn range(header: &str, size: i64) -> Ranged {
    let Some((first, last)) = header.trim().strip_prefix("bytes=").and_then(|spec| spec.split_once('-')) else { return Ranged::Ignored };
    let number = |text: &str| (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse::<i64>().unwrap_or(i64::MAX));
    match (number(first.trim()), number(last.trim()), last.trim().is_empty()) {
        (Some(first), _, true) if first < size => Ranged::Bytes(first, size - 1),
        (Some(first), Some(last), false) if first <= last && first < size => Ranged::Bytes(first, last.min(size - 1)),
        (Some(first), Some(last), false) if first <= last => Ranged::Unsatisfiable,
        (Some(_), None, true) => Ranged::Unsatisfiable,
        (None, Some(0), false) if first.trim().is_empty() => Ranged::Unsatisfiable,
        (None, Some(suffix), false) if first.trim().is_empty() => Ranged::Bytes((size - suffix).max(0), size - 1),
        _ => Ranged::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_one_span_of_bytes_within_the_file() {
        assert_eq!(range("bytes=0-", 10), Ranged::Bytes(0, 9));
        assert_eq!(range("bytes=4-", 10), Ranged::Bytes(4, 9));
        assert_eq!(range("bytes=2-5", 10), Ranged::Bytes(2, 5));
        assert_eq!(range("bytes=2-50", 10), Ranged::Bytes(2, 9));
        assert_eq!(range("bytes=-3", 10), Ranged::Bytes(7, 9));
        assert_eq!(range("bytes=-30", 10), Ranged::Bytes(0, 9));
        assert_eq!(range("bytes=10-", 10), Ranged::Unsatisfiable);
        assert_eq!(range("bytes=-0", 10), Ranged::Unsatisfiable);
        assert_eq!(range("bytes=99999999999999999999999-", 10), Ranged::Unsatisfiable);
        for ignored in ["bytes=5-2", "bytes=0-1,4-5", "items=0-1", "bytes=a-", "bytes=-", "bytes=+1-2", ""] {
            assert_eq!(range(ignored, 10), Ranged::Ignored, "{ignored}");
        }
    }
}
