// The window's way to the Rust side: the generated commands (./bindings.ts, the one module that
// imports @tauri-apps/api), each answering its value or throwing its {code, message, field}.
import { commands, type Error as AppError } from "./bindings";

export type { AppError };

type Answer<T> = Promise<{ status: "ok"; data: T } | { status: "error"; error: AppError }>;
type Unwrapped<F> = F extends (...args: infer A) => Answer<infer T> ? (...args: A) => Promise<T> : never;
type Backend = { [K in keyof typeof commands]: Unwrapped<(typeof commands)[K]> };

// Hears every refused command before its screen does (App.svelte: a session the core found locked
// shows the lock screen, whichever screen asked).
let refused: (error: AppError) => void = () => {};
export function whenRefused(listener: (error: AppError) => void): void {
  refused = listener;
}

async function unwrap<T>(answer: Answer<T>): Promise<T> {
  let result;
  try {
    result = await answer;
  } catch (e) {
    // Not a command's answer: the bridge itself failed.
    throw { code: "internal", message: String(e), field: null } satisfies AppError;
  }
  if (result.status === "error") {
    refused(result.error);
    throw result.error;
  }
  return result.data;
}

export const backend = Object.fromEntries(
  Object.entries(commands).map(([name, command]) => [
    name,
    (...args: unknown[]) => unwrap((command as (...a: unknown[]) => Answer<unknown>)(...args)),
  ]),
) as Backend;
