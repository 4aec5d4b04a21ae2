//! Signed updates (docs/updates.md): `publish-update` takes only a well-formed, newer release the
//! release key signed as that version, and changes nothing otherwise; every enrolled workstation
//! reads the manifest (`204` when nothing is newer) and downloads the package with its token.

use base64::Engine;
use clinic_server::updates::publish::{publish, Publication, Published, Refused};
use serde_json::Value;

use crate::harness::*;

const TEST_ONLY_PUBLIC_KEY: &str = include_str!("../../../../tests/updates/TEST-ONLY-update-signing.key.pub");
const TEST_ONLY_SECRET_KEY: &str = include_str!("../../../../tests/updates/TEST-ONLY-update-signing.key");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/updates/update-fixture_0.2.0_amd64.deb");

/// The TEST-ONLY secret key (its password is empty), opened once: scrypt is slow on purpose.
fn test_only_key() -> &'static minisign::SecretKey {
    static KEY: std::sync::OnceLock<minisign::SecretKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let text = base64::engine::general_purpose::STANDARD.decode(TEST_ONLY_SECRET_KEY.trim()).unwrap();
        minisign::SecretKeyBox::from_string(std::str::from_utf8(&text).unwrap()).unwrap().into_secret_key(Some(String::new())).unwrap()
    })
}

/// `key`'s signature of `bytes` as `version` (none: no version named), as `tauri signer sign` writes it.
fn signature(key: &minisign::SecretKey, bytes: &[u8], version: Option<&str>) -> String {
    let trusted = match version {
        Some(v) => format!("timestamp:1796465232\tfile:clinic-desk_amd64.deb\tversion:{v}"),
        None => "timestamp:1796465232\tfile:clinic-desk_amd64.deb".to_string(),
    };
    let signed = minisign::sign(None, key, std::io::Cursor::new(bytes), Some(&trusted), Some("signature from tauri secret key")).unwrap();
    base64::engine::general_purpose::STANDARD.encode(signed.into_string())
}

fn deb(seed: u8, size: usize) -> Vec<u8> {
    let mut bytes = b"!<arch>\ndebian-binary   ".to_vec();
    bytes.extend((0..size).map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed)));
    bytes
}

struct Release {
    dir: tempfile::TempDir,
}

impl Release {
    fn new() -> Release {
        Release { dir: tempfile::tempdir().unwrap() }
    }

    /// Writes the package and its signature (files of their own), and what `publish-update` would be given for them.
    fn files(&self, bytes: &[u8], signature: &str, version: &str) -> Publication {
        static WRITTEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = WRITTEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let (package, sig) = (self.dir.path().join(format!("{n}-clinic-desk_{version}.deb")), self.dir.path().join(format!("{n}-clinic-desk_{version}.deb.sig")));
        std::fs::write(&package, bytes).unwrap();
        std::fs::write(&sig, signature).unwrap();
        Publication { package, signature: sig, version: version.into(), notes: format!("Version {version}: receipts print faster."), arch: Some("x86_64".into()) }
    }

    async fn publish(&self, server: &TestServer, bytes: &[u8], version: &str) -> Result<Published, Refused> {
        let files = self.files(bytes, &signature(test_only_key(), bytes, Some(version)), version);
        publish(&server.server.db, Some(TEST_ONLY_PUBLIC_KEY), files).await
    }
}

/// Everything the server holds of releases: nothing may change after a refusal.
async fn releases(server: &TestServer) -> (i64, i64, Vec<String>) {
    let (count, chunks): (i64, i64) = sqlx::query_as("SELECT (SELECT count(*) FROM app_release), (SELECT count(*) FROM app_release_chunk)")
        .fetch_one(&server.server.db).await.unwrap();
    let versions = sqlx::query_scalar("SELECT platform || ' ' || major || '.' || minor || '.' || patch FROM app_release ORDER BY 1")
        .fetch_all(&server.server.db).await.unwrap();
    (count, chunks, versions)
}

async fn download(server: &TestServer, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut request = server.http.get(format!("{}{path}", server.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_signed_release_is_offered_to_older_workstations_and_downloaded_whole() {
    let (server, _, desk, _) = riverside().await;
    let bytes = deb(1, 2_500_000); // three chunks
    let published = Release::new().publish(&server, &bytes, "0.2.0").await.unwrap();
    assert_eq!((published.platform.as_str(), published.version.as_str(), published.size), ("linux-x86_64-deb", "0.2.0", bytes.len() as i64));
    assert_eq!(releases(&server).await.1, 3);

    let (status, manifest) = server.get("/v1/updates/linux-x86_64-deb/0.1.0", Some(&desk.token)).await;
    assert_eq!(status, 200, "{manifest}");
    assert_eq!(manifest["version"], "0.2.0");
    assert_eq!(manifest["notes"], "Version 0.2.0: receipts print faster.");
    assert_eq!(manifest["signature"], signature_of(&server).await);
    assert!(manifest["pub_date"].as_str().is_some_and(|d| d.len() == 20 && d.ends_with('Z')), "{manifest}");
    let url = manifest["url"].as_str().unwrap();
    assert_eq!(url, format!("{}/v1/updates/linux-x86_64-deb/0.2.0/package", server.url));
    let (status, downloaded) = download(&server, url.strip_prefix(&server.url).unwrap(), Some(&desk.token)).await;
    assert_eq!(status, 200);
    assert!(downloaded == bytes, "the package arrives as published");

    // Nothing newer for a workstation at 0.2.0 or later, nor for another platform.
    for path in ["/v1/updates/linux-x86_64-deb/0.2.0", "/v1/updates/linux-x86_64-deb/1.0.0", "/v1/updates/linux-x86_64-rpm/0.1.0",
        "/v1/updates/linux-x86_64-unknown/0.1.0"] {
        assert_eq!(server.get(path, Some(&desk.token)).await.0, 204, "{path}");
    }
    // The latest wins.
    Release::new().publish(&server, &deb(2, 1000), "0.10.0").await.unwrap();
    assert_eq!(server.get("/v1/updates/linux-x86_64-deb/0.1.0", Some(&desk.token)).await.1["version"], "0.10.0");
    assert_eq!(download(&server, "/v1/updates/linux-x86_64-deb/0.2.0/package", Some(&desk.token)).await.1, bytes, "an older one can still be fetched");
}

async fn signature_of(server: &TestServer) -> Value {
    let sig: String = sqlx::query_scalar("SELECT signature FROM app_release").fetch_one(&server.server.db).await.unwrap();
    Value::String(sig)
}

#[tokio::test]
async fn the_tauri_clis_own_signature_is_taken() {
    let server = TestServer::start().await;
    let files = Publication {
        package: FIXTURE.into(), signature: format!("{FIXTURE}.sig").into(), version: "0.2.0".into(), notes: "First release.".into(), arch: None,
    };
    let published = publish(&server.server.db, Some(TEST_ONLY_PUBLIC_KEY), files).await.unwrap();
    assert_eq!(published.version, "0.2.0");
}

#[tokio::test]
async fn a_bad_release_is_refused_and_nothing_changes() {
    let server = TestServer::start().await;
    let release = Release::new();
    release.publish(&server, &deb(1, 1000), "0.2.0").await.unwrap();
    let before = releases(&server).await;
    let bytes = deb(9, 1000);
    let good = signature(test_only_key(), &bytes, Some("0.3.0"));
    let other_key = minisign::KeyPair::generate_unencrypted_keypair().unwrap().sk;
    let mut changed = bytes.clone();
    changed[500] ^= 1;
    let cases: Vec<(&str, Publication, fn(&Refused) -> bool)> = vec![
        ("signed by another key", release.files(&bytes, &signature(&other_key, &bytes, Some("0.3.0")), "0.3.0"), |r| matches!(r, Refused::BadSignature(_))),
        ("changed after signing", release.files(&changed, &good, "0.3.0"), |r| matches!(r, Refused::BadSignature(_))),
        ("not a signature", release.files(&bytes, "not a signature", "0.3.0"), |r| matches!(r, Refused::BadSignature(_))),
        ("signed as another version", release.files(&bytes, &signature(test_only_key(), &bytes, Some("0.4.0")), "0.3.0"),
            |r| matches!(r, Refused::SignedForAnotherVersion { signed, .. } if signed == "0.4.0")),
        ("signed without a version", release.files(&bytes, &signature(test_only_key(), &bytes, None), "0.3.0"), |r| matches!(r, Refused::NoSignedVersion)),
        ("the same version", release.files(&bytes, &signature(test_only_key(), &bytes, Some("0.2.0")), "0.2.0"),
            |r| matches!(r, Refused::NotNewer { latest, .. } if latest == "0.2.0")),
        ("an older version", release.files(&bytes, &signature(test_only_key(), &bytes, Some("0.1.9")), "0.1.9"), |r| matches!(r, Refused::NotNewer { .. })),
        ("a malformed version", release.files(&bytes, &good, "0.3"), |r| matches!(r, Refused::MalformedVersion(_))),
        ("a version with a v", release.files(&bytes, &good, "v0.3.0"), |r| matches!(r, Refused::MalformedVersion(_))),
        ("not a package", release.files(b"PK\x03\x04 a zip", &good, "0.3.0"), |r| matches!(r, Refused::NotAPackage)),
        ("no notes", Publication { notes: "  ".into(), ..release.files(&bytes, &good, "0.3.0") }, |r| matches!(r, Refused::NoNotes)),
        ("an unknown architecture", Publication { arch: Some("sparc".into()), ..release.files(&bytes, &good, "0.3.0") }, |r| matches!(r, Refused::UnknownArch(_))),
        ("a missing package", Publication { package: "/nonexistent/clinic-desk.deb".into(), ..release.files(&bytes, &good, "0.3.0") },
            |r| matches!(r, Refused::Unreadable(_))),
    ];
    for (what, files, expected) in cases {
        let refused = publish(&server.server.db, Some(TEST_ONLY_PUBLIC_KEY), files).await.unwrap_err();
        assert!(expected(&refused), "{what}: {refused:?}");
        assert!(!refused.to_string().is_empty());
        assert_eq!(releases(&server).await, before, "{what}: nothing changed");
    }
    for key in [None, Some("not a key")] {
        let refused = publish(&server.server.db, key, release.files(&bytes, &good, "0.3.0")).await.unwrap_err();
        assert!(matches!(refused, Refused::NoPublicKey | Refused::BadPublicKey(_)), "{refused:?}");
    }
    // The same files, well signed, are taken.
    publish(&server.server.db, Some(TEST_ONLY_PUBLIC_KEY), release.files(&bytes, &good, "0.3.0")).await.unwrap();
}

#[tokio::test]
async fn the_command_publishes_and_refuses_with_a_clear_message() {
    let server = TestServer::start().await;
    let release = Release::new();
    let bytes = deb(5, 5000);
    let files = release.files(&bytes, &signature(test_only_key(), &bytes, Some("0.2.0")), "0.2.0");
    let notes = release.dir.path().join("notes.txt");
    std::fs::write(&notes, "Receipts print faster.\nThe week view shows holidays.").unwrap();
    let run = |version: &str, key: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clinic-server"))
            .arg("publish-update").arg(&files.package).args(["--signature"]).arg(&files.signature).args(["--version", version, "--notes-file"]).arg(&notes)
            .env("DATABASE_URL", &server.database_url).env("CLINIC_SERVER_LISTEN", "127.0.0.1:0").env("CLINIC_SERVER_UPDATE_PUBLIC_KEY", key)
            .output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (ok, _, said) = run("0.2.0", "");
    assert!(!ok && said.contains("Set CLINIC_SERVER_UPDATE_PUBLIC_KEY") && said.contains("Nothing was published"), "{said}");
    let (ok, _, said) = run("0.2", TEST_ONLY_PUBLIC_KEY.trim());
    assert!(!ok && said.contains("“0.2” is not a version"), "{said}");
    let (ok, _, said) = run("0.2.1", TEST_ONLY_PUBLIC_KEY.trim());
    assert!(!ok && said.contains("signed as version 0.2.0, not 0.2.1"), "{said}");
    assert_eq!(releases(&server).await.0, 0);
    let (ok, printed, said) = run("0.2.0", TEST_ONLY_PUBLIC_KEY.trim());
    assert!(ok, "{said}");
    assert!(printed.starts_with("published 0.2.0 for linux-"), "{printed}");
    let (ok, _, said) = run("0.2.0", TEST_ONLY_PUBLIC_KEY.trim());
    assert!(!ok && said.contains("is not newer than 0.2.0"), "{said}");
    let notes: String = sqlx::query_scalar("SELECT notes FROM app_release").fetch_one(&server.server.db).await.unwrap();
    assert_eq!(notes, "Receipts print faster.\nThe week view shows holidays.");
}

#[tokio::test]
async fn only_enrolled_workstations_read_releases_whatever_their_organisation() {
    let (server, _, desk, _) = riverside().await;
    Release::new().publish(&server, &deb(1, 1000), "0.2.0").await.unwrap();
    let manifest = "/v1/updates/linux-x86_64-deb/0.1.0";
    let package = "/v1/updates/linux-x86_64-deb/0.2.0/package";
    assert_eq!(server.get(manifest, None).await.0, 401);
    assert_eq!(server.get(manifest, Some("not-a-token")).await.0, 401);
    assert_eq!(download(&server, package, None).await.0, 401);
    // Releases are the server's: another organisation's workstation is offered the same.
    let other = Desk::first(&server, server.organisation("Hillside").await).await;
    assert_eq!(server.get(manifest, Some(&other.token)).await.1["version"], "0.2.0");
    assert_eq!(download(&server, package, Some(&other.token)).await.0, 200);
    // A revoked workstation is refused.
    clinic_server::admin::revoke_device(&server.server.db, desk.device_id).await.unwrap();
    assert_eq!(server.get(manifest, Some(&desk.token)).await.0, 401);
    assert_eq!(download(&server, package, Some(&desk.token)).await.0, 401);
}

#[tokio::test]
async fn a_malformed_request_is_refused_as_documented() {
    let (server, _, desk, _) = riverside().await;
    for path in ["/v1/updates/linux-x86_64-deb/0.1", "/v1/updates/linux-x86_64-deb/v0.1.0", "/v1/updates/linux/0.1.0",
        "/v1/updates/Linux-x86_64-deb/0.1.0", "/v1/updates/linux-x86_64-deb/99999999999.0.0", "/v1/updates/linux-x86_64-deb/0.2/package"] {
        let (status, body) = server.get(path, Some(&desk.token)).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("invalid")), "{path}: {body}");
    }
    let (status, body) = server.get("/v1/updates/linux-x86_64-deb/0.9.0/package", Some(&desk.token)).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")), "{body}");
}
