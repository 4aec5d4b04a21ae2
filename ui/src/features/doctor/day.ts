// The doctor's day list and chart header: what a visit offers, its words, and a patient's age.
import type { DayVisit } from "../../lib/bindings";

/** What the doctor can do with a visit on the list (none for one that did not happen). */
export function visitAction(v: Pick<DayVisit, "status" | "encounter_id">): "Start consultation" | "Continue consultation" | "Open note" | null {
  if (["cancelled", "no_show", "left"].includes(v.status)) return null;
  if (v.status === "completed" || v.status === "served") return v.encounter_id ? "Open note" : null;
  return v.encounter_id ? "Continue consultation" : "Start consultation";
}

const STATUS: Record<string, string> = {
  booked: "Booked, not arrived", waiting: "Waiting", called: "Called", in_consultation: "In consultation",
  completed: "Completed", served: "Seen", cancelled: "Cancelled", no_show: "Did not come", left: "Left",
};

export const statusLabel = (status: string) => STATUS[status] ?? status;

export const priorityLabel = (p: number) => ["Normal", "Urgent", "Emergency"][p] ?? "Normal";

/** A calendar date as people read it: "2026-12-04" → "Friday 4 December 2026". */
export function longDate(date: string): string {
  const at = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(at).replace(",", "");
}

/** A patient's sex as the chart's header says it. */
export const sexLabel = (sex: string) => ({ female: "female", male: "male", other: "other sex", unknown: "sex not recorded" } as Record<string, string>)[sex] ?? sex;

/** "12 min", "1 h 05 min"; empty before arrival. */
export function waited(minutes: number | null): string {
  if (minutes === null) return "";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Age on `today` (both "YYYY-MM-DD"): years from 2, months under 2, days under a month. */
export function ageOn(birth: string, today: string): string {
  const [by, bm, bd] = birth.split("-").map(Number);
  const [ty, tm, td] = today.split("-").map(Number);
  if ([by, bm, bd, ty, tm, td].some((n) => !Number.isFinite(n))) return "";
  const months = (ty - by) * 12 + (tm - bm) - (td < bd ? 1 : 0);
  if (months < 0) return "";
  if (months >= 24) return `${Math.floor(months / 12)} years`;
  if (months >= 1) return `${months} month${months === 1 ? "" : "s"}`;
  const days = Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(by, bm - 1, bd)) / 86_400_000);
  return `${days} day${days === 1 ? "" : "s"}`;
}
