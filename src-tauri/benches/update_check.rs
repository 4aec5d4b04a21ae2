//! The figure of signed updates, printed (not asserted): a workstation's check for updates against
//! its local sync server (budget 100 ms, issue 13). Run with
//! `cargo bench -p clinic-desk --bench update_check`, with PostgreSQL as for the server's tests
//! (CLINIC_TEST_DATABASE_URL, default the local one).
//!
//! One check is what the app does at start and then daily (`updates::check`, less the keychain):
//! the core names the source (address, pinned certificate, token), the app builds the updater,
//! and the updater asks over a new pinned HTTPS connection and reads the manifest. Timed with
//! nothing newer to offer (204) and with a release to offer (the manifest), 50 of each.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

const CHECKS: usize = 50;

#[tokio::main]
async fn main() {
    let w = support::world().await;
    let nothing = time(&w, false).await;
    w.publish(&support::package(8_000_000, 1), "0.2.0", "0.2.0").await.unwrap();
    let offered = time(&w, true).await;
    for (what, times) in [("nothing newer (204)", nothing), ("a release offered (its manifest)", offered)] {
        println!("a workstation's check for updates against the local server, {what}: p50 {:.1} ms, p95 {:.1} ms, slowest {:.1} ms \
            over {CHECKS} (budget 100 ms)", ms(times[CHECKS / 2]), ms(times[CHECKS * 95 / 100]), ms(times[CHECKS - 1]));
    }
}

async fn time(w: &support::World, expect_update: bool) -> Vec<Duration> {
    let mut times = Vec::with_capacity(CHECKS);
    for _ in 0..CHECKS {
        let started = Instant::now();
        let (updater, _) = w.updater().await;
        let found = updater.check().await.unwrap();
        times.push(started.elapsed());
        assert_eq!(found.is_some(), expect_update);
    }
    times.sort();
    times
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
