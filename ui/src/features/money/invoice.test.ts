import { describe, expect, it } from "vitest";
import type { CashSessionView, InvoiceView } from "../../lib/bindings";
import { countedInput, toCount, variance } from "./cash";
import { firstChoice, outcomeLine } from "./printing";
import { changeDue, creditLines, creditable, discountText, draftErrors, draftInput, lineFromPrice, percentText } from "./invoice";

describe("the invoice's boxes", () => {
  it("show percentages and discounts as a person types them", () => {
    expect(percentText(2300)).toBe("23");
    expect(percentText(650)).toBe("6.5");
    expect(percentText(0)).toBe("0");
    expect(discountText({ kind: "percent", value: 1000 }, "EUR")).toBe("10 %");
    expect(discountText({ kind: "amount", value: 550 }, "EUR")).toBe("5.50");
    expect(discountText({ kind: "amount", value: 500 }, "JPY")).toBe("500");
    expect(discountText({ kind: "none" }, "EUR")).toBe("");
  });

  it("fill a line from the price list", () => {
    const line = lineFromPrice({ id: "flu", kind: "item", name: "Flu vaccine", price: { minor: 1500, currency: "EUR" }, tax_rate_bp: 600, active: true });
    expect(line).toEqual({ description: "Flu vaccine", item_id: "flu", quantity: 1, unit_price: "15.00", discount: "", tax_rate: "6" });
  });

  it("send what was typed, an emptied quantity as 0 and blank names as none", () => {
    const input = draftInput({ lines: [{ description: "Dressing", item_id: null, quantity: null, unit_price: "8,5", discount: "10 %", tax_rate: "23" }],
      discount: "", customer_name: "  ", service_date: "" });
    expect(input).toEqual({ lines: [{ description: "Dressing", item_id: null, quantity: 0, unit_price: "8,5", discount: "10 %", tax_rate: "23" }],
      discount: "", customer_name: null, service_date: null });
  });

  it("show a refusal at the line and box it names", () => {
    expect(draftErrors({ code: "invalid", message: "Line 2: An amount cannot be negative.", field: "unit_price" }))
      .toEqual({ "line-1-unit_price": "Line 2: An amount cannot be negative." });
    expect(draftErrors({ code: "permission_denied", message: "A discount over 10 % of the price needs a manager.", field: "discount" }))
      .toEqual({ discount: "A discount over 10 % of the price needs a manager." });
    expect(draftErrors({ code: "wrong_state", message: "This draft was discarded.", field: null })).toEqual({ form: "This draft was discarded." });
    expect(draftErrors(new Error("bridge"))).toEqual({ form: "bridge" });
  });
});

describe("taking cash", () => {
  it("works out the change as the amount handed over is typed", () => {
    expect(changeDue("50", 4044, "EUR")).toBe(956);
    expect(changeDue("40,44", 4044, "EUR")).toBe(0);
    expect(changeDue("20", 4044, "EUR")).toBe(0);
    expect(changeDue("", 4044, "EUR")).toBeNull();
    expect(changeDue("12.345", 4044, "EUR")).toBeNull();
    expect(changeDue("5000", 4000, "JPY")).toBe(1000);
  });
});

describe("a credit note", () => {
  const view = { lines: [{ quantity: 1 }, { quantity: 3 }], credit_notes: [{ credits: [{ line: 1, quantity: 2 }] }] } as unknown as InvoiceView;

  it("offers what is not credited yet", () => {
    expect(creditable(view)).toEqual([1, 1]);
  });

  it("sends only the lines given units", () => {
    expect(creditLines([0, 2, null, 1])).toEqual([{ line: 1, quantity: 2 }, { line: 3, quantity: 1 }]);
  });
});

describe("the cash-up", () => {
  const session = { currency: "EUR", methods: [
    { method: "cash", received: 0, refunded: 0, expected: 10000, counted: null, variance: null },
    { method: "card", received: 4090, refunded: 0, expected: 4090, counted: null, variance: null },
    { method: "transfer", received: 0, refunded: 0, expected: 0, counted: null, variance: null },
    { method: "other", received: 500, refunded: 500, expected: 0, counted: null, variance: null },
  ] } as unknown as CashSessionView;

  it("counts cash and every method used", () => {
    expect(toCount(session).map((m) => m.method)).toEqual(["cash", "card", "other"]);
  });

  it("shows the variance before it is confirmed", () => {
    expect(variance("118.00", 12000, "EUR")).toEqual({ minor: -200, words: "short" });
    expect(variance("121", 12000, "EUR")).toEqual({ minor: 100, words: "over" });
    expect(variance("120", 12000, "EUR")).toEqual({ minor: 0, words: "exact" });
    expect(variance("", 12000, "EUR")).toBeNull();
  });

  it("sends each counted method as typed", () => {
    expect(countedInput({ cash: "118", card: "40.90" }, toCount(session)))
      .toEqual([{ method: "cash", amount: "118" }, { method: "card", amount: "40.90" }, { method: "other", amount: "" }]);
  });
});

describe("printing", () => {
  const list = [{ name: "Front", description: "", default: false }, { name: "Office", description: "", default: true }];

  it("offers the last choice, else the default printer, else saving only", () => {
    expect(firstChoice(list, undefined)).toBe("Office");
    expect(firstChoice(list, "Front")).toBe("Front");
    expect(firstChoice(list, "")).toBe("");
    expect(firstChoice(list, "Gone")).toBe("Office");
    expect(firstChoice([], undefined)).toBe("");
  });

  it("says where it was saved and sent", () => {
    expect(outcomeLine({ path: "/d/R.pdf", copy: false, printer: "Office", job: "Office-12" })).toBe("Saved /d/R.pdf · sent to Office (job Office-12)");
    expect(outcomeLine({ path: "/d/R.pdf", copy: true, printer: null, job: null })).toBe("Saved /d/R.pdf");
    expect(outcomeLine({ path: "", copy: false, printer: "Office", job: "Office-13" })).toBe("Sent to Office (job Office-13)");
  });
});
