// The one store of who is logged in at this workstation and how it stands with the sync server,
// for every screen. The session carries what its roles allow (the core's permission table), so a
// screen offers only that; the core checks again. App.svelte sets the session; the sync status is
// polled here while someone is logged in and the desk is unlocked.
import { backend } from "./backend";
import type { Permission, Session, SyncStatus } from "./bindings";

export const current = $state<{ session: Session | null; sync: SyncStatus | null }>({ session: null, sync: null });

export function can(permission: Permission): boolean {
  return current.session?.permissions.includes(permission) ?? false;
}

/** Asks the core how sync stands now (keeping the last answer if it cannot say). */
export async function refreshSync(): Promise<void> {
  if (current.session && !current.session.locked) current.sync = await backend.syncStatus().catch(() => current.sync);
}

/** Polls the sync status every `ms`; returns the way to stop. */
export function watchSync(ms = 3_000): () => void {
  const poll = setInterval(refreshSync, ms);
  return () => clearInterval(poll);
}
