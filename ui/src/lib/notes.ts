// A note's sections, as the consultation's editor, the chart and an appointment type's template
// show them and send them back.
import type { NoteText } from "./bindings";

/** A note's sections as the editor shows them (SOAP, or free text), with their labels. */
export function sections(format: string, text: NoteText): { key: keyof NoteText; label: string }[] {
  const soap: { key: keyof NoteText; label: string }[] = [
    { key: "subjective", label: "Subjective" }, { key: "objective", label: "Objective" },
    { key: "assessment", label: "Assessment" }, { key: "plan", label: "Plan" },
  ];
  if (format === "free") return [{ key: "body", label: "Note" }];
  return text.body ? [...soap, { key: "body", label: "Other notes" }] : soap;
}

/** The text to save: each section as typed (the core trims, and stores empty as none). */
export function noteText(typed: Partial<Record<keyof NoteText, string>>): NoteText {
  const v = (k: keyof NoteText) => (typed[k] === undefined || typed[k] === "" ? null : typed[k]!);
  return { subjective: v("subjective"), objective: v("objective"), assessment: v("assessment"), plan: v("plan"), body: v("body") };
}
