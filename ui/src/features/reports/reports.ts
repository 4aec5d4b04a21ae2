// The reports' commands, as the report screen calls them: a report runs with its progress
// streamed back through a channel (the one the generated bindings hand out), and can be stopped.
import { backend } from "../../lib/backend";
import { Channel, type Progress, type Report, type ReportName, type ReportRequest } from "../../lib/bindings";

/** What each report is called in the picker (the list itself, and who may run which, is the core's). */
export const reportLabels: Record<ReportName, string> = {
  appointments: "Appointments",
  utilisation: "Utilisation",
  revenue: "Revenue",
  outstanding: "Outstanding invoices",
  patients: "Patients",
  waiting: "Waiting times",
  diagnoses: "Diagnoses",
  chart_access: "Chart access",
};

/** Runs a report, telling `onprogress` how far it has got; a Cancel (or a newer run) makes it throw `cancelled`. */
export function runReport(request: ReportRequest, onprogress: (p: Progress) => void): Promise<Report> {
  const channel = new Channel<Progress>();
  channel.onmessage = onprogress;
  return backend.runReport(request, channel);
}

export const cancelReport = () => backend.cancelReport();

/** Saves one table as CSV in the documents folder; answers where (PrintOutcome.path). */
export const saveCsv = (request: ReportRequest, table: number) => backend.saveReportCsv(request, table);

/** Prints the report (every table, each with its chart) as a PDF, saved and sent to `printer` when one is chosen. */
export const printReport = (request: ReportRequest, printer: string | null) => backend.printReport(request, printer);
