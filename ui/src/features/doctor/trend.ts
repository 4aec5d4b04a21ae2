// A trend chart's arithmetic: a value axis with round ticks that holds every value, a time axis
// from the first to the last measurement, and the SVG path through the points. Plain numbers in,
// plain numbers out; TrendChart.svelte draws them.
import { linear, valueAxis, type Box } from "../../lib/axis";
import type { Point } from "./vitals";

export type { Box };

export type Scaled = { x: (at: number) => number; y: (value: number) => number; axis: ReturnType<typeof valueAxis> };

/** The scales of a chart of these series in this box (time left to right, values bottom to top). */
export function scales(all: Point[][], box: Box): Scaled {
  const points = all.flat();
  const times = points.map((p) => p.at);
  const axis = valueAxis(points.map((p) => p.value));
  return {
    x: linear(Math.min(...times), Math.max(...times), box.left, box.width - box.right),
    y: linear(axis.min, axis.max, box.height - box.bottom, box.top),
    axis,
  };
}

/** The SVG path through the points, in order ("M x y L x y …"), to one decimal. */
export function path(points: Point[], s: Pick<Scaled, "x" | "y">): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${s.x(p.at).toFixed(1)} ${s.y(p.value).toFixed(1)}`).join(" ");
}
