//! Blocks the money documents are made of: two columns side by side (who is billed, and about
//! what), and a column of totals at the right whose figures line up under a table's last column.

use super::font::wrap;
use super::{Layout, Style, CONTENT_WIDTH, MARGIN, PAGE_WIDTH};

/// Width of the column of totals, in mm, at the right of the page.
const TOTALS_WIDTH: f32 = 104.0;
/// The totals' figures end where a table's right-aligned last column ends (its gutter).
const FIGURES_RIGHT: f32 = PAGE_WIDTH - MARGIN - 2.0;

/// A row of a column of totals.
#[derive(Debug, Clone)]
pub enum Total {
    /// A label and its figure, e.g. "Tax 23 % on 54.00" and "12.42".
    Row { label: String, figure: String, style: Style },
    /// A smaller line under the row above, e.g. the cash handed over and the change.
    Note(String),
    /// A thin line across the column, before a sum.
    Rule,
}

impl Total {
    pub fn row(label: impl Into<String>, figure: impl Into<String>) -> Total {
        Total::Row { label: label.into(), figure: figure.into(), style: Style::BODY }
    }
    pub fn strong(label: impl Into<String>, figure: impl Into<String>) -> Total {
        Total::Row { label: label.into(), figure: figure.into(), style: Style { size: 11.0, bold: true, grey: 0.0 } }
    }

    /// The lines it takes, and its height in mm, when its label is wrapped to the room left of
    /// its figure.
    fn wrapped(&self) -> (Vec<String>, f32) {
        match self {
            Total::Row { label, figure, style } => {
                let room = TOTALS_WIDTH - 2.0 - super::font::width_mm(figure, style.bold, style.size) - 4.0;
                let lines = wrap(label, style.bold, style.size, room);
                let height = lines.len() as f32 * style.line_height() + 0.6;
                (lines, height)
            }
            Total::Note(_) => (Vec::new(), Style::SMALL.line_height()),
            Total::Rule => (Vec::new(), 1.5),
        }
    }
}

impl Layout {
    /// A column of totals at the right of the page, kept on one page with what it sums up. A
    /// label too long for its room (a long payment method) wraps, its figure on its first line.
    pub fn totals(&mut self, rows: &[Total]) {
        let left = PAGE_WIDTH - MARGIN - TOTALS_WIDTH;
        let wrapped: Vec<(Vec<String>, f32)> = rows.iter().map(Total::wrapped).collect();
        self.space(1.0);
        self.keep_together(wrapped.iter().map(|(_, height)| height).sum());
        for (row, (lines, height)) in rows.iter().zip(wrapped) {
            self.keep_together(height);
            match row {
                Total::Row { figure, style, .. } => {
                    self.draw_right(FIGURES_RIGHT, self.y, figure, *style);
                    for line in lines {
                        self.draw(left, self.y, &line, *style);
                        self.y += style.line_height();
                    }
                    self.y += 0.6;
                }
                Total::Note(text) => {
                    // Indented under its row, on the row's baseline grid.
                    self.draw(left + 4.0, self.y - 0.4, text, Style::SMALL);
                    self.y += height;
                }
                Total::Rule => {
                    self.line(left, PAGE_WIDTH - MARGIN, self.y + 0.3, 0.5, 0.0);
                    self.y += height;
                }
            }
        }
    }

    /// Two columns of lines, each wrapped to half the page, kept together on one page.
    pub fn side_by_side(&mut self, left: &[(String, Style)], right: &[(String, Style)]) {
        let width = CONTENT_WIDTH / 2.0 - 4.0;
        let wrapped = |column: &[(String, Style)]| -> Vec<(String, Style)> {
            column.iter().flat_map(|(text, style)| wrap(text, style.bold, style.size, width).into_iter().map(|l| (l, *style))).collect()
        };
        let (left, right) = (wrapped(left), wrapped(right));
        let height = |column: &[(String, Style)]| column.iter().map(|(_, s)| s.line_height()).sum::<f32>();
        self.keep_together(height(&left).max(height(&right)));
        let top = self.y;
        let mut bottom = top;
        for (x, column) in [(MARGIN, &left), (MARGIN + CONTENT_WIDTH / 2.0 + 4.0, &right)] {
            let mut y = top;
            for (line, style) in column {
                self.draw(x, y, line, *style);
                y += style.line_height();
            }
            bottom = bottom.max(y);
        }
        self.y = bottom;
    }
}
