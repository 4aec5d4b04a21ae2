//! The desktop app: a window over the clinic. Commands are thin: take the desk's state, send the
//! use case to the clinic's thread, hand back its answer or its `{code, message}`.

mod commands;
mod desk;
mod reminders;
mod sync;
pub mod updates;

use tauri::Manager;

/// When the process started: the start-up figure is measured from here to the first usable screen.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn run() {
    tauri::Builder::default()
        // Its key (tauri.conf.json) checks every package; the window is granted none of its commands.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(|app| {
            // Where the clinic's data lives: `--data-dir PATH`, else CLINIC_DESK_DATA_DIR, else the
            // platform's app data folder.
            let from_args = argument("--data-dir");
            let data_dir = match from_args.or_else(|| std::env::var("CLINIC_DESK_DATA_DIR").ok()) {
                Some(dir) => dir.into(),
                None => app.path().app_data_dir()?,
            };
            app.manage(desk::Desk::open(data_dir, clock()));
            app.manage(commands::reports::Running::default());
            app.manage(updates::Updates::default());
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(remind(handle.clone()));
            tauri::async_runtime::spawn(updates::keep_up_to_date(handle.clone()));
            tauri::async_runtime::spawn(sync::keep_in_sync(handle.clone()));
            tauri::async_runtime::spawn(back_up_daily(handle));
            Ok(())
        })
        .invoke_handler(commands().invoke_handler())
        .run(context())
        .expect("the Clinic Desk window could not start");
}

/// The app as built: tauri.conf.json, with `TAURI_CONFIG` merged over it at compile time (how a
/// package is built as another version: docs/packaging.md).
fn context() -> tauri::Context {
    tauri::generate_context!()
}

/// This build's version: the one its package carries, and the one the updater compares.
pub fn version() -> String {
    context().package_info().version.to_string()
}

/// The daily backup (`clinic_core::backup::back_up_if_due`): looked at every ten minutes, so a
/// workstation started late in the day, or whose USB disk comes back, still gets its backup.
async fn back_up_daily(app: tauri::AppHandle) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        let desk = app.state::<desk::Desk>();
        match desk.run(|c| async move { clinic_core::backup::back_up_if_due(&c, &desk::keychain()).await }).await {
            Ok(Some(made)) => tracing::info!(file = %made.path, "daily backup made"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e.message, "daily backup failed; the Backups page shows why"),
        }
    }
}

fn argument(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// The clinic's clock: the system's; in a debug build, `--clock 2026-11-23T09:40:00Z` starts it
/// from that instant instead (the end-to-end stories pin their day and hour with it).
fn clock() -> std::sync::Arc<dyn clinic_core::clock::Clock> {
    #[cfg(debug_assertions)]
    if let Some(at) = argument("--clock") {
        let at = chrono::DateTime::parse_from_rfc3339(&at).unwrap_or_else(|e| panic!("--clock {at}: {e}"));
        return std::sync::Arc::new(clinic_core::clock::ShiftedClock::starting_at(at.to_utc()));
    }
    std::sync::Arc::new(clinic_core::clock::SystemClock)
}

/// The app's commands, with their argument and answer types: the window's TypeScript bindings
/// (`ui/src/lib/bindings.ts`) are generated from this list, so the two cannot drift apart.
pub fn commands() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        // Every integer the window sees (money in minor units, audit ids) is far below 2^53.
        .dangerously_cast_bigints_to_number()
        // One TypeScript type per Rust type, whichever way it travels.
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            commands::workstation,
            commands::open_demo,
            commands::set_up,
            commands::log_in,
            commands::log_out,
            commands::lock,
            commands::unlock,
            commands::front_desk::search_patients,
            commands::front_desk::register_patient,
            commands::front_desk::likely_duplicates,
            commands::front_desk::day_calendar,
            commands::front_desk::practitioners,
            commands::front_desk::appointment_types,
            commands::front_desk::free_slots,
            commands::front_desk::site_now,
            commands::front_desk::book,
            commands::front_desk::today_list,
            commands::front_desk::add_walk_in,
            commands::front_desk::call_next,
            commands::front_desk::open_patient,
            commands::front_desk::mark_arrived,
            commands::front_desk::mark_served,
            commands::settings::staff,
            commands::settings::create_staff,
            commands::settings::audit_trail,
            commands::settings::verify_audit,
            commands::settings::reminder_settings,
            commands::settings::set_reminder_settings,
            commands::ready,
            commands::front_desk::reschedule,
            commands::front_desk::start_consultation,
            commands::front_desk::complete_consultation,
            commands::front_desk::mark_no_show,
            commands::front_desk::mark_left,
            commands::front_desk::merge_patients,
            commands::front_desk::unmerge_patient,
            commands::change_password,
            commands::front_desk::cancel_appointment,
            commands::front_desk::edit_patient,
            commands::settings::create_appointment_type,
            commands::settings::update_site_details,
            commands::settings::site_details,
            commands::settings::update_appointment_type,
            commands::settings::set_note_template,
            commands::settings::doctors_without_hours,
            commands::settings::add_practitioner,
            commands::settings::update_practitioner,
            commands::settings::time_off,
            commands::settings::add_time_off,
            commands::settings::remove_time_off,
            commands::settings::set_staff_roles,
            commands::settings::set_staff_active,
            commands::settings::reset_password,
            commands::sync::sync_status,
            commands::sync::enrol_workstation,
            commands::sync::needs_attention,
            commands::sync::resolve_conflict,
            commands::sync::apply_refused_again,
            commands::sync::dismiss_refused,
            commands::doctor::my_day,
            commands::doctor::open_consultation,
            commands::doctor::finish_consultation,
            commands::doctor::save_note,
            commands::doctor::sign_note,
            commands::doctor::add_addendum,
            commands::doctor::unsigned_notes,
            commands::doctor::open_chart,
            commands::doctor::chart_encounters,
            commands::doctor::record_vitals,
            commands::doctor::vital_measures,
            commands::doctor::find_diagnosis_codes,
            commands::doctor::add_diagnosis,
            commands::doctor::set_problem_status,
            commands::doctor::record_allergy,
            commands::doctor::change_allergy,
            commands::doctor::confirm_no_known_allergies,
            commands::doctor::find_formulary_drugs,
            commands::doctor::formulary,
            commands::doctor::add_formulary_drug,
            commands::doctor::update_formulary_drug,
            commands::doctor::prescribe,
            commands::doctor::stop_prescription,
            commands::doctor::patient_prescriptions,
            commands::printing::print_prescriptions,
            commands::doctor::open_document,
            commands::attachments::add_attachment,
            commands::attachments::patient_attachments,
            commands::attachments::open_attachment,
            commands::attachments::attachment_thumbnail,
            commands::attachments::remove_attachment,
            commands::money::price_list,
            commands::money::add_price_item,
            commands::money::update_price,
            commands::money::start_invoice,
            commands::money::save_invoice_draft,
            commands::money::discard_invoice_draft,
            commands::money::finalise_invoice,
            commands::money::invoice,
            commands::money::invoices_of_day,
            commands::money::take_payment,
            commands::money::refund_payment,
            commands::money::issue_credit_note,
            commands::money::open_cash_session,
            commands::money::current_cash_session,
            commands::money::close_cash_session,
            commands::money::cash_session,
            commands::money::cash_sessions,
            commands::money::patient_balance,
            commands::money::patient_account,
            commands::money::invoice_settings,
            commands::money::update_invoice_settings,
            commands::money::set_logo,
            commands::printing::printers,
            commands::printing::print_invoice,
            commands::printing::print_receipt,
            commands::printing::print_credit_note,
            commands::printing::print_invoices,
            commands::printing::print_cash_up,
            commands::reports::dashboard,
            commands::reports::report_choices,
            commands::reports::run_report,
            commands::reports::cancel_report,
            commands::reports::save_report_csv,
            commands::backups::backup_status,
            commands::backups::choose_backup_folder,
            commands::backups::new_recovery_code,
            commands::backups::print_recovery_sheet,
            commands::backups::back_up_now,
            commands::backups::inspect_backup,
            commands::backups::restore_backup,
            commands::printing::print_report,
            commands::updates::update_status,
            commands::updates::check_for_updates,
            commands::updates::install_update,
        ])
}

/// Writes the window's TypeScript bindings to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    // A report's progress comes through a Channel the window makes: handed out here, so this file
    // stays the one module that imports @tauri-apps/api.
    let typescript = specta_typescript::Typescript::default().header(
        "// Generated from the Rust commands by `scripts/bindings`; do not edit. CI fails when it is stale.\n\
         export { Channel } from \"@tauri-apps/api/core\";",
    );
    commands().export(typescript, path).map_err(|e| e.to_string())
}

/// Every half minute, while someone is logged in and the desk is unlocked: the reminders now due.
async fn remind(app: tauri::AppHandle) {
    use clinic_core::ops::{calendar, queue};
    let mut shown = std::collections::HashSet::new();
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        let desk = app.state::<desk::Desk>();
        if desk.current_session().is_none_or(|s| s.locked) {
            continue;
        }
        let settings = desk.reminder_settings();
        let today = desk
            .run_as(|c, s| async move {
                // Asked on the desk's own timer: not the person's activity, so no idle session stays open.
                let s = s.in_background();
                let day = calendar::todays_calendar(&c, &s).await?;
                let waiting = queue::today_list(&c, &s).await?;
                Ok((day, waiting))
            })
            .await;
        let Ok((day, waiting)) = today else { continue };
        let appointments: Vec<_> = day.practitioners.into_iter().flat_map(|p| p.appointments).collect();
        for reminder in reminders::due(chrono::Utc::now(), &appointments, &waiting, settings, &mut shown) {
            tauri::async_runtime::spawn_blocking(move || reminders::show(&reminder));
        }
    }
}
