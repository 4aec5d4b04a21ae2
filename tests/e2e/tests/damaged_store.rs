//! A damaged database is reported in the window, not ignored.

use std::sync::Arc;
use std::time::Duration;

use clinic_core::clock::SystemClock;
use clinic_core::demo::{create_demo_clinic, DemoSize};
use clinic_core::store::OsKeychain;
use clinic_core::Clinic;
use clinic_desk_e2e::{required, App};

#[test]
fn a_damaged_store_is_reported_in_the_window() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver on {} (scripts/test does)", clinic_desk_e2e::driver_url());
        return;
    }
    // A clinic made as the app makes it (its key in this session's keychain), then a failing disk.
    let dir = std::path::absolute(std::env::temp_dir().join(format!("clinic-desk-damaged-{}", std::process::id()))).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("clinic.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let clinic = Clinic::open(&path, &OsKeychain::new("clinic-desk"), Arc::new(SystemClock)).await.unwrap();
        create_demo_clinic(&clinic, DemoSize { patients: 2_000, practitioners: 2, appointments: 2_000 }, |_| {}).await.unwrap();
        clinic.store().close().await;
    });
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 512] {
        *b ^= 0x5A;
    }
    std::fs::write(&path, bytes).unwrap();

    let app = App::start_with("damaged_store", &["--data-dir", dir.to_str().unwrap()]);
    app.wait_for_text("failed its integrity check", Duration::from_secs(40));
    app.screenshot("01-integrity-failure");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
