//! Background sync: whenever the workstation is enrolled, a round every few seconds while the
//! server answers, backing off (up to a minute) while it does not. It runs whether or not anyone
//! writes, and on the clinic's thread between the window's own requests, never blocking them.

use std::time::Duration;

use clinic_core::sync;
use tauri::Manager;

use crate::desk::{keychain, Desk};

const EVERY: Duration = Duration::from_secs(3);
// Short enough that a desk is back within seconds of the server returning.
const AT_MOST: Duration = Duration::from_secs(15);

pub async fn keep_in_sync(app: tauri::AppHandle) {
    let mut wait = EVERY;
    loop {
        tokio::time::sleep(wait).await;
        let desk = app.state::<Desk>();
        let round = desk.run(|c| async move { sync::sync_once(&c, &keychain()).await }).await;
        wait = match round {
            Ok(_) => EVERY,
            Err(e) => {
                tracing::info!(error = %e.message, "sync round failed; retrying later");
                (wait * 2).min(AT_MOST)
            }
        };
    }
}
