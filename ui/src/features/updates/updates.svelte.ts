// What this workstation knows of updates (docs/updates.md), shared by the banner every screen
// shows and Settings → This workstation, so a check made there shows its answer everywhere.
import { backend } from "../../lib/backend";
import type { UpdateStatus } from "../../lib/bindings";

export const updates = $state<{ status: UpdateStatus | null }>({ status: null });

// Answers may arrive out of order (a poll still on its way when a check answers): only the
// newest question's answer is kept.
let asked = 0;

/** Reads what the workstation's last check found (kept as it was if it cannot say). */
export async function refreshUpdates(): Promise<void> {
  const question = ++asked;
  const status = await backend.updateStatus().catch(() => updates.status);
  if (question === asked) updates.status = status;
}

/** Asks the clinic's sync server now; throws its refusal (not connected, the server unreachable). */
export async function checkForUpdates(): Promise<void> {
  const question = ++asked;
  const status = await backend.checkForUpdates();
  if (question === asked) updates.status = status;
}
