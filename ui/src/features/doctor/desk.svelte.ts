// The consultation a doctor has open, kept while they look at another screen (Patients, Today)
// and come back to My day. It belongs to the doctor who opened it: another login does not see it.
import type { UnsignedNote } from "../../lib/bindings";
import { current } from "../../lib/session.svelte";

export type OpenVisit = {
  encounter_id: string;
  note_id: string;
  patient_id: string;
  patient_name: string;
  /** When the consultation started, when known (a note opened from the unsigned list). */
  started_at: string | null;
};

const open = $state<{ staff_id: string | null; visit: OpenVisit | null }>({ staff_id: null, visit: null });

/** The logged-in doctor's open consultation, if any. */
export function openVisit(): OpenVisit | null {
  return open.staff_id !== null && open.staff_id === current.session?.staff_id ? open.visit : null;
}

export function setOpenVisit(visit: OpenVisit | null): void {
  open.staff_id = current.session?.staff_id ?? null;
  open.visit = visit;
}

export const fromUnsigned = (n: UnsignedNote): OpenVisit => ({
  encounter_id: n.encounter_id, note_id: n.note_id, patient_id: n.patient_id, patient_name: n.patient_name, started_at: n.started_at,
});
