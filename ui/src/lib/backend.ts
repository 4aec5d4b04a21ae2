// The one module that talks to the Rust side. Every call returns the command's answer or throws
// its {code, message, field}.
import { invoke } from "@tauri-apps/api/core";
import type {
  AppError, Appointment, AppointmentType, Booking, ClinicSetup, DayCalendar, DemoLogin, DuplicateCandidate, FreeSlot,
  PatientChart, PatientInput, PatientSummary, Practitioner, QueueEntry, Session, StaffMember, Workstation, AuditEntry,
  AuditReport,
} from "./types";

async function call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    const err = e as AppError;
    throw typeof err === "object" && err && "code" in err ? err : { code: "internal", message: String(e) };
  }
}

export const backend = {
  workstation: () => call<Workstation>("workstation"),
  ready: () => call<void>("ready"),
  reschedule: (id: string, starts: string, practitionerId: string) => call<Booking>("reschedule", { id, starts, practitionerId }),
  cancelAppointment: (id: string, reason: string) => call<Appointment>("cancel_appointment", { id, reason }),
  openDemo: () => call<DemoLogin[]>("open_demo"),
  setUp: (input: ClinicSetup) => call<Session>("set_up", { input }),
  logIn: (username: string, password: string) => call<Session>("log_in", { username, password }),
  logOut: () => call<void>("log_out"),
  lock: () => call<Session>("lock"),
  unlock: (password: string) => call<Session>("unlock", { password }),
  searchPatients: (query: string) => call<PatientSummary[]>("search_patients", { query }),
  likelyDuplicates: (input: PatientInput) => call<DuplicateCandidate[]>("likely_duplicates", { input }),
  createAppointmentType: (input: { name: string; duration_minutes: number; buffer_minutes: number; price_minor: number; colour: string }) =>
    call<AppointmentType>("create_appointment_type", { input }),
  updateSiteDetails: (input: { name: string; address: string; time_zone: string; currency: string; tax_id: string | null }) =>
    call<void>("update_site_details", { input }),
  siteDetails: () => call<{ name: string; address: string; time_zone: string; currency: string; tax_id: string | null }>("site_details"),
  editPatient: (id: string, input: PatientInput) => call<{ id: string }>("edit_patient", { id, input }),
  registerPatient: (input: PatientInput, confirmedNew: boolean) =>
    call<{ id: string; mrn: string }>("register_patient", { input, confirmedNew }),
  dayCalendar: (date: string) => call<DayCalendar>("day_calendar", { date }),
  todayList: () => call<QueueEntry[]>("today_list"),
  openPatient: (id: string) => call<PatientChart>("open_patient", { id }),
  practitioners: () => call<Practitioner[]>("practitioners"),
  appointmentTypes: () => call<AppointmentType[]>("appointment_types"),
  freeSlots: (practitionerId: string, typeId: string, date: string) =>
    call<FreeSlot[]>("free_slots", { practitionerId, typeId, date }),
  book: (input: { patient_id: string; practitioner_id: string; type_id: string; starts: string }) =>
    call<Booking>("book", { input: { ...input, notes: null, override_schedule: false } }),
  addWalkIn: (patientId: string, reason: string, priority: string) =>
    call<QueueEntry>("add_walk_in", { input: { patient: { existing: patientId }, reason, priority, practitioner_id: null } }),
  callNext: (practitionerId: string) => call<QueueEntry | null>("call_next", { practitionerId }),
  markArrived: (id: string) => call<Appointment>("mark_arrived", { id }),
  markServed: (id: string) => call<QueueEntry>("mark_served", { id }),
  staff: () => call<StaffMember[]>("staff"),
  createStaff: (input: { full_name: string; username: string; password: string; roles: string[] }) =>
    call<StaffMember>("create_staff", { input }),
  auditTrail: (before: string | null = null) => call<AuditEntry[]>("audit_trail", { before }),
  verifyAudit: () => call<AuditReport>("verify_audit"),
  reminderSettings: () => call<{ lead_minutes: number; wait_minutes: number }>("reminder_settings"),
  setReminderSettings: (settings: { lead_minutes: number; wait_minutes: number }) => call<void>("set_reminder_settings", { settings }),
};
