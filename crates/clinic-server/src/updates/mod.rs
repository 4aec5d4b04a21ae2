//! Signed updates of the desktop app, served by the clinic's own server (docs/updates.md), so a
//! clinic without internet updates from it. The admin publishes a release (`publish.rs`); each
//! workstation's updater (tauri-plugin-updater) asks for its manifest and downloads the package,
//! with its device token, over the pinned connection it syncs on. Releases are the server's:
//! every enrolled workstation of every organisation is offered the same ones.

pub mod publish;
pub mod release;

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::caller::Device;
use crate::error::{ApiError, ApiResult};
use crate::openapi::{self as doc, ErrorBody};
use crate::Server;
use release::{is_platform, Version};

const BAD_PATH: &str = "`bad_request`: the path cannot be read (it is not UTF-8 once decoded), or the request names no host.";
const BAD_VALUES: &str = "`invalid`: the platform is not `{os}-{arch}-{bundle}` or the version not MAJOR.MINOR.PATCH.";

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct ManifestPath {
    /// What the workstation's updater runs as: `{os}-{arch}-{bundle}`, e.g. `linux-x86_64-deb`.
    #[param(pattern = "^[a-z]+-[a-z0-9_]+-[a-z]+$", max_length = 64, example = "linux-x86_64-deb")]
    platform: String,
    /// The version the workstation runs now.
    #[param(pattern = r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$", example = "0.1.0")]
    current_version: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct PackagePath {
    /// The platform the package is for, as in the manifest's request.
    #[param(pattern = "^[a-z]+-[a-z0-9_]+-[a-z]+$", max_length = 64, example = "linux-x86_64-deb")]
    platform: String,
    /// The release's version.
    #[param(pattern = r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$", example = "0.2.0")]
    version: String,
}

/// The newest release for a platform, in the shape tauri-plugin-updater reads (its "dynamic"
/// format: one platform's url and signature).
#[derive(Serialize, ToSchema)]
pub struct UpdateManifest {
    /// The release's version, MAJOR.MINOR.PATCH.
    #[schema(example = "0.2.0")]
    pub version: String,
    /// The release notes the admin published, shown by the window.
    pub notes: String,
    /// When it was published (RFC 3339, UTC).
    #[schema(example = "2026-12-05T10:00:00Z")]
    pub pub_date: String,
    /// Where to download the package (this server; the same device token).
    pub url: String,
    /// The package's minisign signature (base64), which the workstation checks against the key built into the app.
    pub signature: String,
}

fn checked(platform: &str, version: &str) -> ApiResult<Version> {
    if !is_platform(platform) {
        return Err(ApiError::invalid("A platform is `{os}-{arch}-{bundle}`, e.g. linux-x86_64-deb."));
    }
    Version::parse(version).ok_or_else(|| ApiError::invalid("A version is MAJOR.MINOR.PATCH, plain numbers, e.g. 0.2.0."))
}

/// The newest release for the workstation's platform, when it is newer than the one it runs.
///
/// Answers `204` when there is nothing newer (or nothing for that platform, as for an app not
/// installed from a package). Any enrolled workstation may ask.
#[utoipa::path(get, path = "/v1/updates/{platform}/{current_version}", tag = "updates", security(("device" = [])), params(ManifestPath), responses(
    (status = 200, description = "A newer release: its version, notes, package address and signature", body = UpdateManifest),
    (status = 204, description = "Nothing newer for this platform"),
    (status = 400, description = BAD_PATH, body = ErrorBody),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 422, description = BAD_VALUES, body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
pub(crate) async fn manifest(_device: Device, State(server): State<Server>, path: Result<Path<ManifestPath>, PathRejection>, uri: Uri, headers: HeaderMap)
    -> ApiResult<Response> {
    let Path(ManifestPath { platform, current_version }) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let current = checked(&platform, &current_version)?;
    let latest = sqlx::query!(
        r#"SELECT major, minor, patch, notes, signature,
                  to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "pub_date!"
           FROM app_release WHERE platform = $1 ORDER BY major DESC, minor DESC, patch DESC LIMIT 1"#,
        platform
    ).fetch_optional(&server.db).await?;
    let Some(latest) = latest.filter(|r| Version { major: r.major, minor: r.minor, patch: r.patch } > current) else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let version = Version { major: latest.major, minor: latest.minor, patch: latest.patch }.to_string();
    let host = host(&uri, &headers).ok_or_else(|| ApiError::bad_request("The request names no host (Host header)."))?;
    let scheme = if server.https { "https" } else { "http" };
    let url = format!("{scheme}://{host}/v1/updates/{platform}/{version}/package");
    Ok(Json(UpdateManifest { version, notes: latest.notes, pub_date: latest.pub_date, url, signature: latest.signature }).into_response())
}

/// The address the workstation dialled (its download comes from the same place, through the same
/// pinned connection): the request's authority, else its Host header; only the characters a host
/// and port are written with.
fn host(uri: &Uri, headers: &HeaderMap) -> Option<String> {
    let host = uri.authority().map(|a| a.as_str().to_string())
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_string))?;
    let plain = !host.is_empty() && host.len() <= 255 && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    plain.then_some(host)
}

/// A release's package, whole.
#[utoipa::path(get, path = "/v1/updates/{platform}/{version}/package", tag = "updates", security(("device" = [])), params(PackagePath), responses(
    (status = 200, description = "The package, as published", content_type = "application/octet-stream", body = doc::Binary),
    (status = 400, description = BAD_PATH, body = ErrorBody),
    (status = 401, description = doc::UNAUTHORISED, body = ErrorBody),
    (status = 404, description = "`not_found`: no such release for this platform.", body = ErrorBody),
    (status = 422, description = BAD_VALUES, body = ErrorBody),
    (status = 429, description = doc::RATE_LIMITED, body = ErrorBody),
    (status = 503, description = doc::UNAVAILABLE, body = ErrorBody),
))]
pub(crate) async fn package(_device: Device, State(server): State<Server>, path: Result<Path<PackagePath>, PathRejection>) -> ApiResult<Response> {
    let Path(PackagePath { platform, version }) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let version = checked(&platform, &version)?;
    let release = sqlx::query!(
        "SELECT id, size FROM app_release WHERE platform = $1 AND major = $2 AND minor = $3 AND patch = $4",
        platform, version.major, version.minor, version.patch
    ).fetch_optional(&server.db).await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("There is no release {version} for {platform} on this server.")))?;
    let body = Body::from_stream(chunks(server.db.clone(), release.id, release.size));
    let mut response = (StatusCode::OK, [(header::CONTENT_TYPE, "application/octet-stream")], body).into_response();
    response.headers_mut().insert(header::CONTENT_LENGTH, release.size.into());
    Ok(response)
}

/// The package's bytes, a stored chunk at a time. A failure cuts the answer short (its length then
/// tells the workstation), and the updater's signature check refuses what arrived.
fn chunks(db: sqlx::PgPool, release: Uuid, size: i64) -> tokio_stream::wrappers::ReceiverStream<Result<Bytes, std::io::Error>> {
    let (send, receive) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let mut at = 0;
        while at < size {
            let chunk = sqlx::query_scalar!("SELECT bytes FROM app_release_chunk WHERE release_id = $1 AND start = $2", release, at)
                .fetch_optional(&db).await;
            let piece = match chunk {
                Ok(Some(bytes)) => Ok(Bytes::from(bytes)),
                Ok(None) => Err(std::io::Error::other("a package's bytes are missing")),
                Err(e) => Err(std::io::Error::other(e)),
            };
            if let Err(e) = &piece {
                tracing::error!(error = %e, %release, "serving an update package");
            }
            let stop = piece.is_err();
            at += piece.as_ref().map_or(0, |p| p.len() as i64);
            if send.send(piece).await.is_err() || stop {
                return;
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(receive)
}
