// Prices travel in minor units (cents, or yen, or fils); people read and type them in major units,
// with as many decimals as the currency has (ISO 4217, which Intl knows: JPY 0, EUR 2, BHD 3).
import type { Money } from "./bindings";

export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "€30.00", "¥3,000", "BHD 1.250" in the workstation's language. */
export function formatMoney(money: Money): string {
  const digits = minorDigits(money.currency);
  return new Intl.NumberFormat(undefined, { style: "currency", currency: money.currency, minimumFractionDigits: digits })
    .format(money.minor / 10 ** digits);
}

/** The amount as typed ("30", "30.5", "30,50"), in minor units; an error message if it is not one. */
export function parseMoney(text: string, currency: string): number | string {
  const digits = minorDigits(currency);
  const match = text.trim().match(/^(\d+)(?:[.,](\d*))?$/);
  const example = digits === 0 ? "3000" : `30${digits ? "." + "0".repeat(digits) : ""}`;
  if (!match) return `Enter the amount as a number, e.g. ${example}.`;
  const fraction = match[2] ?? "";
  if (fraction.length > digits) {
    return digits === 0 ? `${currency} has no decimals: enter a whole number, e.g. ${example}.`
      : `${currency} has ${digits} decimals at most, e.g. ${example}.`;
  }
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

/** The minor amount as the text a form starts with: 3050 EUR → "30.50", 3000 JPY → "3000". */
export function moneyText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(minor);
  return `${Math.floor(minor / 10 ** digits)}.${String(minor % 10 ** digits).padStart(digits, "0")}`;
}
