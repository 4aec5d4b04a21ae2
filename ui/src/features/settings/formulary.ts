// The formulary's form: a drug as typed, from and back to what the core keeps. An optional box
// left empty is sent as none.
import type { FormularyDrug, FormularyDrugInput, Route } from "../../lib/bindings";
import { asRoute } from "../../lib/drugs";

export type DrugForm = { name: string; strength: string; form: string; route: Route; usual_dose: string; usual_frequency: string };

export const blankDrug = (): DrugForm => ({ name: "", strength: "", form: "", route: "oral", usual_dose: "", usual_frequency: "" });

/** The form filled with a drug of the formulary (a route the form does not offer reads as "other"). */
export const drugForm = (d: FormularyDrug): DrugForm => ({
  name: d.name, strength: d.strength, form: d.form, route: asRoute(d.route) ?? "other", usual_dose: d.usual_dose ?? "", usual_frequency: d.usual_frequency ?? "",
});

export function drugInput(f: DrugForm): FormularyDrugInput {
  const optional = (s: string) => (s.trim() === "" ? null : s);
  return { name: f.name, strength: f.strength, form: f.form, route: f.route, usual_dose: optional(f.usual_dose), usual_frequency: optional(f.usual_frequency) };
}
