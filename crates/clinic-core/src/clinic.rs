//! The open clinic of this workstation: its store, its clock, its device identity and its
//! hybrid logical clock. Every use case takes a `&Clinic`.

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use uuid::Uuid;

use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::ops::setup::SiteSettings;
use crate::store::{KeyStore, Store};

/// This workstation, as written at set-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    pub org_id: Uuid,
    pub site_id: Uuid,
    pub number: i64,
}

pub struct Clinic {
    store: Store,
    clock: Arc<dyn Clock>,
    /// Set once the clinic is set up (or, at first run, while set-up is being saved).
    device: RwLock<Option<(Device, Arc<uhlc::HLC>)>>,
    /// The site's zone, currency and code: read on nearly every use case, changed rarely.
    site: RwLock<Option<SiteSettings>>,
    /// The sync server's client and token, once enrolled: made once, not every round.
    pub(crate) sync_link: std::sync::Mutex<Option<crate::sync::Link>>,
    /// One password check at a time (`auth::lockout`).
    pub(crate) password_checks: tokio::sync::Mutex<()>,
    /// The last entry of this workstation's audit chain (number, hash), once written or read:
    /// the next entry links to it without asking the store (`audit::append`).
    pub(crate) audit_head: std::sync::Mutex<Option<(i64, String)>>,
}

impl Clinic {
    /// Opens (or creates) the clinic database at `path`, its key from `keys`.
    pub async fn open(path: &Path, keys: &dyn KeyStore, clock: Arc<dyn Clock>) -> Result<Clinic> {
        let store = Store::open(path, keys).await?;
        Clinic::with_store(store, clock).await
    }

    pub async fn with_store(store: Store, clock: Arc<dyn Clock>) -> Result<Clinic> {
        let clinic = Clinic { store, clock, device: RwLock::new(None), site: RwLock::new(None), sync_link: Default::default(), password_checks: Default::default(),
            audit_head: Default::default() };
        let device = sqlx::query_as!(
            Device,
            r#"SELECT id AS "id: Uuid", org_id AS "org_id: Uuid", site_id AS "site_id: Uuid", number FROM device"#
        )
        .fetch_optional(clinic.store.pool())
        .await?;
        if let Some(device) = device {
            clinic.adopt_device(device).await?;
        }
        Ok(clinic)
    }

    /// Called once the device row exists (at set-up, or when opening a set-up store).
    pub(crate) async fn adopt_device(&self, device: Device) -> Result<()> {
        let hlc = uhlc::HLCBuilder::new()
            .with_id(uhlc::ID::try_from(device.id.as_bytes()).map_err(|_| Error::new(Code::Internal, "bad device id"))?)
            // Accept our own past stamps even if the wall clock was set back since.
            .with_max_delta(Duration::from_secs(365 * 24 * 3600))
            .build();
        // The latest stamp this device gave: still in the outbox, or kept by sync once pushed.
        let last: Option<String> = sqlx::query_scalar!(
            "SELECT max(stamp) FROM (SELECT max(hlc) AS stamp FROM outbox UNION ALL SELECT last_hlc FROM sync_state)"
        ).fetch_one(self.store.pool()).await?;
        if let Some(last) = last.as_deref().and_then(parse_hlc_time) {
            let _ = hlc.update_with_timestamp(&uhlc::Timestamp::new(uhlc::NTP64(last), *hlc.get_id()));
        }
        *self.device.write().expect("device lock") = Some((device, Arc::new(hlc)));
        Ok(())
    }

    /// Undoes `adopt_device` when the set-up that called it was not saved.
    pub(crate) fn forget_device(&self) {
        *self.device.write().expect("device lock") = None;
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    pub fn is_set_up(&self) -> bool {
        self.device.read().expect("device lock").is_some()
    }

    pub fn device(&self) -> Result<Device> {
        self.device.read().expect("device lock").as_ref().map(|(d, _)| *d).ok_or_else(|| {
            Error::new(Code::Setup, "This workstation has not been set up yet: create the clinic first.")
        })
    }

    pub(crate) fn cached_site(&self) -> Option<SiteSettings> {
        self.site.read().expect("site lock").clone()
    }

    pub(crate) fn cache_site(&self, site: SiteSettings) {
        *self.site.write().expect("site lock") = Some(site);
    }

    /// Drops the kept site settings: call after anything (an edit, a sync) changed the site row.
    pub fn forget_site_settings(&self) {
        *self.site.write().expect("site lock") = None;
    }

    /// Moves the clock past a stamp another workstation gave, so what this one does next sorts after it.
    pub(crate) fn observe_hlc(&self, stamp: &str) {
        let guard = self.device.read().expect("device lock");
        if let (Some((_, hlc)), Some(time)) = (guard.as_ref(), parse_hlc_time(stamp)) {
            let _ = hlc.update_with_timestamp(&uhlc::Timestamp::new(uhlc::NTP64(time), *hlc.get_id()));
        }
    }

    /// A hybrid-logical-clock stamp, as sortable text: 16 hex digits of NTP64 time, then the device.
    pub(crate) fn hlc_stamp(&self) -> Result<String> {
        let hlc = self.device.read().expect("device lock").as_ref().map(|(_, hlc)| hlc.clone())
            .ok_or_else(|| Error::new(Code::Setup, "This workstation has not been set up yet."))?;
        let stamp = hlc.new_timestamp();
        Ok(format!("{:016x}-{}", stamp.get_time().as_u64(), stamp.get_id()))
    }
}

fn parse_hlc_time(stamp: &str) -> Option<u64> {
    u64::from_str_radix(stamp.split('-').next()?, 16).ok()
}
