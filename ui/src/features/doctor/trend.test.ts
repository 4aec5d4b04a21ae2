import { describe, expect, it } from "vitest";
import { path, scales } from "./trend";

describe("a trend chart's line", () => {
  const box = { width: 300, height: 120, left: 40, right: 10, top: 10, bottom: 20 };

  it("runs from the first measurement on the left to the last on the right, higher values higher up", () => {
    const points = [{ at: 0, value: 120 }, { at: 1000, value: 140 }];
    const s = scales([points], box);
    expect(s.x(0)).toBe(40);
    expect(s.x(1000)).toBe(290);
    expect(s.y(s.axis.max)).toBe(10);
    expect(s.y(s.axis.min)).toBe(100);
    expect(path(points, s)).toBe(`M40.0 ${s.y(120).toFixed(1)} L290.0 ${s.y(140).toFixed(1)}`);
  });

  it("scales several series (systolic and diastolic) on one axis", () => {
    const s = scales([[{ at: 0, value: 130 }], [{ at: 0, value: 80 }]], box);
    expect(s.axis.min).toBeLessThanOrEqual(80);
    expect(s.axis.max).toBeGreaterThanOrEqual(130);
  });
});
