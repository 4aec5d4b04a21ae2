//! Sync with the central server (DESIGN.md §5): enrolment, then rounds of push-then-pull that the
//! app runs in the background. The outbox and the cursor live in the store, so a round cut short
//! (a crash, the network) simply runs again: the server answers a replayed mutation with its
//! first result, and a page is applied in one transaction or not at all.

mod attention;
mod files;
mod pull;
mod push;
mod server;
mod settle;
mod transport;
mod update_source;

use std::sync::Arc;

use clinic_sync::{EnrolRequest, LocalClinic};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Permission, Session};
use crate::clinic::{Clinic, Device};
use crate::error::{Code, Error, Result};
use crate::store::{DatabaseKey, KeyStore};

pub use attention::{needs_attention, Attention, Conflict, Named, Refused, RefusedValue};
pub use settle::{apply_again, dismiss, resolve, Resolution, Way};
pub use push::waiting_changes;
pub use update_source::{update_source, UpdateSource};
pub(crate) use files::fetch_file;
use server::SyncServer;
use transport::Address;

/// What Settings → Sync sends.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
pub struct EnrolInput {
    pub server_url: String,
    /// The server certificate's SHA-256, printed with the code; empty for `http://` to this computer.
    pub fingerprint: String,
    pub code: String,
    pub device_name: String,
}

/// How this workstation stands with the server, for the window's status line.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub server_url: Option<String>,
    /// The certificate pinned at enrolment (`AB:CD:…`); none for http:// to this computer.
    pub server_fingerprint: Option<String>,
    pub organisation_name: Option<String>,
    /// Local changes not yet accepted by the server.
    pub waiting: i64,
    pub last_synced_at: Option<i64>,
    /// Set while the server cannot be reached: since when.
    pub offline_since: Option<i64>,
    pub last_error: Option<String>,
    /// Open conflicts, refused changes and records set aside that the person may settle.
    pub needs_attention: i64,
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub pushed: usize,
    pub pulled: usize,
    /// Attachments' files the server now has whole from this workstation.
    pub files_sent: usize,
    /// Attachments' files of today's patients fetched ahead of time.
    pub files_fetched: usize,
}

/// The keychain entry of this store's device token (beside its database key).
pub(crate) fn token_account(store_path: &std::path::Path) -> String {
    let path = std::path::absolute(store_path).unwrap_or_else(|_| store_path.to_path_buf());
    format!("sync-token:{}", path.display())
}

/// What every round needs and no round changes: the server's client (its connection kept alive
/// between rounds) with the token, read from the keychain once. The app runs a round every few
/// seconds all day, so an idle one must cost next to nothing.
pub(crate) struct Link {
    address: Address,
    server: Arc<SyncServer>,
    /// The last round that reached the server, when nothing had to be written down for it.
    synced_at: Option<i64>,
}

struct Enrolled {
    server: Arc<SyncServer>,
    cursor: i64,
    /// The last round failed: the next good one says so in the store.
    troubled: bool,
}

async fn enrolled(clinic: &Clinic, keys: &dyn KeyStore) -> Result<Option<Enrolled>> {
    let Some(state) = sqlx::query!("SELECT server_url, server_fingerprint, cursor, offline_since, last_error FROM sync_state").fetch_optional(clinic.store().pool()).await? else {
        *clinic.sync_link.lock().expect("sync link") = None;
        return Ok(None);
    };
    // Every round pins the certificate pinned at enrolment. An address kept from before pinning
    // (https:// without a fingerprint, http:// to another computer) is refused, not trusted.
    let address = Address::parse(&state.server_url, state.server_fingerprint.as_deref().unwrap_or_default())
        .map_err(|e| Error::new(Code::SyncUnavailable, format!("This workstation's sync address ({}) cannot be used: {}", state.server_url, e.message)))?;
    let kept = clinic.sync_link.lock().expect("sync link").as_ref().filter(|l| l.address == address).map(|l| l.server.clone());
    let server = match kept {
        Some(server) => server,
        None => {
            let token = keys.load(&token_account(clinic.store().path()))?
                .ok_or_else(|| Error::new(Code::SyncUnavailable, "This workstation's sync token is missing from the keychain: enrol it again."))?;
            let server = Arc::new(SyncServer::new(&address, Some(hex::encode(token.as_bytes())))?);
            *clinic.sync_link.lock().expect("sync link") = Some(Link { address, server: server.clone(), synced_at: None });
            server
        }
    };
    Ok(Some(Enrolled { server, cursor: state.cursor, troubled: state.offline_since.is_some() || state.last_error.is_some() }))
}

/// Enrols this workstation with the server. One that holds a clinic needs its admin and brings the
/// clinic; an empty one (at first run) receives the organisation's clinic and becomes one of its
/// workstations.
pub async fn enrol(clinic: &Clinic, session: Option<&Session>, keys: &dyn KeyStore, input: EnrolInput) -> Result<SyncStatus> {
    let holds_clinic = clinic.is_set_up();
    if holds_clinic {
        let session = session.ok_or_else(|| Error::new(Code::PermissionDenied, "Log in as an admin to enrol this workstation."))?;
        crate::auth::authorize(clinic, session, Permission::ManageClinic).await?;
    }
    let demo: i64 = sqlx::query_scalar!("SELECT count(*) FROM audit_event WHERE action = 'demo_seed'").fetch_one(clinic.store().pool()).await?;
    if demo > 0 {
        return Err(Error::new(Code::Setup, "This is the demo clinic: it stays on this workstation. Set up your own clinic to connect it to a server."));
    }
    if sqlx::query_scalar!("SELECT count(*) FROM sync_state").fetch_one(clinic.store().pool()).await? > 0 {
        return Err(Error::new(Code::AlreadyExists, "This workstation is already enrolled."));
    }
    let address = Address::parse(&input.server_url, &input.fingerprint)?;
    let code = input.code.trim();
    if code.is_empty() {
        return Err(Error::invalid("code", "Type the enrolment code the admin created on the server."));
    }
    let device_name = input.device_name.trim();
    if device_name.is_empty() {
        return Err(Error::invalid("device_name", "Name this workstation, e.g. Front desk 2."));
    }
    // The certificate is checked against the pin before the code is sent.
    let server = SyncServer::new(&address, None)?;
    let local = holds_clinic.then(|| clinic.device()).transpose()?;
    let enrolment = server.enrol(&EnrolRequest {
        code: code.to_string(),
        device_id: local.map_or_else(Uuid::now_v7, |d| d.id),
        device_name: device_name.to_string(),
        clinic: local.map(|d| LocalClinic { clinic_id: d.org_id, device_number: d.number }),
    }).await?;
    let token = hex::decode(&enrolment.token).map_err(|_| Error::new(Code::SyncUnavailable, "The server sent a malformed token."))?;
    keys.save(&token_account(clinic.store().path()), &DatabaseKey::from_bytes(&token)?)?;
    let pin = address.pin.map(|pin| pin.to_string());
    sqlx::query!(
        "INSERT INTO sync_state (id, server_url, server_fingerprint, organisation_id, organisation_name) VALUES (1, ?, ?, ?, ?)",
        address.base, pin, enrolment.organisation_id, enrolment.organisation_name
    ).execute(clinic.store().pool()).await?;
    if !holds_clinic {
        // Receive the clinic, then become one of its workstations. If that fails, the workstation
        // is not left half enrolled: it can simply be enrolled again (with a new code).
        let joined = async {
            let mut state = enrolled(clinic, keys).await?.expect("just enrolled");
            pull::pull_all(clinic, &state.server, &mut state.cursor).await?;
            join_clinic(clinic, &enrolment, device_name).await
        }.await;
        if let Err(e) = joined {
            sqlx::query!("DELETE FROM sync_state").execute(clinic.store().pool()).await?;
            return Err(e);
        }
    }
    status(clinic, session).await
}

/// Makes an empty workstation one of the clinic's, with the number the server gave it.
async fn join_clinic(clinic: &Clinic, enrolment: &clinic_sync::Enrolment, name: &str) -> Result<()> {
    let org = enrolment.clinic_id;
    let site = sqlx::query_scalar!(r#"SELECT id AS "id: Uuid" FROM site WHERE org_id = ? AND deleted_at IS NULL ORDER BY created_at LIMIT 1"#, org)
        .fetch_optional(clinic.store().pool()).await?
        .ok_or_else(|| Error::new(Code::SyncUnavailable, "The organisation's clinic has not reached the server yet: let its first workstation sync, then try again."))?;
    let device = Device { id: enrolment.device_id, org_id: org, site_id: site, number: enrolment.device_number };
    let now = clinic.clock().now().timestamp_millis();
    let mut tx = clinic.store().pool().begin().await?;
    sqlx::query!("INSERT INTO device (id, org_id, site_id, number, name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        device.id, device.org_id, device.site_id, device.number, name, now).execute(&mut *tx).await?;
    sqlx::query!("INSERT INTO series (name, next) VALUES ('device_seq', 1), ('mrn', 1)").execute(&mut *tx).await?;
    tx.commit().await?;
    clinic.adopt_device(device).await
}

/// One round: push every waiting change, then pull everything new. Safe to run at any time; the
/// app runs it on a timer and after local changes.
pub async fn sync_once(clinic: &Clinic, keys: &dyn KeyStore) -> Result<Round> {
    let Some(mut state) = enrolled(clinic, keys).await? else { return Ok(Round::default()) };
    // A damaged store neither sends what it holds nor takes more in (nor notes the round): the
    // workstation is restored from a backup, and syncs again from there.
    clinic.store().ensure_writable()?;
    let result: Result<Round> = async {
        let pushed = push::push_all(clinic, &state.server).await?;
        // Files after the records that name them; a file that cannot move now holds up nothing.
        let files_sent = files::send_waiting(clinic, &state.server).await.unwrap_or_else(|e| not_now("sent", e));
        let pulled = pull::pull_all(clinic, &state.server, &mut state.cursor).await?;
        let files_fetched = files::fetch_todays(clinic, &state.server).await.unwrap_or_else(|e| not_now("fetched", e));
        Ok(Round { pushed, pulled, files_sent, files_fetched })
    }.await;
    let now = clinic.clock().now().timestamp_millis();
    match &result {
        // Nothing changed: nothing is written (no fsync every few seconds); the time is kept here.
        Ok(round) if *round == Round::default() && !state.troubled => {
            if let Some(link) = clinic.sync_link.lock().expect("sync link").as_mut() {
                link.synced_at = Some(now);
            }
        }
        Ok(_) => {
            sqlx::query!("UPDATE sync_state SET last_synced_at = ?, offline_since = NULL, last_error = NULL", now)
                .execute(clinic.store().pool()).await?;
        }
        Err(e) => {
            sqlx::query!("UPDATE sync_state SET offline_since = coalesce(offline_since, ?), last_error = ?", now, e.message)
                .execute(clinic.store().pool()).await?;
        }
    }
    result
}

/// Attachments' files could not be looked at this round: the records synced all the same.
fn not_now(what: &str, e: Error) -> usize {
    tracing::warn!(error = %e.message, "attachments' files were not {what} this round");
    0
}

/// Fetches ahead of time the attachments of the patients booked today at this site whose files
/// are not on this workstation yet (each round does this after its pull); answers how many arrived.
pub async fn prefetch_attachments(clinic: &Clinic, keys: &dyn KeyStore) -> Result<usize> {
    match enrolled(clinic, keys).await? {
        Some(state) => files::fetch_todays(clinic, &state.server).await,
        None => Ok(0),
    }
}

/// Waits for the server to say another workstation changed something (so a round now would pull
/// it): true then; false at once when this workstation is not enrolled (yet). Fails when the
/// server cannot be reached.
pub async fn wait_for_changes(clinic: &Clinic, keys: &dyn KeyStore) -> Result<bool> {
    match enrolled(clinic, keys).await? {
        Some(state) => state.server.next_poke().await.map(|_| true),
        None => Ok(false),
    }
}

/// The audit chain heads the server acknowledged, for `audit::verify` to hold each chain to; none
/// when this run of the app has not reached the server yet, or cannot now.
pub(crate) async fn acknowledged_heads(clinic: &Clinic) -> Option<Vec<clinic_sync::audit_chain::ChainHead>> {
    let server = clinic.sync_link.lock().expect("sync link").as_ref().map(|l| l.server.clone())?;
    server.audit_heads().await.ok()
}

/// How sync stands; `needs_attention` counts what `session` may settle (everything without one).
pub async fn status(clinic: &Clinic, session: Option<&Session>) -> Result<SyncStatus> {
    let waiting = sqlx::query_scalar!("SELECT count(*) FROM outbox").fetch_one(clinic.store().pool()).await?;
    let attention = attention::count(clinic, session).await?;
    let pool = clinic.store().pool();
    Ok(match sqlx::query!("SELECT server_url, server_fingerprint, organisation_name, last_synced_at, offline_since, last_error FROM sync_state").fetch_optional(pool).await? {
        None => SyncStatus { enrolled: false, server_url: None, server_fingerprint: None, organisation_name: None, waiting, last_synced_at: None, offline_since: None,
            last_error: None, needs_attention: attention },
        Some(s) => {
            let idle_round = clinic.sync_link.lock().expect("sync link").as_ref().and_then(|l| l.synced_at);
            SyncStatus { enrolled: true, server_url: Some(s.server_url), server_fingerprint: s.server_fingerprint,
                organisation_name: Some(s.organisation_name), waiting,
                last_synced_at: s.last_synced_at.max(idle_round), offline_since: s.offline_since, last_error: s.last_error,
                needs_attention: attention }
        }
    })
}
