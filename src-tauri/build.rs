// The app's own commands, listed so capabilities/ can grant each window exactly these.
const COMMANDS: &[&str] = &[
    "workstation", "open_demo", "set_up", "log_in", "log_out", "lock", "unlock", "search_patients", "register_patient",
    "likely_duplicates", "day_calendar", "practitioners", "appointment_types", "free_slots", "site_now", "book", "today_list",
    "add_walk_in", "call_next", "open_patient", "mark_arrived", "mark_served", "staff", "create_staff",
    "audit_trail", "verify_audit", "reminder_settings", "set_reminder_settings",
    "ready", "reschedule", "cancel_appointment", "edit_patient", "start_consultation", "complete_consultation", "mark_no_show",
    "mark_left", "merge_patients", "unmerge_patient", "change_password",
    "create_appointment_type", "update_site_details", "site_details",
    "update_appointment_type", "set_note_template", "doctors_without_hours", "add_practitioner", "update_practitioner", "time_off", "add_time_off", "remove_time_off",
    "sync_status", "enrol_workstation", "needs_attention", "resolve_conflict", "apply_refused_again", "dismiss_refused",
    "set_staff_roles", "set_staff_active", "reset_password",
    "my_day", "open_consultation", "finish_consultation", "save_note", "sign_note", "add_addendum", "unsigned_notes", "open_chart", "chart_encounters", "record_vitals", "vital_measures", "find_diagnosis_codes", "add_diagnosis", "set_problem_status", "record_allergy", "change_allergy", "confirm_no_known_allergies", "find_formulary_drugs", "formulary", "add_formulary_drug", "update_formulary_drug", "prescribe", "stop_prescription", "patient_prescriptions", "print_prescriptions", "open_document", "add_attachment", "patient_attachments", "open_attachment", "attachment_thumbnail", "remove_attachment",
    "price_list", "add_price_item", "update_price", "start_invoice", "save_invoice_draft", "discard_invoice_draft", "finalise_invoice", "invoice", "invoices_of_day", "take_payment", "refund_payment", "issue_credit_note", "open_cash_session", "current_cash_session", "close_cash_session", "cash_session", "cash_sessions", "patient_balance", "patient_account", "invoice_settings", "update_invoice_settings", "set_logo", "printers", "print_invoice", "print_receipt", "print_credit_note", "print_invoices", "print_cash_up",
    "dashboard", "report_choices", "run_report", "cancel_report", "save_report_csv", "print_report",
    "backup_status", "choose_backup_folder", "new_recovery_code", "print_recovery_sheet", "back_up_now", "inspect_backup", "restore_backup",
    "update_status", "check_for_updates", "install_update",
];

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri build");
}
