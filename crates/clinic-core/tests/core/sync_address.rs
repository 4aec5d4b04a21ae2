//! Which sync server addresses a workstation accepts (DESIGN.md §5c): HTTPS with the certificate's
//! fingerprint, or plain HTTP to this computer only. A refused address is refused before anything
//! is sent, and nothing is stored.

use clinic_core::error::Code;
use clinic_core::sync::{self, EnrolInput};

use crate::helpers::*;

async fn enrol(url: &str, fingerprint: &str) -> (clinic_core::Error, bool) {
    let (clinic, _clock, keys, _path, _dir) = open_empty(monday()).await;
    let input = EnrolInput { server_url: url.into(), fingerprint: fingerprint.into(), code: "ABCD-EFGH-JKLM".into(), device_name: "Desk 2".into() };
    let refused = sync::enrol(&clinic, None, &*keys, input).await.expect_err("not enrolled");
    (refused, sync::status(&clinic, None).await.unwrap().enrolled)
}

const FINGERPRINT: &str = "3A:F0:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE";

#[tokio::test]
async fn plain_http_to_another_computer_is_refused() {
    for url in ["http://192.168.1.20:8787", "http://clinic-server.lan", "http://10.0.0.5/", "http://[fe80::1]:8787"] {
        let started = std::time::Instant::now();
        let (refused, enrolled) = enrol(url, "").await;
        assert_eq!((refused.code, refused.field), (Code::Invalid, Some("server_url")), "{url}: {}", refused.message);
        assert!(refused.message.contains("http://") && refused.message.contains("https://"), "{}", refused.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{url}: refused without trying the network");
        assert!(!enrolled);
    }
}

#[tokio::test]
async fn plain_http_to_this_computer_is_allowed_without_a_fingerprint() {
    // Nothing listens on port 9: the address is accepted, and the server simply is not there.
    for url in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
        let (refused, enrolled) = enrol(url, "").await;
        assert_eq!(refused.code, Code::SyncUnavailable, "{url}: {}", refused.message);
        assert!(!enrolled);
    }
    let (refused, _) = enrol("http://127.0.0.1:9", FINGERPRINT).await;
    assert_eq!(refused.field, Some("fingerprint"), "http:// has no certificate to pin: {}", refused.message);
}

#[tokio::test]
async fn https_needs_the_certificate_fingerprint() {
    for (fingerprint, says) in [("", "fingerprint"), ("not a fingerprint", "64"), (&FINGERPRINT[3..], "64")] {
        let (refused, enrolled) = enrol("https://192.168.1.20:8787", fingerprint).await;
        assert_eq!((refused.code, refused.field), (Code::Invalid, Some("fingerprint")), "{fingerprint:?}: {}", refused.message);
        assert!(refused.message.contains(says), "{}", refused.message);
        assert!(!enrolled);
    }
    for url in ["192.168.1.20:8787", "ftp://192.168.1.20", "https://"] {
        let (refused, _) = enrol(url, FINGERPRINT).await;
        assert_eq!(refused.field, Some("server_url"), "{url}: {}", refused.message);
    }
}
