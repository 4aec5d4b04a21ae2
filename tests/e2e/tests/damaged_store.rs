//! A damaged database is reported in the window, not ignored, and the workstation becomes read-only:
//! a patient can still be found and their chart opened, a booking is refused with what to do.

use std::sync::Arc;
use std::time::Duration;

use clinic_core::clock::SystemClock;
use clinic_core::demo::{create_demo_clinic, DemoSize};
use clinic_core::store::OsKeychain;
use clinic_core::Clinic;
use clinic_desk_e2e::{required, App};
use serde_json::json;

const SHORT: Duration = Duration::from_secs(10);

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
    // The page that fails is the one of the per-device number series: reading never needs it, so
    // the story can still find a patient and open the chart (reading goes on); a change would.
    let (page_size, page) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let clinic = Clinic::open(&path, &OsKeychain::new("clinic-desk"), Arc::new(SystemClock)).await.unwrap();
        create_demo_clinic(&clinic, DemoSize { patients: 2_000, practitioners: 2, appointments: 2_000 }, |_| {}).await.unwrap();
        let pool = clinic.store().pool();
        let page_size: i64 = sqlx::query_scalar("SELECT CAST(page_size AS INTEGER) FROM pragma_page_size()").fetch_one(pool).await.unwrap();
        let page: i64 = sqlx::query_scalar("SELECT CAST(rootpage AS INTEGER) FROM sqlite_master WHERE name = 'series'").fetch_one(pool).await.unwrap();
        clinic.store().close().await;
        (page_size as usize, page as usize)
    });
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = (page - 1) * page_size + page_size / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0x5A;
    }
    std::fs::write(&path, bytes).unwrap();

    let app = App::start_with("damaged_store", &["--data-dir", dir.to_str().unwrap()]);
    app.wait_for_text("failed its integrity check", Duration::from_secs(40));
    app.screenshot("01-integrity-failure");

    // Reading still works: find a patient and open the chart.
    app.log_in("reception", "demo-clinic");
    app.wait_for_text("Find a patient", SHORT);
    app.type_into("#patient-search", "silva");
    app.find("li[role=option]", SHORT);
    app.press("#patient-search", "\u{E007}");
    app.wait_for_text("Book an appointment", SHORT);
    app.execute("document.getElementById('book-title').scrollIntoView({block: 'center'})", json!([]));
    app.screenshot("02-chart-still-opens");

    // A booking is refused, and the window says what to do.
    app.set_value("input[name=time]", "10:00");
    app.click_button("Book at this time");
    app.wait_for_text("Nothing was saved", SHORT);
    app.wait_for_text("Restore the latest backup, or call your administrator.", SHORT);
    app.execute("[...document.querySelectorAll('[role=alert]')].pop().scrollIntoView({block: 'center'})", json!([]));
    app.screenshot("03-booking-refused");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
