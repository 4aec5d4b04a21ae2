import { describe, expect, it } from "vitest";
import { linear, niceStep, valueAxis } from "./axis";

describe("a chart's value axis", () => {
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

  it("takes no step below the least asked for", () => {
    expect(valueAxis([0, 2], 4, 1).ticks).toEqual([0, 1, 2]);
    expect(valueAxis([0, 2]).ticks).toEqual([0, 0.5, 1, 1.5, 2]);
  });
});
