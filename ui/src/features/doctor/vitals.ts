// Vital signs as the window shows and takes them: the form's fields in clinical units, what the
// doctor typed read into numbers (a comma is a decimal point too), the latest value of each
// measure, and each measure's series for its trend. The core judges plausibility (and refuses),
// and flags what is outside the usual range; these only read and arrange.
import type { VitalSet } from "../../lib/bindings";

export type VitalField = { key: string; label: string; unit: string; example: string };

/** The form's fields, in the order a nurse or doctor measures them. */
export const VITAL_FIELDS: VitalField[] = [
  { key: "systolic", label: "Systolic BP", unit: "mm Hg", example: "120" },
  { key: "diastolic", label: "Diastolic BP", unit: "mm Hg", example: "80" },
  { key: "pulse", label: "Pulse", unit: "/min", example: "72" },
  { key: "temperature", label: "Temperature", unit: "°C", example: "36.8" },
  { key: "respiratory_rate", label: "Respiratory rate", unit: "/min", example: "14" },
  { key: "spo2", label: "SpO₂", unit: "%", example: "98" },
  { key: "weight", label: "Weight", unit: "kg", example: "70.5" },
  { key: "height", label: "Height", unit: "cm", example: "172" },
];

const SHORT: Record<string, string> = { ...Object.fromEntries(VITAL_FIELDS.map((f) => [f.key, f.label])), bmi: "BMI" };

/** A measure's short name ("Systolic BP", "BMI"). */
export const vitalName = (key: string) => SHORT[key] ?? key;

/** A UCUM unit as people write it: "mm[Hg]" → "mm Hg", "Cel" → "°C". */
export function unitLabel(ucum: string): string {
  return ({ "mm[Hg]": "mm Hg", Cel: "°C", "kg/m2": "kg/m²" } as Record<string, string>)[ucum] ?? ucum;
}

/** A value as a chart shows it: at most one decimal, none when whole. */
export const shown = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

export type VitalsForm = Record<string, string>;

export const blankVitals = (): VitalsForm => Object.fromEntries(VITAL_FIELDS.map((f) => [f.key, ""]));

/**
 * What was typed, as the core's `values` (key, number), the empty fields left out; or, for what
 * is not a number, an error by field.
 */
export function readVitals(form: VitalsForm): { values: [string, number][]; errors: Record<string, string> } {
  const values: [string, number][] = [];
  const errors: Record<string, string> = {};
  for (const f of VITAL_FIELDS) {
    const typed = (form[f.key] ?? "").trim().replace(",", ".");
    if (typed === "") continue;
    const value = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(typed) ? Number(typed) : NaN;
    if (Number.isFinite(value)) values.push([f.key, value]);
    else errors[f.key] = `Write a number in ${f.unit}, such as ${f.example}.`;
  }
  if (values.length === 0 && Object.keys(errors).length === 0) errors.form = "Enter at least one measurement.";
  return { values, errors };
}

export type Latest = { key: string; value: number; unit: string; flag: string | null; taken_at: string };

/** The latest value of each measure (sets oldest first), in the order of `VITAL_FIELDS`, BMI last. */
export function latestVitals(sets: VitalSet[]): Latest[] {
  const latest = new Map<string, Latest>();
  for (const set of sets) {
    for (const o of set.observations) {
      if (o.value !== null) latest.set(o.key, { key: o.key, value: o.value, unit: o.unit, flag: o.flag, taken_at: set.taken_at });
    }
  }
  const order = [...VITAL_FIELDS.map((f) => f.key), "bmi"];
  return [...latest.values()].sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
}

export type Point = { at: number; value: number };

/** One measure's values over time (ms since the epoch), oldest first. */
export function series(sets: VitalSet[], key: string): Point[] {
  return sets.flatMap((set) => {
    const o = set.observations.find((x) => x.key === key);
    return o && o.value !== null ? [{ at: Date.parse(set.taken_at), value: o.value }] : [];
  });
}
