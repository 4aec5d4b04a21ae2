// Drugs as the prescription form and the formulary show them: the routes of administration, and
// a drug's one-line name.
import type { Route } from "./bindings";

export const ROUTES: Route[] = ["oral", "sublingual", "topical", "transdermal", "inhaled", "nasal", "ophthalmic", "otic", "rectal", "vaginal",
  "subcutaneous", "intramuscular", "intravenous", "other"];

export const routeLabel = (r: string) => r.charAt(0).toUpperCase() + r.slice(1);

/** A route as the core stores it (text), as one the forms offer; none if it is not one of them. */
export const asRoute = (r: string): Route | null => ((ROUTES as string[]).includes(r) ? (r as Route) : null);

/** "Amoxicillin 500 mg capsule" */
export const drugLine = (d: { name?: string; drug?: string; strength: string; form: string }) => `${d.name ?? d.drug} ${d.strength} ${d.form}`;
