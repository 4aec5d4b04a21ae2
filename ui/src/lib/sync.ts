// The sync status line in the header: what a receptionist needs to know at a glance.
import type { SyncStatus } from "./bindings";
import { localClock, localDate } from "./dates";

// The day and clock in the site's zone (this machine's when not given).
const time = (ms: number, now: number, zone?: string) => {
  const day = localDate(ms, zone);
  const clock = localClock(ms, zone);
  return day === localDate(now, zone) ? clock : `${day} ${clock}`;
};

/** "Synced", "3 changes waiting", "Offline since 09:14 (2 changes waiting)", or nothing when not enrolled. */
export function syncLine(status: SyncStatus | null, now: number, zone?: string): string {
  if (!status?.enrolled) return "";
  const waiting = status.waiting === 1 ? "1 change waiting" : `${status.waiting} changes waiting`;
  if (status.offline_since !== null) return `Offline since ${time(status.offline_since, now, zone)}` + (status.waiting ? ` (${waiting})` : "");
  if (status.last_synced_at === null) return "Connecting…";
  return status.waiting ? waiting : "Synced";
}
