import { describe, expect, it } from "vitest";
import { allergyLine, changeOf, statusLabel } from "./allergies";

const penicillin = { id: "a1", substance: "Penicillin", reaction: "Hives", severity: "severe", status: "active" };

describe("allergies in words", () => {
  it("say the substance, the reaction if known, and the severity", () => {
    expect(allergyLine(penicillin)).toBe("Penicillin (Hives), severe");
    expect(allergyLine({ ...penicillin, substance: "Latex", reaction: null, severity: "unknown" })).toBe("Latex, severity not known");
    expect(statusLabel("inactive")).toBe("No longer active");
    expect(statusLabel("entered_in_error")).toBe("Entered in error");
  });

  it("open the change form as the allergy is now", () => {
    expect(changeOf(penicillin)).toEqual({ reaction: "Hives", severity: "severe", status: "active" });
    expect(changeOf({ ...penicillin, reaction: null }).reaction).toBe("");
  });
});
