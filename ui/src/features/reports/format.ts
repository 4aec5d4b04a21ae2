// A report's figures as people read them, one way for its tables, its charts' axes and the
// dashboard: money in the site's currency (lib/money.ts), a rate from basis points, durations in
// hours and minutes. Numbers stay numbers until shown (the core sends them so).
import type { Cell, Kind } from "../../lib/bindings";
import { formatMoney, minorDigits } from "../../lib/money";

const grouped = new Intl.NumberFormat();

/** A cell of a column of this kind: "€1,234.50", "12.3 %", "1 h 05 min", "1,234", or its text. */
export function cellText(cell: Cell, kind: Kind, currency: string): string {
  if (typeof cell === "string") return cell;
  switch (kind) {
    case "money": return formatMoney({ minor: cell, currency });
    case "percent": return `${(cell / 100).toFixed(1)} %`;
    case "minutes": return cell >= 60 ? `${Math.floor(cell / 60)} h ${String(cell % 60).padStart(2, "0")} min` : `${cell} min`;
    default: return grouped.format(cell);
  }
}

/** A tick of a chart's value axis: as the cells read, without the cents of a round amount ("€200"). */
export function tickText(value: number, kind: Kind, currency: string): string {
  if (kind === "money") {
    const digits = minorDigits(currency);
    const whole = value % 10 ** digits === 0;
    return new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: whole ? 0 : digits, maximumFractionDigits: whole ? 0 : digits })
      .format(value / 10 ** digits);
  }
  if (kind === "percent") return `${value / 100} %`;
  if (kind === "minutes") return `${grouped.format(value)} min`;
  return grouped.format(value);
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A row's name along a chart's bottom: a day "2026-11-23" as "23 Nov", a month "2026-11" as
 * "Nov 2026", else as it is, cut to the `room` it has (in the chart's pixels; the table has it whole).
 */
export function axisLabel(label: string, room = Infinity): string {
  const day = label.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (day) return `${Number(day[3])} ${months[Number(day[2]) - 1]}`;
  const month = label.match(/^(\d{4})-(\d{2})$/);
  if (month) return `${months[Number(month[2]) - 1]} ${month[1]}`;
  // About 6.5 pixels a letter at the axis's 11 px.
  const fits = Math.max(3, Math.floor(room / 6.5));
  return label.length > fits ? `${label.slice(0, fits - 1).trimEnd()}…` : label;
}

/** The number a chart draws for a cell (a text cell, like a blank, draws nothing). */
export const valueOf = (cell: Cell | undefined): number => (typeof cell === "number" ? cell : 0);
