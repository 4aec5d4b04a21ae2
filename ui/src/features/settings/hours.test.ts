import { describe, expect, it } from "vitest";
import { usualWeek, weeklyHours, weekRows, weekSummary } from "./hours";

describe("weekly hours form", () => {
  it("shows every weekday, the ones off unticked", () => {
    const rows = weekRows([{ weekday: "Tue", start: "08:00", end: "12:00", breaks: [] }]);
    expect(rows.map((r) => r.works)).toEqual([false, true, false, false, false, false, false]);
    expect(rows[1]).toMatchObject({ name: "Tuesday", start: "08:00", end: "12:00", breaks: "" });
  });

  it("round-trips a week with breaks", () => {
    const week = [{ weekday: "Mon", start: "09:00", end: "17:00", breaks: [{ start: "12:30", end: "13:30" }, { start: "16:00", end: "16:15" }] }];
    const rows = weekRows(week);
    expect(rows[0].breaks).toBe("12:30-13:30, 16:00-16:15");
    expect(weeklyHours(rows)).toEqual(week);
  });

  it("reads breaks people type loosely, and names the day it cannot read", () => {
    const rows = usualWeek();
    rows[2].breaks = "9:30 – 9:45";
    expect((weeklyHours(rows) as { breaks: unknown }[])[2].breaks).toEqual([{ start: "09:30", end: "09:45" }]);
    rows[3].breaks = "lunch";
    expect(weeklyHours(rows)).toEqual({ day: "Thursday", message: "Thursday: write breaks as 12:30-13:30, separated by commas." });
  });

  it("sums a week up in one line", () => {
    const rows = usualWeek();
    rows[5] = { ...rows[5], works: true, start: "09:00", end: "13:00" };
    expect(weekSummary(weeklyHours(rows) as never)).toBe("Mon–Fri 09:00–17:00, Sat 09:00–13:00");
    expect(weekSummary([])).toBe("no hours yet");
  });
});
