// Who is logged in at this workstation, for every screen: the session carries what its roles
// allow (the core's permission table), so a screen offers only that. The core checks again.
import type { Permission, Session } from "./bindings";

export const current = $state<{ session: Session | null }>({ session: null });

export function can(permission: Permission): boolean {
  return current.session?.permissions.includes(permission) ?? false;
}
