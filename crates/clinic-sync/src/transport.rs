//! How a workstation reaches its server (DESIGN.md §5c): HTTPS pinned to the certificate's
//! fingerprint, or plain HTTP to this very machine. Both sides ask here, so the server and the
//! workstation never disagree on what "this machine" is.

use std::fmt;
use std::net::IpAddr;

use sha2::{Digest, Sha256};

/// True for an address that never leaves this machine: `localhost`, 127.0.0.0/8 or ::1 (with or
/// without brackets). Only there may the device token travel unencrypted.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The SHA-256 of a certificate (its DER bytes): what the admin reads off the server and types
/// into the workstation, which then accepts that certificate and no other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub fn of(certificate_der: &[u8]) -> Fingerprint {
        Fingerprint(Sha256::digest(certificate_der).into())
    }

    /// As people copy it: 64 hex digits, in any case, with or without `:`, spaces or dashes
    /// between them (OpenSSL and browsers write `AB:CD:…`).
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let digits: String = text.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect();
        let bytes = hex::decode(digits).ok()?;
        Some(Fingerprint(bytes.try_into().ok()?))
    }
}

/// `AB:CD:…`, as `openssl x509 -fingerprint -sha256` prints it, so the two can be compared by eye.
impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&pairs.join(":"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_this_machine_only() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.10", "::1", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["192.168.1.5", "10.0.0.1", "0.0.0.0", "::", "clinic.example", "localhost.example", "127.0.0.1.nip.io", ""] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn a_fingerprint_reads_as_it_is_written() {
        let f = Fingerprint::of(b"certificate");
        let shown = f.to_string();
        assert_eq!(shown.len(), 95);
        assert_eq!(Fingerprint::parse(&shown), Some(f));
        assert_eq!(Fingerprint::parse(&shown.replace(':', "").to_lowercase()), Some(f));
        assert_eq!(Fingerprint::parse(&shown.replace(':', " ")), Some(f));
        assert_eq!(Fingerprint::parse(&shown[3..]), None, "too short");
        assert_eq!(Fingerprint::parse("not hex"), None);
    }
}
