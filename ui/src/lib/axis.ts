// A chart's value axis, shared by every chart the window draws (vitals' trends, reports): round
// ticks that hold every value, and the linear map from values to the drawing. Plain numbers.

export type Box = { width: number; height: number; left: number; right: number; top: number; bottom: number };

/** 1, 2 or 5 times a power of ten: the step nearest above `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/**
 * The value axis: from a round number below the lowest value to one above the highest, and its
 * ticks; no step below `least` (1 for whole numbers: counts have no half ticks).
 */
export function valueAxis(values: number[], ticks = 4, least = 0): { min: number; max: number; ticks: number[] } {
  if (values.length === 0) return { min: 0, max: 1, ticks: [0, 1] };
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) {
    const pad = Math.abs(low) * 0.05 || 1;
    low -= pad;
    high += pad;
  }
  const step = Math.max(niceStep((high - low) / ticks), least);
  const min = Math.floor(low / step) * step;
  const max = Math.ceil(high / step) * step;
  const count = Math.round((max - min) / step);
  // Rounded to the step's decimals, so 0.1 + 0.2 does not show as 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return { min, max, ticks: Array.from({ length: count + 1 }, (_, i) => Number((min + i * step).toFixed(decimals))) };
}

/** A linear map from [d0, d1] onto [r0, r1]; the middle of the range when the domain is one point. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d0 === d1) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}
