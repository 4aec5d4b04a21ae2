import { describe, expect, it } from "vitest";
import { ageOn, longDate, visitAction, waited } from "./day";

describe("the day list", () => {
  it("offers to start a visit, continue an open one, or read the note of a finished one", () => {
    expect(visitAction({ status: "waiting", encounter_id: null })).toBe("Start consultation");
    expect(visitAction({ status: "booked", encounter_id: null })).toBe("Start consultation");
    expect(visitAction({ status: "in_consultation", encounter_id: "e" })).toBe("Continue consultation");
    expect(visitAction({ status: "completed", encounter_id: "e" })).toBe("Open note");
    expect(visitAction({ status: "completed", encounter_id: null })).toBeNull();
    expect(visitAction({ status: "no_show", encounter_id: null })).toBeNull();
    expect(visitAction({ status: "left", encounter_id: null })).toBeNull();
  });

  it("names the day in words", () => {
    expect(longDate("2026-12-04")).toBe("Friday 4 December 2026");
    expect(longDate("nonsense")).toBe("nonsense");
  });

  it("writes waiting times in minutes, then hours", () => {
    expect([waited(null), waited(0), waited(59), waited(65)]).toEqual(["", "0 min", "59 min", "1 h 05 min"]);
  });
});

describe("a patient's age", () => {
  it("counts whole years, months for the youngest, days for the newborn", () => {
    expect(ageOn("1990-04-12", "2026-04-11")).toBe("35 years");
    expect(ageOn("1990-04-12", "2026-04-12")).toBe("36 years");
    expect(ageOn("2025-01-20", "2026-11-23")).toBe("22 months");
    expect(ageOn("2026-11-01", "2026-11-23")).toBe("22 days");
    expect(ageOn("2026-10-23", "2026-11-23")).toBe("1 month");
    expect(ageOn("not a date", "2026-11-23")).toBe("");
  });
});
