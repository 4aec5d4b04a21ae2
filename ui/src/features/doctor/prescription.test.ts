import { describe, expect, it } from "vitest";
import { drugLine } from "../../lib/drugs";
import { blankRx, fromFormulary, rxInput } from "./prescription";

const amoxicillin = { id: "d1", name: "Amoxicillin", strength: "500 mg", form: "capsule", route: "oral", usual_dose: "1 capsule", usual_frequency: "three times a day", active: true };

describe("the prescription form", () => {
  it("fills in what the formulary knows of a drug", () => {
    const f = fromFormulary(amoxicillin, blankRx());
    expect(f).toMatchObject({ drug_id: "d1", drug: "Amoxicillin", strength: "500 mg", form: "capsule", route: "oral", dose: "1 capsule", frequency: "three times a day" });
    expect(drugLine(amoxicillin)).toBe("Amoxicillin 500 mg capsule");
  });

  it("sends whole numbers, an empty duration as none, empty instructions as none", () => {
    const f = { ...fromFormulary(amoxicillin, blankRx()), quantity: "21", duration_days: "7", repeats: "" };
    const { input } = rxInput(f, "p", "e", null);
    expect(input).toMatchObject({ patient_id: "p", encounter_id: "e", drug_id: "d1", quantity: 21, duration_days: 7, repeats: 0, instructions: null, allergy_override: null });
    expect(rxInput({ ...f, duration_days: " " }, "p", null, "  ").input).toMatchObject({ duration_days: null, allergy_override: null });
  });

  it("refuses a quantity or duration that is not a whole number, next to its field", () => {
    expect(rxInput({ ...blankRx(), quantity: "", duration_days: "1.5" }, "p", null, null).errors).toEqual({
      quantity: "Write a whole number.", duration_days: "Write a whole number.",
    });
  });

  it("carries the reason to prescribe despite an allergy", () => {
    const f = { ...fromFormulary(amoxicillin, blankRx()), quantity: "21" };
    expect(rxInput(f, "p", null, "Tolerated it last year").input?.allergy_override).toBe("Tolerated it last year");
  });
});
