// The sync status line in the header: what a receptionist needs to know at a glance.
import type { SyncStatus } from "./bindings";

const time = (ms: number, now: number) => {
  const at = new Date(ms);
  const sameDay = new Date(now).toDateString() === at.toDateString();
  const clock = at.toTimeString().slice(0, 5);
  return sameDay ? clock : `${at.toISOString().slice(0, 10)} ${clock}`;
};

/** "Synced", "3 changes waiting", "Offline since 09:14 (2 changes waiting)", or nothing when not enrolled. */
export function syncLine(status: SyncStatus | null, now: number): string {
  if (!status?.enrolled) return "";
  const waiting = status.waiting === 1 ? "1 change waiting" : `${status.waiting} changes waiting`;
  if (status.offline_since !== null) return `Offline since ${time(status.offline_since, now)}` + (status.waiting ? ` (${waiting})` : "");
  if (status.last_synced_at === null) return "Connecting…";
  return status.waiting ? waiting : "Synced";
}
