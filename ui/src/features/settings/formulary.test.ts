import { describe, expect, it } from "vitest";
import { blankDrug, drugForm, drugInput } from "./formulary";

const amoxicillin = { id: "d1", name: "Amoxicillin", strength: "500 mg", form: "capsule", route: "oral", usual_dose: "1 capsule", usual_frequency: null, active: true };

describe("the formulary's form", () => {
  it("sends a drug as typed, an empty optional box as none", () => {
    const typed = { ...blankDrug(), name: "Ibuprofen", strength: "400 mg", form: "tablet", usual_dose: "1 tablet", usual_frequency: "  " };
    expect(drugInput(typed)).toEqual({ name: "Ibuprofen", strength: "400 mg", form: "tablet", route: "oral", usual_dose: "1 tablet", usual_frequency: null });
  });

  it("opens a drug of the formulary as it is kept, and sends it back unchanged", () => {
    const form = drugForm(amoxicillin);
    expect(form).toEqual({ name: "Amoxicillin", strength: "500 mg", form: "capsule", route: "oral", usual_dose: "1 capsule", usual_frequency: "" });
    expect(drugInput(form)).toEqual({ name: "Amoxicillin", strength: "500 mg", form: "capsule", route: "oral", usual_dose: "1 capsule", usual_frequency: null });
    expect(drugForm({ ...amoxicillin, route: "buccal" }).route).toBe("other");
  });
});
