// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `clinic-desk --version` answers before any window or keychain is touched: it is how an
    // admin (and the package check in CI) asks an installed copy which version it is.
    if std::env::args().nth(1).as_deref() == Some("--version") {
        println!("Clinic Desk {}", clinic_desk_lib::version());
        return;
    }
    clinic_desk_lib::STARTED.get_or_init(std::time::Instant::now);
    clinic_desk_lib::run();
}
