//! Attachments' bytes between this workstation and the server (DESIGN.md §5d), on their own
//! endpoints, never in a push batch. After each push this workstation sends the files it holds
//! that the server lacks (`file_transfer`, written with the record), each from where the server's
//! copy stops, in chunks; after each pull it fetches the files of the day's patients ahead of
//! time, and makes the thumbnails of their pictures. Any other file is fetched when it is opened.
//! A file that cannot move now never holds up the records: it is tried again a minute later.

use chrono::NaiveTime;

use super::server::SyncServer;
use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};
use crate::files::{has_thumbnail, Files, Held};

/// Bytes per upload request: the server's body limit (a cut connection loses at most this).
const UPLOAD_CHUNK: i64 = clinic_sync::files::MAX_CHUNK_BYTES as i64;
/// How long a file that could not move waits before it is tried again.
const RETRY_AFTER_MS: i64 = 60_000;

/// Sends the files the server lacks; answers how many it now has whole.
pub(super) async fn send_waiting(clinic: &Clinic, server: &SyncServer) -> Result<usize> {
    let now = clinic.clock().now().timestamp_millis();
    let due = now - RETRY_AFTER_MS;
    let waiting = sqlx::query!(
        "SELECT sha256, size FROM file_transfer WHERE direction = 'upload' AND (last_error IS NULL OR updated_at < ?) ORDER BY updated_at", due
    ).fetch_all(clinic.store().pool()).await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let files = Files::of_clinic(clinic).await?;
    let mut sent = 0;
    for files_now in waiting.chunks(2) {
        // Two at a time: one's bytes cross the network while the other's are read and stored.
        let results = match files_now {
            [one, two] => {
                let both = tokio::join!(send(clinic, server, &files, &one.sha256, one.size), send(clinic, server, &files, &two.sha256, two.size));
                vec![both.0, both.1]
            }
            _ => vec![send(clinic, server, &files, &files_now[0].sha256, files_now[0].size).await],
        };
        for (file, result) in files_now.iter().zip(results) {
            match result {
                Ok(()) => {
                    sqlx::query!("DELETE FROM file_transfer WHERE sha256 = ? AND direction = 'upload'", file.sha256).execute(clinic.store().pool()).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(file = %file.sha256, error = %e.message, "an attachment could not be sent; trying again later");
                    let now = clinic.clock().now().timestamp_millis();
                    sqlx::query!("UPDATE file_transfer SET tries = tries + 1, last_error = ?, updated_at = ? WHERE sha256 = ?", e.message, now, file.sha256)
                        .execute(clinic.store().pool()).await?;
                }
            }
        }
    }
    Ok(sent)
}

/// Sends one file from where the server's copy stops.
async fn send(clinic: &Clinic, server: &SyncServer, files: &Files, sha256: &str, size: i64) -> Result<()> {
    let there = server.file_status(sha256).await?;
    if there.as_ref().is_some_and(|s| s.complete) {
        return Ok(());
    }
    let bytes = match files.read_to_send(sha256).await? {
        Held::Bytes(bytes) => bytes,
        Held::Missing | Held::Damaged => return Err(Error::new(Code::StoreUnavailable, "The file is no longer whole on this workstation, so it cannot be sent.")),
    };
    // A copy the server holds of another size is started again from the beginning.
    let mut offset = there.filter(|s| s.size == size).map_or(0, |s| s.received);
    while offset < size {
        let end = (offset + UPLOAD_CHUNK).min(size);
        let answer = server.send_chunk(sha256, offset, size, bytes[offset as usize..end as usize].to_vec()).await?;
        if answer.complete {
            return Ok(());
        }
        // The server says where it stands (another workstation may be sending the same file).
        if answer.received <= offset {
            return Err(Error::new(Code::SyncUnavailable, "The sync server did not take the file's next bytes."));
        }
        offset = answer.received;
        sqlx::query!("UPDATE file_transfer SET done_bytes = ? WHERE sha256 = ?", offset, sha256).execute(clinic.store().pool()).await?;
    }
    Err(Error::new(Code::SyncUnavailable, "The sync server took all of the file's bytes but did not keep it."))
}

/// Fetches the files of the patients booked today at this site that are not here yet, and makes
/// the thumbnails of the pictures among them while their bytes are in hand (the doctor opening
/// the chart then waits for none); answers how many arrived. One the server does not have yet is
/// tried again a minute later.
pub(super) async fn fetch_todays(clinic: &Clinic, server: &SyncServer) -> Result<usize> {
    let mut conn = clinic.store().pool().acquire().await?;
    let site = crate::ops::setup::site_settings(clinic, &mut conn).await?;
    let today = clinic.clock().now().with_timezone(&site.time_zone).date_naive();
    let day = |date: chrono::NaiveDate| crate::ops::calendar::local_to_utc_lenient(site.time_zone, date.and_time(NaiveTime::MIN)).timestamp_millis();
    let (from, to) = (day(today), day(today.succ_opt().unwrap_or(today)));
    let (site_id, due) = (clinic.device()?.site_id, clinic.clock().now().timestamp_millis() - RETRY_AFTER_MS);
    let wanted = sqlx::query!(
        r#"SELECT DISTINCT a.sha256, a.size, a.media_type FROM appointment p JOIN attachment a ON a.patient_id = p.patient_id
           WHERE p.site_id = ? AND p.starts_at >= ? AND p.starts_at < ? AND p.status NOT IN ('cancelled', 'no_show') AND p.deleted_at IS NULL
             AND a.deleted_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM file_transfer t WHERE t.sha256 = a.sha256 AND (t.direction = 'upload' OR t.updated_at >= ?))"#,
        site_id, from, to, due
    ).fetch_all(&mut *conn).await?;
    drop(conn);
    if wanted.is_empty() {
        return Ok(0);
    }
    let files = Files::of_clinic(clinic).await?;
    let mut fetched = 0;
    for file in wanted.iter().filter(|f| !files.holds(&f.sha256)) {
        match fetch(clinic, server, &files, &file.sha256, file.size).await {
            Ok(bytes) => {
                fetched += 1;
                if has_thumbnail(&file.media_type) {
                    // At best: one the disk refuses (logged) is made when the chart asks for it.
                    let _ = files.thumbnail(&file.sha256, Some(std::sync::Arc::new(bytes))).await;
                }
            }
            Err(e) => tracing::info!(file = %file.sha256, error = %e.message, "an attachment of today's patients could not be fetched yet"),
        }
    }
    Ok(fetched)
}

/// Fetches a file an attachment names, for opening it (its bytes): through the server this
/// workstation synced with in this run of the app.
pub(crate) async fn fetch_file(clinic: &Clinic, files: &Files, sha256: &str, size: i64) -> Result<Vec<u8>> {
    let server = clinic.sync_link.lock().expect("sync link").as_ref().map(|l| l.server.clone());
    match server {
        Some(server) => fetch(clinic, &server, files, sha256, size).await,
        None if sqlx::query_scalar!("SELECT count(*) FROM sync_state").fetch_one(clinic.store().pool()).await? == 0 => Err(Error::new(
            Code::SyncUnavailable, "The file is not on this workstation, and this workstation is not connected to a sync server to fetch it from.")),
        None => Err(unreachable()),
    }
}

fn unreachable() -> Error {
    Error::new(Code::SyncUnavailable, "The file is on another workstation and the sync server cannot be reached now. Try again in a moment.")
}

/// Fetches one file, from where an earlier try stopped, and answers its bytes; its transfer row
/// says why it could not.
async fn fetch(clinic: &Clinic, server: &SyncServer, files: &Files, sha256: &str, size: i64) -> Result<Vec<u8>> {
    let fetched = async {
        let there = server.file_status(sha256).await.map_err(|e| {
            tracing::info!(error = %e.message, "file status");
            unreachable()
        })?;
        if !there.as_ref().is_some_and(|s| s.complete && s.size == size) {
            return Err(Error::new(Code::SyncUnavailable,
                "The file has not reached the sync server yet: the workstation that added it sends it when it next syncs. Try again later."));
        }
        let _turn = files.turn_to_fetch(sha256).await;
        if let Held::Bytes(bytes) = files.read(sha256).await? {
            return Ok(bytes); // fetched meanwhile
        }
        let mut download = files.download(sha256, size).await?;
        let mut response = server.file_content(sha256, download.done()).await?;
        let cut = |e: reqwest::Error| Error::new(Code::SyncUnavailable, format!("The file's download was cut short ({e}); opening it again carries on."));
        while let Some(bytes) = response.chunk().await.map_err(cut)? {
            if !download.take(&bytes).map_err(disk)? {
                return Err(Error::new(Code::SyncUnavailable, "The sync server sent more than the file holds; nothing was kept."));
            }
        }
        match download.finish().map_err(disk)? {
            Some(bytes) => Ok(bytes),
            None => Err(Error::new(Code::SyncUnavailable, "What the sync server sent is not the whole file; nothing was kept. Try again.")),
        }
    }.await;
    let now = clinic.clock().now().timestamp_millis();
    let pool = clinic.store().pool();
    match &fetched {
        Ok(_) => { sqlx::query!("DELETE FROM file_transfer WHERE sha256 = ? AND direction = 'download'", sha256).execute(pool).await?; }
        Err(e) => {
            sqlx::query!(
                "INSERT INTO file_transfer (sha256, direction, size, tries, last_error, updated_at) VALUES (?, 'download', ?, 1, ?, ?)
                 ON CONFLICT (sha256) DO UPDATE SET tries = tries + 1, last_error = excluded.last_error, updated_at = excluded.updated_at
                 WHERE direction = 'download'",
                sha256, size, e.message, now
            ).execute(pool).await?;
        }
    }
    fetched
}

fn disk(e: std::io::Error) -> Error {
    tracing::error!(error = %e, "attachment download");
    Error::new(Code::StoreUnavailable, format!("The file could not be written on this workstation's disk ({e})."))
}
