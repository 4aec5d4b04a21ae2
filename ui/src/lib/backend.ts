// The one module that talks to the Rust side. Every call returns the command's answer or throws
// its {code, message, field}.
import { invoke } from "@tauri-apps/api/core";
import type {
  AppError, ClinicSetup, DayCalendar, DemoLogin, DuplicateCandidate, PatientInput, PatientSummary, QueueEntry, Session,
  Workstation,
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
  openDemo: () => call<DemoLogin[]>("open_demo"),
  setUp: (input: ClinicSetup) => call<Session>("set_up", { input }),
  logIn: (username: string, password: string) => call<Session>("log_in", { username, password }),
  logOut: () => call<void>("log_out"),
  lock: () => call<Session>("lock"),
  unlock: (password: string) => call<Session>("unlock", { password }),
  searchPatients: (query: string) => call<PatientSummary[]>("search_patients", { query }),
  likelyDuplicates: (input: PatientInput) => call<DuplicateCandidate[]>("likely_duplicates", { input }),
  registerPatient: (input: PatientInput, confirmedNew: boolean) =>
    call<{ id: string; mrn: string }>("register_patient", { input, confirmedNew }),
  dayCalendar: (date: string) => call<DayCalendar>("day_calendar", { date }),
  todayList: () => call<QueueEntry[]>("today_list"),
};
