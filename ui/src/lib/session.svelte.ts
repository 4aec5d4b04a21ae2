// The one store of who is logged in at this workstation and how it stands with the sync server,
// for every screen. The session carries what its roles allow (the core's permission table), so a
// screen offers only that; the core checks again. App.svelte sets the session; the sync status is
// polled here, and the site's time zone read, while someone is logged in and the desk is unlocked.
import { backend } from "./backend";
import type { Permission, Session, SyncStatus } from "./bindings";

export const current = $state<{
  session: Session | null;
  sync: SyncStatus | null;
  /** The site's time zone (IANA), once read after login; undefined until then (lib/dates then uses this machine's). */
  zone: string | undefined;
  /** The clinic's idle lock: the window locks itself after as many minutes as the core refuses an idle session. */
  idleLockMinutes: number;
}>({ session: null, sync: null, zone: undefined, idleLockMinutes: 10 });

export function can(permission: Permission): boolean {
  return current.session?.permissions.includes(permission) ?? false;
}

/** Asks the core how sync stands now (keeping the last answer if it cannot say). */
export async function refreshSync(): Promise<void> {
  if (current.session && !current.session.locked) current.sync = await backend.syncStatus().catch(() => current.sync);
}

/** Reads the site's time zone and idle lock (any logged-in staff member may); kept as they were if it cannot. */
export async function refreshSite(): Promise<void> {
  if (!current.session || current.session.locked) return;
  const site = await backend.siteDetails().catch(() => null);
  current.zone = site?.time_zone ?? current.zone;
  current.idleLockMinutes = site?.idle_lock_minutes ?? current.idleLockMinutes;
}

/** A command refused because the core found the session locked (or idle past the idle lock): show the lock screen. */
export function lockedByCore(error: { code: string }): void {
  if (current.session && error.code === "session_locked") current.session.locked = true;
}

/** Polls the sync status every `ms`; returns the way to stop. */
export function watchSync(ms = 3_000): () => void {
  const poll = setInterval(refreshSync, ms);
  return () => clearInterval(poll);
}
