//! Where this workstation's updates of the app come from: its own sync server (docs/updates.md),
//! reached as every sync round reaches it — the same address, the pinned certificate, the device
//! token. The shell's updater (tauri-plugin-updater) asks and downloads; this says where and how,
//! so it can never talk to the server over a connection the rounds would refuse.

use super::transport::pinned;
use crate::clinic::Clinic;
use crate::error::Result;
use crate::store::KeyStore;

pub struct UpdateSource {
    base: String,
    token: String,
    /// Trusts the pinned certificate alone.
    tls: rustls::ClientConfig,
}

impl UpdateSource {
    pub(super) fn new(base: String, token: String, tls: rustls::ClientConfig) -> UpdateSource {
        UpdateSource { base, token, tls }
    }

    /// The manifest's address for `platform` (`linux-x86_64-deb`, or the updater's own
    /// `{{target}}-{{arch}}-{{bundle_type}}` for it to fill in), ending in the updater's
    /// `{{current_version}}`, which it fills in with the version running.
    pub fn manifest_url(&self, platform: &str) -> String {
        format!("{}/v1/updates/{platform}/{{{{current_version}}}}", self.base)
    }

    /// The `Authorization` header's value: the device token, as the rounds send it.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// What makes the updater's HTTP client trust the pinned certificate alone (plain HTTP only to
    /// this computer, as for the rounds).
    pub fn pinned(&self) -> impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static {
        let tls = self.tls.clone();
        move |builder| pinned(builder, tls.clone())
    }
}

/// Where updates come from: none while this workstation is not enrolled with a sync server.
pub async fn update_source(clinic: &Clinic, keys: &dyn KeyStore) -> Result<Option<UpdateSource>> {
    match super::enrolled(clinic, keys).await? {
        Some(state) => state.server.update_source(),
        None => Ok(None),
    }
}
