// An invoice as the desk edits and reads it: its lines as typed (amounts, discounts and tax rates
// are sent as the person typed them; the core reads them and refuses with the field, "Line 2: …"
// for a line), what a refusal is about, and the words the screens use for money.
import type { AppError } from "../../lib/backend";
import type { ChargeLine, Discount, DraftInput, InvoiceView, Method, PriceListEntry } from "../../lib/bindings";
import { appError } from "../../lib/errors";
import { moneyText, parseMoney } from "../../lib/money";

/** A line of the draft as its boxes hold it. */
export type LineForm = {
  description: string;
  item_id: string | null;
  quantity: number | null;
  unit_price: string;
  discount: string;
  tax_rate: string;
};

export type DraftForm = {
  lines: LineForm[];
  discount: string;
  customer_name: string;
  service_date: string;
};

/** 2300 → "23", 650 → "6.5". */
export function percentText(bp: number): string {
  return String(bp / 100);
}

/** A discount as its box shows it again: "", "10 %", "5.00". */
export function discountText(discount: Discount, currency: string): string {
  if (discount.kind === "percent") return `${percentText(discount.value)} %`;
  if (discount.kind === "amount") return moneyText(discount.value, currency);
  return "";
}

export function lineForm(line: ChargeLine, currency: string): LineForm {
  return { description: line.description, item_id: line.item_id, quantity: line.quantity, unit_price: moneyText(line.unit_price, currency),
    discount: discountText(line.discount, currency), tax_rate: percentText(line.tax_rate_bp) };
}

export function draftForm(view: InvoiceView): DraftForm {
  return { lines: view.lines.map((l) => lineForm(l, view.currency)), discount: discountText(view.discount, view.currency),
    customer_name: view.customer_name ?? "", service_date: view.service_date ?? "" };
}

/** A new line filled in from the price list. */
export function lineFromPrice(entry: PriceListEntry): LineForm {
  return { description: entry.name, item_id: entry.id, quantity: 1, unit_price: moneyText(entry.price.minor, entry.price.currency),
    discount: "", tax_rate: percentText(entry.tax_rate_bp) };
}

export const blankLine = (): LineForm => ({ description: "", item_id: null, quantity: 1, unit_price: "", discount: "", tax_rate: "0" });

/** What is sent to save the draft: everything as typed (an empty quantity as 0, which the core refuses at its box). */
export function draftInput(form: DraftForm): DraftInput {
  return {
    lines: form.lines.map((l) => ({ description: l.description, item_id: l.item_id, quantity: Number(l.quantity ?? 0) || 0,
      unit_price: l.unit_price, discount: l.discount, tax_rate: l.tax_rate })),
    discount: form.discount,
    customer_name: form.customer_name.trim() || null,
    service_date: form.service_date || null,
  };
}

/**
 * Where a refusal of the draft is shown: `line-<i>-<field>` for one of a line's boxes (the core
 * says "Line 2: …"), the invoice's own field otherwise (`discount`, `customer_name`, `lines`), or
 * `form` when it names none.
 */
export function draftErrors(e: unknown): Record<string, string> {
  const err: AppError = appError(e);
  const line = err.message.match(/^Line (\d+): /);
  if (line && err.field) return { [`line-${Number(line[1]) - 1}-${err.field}`]: err.message };
  return { [err.field ?? "form"]: err.message };
}

/** The words for a payment method, as the receipt prints them. */
export const METHOD_WORDS: Record<Method, string> = {
  cash: "Cash", card: "Card", transfer: "Bank transfer", other: "Other", credit: "Patient credit",
};

/**
 * The change due as the cashier types what was handed over: the minor units beyond what is owed
 * (0 when it is not more), or null while the box does not hold an amount.
 */
export function changeDue(handedOver: string, owed: number, currency: string): number | null {
  const given = parseMoney(handedOver, currency);
  if (typeof given === "string") return null;
  return Math.max(0, given - owed);
}

/** Which units of which lines a credit note gives back, from the boxes (0 or blank: none of that line). */
export function creditLines(units: (number | null)[]): { line: number; quantity: number }[] {
  return units.flatMap((q, line) => (q && q > 0 ? [{ line, quantity: q }] : []));
}

/** Units of each line a credit note may still give back. */
export function creditable(view: InvoiceView): number[] {
  const given = view.lines.map(() => 0);
  for (const note of view.credit_notes) for (const c of note.credits) given[c.line] = (given[c.line] ?? 0) + c.quantity;
  return view.lines.map((l, i) => l.quantity - given[i]);
}
