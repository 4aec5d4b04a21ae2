// Amounts in minor units as the money screens show them (the site's currency, lib/money.ts).
import { formatMoney } from "../../lib/money";
import { percentText } from "./invoice";

export const amount = (minor: number, currency: string) => formatMoney({ minor, currency });

/** "VAT 6 %", "Exempt (0 %)": a tax rate as a totals line names it. */
export const rateName = (bp: number) => (bp === 0 ? "Exempt (0 %)" : `VAT ${percentText(bp)} %`);
