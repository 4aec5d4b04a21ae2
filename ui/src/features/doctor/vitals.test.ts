import { describe, expect, it } from "vitest";
import type { VitalSet } from "../../lib/bindings";
import { blankVitals, latestVitals, readVitals, series, shown, unitLabel } from "./vitals";

const set = (taken_at: string, obs: [string, number, string | null][]): VitalSet => ({
  id: taken_at, taken_at, observations: obs.map(([key, value, flag]) => ({ key, loinc: "", value, unit: "u", flag })),
});

describe("the vitals form", () => {
  it("reads the filled fields as numbers, a comma as a decimal point, the empty ones left out", () => {
    const form = { ...blankVitals(), systolic: " 120 ", diastolic: "80", temperature: "37,2", weight: "70.5" };
    expect(readVitals(form)).toEqual({ values: [["systolic", 120], ["diastolic", 80], ["temperature", 37.2], ["weight", 70.5]], errors: {} });
  });

  it("refuses what is not a number next to its field, with the unit", () => {
    const { errors } = readVitals({ ...blankVitals(), pulse: "fast", temperature: "37.2.1", spo2: "98" });
    expect(errors).toEqual({ pulse: "Write a number in /min, such as 72.", temperature: "Write a number in °C, such as 36.8." });
  });

  it("asks for at least one measurement", () => {
    expect(readVitals(blankVitals()).errors).toEqual({ form: "Enter at least one measurement." });
  });

  it("leaves plausibility to the core: 400 is read as 400", () => {
    expect(readVitals({ ...blankVitals(), systolic: "400", diastolic: "80" }).values).toEqual([["systolic", 400], ["diastolic", 80]]);
  });
});

describe("vitals on the chart", () => {
  const sets = [
    set("2026-01-01T10:00:00Z", [["weight", 80, null], ["pulse", 110, "high"], ["bmi", 26.1, "high"]]),
    set("2026-03-01T10:00:00Z", [["pulse", 72, null], ["systolic", 150, "high"]]),
  ];

  it("takes each measure's latest value, with its flag and when, in the form's order", () => {
    expect(latestVitals(sets).map((l) => [l.key, l.value, l.flag, l.taken_at.slice(0, 10)])).toEqual([
      ["systolic", 150, "high", "2026-03-01"], ["pulse", 72, null, "2026-03-01"], ["weight", 80, null, "2026-01-01"], ["bmi", 26.1, "high", "2026-01-01"],
    ]);
  });

  it("draws a measure's series from the sets that have it", () => {
    expect(series(sets, "pulse")).toEqual([{ at: Date.parse("2026-01-01T10:00:00Z"), value: 110 }, { at: Date.parse("2026-03-01T10:00:00Z"), value: 72 }]);
    expect(series(sets, "temperature")).toEqual([]);
  });

  it("writes units and values as people read them", () => {
    expect([unitLabel("mm[Hg]"), unitLabel("Cel"), unitLabel("kg/m2"), unitLabel("%")]).toEqual(["mm Hg", "°C", "kg/m²", "%"]);
    expect([shown(120), shown(37.25), shown(70.5)]).toEqual(["120", "37.3", "70.5"]);
  });
});
