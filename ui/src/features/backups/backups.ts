// What the backup screens show: when, in the computer's own words; and what follows a restore.
import type { Restored } from "../../lib/bindings";

/** "5 Dec 2026, 03:00": a backup's instant, in this computer's time zone and language. */
export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** "1.2 MB", "340 MB" (a size the Rust side could not say arrives as null). */
export function size(megabytes: number | null): string {
  if (megabytes === null) return "";
  return megabytes < 10 ? `${megabytes.toFixed(1)} MB` : `${Math.round(megabytes)} MB`;
}

/** The words after a restore, shown once on the first screen. */
export function restoredLine(r: Restored): string {
  const caught = r.caught_up === null ? "" : ` It caught up with the server: ${r.caught_up} changes since the backup.`;
  const kept = r.previous ? ` What it replaced is kept in ${r.previous}.` : "";
  return `Restored the backup made ${dateTime(r.made_at)}.${caught}${kept} Log in again.`;
}

/** After a restore the window starts again from the workstation's first screen (everyone logs in
 * afresh), which shows what was restored. */
export function afterRestore(r: Restored): void {
  sessionStorage.setItem("restored", restoredLine(r));
  location.reload();
}

/** What the last restore said, once. */
export function takeRestoredLine(): string {
  const line = sessionStorage.getItem("restored") ?? "";
  sessionStorage.removeItem("restored");
  return line;
}
