//! Updating the app on this workstation (docs/updates.md). The shell finds, downloads, checks and
//! installs the signed package; whether this person may install it, and the record that they did,
//! are the clinic's: an admin's permission (`InstallUpdates`), checked here, not in the window.

use serde_json::json;

use crate::audit::Details;
use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::error::{Error, Result};
use crate::write::Write;

/// Checks that `session` may install the update from `running` to `offered` and writes that they
/// chose to, before the shell installs it. Refused, nothing is written and nothing installed.
pub async fn approve_update(clinic: &Clinic, session: &Session, running: &str, offered: &str) -> Result<()> {
    // A read that writes only its audit entry: an update may be what a damaged workstation needs.
    let mut w = Write::reading(clinic, session, Permission::InstallUpdates).await?;
    if offered.trim().is_empty() || offered.len() > 32 || running.len() > 32 {
        w.nothing_changed().await;
        return Err(Error::invalid("version", "The update's version cannot be read."));
    }
    w.audit("approve_update", "app", None, Details::facts(json!({"from": running, "to": offered})));
    w.commit().await
}
