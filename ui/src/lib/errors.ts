// One way to read a refused command: backend.ts throws the command's {code, message, field}
// (bindings' Error); anything else thrown (a bug, the bridge) is read as "internal".
import type { AppError } from "./backend";
import type { Code } from "./bindings";

/** What was thrown, as the core's error. */
export function appError(e: unknown): AppError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e && typeof e.message === "string") return e as AppError;
  return { code: "internal", message: e instanceof Error ? e.message : String(e), field: null };
}

/** The sentence to show for it. */
export const errorMessage = (e: unknown): string => appError(e).message;

/**
 * The error keyed by the field it is about, for the form to show beside that field; under `form`
 * when it names none. `prefix` tells apart two forms on one screen ("edit_" → "edit_password").
 */
export function fieldErrors(e: unknown, prefix = ""): Record<string, string> {
  const err = appError(e);
  return { [`${prefix}${err.field ?? "form"}`]: err.message };
}

/** Whether it was refused for one of these reasons. */
export const hasCode = (e: unknown, ...codes: Code[]): boolean => codes.includes(appError(e).code);
