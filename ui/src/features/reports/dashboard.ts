// The dashboard's words and its small chart: this month against the same days of last month, and
// the last 30 days' revenue as a report table, so the one chart component draws it.
import type { Dashboard, ReportChart, Table } from "../../lib/bindings";
import { cellText } from "./format";

/** "+12 %", "−5 %", "no change", or "none last month" when there is nothing to compare with. */
export function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? "no change" : "none last month";
  const percent = Math.round(((now - before) / Math.abs(before)) * 100);
  if (percent === 0) return "no change";
  return percent > 0 ? `+${percent} %` : `−${Math.abs(percent)} %`;
}

/** The last 30 days as a table of one money column, with its bar chart and its sentence. */
export function last30Days(d: Dashboard): { table: Table; chart: ReportChart } {
  const rows = d.last_30_days.map((r) => [r.day, r.revenue]);
  const total = d.last_30_days.reduce((sum, r) => sum + r.revenue, 0);
  const top = d.last_30_days.reduce<Dashboard["last_30_days"][number] | null>((best, r) => (r.revenue > (best?.revenue ?? 0) ? r : best), null);
  const summary = top === null
    ? "Revenue over the last 30 days: none."
    : `Revenue over the last 30 days: ${cellText(total, "money", d.currency)} in all; the highest day ${top.day}, ${cellText(top.revenue, "money", d.currency)}.`;
  const chart: ReportChart = { kind: "bars", series: [1], summary };
  const table: Table = {
    title: "Revenue, last 30 days",
    columns: [{ name: "Day", kind: "text" }, { name: "Revenue", kind: "money" }],
    rows, total: null, chart, note: null,
  };
  return { table, chart };
}
