import { describe, expect, it } from "vitest";
import { formatMoney, minorDigits, moneyText, parseMoney } from "./money";

describe("money", () => {
  it("knows each currency's decimals", () => {
    expect([minorDigits("EUR"), minorDigits("JPY"), minorDigits("BHD")]).toEqual([2, 0, 3]);
  });

  it("reads what people type into minor units", () => {
    expect(parseMoney("30", "EUR")).toBe(3000);
    expect(parseMoney("30.5", "EUR")).toBe(3050);
    expect(parseMoney(" 30,05 ", "EUR")).toBe(3005);
    expect(parseMoney("3000", "JPY")).toBe(3000);
    expect(parseMoney("1.25", "BHD")).toBe(1250);
  });

  it("refuses what is not an amount in that currency, with a message", () => {
    expect(parseMoney("30.555", "EUR")).toBe("EUR has 2 decimals at most, e.g. 30.00.");
    expect(parseMoney("30.5", "JPY")).toBe("JPY has no decimals: enter a whole number, e.g. 3000.");
    expect(parseMoney("thirty", "EUR")).toBe("Enter the amount as a number, e.g. 30.00.");
    expect(parseMoney("-3", "EUR")).toMatch(/^Enter the amount/);
  });

  it("shows minor units back as the form's text and as a price", () => {
    expect([moneyText(3050, "EUR"), moneyText(5, "EUR"), moneyText(3000, "JPY"), moneyText(1250, "BHD")]).toEqual(["30.50", "0.05", "3000", "1.250"]);
    expect(formatMoney({ minor: 3000, currency: "JPY" })).toContain("3,000");
    expect(formatMoney({ minor: 3050, currency: "EUR" })).toContain("30.50");
  });
});
