//! Rate limits: token buckets, so a burst (a first sync's pages) passes and a runaway loop or a
//! flood does not. Three of them:
//! - per workstation, on everything it asks once its token is known;
//! - per address, on tries of a bearer token, taken *before* the token is looked up, so a flood of
//!   made-up tokens is refused without asking the database;
//! - per address, on tries of an enrolment code: strict, so codes cannot be guessed.
//!
//! A try that succeeds is given back: only refusals drain an address's bucket. A clinic's desks
//! behind one address (a site's router, or the 50 simulated desks of the benchmark on 127.0.0.1)
//! are never limited by each other's good requests, only by what they ask for within their own
//! workstation's bucket; an address that keeps presenting wrong tokens or codes is cut off.
//! Addresses are those of the TCP connection: behind a reverse proxy every client has the
//! proxy's address (the server terminates TLS itself, DESIGN.md §5c, and trusts no forwarded-for
//! header, which anyone can write).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::Instant;

use uuid::Uuid;

/// The buckets kept at most before full ones are forgotten (a full bucket is the same as none).
const KEPT: usize = 10_000;

/// A token bucket per key.
pub struct Buckets<K> {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: Hash + Eq + Copy> Buckets<K> {
    pub fn new(burst: f64, per_second: f64) -> Buckets<K> {
        Buckets { burst, per_second, buckets: Mutex::default() }
    }

    /// Takes one try from `key`'s bucket; false when it is empty.
    pub fn take(&self, key: K) -> bool {
        self.take_at(key, Instant::now())
    }

    /// A try that went well costs nothing after all.
    pub fn give_back(&self, key: K) {
        if let Some((tokens, _)) = self.buckets.lock().expect("rate limits").get_mut(&key) {
            *tokens = (*tokens + 1.0).min(self.burst);
        }
    }

    fn take_at(&self, key: K, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().expect("rate limits");
        if buckets.len() >= KEPT {
            // Many addresses (a flood from many): forget those that have refilled.
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * self.per_second < self.burst);
        }
        let (tokens, at) = buckets.entry(key).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub struct RateLimits {
    /// Each enrolled workstation's requests: a burst of 200, refilled at 50 a second.
    pub workstation: Buckets<Uuid>,
    /// Bearer tokens tried from one address: 100 at once (a clinic's desks asking together), then
    /// 10 refused ones a second reach the database.
    pub token_tries: Buckets<IpAddr>,
    /// Enrolment codes tried from one address: 10, then one a minute. A code has 60 random bits
    /// and lives a day: guessing one is hopeless even without this, but it is cheap to make sure.
    pub code_tries: Buckets<IpAddr>,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            workstation: Buckets::new(200.0, 50.0),
            token_tries: Buckets::new(100.0, 10.0),
            code_tries: Buckets::new(10.0, 1.0 / 60.0),
        }
    }
}

/// The key of a client's address: an IPv6 host usually holds a whole /64, so that is one client.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & (u128::MAX << 64))),
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_passes_then_requests_are_refused_until_the_bucket_refills() {
        let (limits, device, start) = (RateLimits::default().workstation, Uuid::now_v7(), Instant::now());
        assert!((0..200).all(|_| limits.take_at(device, start)), "a burst of 200 passes");
        assert!(!limits.take_at(device, start), "the 201st at once is refused");
        assert!(limits.take_at(Uuid::now_v7(), start), "another workstation has its own bucket");
        let later = start + Duration::from_millis(100); // 5 more at 50 a second
        assert_eq!((0..10).filter(|_| limits.take_at(device, later)).count(), 5);
    }

    #[test]
    fn a_try_given_back_costs_nothing() {
        let (codes, here, start) = (Buckets::new(2.0, 0.0), IpAddr::from([10, 0, 0, 7]), Instant::now());
        for _ in 0..50 {
            assert!(codes.take_at(here, start));
            codes.give_back(here);
        }
        assert!(codes.take_at(here, start) && codes.take_at(here, start));
        assert!(!codes.take_at(here, start), "two refusals spend the bucket");
        codes.give_back(here);
        codes.give_back(here);
        codes.give_back(here);
        assert_eq!((0..5).filter(|_| codes.take_at(here, start)).count(), 2, "never more than the burst");
    }

    #[test]
    fn many_addresses_are_forgotten_once_refilled() {
        let (tries, start) = (Buckets::new(1.0, 1.0), Instant::now());
        for i in 0..KEPT as u32 {
            assert!(tries.take_at(IpAddr::from(i.to_be_bytes()), start));
        }
        let later = start + Duration::from_secs(2);
        assert!(tries.take_at(IpAddr::from([255, 0, 0, 1]), later));
        assert_eq!(tries.buckets.lock().unwrap().len(), 1, "the refilled ones are gone");
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(address_key("::ffff:10.0.0.7".parse().unwrap()), IpAddr::from([10, 0, 0, 7]));
        assert_eq!(address_key(IpAddr::from([10, 0, 0, 7])), IpAddr::from([10, 0, 0, 7]));
    }
}
