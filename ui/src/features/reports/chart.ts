// A report table's chart, laid out: its first column along the bottom, one band per row; the
// chosen columns drawn as bars side by side, stacked into one bar, or as lines; a value axis from
// zero with round ticks. Plain numbers in, shapes out; ReportChart.svelte draws them.
import type { ReportChart, Table } from "../../lib/bindings";
import { linear, valueAxis, type Box } from "../../lib/axis";
import { valueOf } from "./format";

export type Bar = { row: number; series: number; x: number; y: number; width: number; height: number };
export type Laid = {
  /** The value axis's ticks, and where each is drawn. */
  ticks: { value: number; y: number }[];
  /** Where zero is: the bars grow from it. */
  zero: number;
  /** The rows' names shown along the bottom (a long period shows every few), at their band's middle. */
  labels: { text: string; x: number }[];
  /** The width each name has along the bottom, so a long one is cut to fit. */
  room: number;
  bars: Bar[];
  /** One SVG path per series of a line chart. */
  lines: { series: number; d: string }[];
};

/** How many names fit along the bottom: one per `room` of width at most. */
export function labelEvery(rows: number, width: number, room = 64): number {
  return Math.max(1, Math.ceil(rows / Math.max(1, Math.floor(width / room))));
}

export function layout(table: Table, chart: ReportChart, box: Box): Laid {
  const rows = table.rows;
  const values = rows.map((r) => chart.series.map((i) => valueOf(r[i])));
  // Stacked: a bar is the sum of its parts (each sign stacked on its own side of zero).
  const reach = chart.kind === "stacked"
    ? values.flatMap((v) => [v.filter((x) => x > 0).reduce((a, b) => a + b, 0), v.filter((x) => x < 0).reduce((a, b) => a + b, 0)])
    : values.flat();
  // Every figure is a whole number (minor units, basis points, minutes): no half ticks; and a chart
  // of nothing still stands on zero, rising to one.
  const axis = valueAxis(reach.some((v) => v !== 0) ? [0, ...reach] : [0, 1], 4, 1);
  const y = linear(axis.min, axis.max, box.height - box.bottom, box.top);
  const plot = box.width - box.left - box.right;
  const band = plot / Math.max(1, rows.length);
  const middle = (i: number) => box.left + band * (i + 0.5);
  const every = labelEvery(rows.length, plot);
  const labels = rows.flatMap((r, i) => (i % every === 0 ? [{ text: String(r[0] ?? ""), x: middle(i) }] : []));
  const bars: Bar[] = [];
  const lines: { series: number; d: string }[] = [];
  const rect = (row: number, series: number, x: number, width: number, from: number, to: number): Bar =>
    ({ row, series, x, width, y: Math.min(y(from), y(to)), height: Math.abs(y(from) - y(to)) });
  if (chart.kind === "bars") {
    const width = (band * 0.8) / chart.series.length;
    values.forEach((v, i) => v.forEach((value, s) => bars.push(rect(i, s, middle(i) - band * 0.4 + s * width, width, 0, value))));
  } else if (chart.kind === "stacked") {
    values.forEach((v, i) => {
      let up = 0;
      let down = 0;
      v.forEach((value, s) => {
        const from = value >= 0 ? up : down;
        bars.push(rect(i, s, middle(i) - band * 0.4, band * 0.8, from, from + value));
        if (value >= 0) up += value;
        else down += value;
      });
    });
  } else {
    chart.series.forEach((_, s) => {
      const d = values.map((v, i) => `${i === 0 ? "M" : "L"}${middle(i).toFixed(1)} ${y(v[s]).toFixed(1)}`).join(" ");
      lines.push({ series: s, d });
    });
  }
  return { ticks: axis.ticks.map((value) => ({ value, y: y(value) })), zero: y(0), labels, room: band * every, bars, lines };
}
