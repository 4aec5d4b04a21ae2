//! A real sync server over pinned HTTPS on a fresh PostgreSQL database, a real workstation enrolled
//! with it, releases signed with the TEST-ONLY key (tests/updates/), and the app's updater as
//! `updates::updater` sets it up, on tauri's mock runtime. Shared by tests/updater.rs and the
//! benchmark (benches/update_check.rs).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use base64::Engine;
use chrono::{TimeZone, Utc};
use clinic_core::clock::ManualClock;
use clinic_core::ops::setup::{set_up_clinic, ClinicSetup};
use clinic_core::store::MemoryKeyStore;
use clinic_core::sync::{self, EnrolInput, UpdateSource};
use clinic_core::Clinic;
use clinic_server::updates::publish::{publish, Publication, Published, Refused};
use tauri::test::MockRuntime;
use tempfile::TempDir;

pub const TEST_ONLY_PUBLIC_KEY: &str = include_str!("../../../tests/updates/TEST-ONLY-update-signing.key.pub");
const TEST_ONLY_SECRET_KEY: &str = include_str!("../../../tests/updates/TEST-ONLY-update-signing.key");
/// What the packages here are for: a workstation installed from the .deb on this architecture.
pub const PLATFORM: &str = "linux-x86_64-deb";

pub struct World {
    pub server: clinic_server::Server,
    /// The server's address, `https://127.0.0.1:…`.
    pub url: String,
    pub clinic: Clinic,
    pub keys: MemoryKeyStore,
    /// The app, at version 0.1.0 (the mock context's), with the updater plugin and the TEST-ONLY key.
    pub app: tauri::App<MockRuntime>,
    pub dir: TempDir,
}

/// The PostgreSQL the server's tests use: CLINIC_TEST_DATABASE_URL, else the local one.
fn admin_url() -> String {
    std::env::var("CLINIC_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub async fn world() -> World {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let admin = admin_url();
    let name = format!("clinic_updates_{}", uuid::Uuid::now_v7().simple());
    let pool = sqlx::PgPool::connect(&admin).await.expect("PostgreSQL for the updater's tests");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.unwrap();
    let database_url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let server = clinic_server::Server::connect(&database_url).await.unwrap();

    // Over HTTPS with a certificate of its own, as off loopback: the workstation pins it.
    let tls = clinic_server::TlsFiles::in_folder(&dir.path().join("server"));
    let fingerprint = tls.ensure().unwrap().to_string();
    let listen = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let config = clinic_server::Config { listen: listen.clone(), database_url, tls: Some(tls), update_public_key: None };
    let serving = server.clone();
    tokio::spawn(async move { clinic_server::serve(&config, serving).await.unwrap() });
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(&listen).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let url = format!("https://{listen}");

    let keys = MemoryKeyStore::default();
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()));
    let clinic = Clinic::open(&dir.path().join("clinic.db"), &keys, clock).await.unwrap();
    let admin = set_up_clinic(&clinic, ClinicSetup {
        organisation_name: "Harbour Health".into(), site_name: "Harbour Clinic".into(), site_code: Some("HC".into()),
        address: "1 Quay Street".into(), time_zone: "Europe/Lisbon".into(), currency: "EUR".into(), tax_id: None,
        admin_full_name: "Ada Admin".into(), admin_username: "ada".into(), admin_password: "correct horse battery".into(), device_name: "Desk 1".into(),
    }).await.unwrap();
    let org = clinic_server::admin::create_organisation(&server.db, "Harbour Health").await.unwrap();
    let code = clinic_server::admin::create_enrolment_code(&server.db, org, 1).await.unwrap();
    sync::enrol(&clinic, Some(&admin), &keys, EnrolInput { server_url: url.clone(), fingerprint, code, device_name: "Desk 1".into() })
        .await.unwrap();

    World { server, url, clinic, keys, app: app(), dir }
}

/// The app on tauri's mock runtime, with the updater plugin configured as tauri.conf.json has it.
pub fn app() -> tauri::App<MockRuntime> {
    let mut context = tauri::test::mock_context(tauri::test::noop_assets());
    context.config_mut().plugins.0.insert("updater".into(), serde_json::json!({"pubkey": TEST_ONLY_PUBLIC_KEY, "requireSignedVersion": true}));
    tauri::test::mock_builder().plugin(tauri_plugin_updater::Builder::new().build()).build(context).unwrap()
}

impl World {
    pub async fn source(&self) -> UpdateSource {
        sync::update_source(&self.clinic, &self.keys).await.unwrap().expect("enrolled")
    }

    /// The app's updater for this workstation, asking as a workstation installed from the .deb.
    pub async fn updater(&self) -> (tauri_plugin_updater::Updater, Arc<Mutex<Option<String>>>) {
        let older = Arc::new(Mutex::new(None));
        (clinic_desk_lib::updates::updater(self.app.handle(), &self.source().await, PLATFORM, older.clone()).unwrap(), older)
    }

    /// Publishes `package` as `version`, signed by the TEST-ONLY key as `signed_as`, as the admin's
    /// `clinic-server publish-update` does.
    pub async fn publish(&self, package: &[u8], version: &str, signed_as: &str) -> Result<Published, Refused> {
        let (path, signature) = (self.dir.path().join(format!("clinic-desk_{version}_amd64.deb")), self.dir.path().join("package.sig"));
        std::fs::write(&path, package).unwrap();
        std::fs::write(&signature, sign(package, signed_as)).unwrap();
        publish(&self.server.db, Some(TEST_ONLY_PUBLIC_KEY), Publication {
            package: path, signature, version: version.into(), notes: format!("Version {version}: the week view prints."), arch: Some("x86_64".into()),
        }).await
    }
}

/// A package's bytes: a .deb's first bytes, then `size` bytes that differ with `seed`.
pub fn package(size: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"!<arch>\ndebian-binary   ".to_vec();
    bytes.extend((0..size).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

/// The TEST-ONLY key's signature of `bytes` as version `version`, as `tauri signer sign --app-version` writes it.
pub fn sign(bytes: &[u8], version: &str) -> String {
    signed_with(test_only_key(), bytes, version)
}

pub fn signed_with(key: &minisign::SecretKey, bytes: &[u8], version: &str) -> String {
    let trusted = format!("timestamp:1796465232\tfile:clinic-desk_{version}_amd64.deb\tversion:{version}");
    let signature = minisign::sign(None, key, std::io::Cursor::new(bytes), Some(&trusted), Some("signature from tauri secret key")).unwrap();
    base64::engine::general_purpose::STANDARD.encode(signature.into_string())
}

/// The TEST-ONLY secret key (its password is empty), opened once: scrypt is slow on purpose.
pub fn test_only_key() -> &'static minisign::SecretKey {
    static KEY: std::sync::OnceLock<minisign::SecretKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let text = base64::engine::general_purpose::STANDARD.decode(TEST_ONLY_SECRET_KEY.trim()).unwrap();
        let boxed = minisign::SecretKeyBox::from_string(std::str::from_utf8(&text).unwrap()).unwrap();
        boxed.into_secret_key(Some(String::new())).unwrap()
    })
}

/// A key that is not the release key.
pub fn another_key() -> minisign::SecretKey {
    minisign::KeyPair::generate_unencrypted_keypair().unwrap().sk
}
