import { describe, expect, it } from "vitest";
import { linear, niceStep, path, scales, valueAxis } from "./trend";

describe("a trend chart's axes", () => {
  it("steps in 1, 2 or 5 times a power of ten", () => {
    expect([niceStep(0.3), niceStep(1), niceStep(1.5), niceStep(3), niceStep(7), niceStep(23)]).toEqual([0.5, 1, 2, 5, 10, 50]);
  });

  it("holds every value between round ticks", () => {
    expect(valueAxis([118, 142, 131])).toEqual({ min: 110, max: 150, ticks: [110, 120, 130, 140, 150] });
    expect(valueAxis([36.6, 38.4])).toEqual({ min: 36.5, max: 38.5, ticks: [36.5, 37, 37.5, 38, 38.5] });
  });

  it("gives one value room above and below", () => {
    const axis = valueAxis([72]);
    expect(axis.min).toBeLessThan(72);
    expect(axis.max).toBeGreaterThan(72);
    expect(valueAxis([])).toEqual({ min: 0, max: 1, ticks: [0, 1] });
  });

  it("maps linearly, and one point to the middle", () => {
    expect(linear(0, 10, 100, 200)(2.5)).toBe(125);
    expect(linear(5, 5, 0, 100)(5)).toBe(50);
  });
});

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
