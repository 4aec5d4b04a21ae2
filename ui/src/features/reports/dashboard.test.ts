import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../lib/bindings";
import { change, last30Days } from "./dashboard";
import { cellText } from "./format";

describe("the dashboard", () => {
  it("compares this month with the same days of last month", () => {
    expect(change(11200, 10000)).toBe("+12 %");
    expect(change(9500, 10000)).toBe("−5 %");
    expect(change(10000, 10000)).toBe("no change");
    expect(change(5000, 0)).toBe("none last month");
    expect(change(0, 0)).toBe("no change");
  });

  it("draws the last 30 days as a money table with a sentence for screen readers", () => {
    const days = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, "0")}`, revenue: i === 22 ? 12000 : 1000 }));
    const d = { currency: "EUR", last_30_days: days } as Dashboard;
    const { table, chart } = last30Days(d);
    expect(table.rows).toHaveLength(30);
    expect(table.rows[22]).toEqual(["2026-11-23", 12000]);
    expect(chart.series).toEqual([1]);
    expect(chart.summary).toBe(`Revenue over the last 30 days: ${cellText(41000, "money", "EUR")} in all; the highest day 2026-11-23, ${cellText(12000, "money", "EUR")}.`);
    expect(last30Days({ ...d, last_30_days: days.map((x) => ({ ...x, revenue: 0 })) }).chart.summary).toBe("Revenue over the last 30 days: none.");
  });
});
