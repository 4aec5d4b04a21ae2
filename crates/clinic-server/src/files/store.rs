//! Files in PostgreSQL: `file_blob` says how much of each file arrived, `file_chunk` holds the
//! bytes as they arrived (a chunk per request), per organisation.

use axum::body::Bytes;
use axum::http::StatusCode;
use clinic_sync::files::FileStatus;
use sha2::{Digest, Sha256};
use tokio_stream::StreamExt;
use uuid::Uuid;

use crate::admin::DeviceAuth;
use crate::error::{ApiError, ApiResult};

/// Takes the bytes of `sha256` (a file of `size` bytes) from `offset` on, in one transaction;
/// the file's row is locked meanwhile, so two workstations sending the same file take turns.
pub(super) async fn append(db: &sqlx::PgPool, device: &DeviceAuth, sha256: &str, size: i64, offset: i64, bytes: &[u8]) -> ApiResult<FileStatus> {
    let org = device.org_id;
    let mut tx = db.begin().await?;
    sqlx::query!(
        "INSERT INTO file_blob (org_id, sha256, size, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        org, sha256, size, device.device_id
    ).execute(&mut *tx).await?;
    let held = sqlx::query!("SELECT size, received, complete FROM file_blob WHERE org_id = $1 AND sha256 = $2 FOR UPDATE", org, sha256)
        .fetch_one(&mut *tx).await?;
    let status = |received: i64, complete: bool| FileStatus { sha256: sha256.to_string(), size, received, complete };
    if held.complete && held.size == size {
        // The whole file is here: any part of it sent again changes nothing.
        return Ok(status(held.size, true));
    }
    let mut received = held.received;
    if held.size != size {
        if offset != 0 || held.complete {
            return Err(ApiError::new(StatusCode::CONFLICT, "size_mismatch", format!(
                "The server is receiving this file with a size of {} bytes, not {size}.", held.size)));
        }
        // Begun again from the start with another size: what arrived before was not this file.
        sqlx::query!("DELETE FROM file_chunk WHERE org_id = $1 AND sha256 = $2", org, sha256).execute(&mut *tx).await?;
        received = 0;
    }
    if offset > received {
        return Err(ApiError::new(StatusCode::CONFLICT, "gap", format!(
            "The server holds the first {received} bytes of this file: send from offset {received}.")));
    }
    // Bytes it holds already are taken as sent; only what follows them is new.
    let new = &bytes[(received - offset).min(bytes.len() as i64) as usize..];
    if new.is_empty() {
        return Ok(status(received, false));
    }
    sqlx::query!("INSERT INTO file_chunk (org_id, sha256, start, bytes) VALUES ($1, $2, $3, $4)", org, sha256, received, new)
        .execute(&mut *tx).await?;
    received += new.len() as i64;
    let complete = received == size;
    if complete && hash(&mut tx, org, sha256).await? != sha256 {
        sqlx::query!("DELETE FROM file_blob WHERE org_id = $1 AND sha256 = $2", org, sha256).execute(&mut *tx).await?;
        tx.commit().await?;
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch",
            "The file that arrived is not what its name says (its SHA-256 differs), so it was discarded: send it again from the start."));
    }
    sqlx::query!("UPDATE file_blob SET size = $3, received = $4, complete = $5 WHERE org_id = $1 AND sha256 = $2", org, sha256, size, received, complete)
        .execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(status(received, complete))
}

/// The SHA-256 of every byte of the file, read back a chunk at a time.
async fn hash(tx: &mut sqlx::PgConnection, org: Uuid, sha256: &str) -> ApiResult<String> {
    let mut hasher = Sha256::new();
    let mut chunks = sqlx::query_scalar!("SELECT bytes FROM file_chunk WHERE org_id = $1 AND sha256 = $2 ORDER BY start", org, sha256).fetch(tx);
    while let Some(bytes) = chunks.next().await {
        hasher.update(bytes?);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The file's bytes from `first` to `last` (both included), a stored chunk at a time, so a large
/// file is never held whole in memory. A failure cuts the answer short; the workstation carries
/// on from what it got.
pub(super) fn read(db: sqlx::PgPool, org: Uuid, sha256: String, first: i64, last: i64) -> tokio_stream::wrappers::ReceiverStream<Result<Bytes, std::io::Error>> {
    let (send, receive) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let mut at = first;
        while at <= last {
            // The chunk holding `at`: the last one starting at or before it.
            let chunk = sqlx::query!(
                "SELECT start, bytes FROM file_chunk WHERE org_id = $1 AND sha256 = $2 AND start <= $3 ORDER BY start DESC LIMIT 1",
                org, sha256, at
            ).fetch_optional(&db).await;
            let piece = match chunk {
                Ok(Some(chunk)) if chunk.start + (chunk.bytes.len() as i64) > at => {
                    let from = (at - chunk.start) as usize;
                    let to = ((last + 1 - chunk.start) as usize).min(chunk.bytes.len());
                    Ok(Bytes::from(chunk.bytes).slice(from..to))
                }
                Ok(_) => Err(std::io::Error::other("a file's bytes are missing")),
                Err(e) => Err(std::io::Error::other(e)),
            };
            if let Err(e) = &piece {
                tracing::error!(error = %e, file = %sha256, "serving a file");
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
