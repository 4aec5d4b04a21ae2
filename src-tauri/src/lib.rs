//! The desktop app: a window over the clinic. Commands are thin: take the desk's state, send the
//! use case to the clinic's thread, hand back its answer or its `{code, message}`.

mod commands;
mod desk;

use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let data_dir = match std::env::var_os("CLINIC_DESK_DATA_DIR") {
                Some(dir) => dir.into(),
                None => app.path().app_data_dir()?,
            };
            app.manage(desk::Desk::open(data_dir));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::workstation,
            commands::open_demo,
            commands::set_up,
            commands::log_in,
            commands::log_out,
            commands::lock,
            commands::unlock,
            commands::search_patients,
            commands::register_patient,
            commands::likely_duplicates,
            commands::day_calendar,
            commands::practitioners,
            commands::appointment_types,
            commands::free_slots,
            commands::book,
            commands::today_list,
            commands::add_walk_in,
            commands::call_next,
            commands::open_patient,
            commands::mark_arrived,
            commands::mark_served,
            commands::staff,
            commands::create_staff,
        ])
        .run(tauri::generate_context!())
        .expect("the Clinic Desk window could not start");
}
