// Printing money's documents: every print saves the PDF in the workstation's documents folder
// and, with a printer chosen, also sends it there (CUPS). A reprint is the same document marked
// COPY. The printer last chosen at this workstation is offered first next time.
import { backend } from "../../lib/backend";
import type { PrintOutcome, Printer } from "../../lib/bindings";

export type { PrintOutcome, Printer };

export const print = {
  invoice: (id: string, printer: string | null) => backend.printInvoice(id, printer),
  receipt: (invoiceId: string, printer: string | null) => backend.printReceipt(invoiceId, printer),
  creditNote: (id: string, printer: string | null) => backend.printCreditNote(id, printer),
  invoices: (ids: string[], printer: string | null) => backend.printInvoices(ids, printer),
  cashUp: (sessionId: string, printer: string | null) => backend.printCashUp(sessionId, printer),
};

let known: Promise<Printer[]> | null = null;

/** The system's printers, asked once per window (an unreachable CUPS answers none: save as PDF only). */
export function printers(): Promise<Printer[]> {
  known ??= backend.printers().catch(() => []);
  return known;
}

/** The printer chosen last ("" for "Save as PDF only"); undefined until someone chooses. */
export const chosen: { printer: string | undefined } = { printer: undefined };

/** What to choose first: the last choice if still there, else the system's default printer, else saving only. */
export function firstChoice(list: Printer[], last: string | undefined): string {
  if (last !== undefined && (last === "" || list.some((p) => p.name === last))) return last;
  return list.find((p) => p.default)?.name ?? "";
}

/** "Saved …/RV-01-2026-000001.pdf · sent to ClinicDesk_PDF", the words under a print (a recovery
 * sheet is sent to the printer only, never saved: then just "Sent to …"). */
export function outcomeLine(outcome: PrintOutcome): string {
  const sent = outcome.printer ? `sent to ${outcome.printer}${outcome.job ? ` (job ${outcome.job})` : ""}` : "";
  if (!outcome.path) return sent.charAt(0).toUpperCase() + sent.slice(1);
  return `Saved ${outcome.path}${sent ? ` · ${sent}` : ""}`;
}
