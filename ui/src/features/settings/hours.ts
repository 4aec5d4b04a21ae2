// A practitioner's week as the settings form shows it: a row per weekday, breaks typed as
// "12:30-13:30, 16:00-16:15". The core checks the times themselves; this only shapes them.
import type { DayHours, Period } from "../../lib/bindings";

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const NAMES: Record<string, string> = { Mon: "Monday", Tue: "Tuesday", Wed: "Wednesday", Thu: "Thursday", Fri: "Friday", Sat: "Saturday", Sun: "Sunday" };

export type DayRow = { weekday: string; name: string; works: boolean; start: string; end: string; breaks: string };

export function weekRows(hours: DayHours[]): DayRow[] {
  return WEEKDAYS.map((weekday) => {
    const day = hours.find((d) => d.weekday.slice(0, 3) === weekday);
    return day
      ? { weekday, name: NAMES[weekday], works: true, start: day.start, end: day.end, breaks: (day.breaks ?? []).map((b) => `${b.start}-${b.end}`).join(", ") }
      : { weekday, name: NAMES[weekday], works: false, start: "09:00", end: "17:00", breaks: "" };
  });
}

/** A usual week for a new practitioner: weekdays 09:00–17:00 with lunch 12:30–13:30. */
export const usualWeek = (): DayRow[] =>
  weekRows(WEEKDAYS.slice(0, 5).map((weekday) => ({ weekday, start: "09:00", end: "17:00", breaks: [{ start: "12:30", end: "13:30" }] })));

/** The week to send, or which day's breaks could not be read. */
export function weeklyHours(rows: DayRow[]): DayHours[] | { day: string; message: string } {
  const week: DayHours[] = [];
  for (const row of rows.filter((r) => r.works)) {
    const breaks: Period[] = [];
    for (const part of row.breaks.split(",").map((p) => p.trim()).filter(Boolean)) {
      const m = part.match(/^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/);
      if (!m) return { day: row.name, message: `${row.name}: write breaks as 12:30-13:30, separated by commas.` };
      breaks.push({ start: m[1].padStart(5, "0"), end: m[2].padStart(5, "0") });
    }
    week.push({ weekday: row.weekday, start: row.start, end: row.end, breaks });
  }
  return week;
}

/** "Mon–Fri 09:00–17:00, Sat 09:00–13:00": a week in one line. */
export function weekSummary(hours: DayHours[]): string {
  const rows = weekRows(hours).filter((r) => r.works);
  if (rows.length === 0) return "no hours yet";
  const groups: { first: string; last: string; span: string; at: number }[] = [];
  for (const r of rows) {
    const span = `${r.start}–${r.end}`;
    const at = WEEKDAYS.indexOf(r.weekday as (typeof WEEKDAYS)[number]);
    const prev = groups.at(-1);
    if (prev && prev.span === span && prev.at === at - 1) Object.assign(prev, { last: r.weekday, at });
    else groups.push({ first: r.weekday, last: r.weekday, span, at });
  }
  return groups.map((g) => `${g.first}${g.last !== g.first ? "–" + g.last : ""} ${g.span}`).join(", ");
}
