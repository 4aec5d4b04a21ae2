// The prescription form: a drug from the formulary fills in what it knows; a drug typed freely is
// prescribed as typed. Numbers are read here (whole numbers); the core checks the rest.
import type { FormularyDrug, PrescriptionInput, Route } from "../../lib/bindings";
import { asRoute } from "../../lib/drugs";

export type RxForm = {
  drug_id: string | null; drug: string; strength: string; form: string; dose: string; route: Route; frequency: string;
  duration_days: string; quantity: string; repeats: string; instructions: string;
};

export const blankRx = (): RxForm => ({
  drug_id: null, drug: "", strength: "", form: "", dose: "", route: "oral", frequency: "", duration_days: "", quantity: "", repeats: "0", instructions: "",
});

/** The form with a formulary drug chosen: its name, strength, form, route and usual dose and frequency. */
export function fromFormulary(d: FormularyDrug, f: RxForm): RxForm {
  return { ...f, drug_id: d.id, drug: d.name, strength: d.strength, form: d.form, route: asRoute(d.route) ?? f.route,
    dose: d.usual_dose ?? f.dose, frequency: d.usual_frequency ?? f.frequency };
}

function whole(typed: string, field: string, errors: Record<string, string>, optional: boolean): number | null {
  const t = typed.trim();
  if (t === "") {
    if (!optional) errors[field] = "Write a whole number.";
    return null;
  }
  if (!/^\d+$/.test(t)) {
    errors[field] = "Write a whole number.";
    return null;
  }
  return Number(t);
}

/** The core's input from the form, or errors by field for numbers that are not whole numbers. */
export function rxInput(f: RxForm, patient_id: string, encounter_id: string | null, allergy_override: string | null):
  { input: PrescriptionInput; errors: null } | { input: null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const quantity = whole(f.quantity, "quantity", errors, false);
  const repeats = whole(f.repeats, "repeats", errors, true) ?? 0;
  const duration_days = whole(f.duration_days, "duration_days", errors, true);
  if (Object.keys(errors).length) return { input: null, errors };
  const text = (s: string) => (s.trim() === "" ? null : s);
  return {
    input: {
      patient_id, encounter_id, drug_id: f.drug_id, drug: f.drug, strength: f.strength, form: f.form, dose: f.dose, route: f.route,
      frequency: f.frequency, duration_days, quantity: quantity!, repeats, instructions: text(f.instructions), allergy_override: allergy_override && text(allergy_override),
    },
    errors: null,
  };
}
