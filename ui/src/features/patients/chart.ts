// The chart's small rules: which appointments are upcoming, which history changes are worth showing.
import type { Appointment, FieldChange } from "../../lib/bindings";

/** Upcoming (soonest first) and past (latest first) appointments, by site wall time "YYYY-MM-DDTHH:MM…". */
export function splitAppointments(newestFirst: Appointment[], nowLocal: string): { upcoming: Appointment[]; past: Appointment[] } {
  const upcoming = newestFirst.filter((a) => a.local_start >= nowLocal).reverse();
  const past = newestFirst.filter((a) => a.local_start < nowLocal);
  return { upcoming, past };
}

/** The changes worth showing in a record's history: a new record's empty fields are left out. */
export function visibleChanges(changes: FieldChange[]): FieldChange[] {
  const empty = (v: unknown) => v === null || (Array.isArray(v) && v.length === 0);
  return changes.filter((c) => JSON.stringify(c.old) !== JSON.stringify(c.new) && !(c.old === null && empty(c.new)));
}
