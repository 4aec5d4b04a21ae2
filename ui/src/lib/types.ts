// Shapes of what the commands return (serde's snake_case). Hand-written for now; to be generated
// from the Rust types.

export type Role = "receptionist" | "doctor" | "manager" | "admin";

export interface AppError {
  code: string;
  message: string;
  field?: string;
}

export interface Session {
  staff_id: string;
  username: string;
  full_name: string;
  roles: Role[];
  locked: boolean;
}

export interface Workstation {
  problem: AppError | null;
  integrity_problem: AppError | null;
  set_up: boolean;
  session: Session | null;
}

export interface DemoLogin {
  username: string;
  password: string;
  roles: string;
}

export interface PatientSummary {
  id: string;
  mrn: string;
  given_name: string;
  family_name: string;
  sex: string;
  birth_date: string;
  phones: string[];
}

export interface PatientInput {
  given_name: string;
  family_name: string;
  sex: string;
  birth_date: string | null;
  phones: string[];
  email: string | null;
  national_id: string | null;
}

export interface DuplicateCandidate {
  id: string;
  mrn: string;
  full_name: string;
  birth_date: string;
  reason: string;
}

export interface Appointment {
  id: string;
  patient_id: string;
  patient_name: string;
  patient_mrn: string;
  practitioner_id: string;
  type_name: string;
  colour: string;
  local_start: string;
  local_end: string;
  status: string;
  double_booked: boolean;
}

export interface PractitionerDay {
  practitioner_id: string;
  name: string;
  specialisation: string;
  working: [string, string][];
  appointments: Appointment[];
}

export interface DayCalendar {
  date: string;
  time_zone: string;
  practitioners: PractitionerDay[];
}

export interface QueueEntry {
  id: string;
  appointment_id: string | null;
  patient_name: string;
  patient_mrn: string;
  reason: string;
  priority: "normal" | "urgent" | "emergency";
  status: "waiting" | "called" | "served" | "left";
  practitioner_name: string | null;
  waiting_minutes: number;
}

export interface ClinicSetup {
  organisation_name: string;
  site_name: string;
  site_code: string | null;
  address: string;
  time_zone: string;
  currency: string;
  tax_id: string | null;
  admin_full_name: string;
  admin_username: string;
  admin_password: string;
  device_name: string;
}

export interface Practitioner {
  id: string;
  display_name: string;
  specialisation: string;
  active: boolean;
}

export interface AppointmentType {
  id: string;
  name: string;
  duration_minutes: number;
  active: boolean;
}

export interface FreeSlot {
  starts_at: string;
  local_start: string;
  local_end: string;
}

export interface Booking {
  appointment: Appointment;
  warnings: string[];
}

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface HistoryEntry {
  at: string;
  staff_name: string | null;
  action: string;
  changes: FieldChange[];
}

export interface Patient extends PatientSummary {
  email: string | null;
  national_id: string | null;
  address: string | null;
  allergies: string[];
}

export interface PatientChart {
  patient: Patient;
  appointments: Appointment[];
  history: HistoryEntry[];
}

export interface StaffMember {
  id: string;
  full_name: string;
  username: string;
  roles: Role[];
  active: boolean;
}

export interface AuditEntry {
  id: string;
  at: string;
  staff_name: string | null;
  action: string;
  entity: string;
  details: Record<string, unknown>;
}

export interface AuditReport {
  entries_checked: number;
  problems: { device_id: string; seq: number; problem: string }[];
}
