//! Tables: a header row, then rows of wrapped cells, the header repeated on each page the table
//! runs onto.

use super::font::{wrap, width_mm};
use super::{Layout, Style, MARGIN, PAGE_WIDTH};

/// Space kept free at a column's right edge, so neighbouring columns never touch.
const GUTTER: f32 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Column<'a> {
    pub title: &'a str,
    pub width: f32,
    pub align: Align,
}

/// A table cell: one or more paragraphs, each plain or bold, wrapped to the column.
#[derive(Debug, Clone, Default)]
pub struct Cell(Vec<(String, bool)>);

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell(vec![(text.into(), false)])
    }
    pub fn bold(text: impl Into<String>) -> Cell {
        Cell(vec![(text.into(), true)])
    }
    /// Adds a paragraph (it starts on a new line); an empty one is left out.
    pub fn and(mut self, text: impl Into<String>, bold: bool) -> Cell {
        let text = text.into();
        if !text.trim().is_empty() {
            self.0.push((text, bold));
        }
        self
    }
}

/// How dense a table is: its text, and the space around each row.
#[derive(Debug, Clone, Copy)]
struct Density {
    body: Style,
    /// Above and below a row's text, in mm.
    padding: f32,
    /// Below the thin rule under a row.
    after_rule: f32,
}

/// A prescription's medicines: room to read each one.
const READABLE: Density = Density { body: Style::BODY, padding: 1.0, after_rule: 1.5 };
/// A bill's lines: a page holds some forty of them.
const DENSE: Density = Density { body: Style { size: 9.0, bold: false, grey: 0.0 }, padding: 0.6, after_rule: 0.6 };

impl Layout {
    /// A table whose header row repeats on each page it runs onto. Rows are kept whole on a
    /// page unless one is taller than a page.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<Cell>]) {
        self.table_in(columns, rows, READABLE);
    }

    /// A table as `table` does, in smaller type and closer rows: a bill's lines.
    pub fn dense_table(&mut self, columns: &[Column], rows: &[Vec<Cell>]) {
        self.table_in(columns, rows, DENSE);
    }

    fn table_in(&mut self, columns: &[Column], rows: &[Vec<Cell>], density: Density) {
        let line_height = density.body.line_height();
        self.keep_together(4.0 * line_height);
        self.table_header(columns);
        for row in rows {
            let cells: Vec<Vec<(String, bool)>> = columns.iter().zip(row).map(|(c, cell)| cell_lines(cell, c, density.body.size)).collect();
            let line_count = cells.iter().map(Vec::len).max().unwrap_or(0);
            if self.keep_together(line_count as f32 * line_height + 2.0 * density.padding) {
                self.table_header(columns);
            }
            self.y += density.padding;
            for i in 0..line_count {
                if self.keep_together(line_height) {
                    self.table_header(columns);
                }
                let mut x = MARGIN;
                for (column, lines) in columns.iter().zip(&cells) {
                    if let Some((line, bold)) = lines.get(i) {
                        let style = Style { bold: *bold, ..density.body };
                        self.draw(aligned(x, column, line, style), self.y, line, style);
                    }
                    x += column.width;
                }
                self.y += line_height;
            }
            self.y += density.padding;
            self.line(MARGIN, PAGE_WIDTH - MARGIN, self.y, 0.3, 0.75);
            self.y += density.after_rule;
        }
    }

    fn table_header(&mut self, columns: &[Column]) {
        let style = Style { bold: true, ..Style::SMALL };
        // A title wider than its column (a report's "Cancellation rate" over its percentages)
        // wraps rather than runs into its neighbour; every title ends on the rule.
        let titles: Vec<Vec<String>> = columns.iter().map(|c| wrap(c.title, true, style.size, c.width - GUTTER)).collect();
        let height = titles.iter().map(Vec::len).max().unwrap_or(1);
        let mut x = MARGIN;
        for (column, title) in columns.iter().zip(&titles) {
            for (i, line) in title.iter().enumerate() {
                let top = self.y + (height - title.len() + i) as f32 * style.line_height();
                self.draw(aligned(x, column, line, style), top, line, style);
            }
            x += column.width;
        }
        self.y += height as f32 * style.line_height() + 0.5;
        self.rule_weighted(0.5, 0.0);
    }
}

fn aligned(x: f32, column: &Column, text: &str, style: Style) -> f32 {
    match column.align {
        Align::Left => x,
        Align::Right => x + column.width - GUTTER - width_mm(text, style.bold, style.size),
    }
}

/// A cell's lines: wrapped to its column, except a right-aligned one (a figure), which is never
/// cut: an amount too wide for its column runs into the gutter to its left rather than in two.
fn cell_lines(cell: &Cell, column: &Column, size: f32) -> Vec<(String, bool)> {
    let lines = |text: &str, bold: bool| match column.align {
        Align::Left => wrap(text, bold, size, column.width - GUTTER),
        Align::Right => text.lines().map(str::to_string).collect(),
    };
    cell.0.iter().flat_map(|(text, bold)| lines(text, *bold).into_iter().map(|l| (l, *bold))).collect()
}
