//! Organisations, enrolment codes and devices: what an admin does on the server, and how a
//! workstation proves who it is.

use std::ops::RangeInclusive;

use axum::http::StatusCode;
use clinic_sync::{Enrolment, EnrolRequest};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::streams;

/// Workstation numbers: the device part of record numbers (MRNs), two digits, and never used twice
/// in an organisation (the device tables' CHECK). Why two: `clinic-core/src/domain/mrn.rs` reads a
/// record number typed without its hyphens as site letters, two device digits, then the sequence
/// (six digits or more); with a longer device part `HC101234567…` would be device 10's 1,234,567th
/// patient or device 101's 234,567th, under the same check character.
pub const DEVICE_NUMBERS: RangeInclusive<i64> = 1..=99;

/// An enrolled, not revoked, workstation.
#[derive(Debug, Clone, Copy)]
pub struct DeviceAuth {
    pub device_id: Uuid,
    pub org_id: Uuid,
    /// The clinic id the organisation's rows carry.
    pub clinic_id: Uuid,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

pub async fn create_organisation(db: &PgPool, name: &str) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!("INSERT INTO organisation (id, name) VALUES ($1, $2)", id, name.trim()).execute(db).await?;
    Ok(id)
}

/// A one-time code for enrolling one workstation into `org`, valid for `hours`.
pub async fn create_enrolment_code(db: &PgPool, org: Uuid, hours: i32) -> ApiResult<String> {
    // Letters and digits that cannot be misread for each other, in groups of four.
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let raw: String = (0..12).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    let code = format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12]);
    let inserted = sqlx::query!(
        "INSERT INTO enrolment_code (code_hash, org_id, expires_at)
         SELECT $1, id, now() + make_interval(hours => $3) FROM organisation WHERE id = $2",
        hash(&code), org, hours,
    )
    .execute(db).await?;
    if inserted.rows_affected() == 0 {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such organisation."));
    }
    Ok(code)
}

/// A lost or retired workstation: refused from now on. Every server process is told (on commit), and
/// ends the workstation's open event streams.
pub async fn revoke_device(db: &PgPool, device: Uuid) -> ApiResult<()> {
    let revoked = sqlx::query_scalar!(
        r#"WITH revoked AS (UPDATE device SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id)
           SELECT id AS "id!" FROM revoked, pg_notify($2, id::text)"#,
        device, streams::REVOKED,
    )
    .fetch_optional(db).await?;
    if revoked.is_none() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such enrolled device."));
    }
    Ok(())
}

/// Exchanges a one-time code for a device token. The first workstation to enrol brings the
/// clinic (it was set up before); every later one must be empty, or hold that same clinic.
pub async fn enrol(db: &PgPool, request: EnrolRequest) -> ApiResult<Enrolment> {
    let name = request.device_name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ApiError::bad_request("Give the workstation a name of 1 to 80 characters."));
    }
    let mut tx = db.begin().await?;
    let code = sqlx::query!(
        "UPDATE enrolment_code c SET used_at = now(), used_by = $2
         FROM organisation o
         WHERE c.code_hash = $1 AND c.used_at IS NULL AND c.expires_at > now() AND o.id = c.org_id
         RETURNING o.id, o.name, o.clinic_id",
        hash(&request.code.to_uppercase()), request.device_id,
    )
    .fetch_optional(&mut *tx).await?;
    let Some(code) = code else {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "bad_code", "This enrolment code is not valid: it is mistyped, used, or expired. Ask the admin for a new one."));
    };
    let (org_id, org_name) = (code.id, code.name);
    // Serialises enrolments into one organisation (device numbers, the clinic binding); the binding
    // is read again under the lock, so two first workstations cannot both bind it.
    let bound: Option<Uuid> = sqlx::query_scalar!("SELECT clinic_id FROM organisation WHERE id = $1 FOR UPDATE", org_id)
        .fetch_one(&mut *tx).await?;
    let (clinic_id, number) = match (bound, request.clinic) {
        (None, Some(local)) => {
            sqlx::query!("UPDATE organisation SET clinic_id = $2 WHERE id = $1", org_id, local.clinic_id).execute(&mut *tx).await?;
            (local.clinic_id, local.device_number)
        }
        (None, None) => {
            return Err(ApiError::new(StatusCode::CONFLICT, "no_clinic_yet",
                "This organisation holds no clinic yet: enrol the workstation where the clinic was set up first."));
        }
        (Some(clinic), Some(local)) if local.clinic_id != clinic => {
            return Err(ApiError::new(StatusCode::CONFLICT, "other_clinic",
                "This workstation holds another clinic's data, so it cannot join this organisation."));
        }
        (Some(clinic), Some(local)) => (clinic, local.device_number),
        (Some(clinic), None) => (clinic, next_number(&mut tx, org_id).await?),
    };
    let token = hex::encode(rand::random::<[u8; 32]>());
    // A workstation's id enrols once. Enrolling it again would hand its place to whoever holds a
    // fresh code: a new token for it, and a revoked (stolen) one back. Refused, the code unused.
    let stored = sqlx::query_scalar!(
        "INSERT INTO device (id, org_id, name, number, token_hash) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING RETURNING number",
        request.device_id, org_id, name, number as i32, hash(&token),
    )
    .fetch_optional(&mut *tx).await
    .map_err(|e| match e.as_database_error().and_then(|d| d.constraint()) {
        Some("device_org_id_number_key") => ApiError::new(StatusCode::CONFLICT, "device_number_taken",
            "Another workstation of this organisation already uses this workstation's number."),
        _ => e.into(),
    })?;
    let Some(number) = stored else {
        return Err(ApiError::new(StatusCode::CONFLICT, "device_exists",
            "This workstation is enrolled already, or was and its enrolment was revoked: it cannot be enrolled again. Ask the server's admin."));
    };
    tx.commit().await?;
    // The number told is the number stored: the workstation puts it in every record number it makes.
    Ok(Enrolment { organisation_id: org_id, organisation_name: org_name, clinic_id, device_id: request.device_id, device_number: number.into(), token })
}

/// The organisation's next workstation number. Numbers are never used again, even a revoked
/// workstation's: the record numbers it made carry it.
async fn next_number(tx: &mut sqlx::PgConnection, org: Uuid) -> ApiResult<i64> {
    let next: i32 = sqlx::query_scalar!(r#"SELECT coalesce(max(number), 0) + 1 AS "next!" FROM device WHERE org_id = $1"#, org)
        .fetch_one(tx).await?;
    if !DEVICE_NUMBERS.contains(&next.into()) {
        return Err(ApiError::new(StatusCode::CONFLICT, "no_device_numbers", format!(
            "This organisation has used all {} workstation numbers (record numbers carry them, so none is used twice): no more workstations can join it.",
            DEVICE_NUMBERS.end())));
    }
    Ok(next.into())
}

/// The device a bearer token belongs to, if it is enrolled and not revoked. Its `last_seen_at` is
/// written at most once a minute: a workstation's every request (or a flood with its token) reads.
pub async fn authenticate(db: &PgPool, token: &str) -> ApiResult<DeviceAuth> {
    let found = sqlx::query!(
        r#"WITH found AS (
             SELECT d.id, d.org_id, o.clinic_id, d.last_seen_at FROM device d JOIN organisation o ON o.id = d.org_id
             WHERE d.token_hash = $1 AND d.revoked_at IS NULL),
           seen AS (
             UPDATE device d SET last_seen_at = now() FROM found
             WHERE d.id = found.id AND (found.last_seen_at IS NULL OR found.last_seen_at < now() - interval '1 minute'))
           SELECT id AS "id!", org_id AS "org_id!", clinic_id AS "clinic_id?" FROM found"#,
        hash(token),
    )
    .fetch_optional(db).await?;
    match found.map(|d| (d.id, d.org_id, d.clinic_id)) {
        Some((device_id, org_id, Some(clinic_id))) => Ok(DeviceAuth { device_id, org_id, clinic_id }),
        _ => Err(ApiError::unauthorised()),
    }
}
