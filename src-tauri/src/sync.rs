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
    // A poke from the server (another workstation changed something) starts a round at once.
    let poked = std::sync::Arc::new(tokio::sync::Notify::new());
    tauri::async_runtime::spawn(listen_for_pokes(app.clone(), poked.clone()));
    let mut wait = EVERY;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = poked.notified() => {}
        }
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

async fn listen_for_pokes(app: tauri::AppHandle, poked: std::sync::Arc<tokio::sync::Notify>) {
    loop {
        let desk = app.state::<Desk>();
        match desk.run(|c| async move { sync::wait_for_changes(&c, &keychain()).await }).await {
            Ok(true) => poked.notify_one(),
            // Not enrolled yet (it may be, from Settings, at any time), or the server cannot be
            // reached (the timer's rounds notice and back off): listen again a little later.
            Ok(false) | Err(_) => tokio::time::sleep(EVERY).await,
        }
    }
}
