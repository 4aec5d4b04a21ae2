// The cash-up as the cashier counts it: which methods are counted (cash always, and every method
// the session took or gave back money by, as the core asks), and the variance of each before it
// is confirmed: counted less expected, short when negative.
import type { CashSessionView, Method, MethodTotal } from "../../lib/bindings";
import { parseMoney } from "../../lib/money";

/** The methods to count at closing. */
export function toCount(session: CashSessionView): MethodTotal[] {
  return session.methods.filter((m) => m.method === "cash" || m.expected !== 0 || m.received !== 0 || m.refunded !== 0);
}

export type Variance = { minor: number; words: "short" | "over" | "exact" };

/** Counted less expected, or null while the box does not hold an amount. */
export function variance(counted: string, expected: number, currency: string): Variance | null {
  const minor = parseMoney(counted, currency);
  if (typeof minor === "string") return null;
  const v = minor - expected;
  return { minor: v, words: v < 0 ? "short" : v > 0 ? "over" : "exact" };
}

/** What is sent to close: each counted method's amount as typed. */
export function countedInput(counted: Partial<Record<Method, string>>, methods: MethodTotal[]): { method: Method; amount: string }[] {
  return methods.map((m) => ({ method: m.method, amount: counted[m.method] ?? "" }));
}
