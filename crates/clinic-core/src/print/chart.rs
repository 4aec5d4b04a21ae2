//! A report table's chart, drawn as vector graphics above the table: bars side by side, stacked
//! bars, or lines; a value axis of a few round values written as the table's cells are; a legend
//! naming the series; and the chart's summary sentence under it, as text, so that it is read out,
//! found and copied like the rest of the report.

use printpdf::{Color, Rgb};

use super::font::{width_mm, wrap, MM_PER_PT};
use super::{Layout, Style, CONTENT_WIDTH, MARGIN};
use crate::domain::Currency;
use crate::ops::reports::{Cell, Chart, ChartKind, Kind, Table};

/// The series' colours: a navy, a teal, an amber. A manager prints reports on an office laser
/// printer, where they become dark, middle and light grey, far enough apart to tell (tested).
const PALETTE: [[u8; 3]; 3] = [[0x1f, 0x3b, 0x73], [0x2a, 0x9d, 0x8f], [0xf4, 0xc1, 0x50]];

/// Heights, in mm, of the legend's row, the plot and the row of labels under it.
const LEGEND: f32 = 6.0;
const PLOT: f32 = 42.0;
const X_LABELS: f32 = 5.0;
/// The axes' labels: smaller than the table's figures, which they only locate.
const LABEL: Style = Style { size: 7.0, bold: false, grey: 0.3 };
const SUMMARY: Style = Style { size: 9.0, bold: false, grey: 0.15 };
/// At most this many steps up the value axis.
const MOST_STEPS: u64 = 5;
/// A bar narrower than this (mm) reads as noise: so many rows that bars side by side would be
/// this thin (a year by day) are drawn as lines instead.
const THINNEST_BAR: f32 = 0.8;
/// Nor wider than this: a report of one or two rows is not a wall of ink.
const WIDEST_BAR: f32 = 14.0;

/// The height `chart` takes, summary included: its heading is kept on one page with it.
pub(super) fn height(table: &Table, chart: &Chart) -> f32 {
    let plot = if values(table, chart).iter().flatten().any(|v| *v != 0) { LEGEND + PLOT + X_LABELS + 1.5 } else { 0.0 };
    plot + wrap(&chart.summary, false, SUMMARY.size, CONTENT_WIDTH).len() as f32 * SUMMARY.line_height() + 3.0
}

/// The plotted figures: for each row, one per series.
fn values(table: &Table, chart: &Chart) -> Vec<Vec<i64>> {
    table.rows.iter().map(|r| chart.series.iter().map(|&c| r.get(c).map_or(0, Cell::number)).collect()).collect()
}

impl Layout {
    /// `chart` of `table`, across the page from where the page is; a chart of nothing but zeros
    /// is only its summary (which says so).
    pub(super) fn chart(&mut self, table: &Table, chart: &Chart, currency: Currency) {
        self.keep_together(height(table, chart));
        let values = values(table, chart);
        if values.iter().flatten().any(|v| *v != 0) {
            self.plot(table, chart, &values, currency);
        }
        self.text(&chart.summary, SUMMARY);
        self.space(3.0);
    }

    fn plot(&mut self, table: &Table, chart: &Chart, values: &[Vec<i64>], currency: Currency) {
        let kind = table.columns[chart.series[0]].kind;
        let shown = |v: i64| Cell::Number(v).shown(kind, currency);
        let (low, high) = match chart.kind {
            ChartKind::Stacked => (0, values.iter().map(|row| row.iter().map(|v| (*v).max(0)).sum::<i64>()).max().unwrap_or(0)),
            _ => (values.iter().flatten().copied().min().unwrap_or(0), values.iter().flatten().copied().max().unwrap_or(0)),
        };
        let ticks = ticks(low, high, kind);
        // The value axis's labels set where the plot starts.
        let label_width = ticks.iter().map(|t| width_mm(&shown(*t), false, LABEL.size)).fold(0.0, f32::max);
        let left = MARGIN + label_width + 2.0;
        let width = MARGIN + CONTENT_WIDTH - left;
        let frame = Frame { left, width, top: self.y + LEGEND, slot: width / values.len() as f32, low: ticks[0], high: ticks[ticks.len() - 1] };

        let mut x = left;
        for (i, &column) in chart.series.iter().enumerate() {
            let name = &table.columns[column].name;
            self.fill(x, self.y + 0.6, 3.0, 3.0, colour(i));
            self.draw(x + 4.5, self.y + 0.4, name, Style::SMALL);
            x += 4.5 + width_mm(name, false, Style::SMALL.size) + 6.0;
        }
        for &tick in &ticks {
            // Capital height is some 0.7 of the size: the label's middle sits on its line.
            self.draw_right(left - 1.5, frame.y(tick) - 0.65 * LABEL.size * MM_PER_PT, &shown(tick), LABEL);
            if tick != 0 {
                self.line(left, left + width, frame.y(tick), 0.3, 0.85);
            }
        }
        self.marks(frame, chart.kind, values);
        // The zero line over the bars' feet.
        self.line(left, left + width, frame.y(0), 0.6, 0.2);
        let labels: Vec<String> = table.rows.iter().map(|r| r.first().map_or_else(String::new, |c| c.shown(Kind::Text, currency))).collect();
        self.row_labels(frame, &labels);
        self.y = frame.top + PLOT + X_LABELS + 1.5;
    }

    /// The bars or lines: each row in its slot, each series in its colour.
    fn marks(&mut self, frame: Frame, kind: ChartKind, values: &[Vec<i64>]) {
        let (slot, series) = (frame.slot, values[0].len());
        let per_row = if kind == ChartKind::Stacked { 1.0 } else { series as f32 };
        let gap = if slot >= 2.0 { (slot * 0.25).max(slot - WIDEST_BAR * per_row) } else { 0.0 };
        let kind = match kind {
            ChartKind::Bars if (slot - gap) / (series as f32) < THINNEST_BAR => ChartKind::Line,
            kind => kind,
        };
        for (r, row) in values.iter().enumerate() {
            let x = frame.x(r) + gap / 2.0;
            match kind {
                ChartKind::Bars => {
                    let bar = (slot - gap) / series as f32;
                    for (s, &v) in row.iter().enumerate() {
                        let (a, b) = (frame.y(v), frame.y(0));
                        self.fill(x + s as f32 * bar, a.min(b), bar, (a - b).abs(), colour(s));
                    }
                }
                ChartKind::Stacked => {
                    let mut base = 0;
                    for (s, &v) in row.iter().enumerate() {
                        let v = v.max(0);
                        self.fill(x, frame.y(base + v), slot - gap, frame.y(base) - frame.y(base + v), colour(s));
                        base += v;
                    }
                }
                ChartKind::Line => {}
            }
        }
        if kind == ChartKind::Line {
            // The first series, the one the summary speaks of, is drawn last: on top.
            for s in (0..series).rev() {
                let points: Vec<(f32, f32)> = values.iter().enumerate().map(|(r, row)| (frame.x(r) + slot / 2.0, frame.y(row[s]))).collect();
                self.polyline(&points, if slot < 1.0 { 0.8 } else { 1.2 }, colour(s));
                // Few enough points to mark: the marks, not only the shade, tell the lines apart.
                if slot >= 4.0 || points.len() == 1 {
                    for (x, y) in points {
                        self.fill(x - 0.7, y - 0.7, 1.4, 1.4, colour(s));
                    }
                }
            }
        }
    }

    /// The rows' first cells under the plot: each under its bar, or every so many from its row.
    fn row_labels(&mut self, frame: Frame, labels: &[String]) {
        let widest = labels.iter().map(|l| width_mm(l, false, LABEL.size)).fold(0.0, f32::max);
        let every = label_every(labels.len(), frame.slot, widest);
        let mut free_from = frame.left;
        for (r, label) in labels.iter().enumerate().step_by(every) {
            let label = fit(label, frame.slot * every as f32 - 1.0);
            let width = width_mm(&label, false, LABEL.size);
            // Under its bar when each has one; else starting at its row, as on a calendar.
            let x = if every == 1 { frame.x(r) + (frame.slot - width) / 2.0 } else { frame.x(r) };
            // Kept inside the plot's width; one pushed onto its neighbour there is left out.
            let x = x.clamp(frame.left, frame.left + frame.width - width);
            if x >= free_from {
                self.draw(x, frame.top + PLOT + 1.0, &label, LABEL);
                free_from = x + width + 2.0;
            }
        }
    }
}

/// Where the plot is on the page (mm), how wide a row's slot is, and the values its bottom and
/// top stand for.
#[derive(Clone, Copy)]
struct Frame {
    left: f32,
    width: f32,
    top: f32,
    slot: f32,
    low: i64,
    high: i64,
}

impl Frame {
    /// How far down the page `value` is.
    fn y(&self, value: i64) -> f32 {
        self.top + PLOT * (self.high - value) as f32 / (self.high - self.low) as f32
    }

    /// Where row `r`'s slot starts.
    fn x(&self, r: usize) -> f32 {
        self.left + r as f32 * self.slot
    }
}

fn colour(series: usize) -> Color {
    let [r, g, b] = PALETTE[series % PALETTE.len()].map(|c| c as f32 / 255.0);
    Color::Rgb(Rgb::new(r, g, b, None))
}

/// The values up the axis: from a round value at or below `low` (and 0) to one at or above `high`
/// (and 0), in at most `MOST_STEPS` equal round steps: 1, 2 or 5 times a power of ten of the
/// cells' unit (a cent, a count, a basis point); in minutes, quarter and half hours and hours.
pub(super) fn ticks(low: i64, high: i64, kind: Kind) -> Vec<i64> {
    let (low, high) = (low.min(0), high.max(0));
    let decimal = (0..19).flat_map(|e| [1, 2, 5].map(|m| m * 10_i64.pow(e)));
    let steps: Box<dyn Iterator<Item = i64>> = match kind {
        Kind::Minutes => Box::new([1, 2, 5, 10, 15, 30].into_iter().chain(decimal.take(45).map(|s| s * 60))),
        _ => Box::new(decimal),
    };
    let below = |step: i64| low.unsigned_abs().div_ceil(step as u64);
    let above = |step: i64| high.unsigned_abs().div_ceil(step as u64);
    let step = steps.into_iter().find(|&s| below(s) + above(s) <= MOST_STEPS).unwrap_or(i64::MAX);
    // All zeros: one step up, so the axis still has a height.
    let (from, to) = (-(below(step) as i64), (above(step) as i64).max(1));
    (from..=to).map(|k| k.saturating_mul(step)).collect()
}

/// Which rows get a label under the axis: each one if it fits its slot, or when there are few
/// enough to cut each label to its slot; else every so many, far enough apart not to touch.
fn label_every(rows: usize, slot: f32, widest: f32) -> usize {
    if widest + 1.0 <= slot || rows <= 12 {
        1
    } else {
        ((widest + 3.0) / slot).ceil() as usize
    }
}

/// `text` cut to `width` mm, with an ellipsis when cut.
fn fit(text: &str, width: f32) -> String {
    if width_mm(text, false, LABEL.size) <= width {
        return text.to_string();
    }
    let mut cut: String = text.to_string();
    while !cut.is_empty() && width_mm(&format!("{cut}…"), false, LABEL.size) > width {
        cut.pop();
    }
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_goes_up_in_a_few_round_steps_from_zero() {
        // 4,703.50 EUR at most: up to 5,000.00 in steps of 1,000.00.
        assert_eq!(ticks(0, 470_350, Kind::Money), [0, 100_000, 200_000, 300_000, 400_000, 500_000]);
        assert_eq!(ticks(0, 123_450, Kind::Money), [0, 50_000, 100_000, 150_000]);
        assert_eq!(ticks(0, 7, Kind::Count), [0, 2, 4, 6, 8]);
        assert_eq!(ticks(0, 3, Kind::Count), [0, 1, 2, 3]);
        // A negative figure (refunds over takings): zero stays on the axis, on a step.
        assert_eq!(ticks(-300, 1_000, Kind::Money), [-500, 0, 500, 1_000]);
        // 12.3 % in basis points.
        assert_eq!(ticks(0, 1_234, Kind::Percent), [0, 500, 1_000, 1_500]);
        // Minutes go by hours: 6 h 40 min at most, in steps of 2 h.
        assert_eq!(ticks(0, 400, Kind::Minutes), [0, 120, 240, 360, 480]);
        assert_eq!(ticks(0, 50, Kind::Minutes), [0, 10, 20, 30, 40, 50]);
        assert_eq!(ticks(0, 100, Kind::Minutes), [0, 30, 60, 90, 120]);
        // Nothing at all still has one step.
        assert_eq!(ticks(0, 0, Kind::Count), [0, 1]);
        let huge = ticks(0, i64::MAX / 2, Kind::Money);
        assert!(huge.len() >= 2 && *huge.last().unwrap() >= i64::MAX / 2, "{huge:?}");
    }

    #[test]
    fn the_series_colours_stay_apart_in_greyscale() {
        // The grey a printer makes of a colour (the PDF reference's conversion, §10.3.2).
        let grey = |[r, g, b]: [u8; 3]| (0.3 * r as f32 + 0.59 * g as f32 + 0.11 * b as f32) / 255.0;
        let mut greys: Vec<f32> = PALETTE.iter().map(|c| grey(*c)).collect();
        greys.sort_by(f32::total_cmp);
        assert!(greys.windows(2).all(|w| w[1] - w[0] >= 0.2), "{greys:?}");
        assert!(greys[0] >= 0.15 && greys[greys.len() - 1] <= 0.85, "neither black nor lost on white paper: {greys:?}");
    }

    #[test]
    fn labels_are_thinned_out_or_cut_to_fit() {
        assert_eq!(label_every(12, 14.0, 12.0), 1);
        // A year by day: some 0.45 mm a day, labels 13 mm wide; every 36th day, 16 mm apart.
        assert_eq!(label_every(365, 0.45, 13.0), 36);
        // Eight long names: each cut to its slot rather than some left out.
        assert_eq!(label_every(8, 20.0, 40.0), 1);
        let cut = fit("Dr Νίκος Παπαδόπουλος, ENT and audiology", 20.0);
        assert!(cut.ends_with('…') && width_mm(&cut, false, LABEL.size) <= 20.0, "{cut}");
        assert_eq!(fit("2026-11", 20.0), "2026-11");
    }
}
