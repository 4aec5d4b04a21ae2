import { describe, expect, it } from "vitest";
import { noteText, sections } from "./notes";

describe("a note's sections", () => {
  const empty = { subjective: null, objective: null, assessment: null, plan: null, body: null };
  it("are SOAP, free text, or SOAP with the free text a template had", () => {
    expect(sections("soap", empty).map((s) => s.label)).toEqual(["Subjective", "Objective", "Assessment", "Plan"]);
    expect(sections("free", empty).map((s) => s.key)).toEqual(["body"]);
    expect(sections("soap", { ...empty, body: "x" }).map((s) => s.key)).toContain("body");
  });

  it("are saved as typed, an empty one as none", () => {
    expect(noteText({ subjective: "Cough", plan: "" })).toEqual({ ...empty, subjective: "Cough" });
  });
});
