import { describe, expect, it } from "vitest";
import { formatMoney } from "../../lib/money";
import { axisLabel, cellText, tickText, valueOf } from "./format";

describe("a report's figures, as people read them", () => {
  it("shows each kind of cell as the core's table does", () => {
    expect(cellText(123450, "money", "EUR")).toBe(formatMoney({ minor: 123450, currency: "EUR" }));
    expect(cellText(123450, "money", "EUR")).toContain("1,234.50");
    expect(cellText(1234, "percent", "EUR")).toBe("12.3 %");
    expect(cellText(65, "minutes", "EUR")).toBe("1 h 05 min");
    expect(cellText(45, "minutes", "EUR")).toBe("45 min");
    expect(cellText(1234567, "count", "EUR")).toBe("1,234,567");
    expect(cellText("Card", "text", "EUR")).toBe("Card");
    // A blank in a number column (the discounts' units) stays blank.
    expect(cellText("", "count", "EUR")).toBe("");
  });

  it("writes an axis's round ticks without cents, and keeps them when they are not round", () => {
    expect(tickText(20000, "money", "EUR")).toBe(formatMoney({ minor: 20000, currency: "EUR" }).replace(".00", ""));
    expect(tickText(2050, "money", "EUR")).toContain("20.50");
    expect(tickText(3000, "money", "JPY")).toContain("3,000");
    expect(tickText(2500, "percent", "EUR")).toBe("25 %");
    expect(tickText(1250, "percent", "EUR")).toBe("12.5 %");
    expect(tickText(90, "minutes", "EUR")).toBe("90 min");
  });

  it("names days and months short along a chart's bottom", () => {
    expect(axisLabel("2026-11-03")).toBe("3 Nov");
    expect(axisLabel("2026-11")).toBe("Nov 2026");
    expect(axisLabel("Card")).toBe("Card");
    expect(axisLabel("Dr. Helena Silva-Sousa")).toBe("Dr. Helena Silva-Sousa");
    // Cut to the room it has along the axis, never past three letters.
    expect(axisLabel("Diseases of the respiratory system", 70)).toBe("Diseases…");
    expect(axisLabel("Mental, Behavioral", 10)).toBe("Me…");
  });

  it("draws a text cell as nothing", () => {
    expect([valueOf(5), valueOf(""), valueOf(undefined)]).toEqual([5, 0, 0]);
  });
});
