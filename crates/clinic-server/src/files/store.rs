//! Files in PostgreSQL: `file_blob` says how much of each file arrived, `file_chunk` holds the
//! bytes as they arrived (a chunk per request), per organisation.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::StatusCode;
use clinic_sync::files::FileStatus;
use sha2::{Digest, Sha256};
use tokio_stream::StreamExt;
use uuid::Uuid;

use crate::admin::DeviceAuth;
use crate::error::{ApiError, ApiResult};

/// The SHA-256 of the bytes received so far of each file this process is receiving, so the last
/// chunk needs no reading back of the whole file. Only a hint: a file whose state is not here at
/// the offset reached (its earlier chunks went to another server process, or this one restarted)
/// is read back from the database instead.
#[derive(Default)]
pub(crate) struct Receiving(Mutex<HashMap<(Uuid, String), (i64, Sha256)>>);

/// Files kept at most; past it the hints are dropped (uploads begun and never finished).
const RECEIVING_KEPT: usize = 256;

impl Receiving {
    /// The hash of the file's first `received` bytes, when this process has it.
    fn take(&self, org: Uuid, sha256: &str, received: i64) -> Option<Sha256> {
        if received == 0 {
            return Some(Sha256::new());
        }
        let mut files = self.0.lock().expect("receiving");
        files.remove(&(org, sha256.to_string())).filter(|(at, _)| *at == received).map(|(_, hasher)| hasher)
    }

    fn keep(&self, org: Uuid, sha256: &str, received: i64, hasher: Sha256) {
        let mut files = self.0.lock().expect("receiving");
        if files.len() >= RECEIVING_KEPT {
            files.clear();
        }
        files.insert((org, sha256.to_string()), (received, hasher));
    }
}

/// Takes the bytes of `sha256` (a file of `size` bytes) from `offset` on, in one transaction;
/// the file's row is locked meanwhile, so two workstations sending the same file take turns.
pub(super) async fn append(db: &sqlx::PgPool, receiving: &Receiving, device: &DeviceAuth, sha256: &str, size: i64, offset: i64, bytes: &[u8])
    -> ApiResult<FileStatus> {
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
    let mut hasher = receiving.take(org, sha256, received);
    sqlx::query!("INSERT INTO file_chunk (org_id, sha256, start, bytes) VALUES ($1, $2, $3, $4)", org, sha256, received, new)
        .execute(&mut *tx).await?;
    if let Some(hasher) = hasher.as_mut() {
        hasher.update(new);
    }
    received += new.len() as i64;
    let complete = received == size;
    let whole = match (complete, hasher.clone()) {
        (false, _) => None,
        (true, Some(hasher)) => Some(hex::encode(hasher.finalize())),
        (true, None) => Some(hash(&mut tx, org, sha256).await?),
    };
    if whole.is_some_and(|whole| whole != sha256) {
        sqlx::query!("DELETE FROM file_blob WHERE org_id = $1 AND sha256 = $2", org, sha256).execute(&mut *tx).await?;
        tx.commit().await?;
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch",
            "The file that arrived is not what its name says (its SHA-256 differs), so it was discarded: send it again from the start."));
    }
    sqlx::query!("UPDATE file_blob SET size = $3, received = $4, complete = $5 WHERE org_id = $1 AND sha256 = $2", org, sha256, size, received, complete)
        .execute(&mut *tx).await?;
    tx.commit().await?;
    if let (false, Some(hasher)) = (complete, hasher) {
        receiving.keep(org, sha256, received, hasher);
    }
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
