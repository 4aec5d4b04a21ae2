// The front desk's small rules, kept out of the components so they can be tested on their own.
import type { Appointment, FieldChange } from "./bindings";

/** Minutes of inactivity before the workstation locks itself: 1–120, 10 unless set. */
export function idleLockMinutes(stored: string | null): number {
  const n = Number(stored);
  return stored === null || !Number.isFinite(n) ? 10 : Math.min(120, Math.max(1, Math.round(n)));
}

/** Whether an unlocked session has been idle long enough to lock. */
export function shouldLock(now: number, lastActivity: number, minutes: number, locked: boolean): boolean {
  return !locked && now - lastActivity >= minutes * 60_000;
}

/** Upcoming (soonest first) and past (latest first) appointments, by site wall time "YYYY-MM-DDTHH:MM…". */
export function splitAppointments(newestFirst: Appointment[], nowLocal: string): { upcoming: Appointment[]; past: Appointment[] } {
  const upcoming = newestFirst.filter((a) => a.local_start >= nowLocal).reverse();
  const past = newestFirst.filter((a) => a.local_start < nowLocal);
  return { upcoming, past };
}

/** "2026-11-23T09:30:00" → "09:30". */
export const clock = (local: string) => local.slice(11, 16);

/** The changes worth showing in a record's history: a new record's empty fields are left out. */
export function visibleChanges(changes: FieldChange[]): FieldChange[] {
  const empty = (v: unknown) => v === null || (Array.isArray(v) && v.length === 0);
  return changes.filter((c) => JSON.stringify(c.old) !== JSON.stringify(c.new) && !(c.old === null && empty(c.new)));
}

/**
 * Wraps an async search so only the answer to the latest call is kept: type-ahead fires a call per
 * key, and a slow early answer must not replace a fresh one.
 */
export function latestOnly<A extends unknown[], T>(search: (...args: A) => Promise<T>) {
  let latest = 0;
  return async (...args: A): Promise<T | undefined> => {
    const mine = ++latest;
    const result = await search(...args);
    return mine === latest ? result : undefined;
  };
}

/**
 * The seven dates (YYYY-MM-DD), Monday first, of the week that holds `date`. Pure calendar
 * arithmetic on dates at noon UTC, so `toISOString` gives back the same calendar date (no zone).
 */
export function weekOf(date: string): string[] {
  const d = new Date(`${date}T12:00:00Z`);
  const monday = new Date(d);
  monday.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return Array.from({ length: 7 }, (_, i) => {
    const day = new Date(monday);
    day.setUTCDate(monday.getUTCDate() + i);
    return day.toISOString().slice(0, 10);
  });
}

/** Minutes a queue entry has waited by `now` (ms): until called, or still counting while waiting. */
export function minutesWaited(entry: { status: string; arrived_at: string; called_at: string | null; waiting_minutes: number }, now: number): number {
  const arrived = Date.parse(entry.arrived_at);
  if (Number.isNaN(arrived)) return entry.waiting_minutes;
  const until = entry.called_at ? Date.parse(entry.called_at) : entry.status === "waiting" ? now : NaN;
  return Number.isNaN(until) ? entry.waiting_minutes : Math.max(0, Math.floor((until - arrived) / 60_000));
}
