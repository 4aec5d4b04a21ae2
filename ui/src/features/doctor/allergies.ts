// Allergies in words: the banner's and the chart list's line for one, the choices of severity
// and status, and the change form filled from a recorded allergy.
import type { Allergy, AllergyChange, AllergyStatus, Severity } from "../../lib/bindings";

export const SEVERITIES: [Severity, string][] = [["mild", "Mild"], ["moderate", "Moderate"], ["severe", "Severe"], ["unknown", "Not known"]];

export const STATUSES: [AllergyStatus, string][] = [["active", "Active"], ["inactive", "No longer active"], ["entered_in_error", "Entered in error"]];

const label = (choices: [string, string][], value: string) => choices.find(([v]) => v === value)?.[1] ?? value;

/** "Penicillin (Hives), severe"; "Latex, severity not known". */
export const allergyLine = (a: Allergy) =>
  `${a.substance}${a.reaction ? ` (${a.reaction})` : ""}, ${a.severity === "unknown" ? "severity not known" : label(SEVERITIES, a.severity).toLowerCase()}`;

/** "No longer active", "Entered in error". */
export const statusLabel = (status: string) => label(STATUSES, status);

/** The change form as the allergy is now (the core's words, as stored, are the form's choices). */
export const changeOf = (a: Allergy): AllergyChange => ({
  reaction: a.reaction ?? "", severity: a.severity as Severity, status: a.status as AllergyStatus,
});
