// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    clinic_desk_lib::STARTED.get_or_init(std::time::Instant::now);
    clinic_desk_lib::run();
}
