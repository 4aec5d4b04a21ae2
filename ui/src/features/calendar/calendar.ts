// The calendar's small rules: the week around a day, and how long a walk-in has waited.

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
