import { describe, expect, it } from "vitest";
import type { ReportChart, Table } from "../../lib/bindings";
import { labelEvery, layout } from "./chart";

const box = { width: 420, height: 220, left: 60, right: 10, top: 10, bottom: 20 };
const table = (rows: (string | number)[][]): Table => ({
  title: "By day",
  columns: [{ name: "When", kind: "text" }, { name: "Received", kind: "money" }, { name: "Invoiced", kind: "money" }],
  rows, total: null, chart: null, note: null,
});
const chart = (kind: ReportChart["kind"]): ReportChart => ({ kind, series: [1, 2], summary: "" });

describe("a report's chart, laid out", () => {
  const rows = [["2026-11-01", 1000, 3000], ["2026-11-02", 0, 0], ["2026-11-03", 4500, 2000]];

  it("draws bars side by side from zero, the tallest under the axis's top tick", () => {
    const laid = layout(table(rows), chart("bars"), box);
    expect(laid.bars).toHaveLength(6);
    expect(laid.ticks[0].value).toBe(0);
    expect(laid.ticks.at(-1)!.value).toBeGreaterThanOrEqual(4500);
    expect(laid.zero).toBe(box.height - box.bottom);
    const [a, b] = laid.bars;
    expect(b.x).toBeCloseTo(a.x + a.width);
    expect(a.y + a.height).toBeCloseTo(laid.zero);
    // Three times the money, three times the height.
    expect(b.height).toBeCloseTo(a.height * 3);
  });

  it("stacks the series of a row into one bar", () => {
    const laid = layout(table(rows), chart("stacked"), box);
    const [first, second] = laid.bars;
    expect(first.x).toBe(second.x);
    expect(second.y + second.height).toBeCloseTo(first.y);
    // The axis holds the sum (6,500), not only the largest part.
    expect(laid.ticks.at(-1)!.value).toBeGreaterThanOrEqual(6500);
  });

  it("stands a chart of nothing on zero, with whole ticks", () => {
    const laid = layout(table([["2026-11-01", 0, 0]]), chart("line"), box);
    expect(laid.ticks.map((t) => t.value)).toEqual([0, 1]);
    expect(laid.zero).toBe(box.height - box.bottom);
    expect(layout(table([["Card", 2, 1]]), chart("bars"), box).ticks.map((t) => t.value)).toEqual([0, 1, 2]);
  });

  it("draws a negative value below zero", () => {
    const laid = layout(table([["Card", -500, 1000]]), chart("bars"), box);
    expect(laid.ticks[0].value).toBeLessThan(0);
    expect(laid.bars[0].y).toBeCloseTo(laid.zero);
  });

  it("draws a line per series through each row's middle", () => {
    const laid = layout(table(rows), chart("line"), box);
    expect(laid.bars).toHaveLength(0);
    expect(laid.lines.map((l) => l.d.split(" L").length)).toEqual([3, 3]);
    expect(laid.lines[0].d.startsWith(`M${(60 + 350 / 6).toFixed(1)} `)).toBe(true);
  });

  it("names only as many rows along the bottom as fit", () => {
    expect(labelEvery(12, 640)).toBe(2);
    expect(labelEvery(31, 640)).toBe(4);
    expect(labelEvery(5, 640)).toBe(1);
    const month = Array.from({ length: 30 }, (_, i) => [`2026-11-${String(i + 1).padStart(2, "0")}`, i, i]);
    const laid = layout(table(month), chart("bars"), box);
    expect(laid.labels.map((l) => l.text)).toEqual(["2026-11-01", "2026-11-07", "2026-11-13", "2026-11-19", "2026-11-25"]);
    // Each name has the width of the rows it stands for.
    expect(laid.room).toBeCloseTo((350 / 30) * 6);
  });
});
