// A report's period: the presets a manager picks from, counted from the site's today (never the
// browser's), and the grain that reads best for it. Dates are the site's calendar days, "YYYY-MM-DD".
import type { Grain, ReportPeriod } from "../../lib/bindings";

export type Preset = "this_month" | "last_month" | "this_year" | "last_12_months" | "custom";

export const presets: { id: Preset; label: string }[] = [
  { id: "this_month", label: "This month" },
  { id: "last_month", label: "Last month" },
  { id: "this_year", label: "This year" },
  { id: "last_12_months", label: "Last 12 months" },
  { id: "custom", label: "Custom dates" },
];

/** The day `n` days after `day` (n may be negative), on the calendar alone (no time zone, no clock change). */
const plusDays = (day: string, n: number) => {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
};

/** The first day of the month `back` months before `day`'s. */
const monthStart = (day: string, back = 0) => {
  const [y, m] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1 - back, 1)).toISOString().slice(0, 10);
};

/** The preset's days as of `today`; none for "custom" (the manager's own dates). */
export function presetPeriod(preset: Preset, today: string): ReportPeriod | null {
  switch (preset) {
    case "this_month": return { from: monthStart(today), to: today };
    case "last_month": return { from: monthStart(today, 1), to: plusDays(monthStart(today), -1) };
    case "this_year": return { from: `${today.slice(0, 4)}-01-01`, to: today };
    // This month so far and the eleven before it: twelve rows by month.
    case "last_12_months": return { from: monthStart(today, 11), to: today };
    case "custom": return null;
  }
}

/** Which preset these days are (as of `today`), else "custom". */
export function presetOf(period: ReportPeriod, today: string): Preset {
  const same = (p: Preset) => {
    const days = presetPeriod(p, today);
    return days !== null && days.from === period.from && days.to === period.to;
  };
  return presets.find((p) => same(p.id))?.id ?? "custom";
}

/** By day up to two months (a bar a day still reads), by month beyond. */
export function suggestedGrain(period: ReportPeriod): Grain {
  const days = (Date.parse(period.to) - Date.parse(period.from)) / 86_400_000 + 1;
  return days <= 62 ? "day" : "month";
}
