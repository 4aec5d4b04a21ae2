//! A rate limit per workstation: a token bucket, so a burst (a first sync's pages) passes and a
//! runaway loop does not.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use uuid::Uuid;

const BURST: f64 = 200.0;
const PER_SECOND: f64 = 50.0;

#[derive(Default)]
pub struct RateLimits(Mutex<HashMap<Uuid, (f64, Instant)>>);

impl RateLimits {
    /// Takes one request from the device's bucket; false when it is empty.
    pub fn allow(&self, device: Uuid) -> bool {
        let mut buckets = self.0.lock().expect("rate limits");
        let now = Instant::now();
        let (tokens, at) = buckets.entry(device).or_insert((BURST, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * PER_SECOND).min(BURST);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
