import { describe, expect, it } from "vitest";
import { presetOf, presetPeriod, suggestedGrain } from "./period";

describe("a report's period presets, counted from the site's today", () => {
  it("reads this month, last month, this year and the last twelve months", () => {
    const today = "2026-11-23";
    expect(presetPeriod("this_month", today)).toEqual({ from: "2026-11-01", to: "2026-11-23" });
    expect(presetPeriod("last_month", today)).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    expect(presetPeriod("this_year", today)).toEqual({ from: "2026-01-01", to: "2026-11-23" });
    expect(presetPeriod("last_12_months", today)).toEqual({ from: "2025-12-01", to: "2026-11-23" });
    expect(presetPeriod("custom", today)).toBeNull();
  });

  it("crosses the year and knows February's days", () => {
    expect(presetPeriod("last_month", "2027-01-05")).toEqual({ from: "2026-12-01", to: "2026-12-31" });
    expect(presetPeriod("last_month", "2028-03-31")).toEqual({ from: "2028-02-01", to: "2028-02-29" });
    expect(presetPeriod("last_12_months", "2027-01-01")).toEqual({ from: "2026-02-01", to: "2027-01-01" });
  });

  it("names the preset a period is, or custom", () => {
    expect(presetOf({ from: "2026-10-01", to: "2026-10-31" }, "2026-11-23")).toBe("last_month");
    expect(presetOf({ from: "2026-10-01", to: "2026-10-30" }, "2026-11-23")).toBe("custom");
  });

  it("reads by day up to two months, by month beyond", () => {
    expect(suggestedGrain({ from: "2026-10-01", to: "2026-10-31" })).toBe("day");
    expect(suggestedGrain({ from: "2026-09-01", to: "2026-11-01" })).toBe("day");
    expect(suggestedGrain({ from: "2026-01-01", to: "2026-11-23" })).toBe("month");
  });
});
