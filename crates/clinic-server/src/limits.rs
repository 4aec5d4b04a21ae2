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
        self.allow_at(device, Instant::now())
    }

    fn allow_at(&self, device: Uuid, now: Instant) -> bool {
        let mut buckets = self.0.lock().expect("rate limits");
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_passes_then_requests_are_refused_until_the_bucket_refills() {
        let (limits, device, start) = (RateLimits::default(), Uuid::now_v7(), Instant::now());
        assert!((0..200).all(|_| limits.allow_at(device, start)), "a burst of 200 passes");
        assert!(!limits.allow_at(device, start), "the 201st at once is refused");
        assert!(limits.allow_at(Uuid::now_v7(), start), "another workstation has its own bucket");
        let later = start + Duration::from_millis(100); // 5 more at 50 a second
        assert_eq!((0..10).filter(|_| limits.allow_at(device, later)).count(), 5);
    }
}
