//! The one shape of every report: titled tables of typed columns, each perhaps with a chart drawn
//! from some of its columns. The window, CSV and PDF all read this shape; no report formats
//! anything itself.

use serde::Serialize;

use crate::domain::{Currency, Money};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Report {
    pub title: String,
    /// The period and filters in words: "1–30 November 2026 · Dr Ana Sousa".
    pub subtitle: String,
    /// The currency of its money columns.
    pub currency: Currency,
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Table {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// The totals line, when adding up means something.
    pub total: Option<Vec<Cell>>,
    pub chart: Option<Chart>,
    /// Said under the table: what a figure means, or that a long list was cut.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// How a column's cells read. Numbers stay numbers until shown: money in minor units, a rate in
/// basis points (1234 = 12.34 %), a duration in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Text,
    Count,
    Money,
    Percent,
    Minutes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(untagged)]
pub enum Cell {
    Number(i64),
    Text(String),
}

impl Cell {
    pub fn number(&self) -> i64 {
        match self {
            Cell::Number(n) => *n,
            Cell::Text(_) => 0,
        }
    }

    /// As a person reads it (the window and the PDF): "1,234.50", "12.3 %", "1 h 05 min".
    pub fn shown(&self, kind: Kind, currency: Currency) -> String {
        match (self, kind) {
            (Cell::Text(t), _) => t.clone(),
            (Cell::Number(n), Kind::Money) => Money { minor: *n, currency }.amount(),
            (Cell::Number(n), Kind::Percent) => format!("{:.1} %", *n as f64 / 100.0),
            (Cell::Number(n), Kind::Minutes) if *n >= 60 => format!("{} h {:02} min", n / 60, n % 60),
            (Cell::Number(n), Kind::Minutes) => format!("{n} min"),
            (Cell::Number(n), _) => group(*n),
        }
    }

    /// As a spreadsheet reads it: plain numbers, no grouping ("1234.50", "12.34", "65").
    pub fn plain(&self, kind: Kind, currency: Currency) -> String {
        match (self, kind) {
            (Cell::Text(t), _) => t.clone(),
            (Cell::Number(n), Kind::Money) => Money { minor: *n, currency }.amount().replace(',', ""),
            (Cell::Number(n), Kind::Percent) => format!("{:.2}", *n as f64 / 100.0),
            (Cell::Number(n), _) => n.to_string(),
        }
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n)
    }
}

impl From<String> for Cell {
    fn from(t: String) -> Cell {
        Cell::Text(t)
    }
}

impl From<&str> for Cell {
    fn from(t: &str) -> Cell {
        Cell::Text(t.to_string())
    }
}

fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let groups: Vec<&str> = digits.as_bytes().rchunks(3).rev().map(|g| std::str::from_utf8(g).expect("digits")).collect();
    format!("{}{}", if n < 0 { "-" } else { "" }, groups.join(","))
}

/// A chart of a table: its first column along the bottom, `series` (column indexes) drawn.
#[derive(Debug, Clone, Serialize, specta::Type)]
// The window's name for it: `Chart` there is already the patient's (clinical::Chart).
#[serde(rename = "ReportChart")]
pub struct Chart {
    pub kind: ChartKind,
    pub series: Vec<usize>,
    /// The chart in one sentence, for a screen reader and under the printed chart.
    pub summary: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Bars side by side per row.
    Bars,
    /// The series stacked into one bar per row (parts of a whole).
    Stacked,
    /// A line per series (a trend over days or months).
    Line,
}

impl Table {
    pub fn new(title: &str, columns: &[(&str, Kind)]) -> Table {
        Table {
            title: title.into(),
            columns: columns.iter().map(|(name, kind)| Column { name: (*name).into(), kind: *kind }).collect(),
            rows: Vec::new(),
            total: None,
            chart: None,
            note: None,
        }
    }

    /// The column named so (tests read figures by name).
    pub fn column(&self, name: &str) -> usize {
        self.columns.iter().position(|c| c.name == name).unwrap_or_else(|| panic!("no column {name} in {}", self.title))
    }

    /// The row whose first cell reads `first`.
    pub fn row(&self, first: &str) -> Option<&Vec<Cell>> {
        self.rows.iter().find(|r| r.first() == Some(&Cell::Text(first.into())))
    }

    /// A figure: the column `name` of the row whose first cell reads `first`.
    pub fn figure(&self, first: &str, name: &str) -> i64 {
        self.row(first).map_or(0, |r| r[self.column(name)].number())
    }

    /// A chart of `series` (column names), summed up in a sentence: the highest row of the first.
    pub fn chart(mut self, kind: ChartKind, series: &[&str], currency: Currency) -> Table {
        let series: Vec<usize> = series.iter().map(|s| self.column(s)).collect();
        let first = series[0];
        let name = &self.columns[first].name;
        // "Received by day", "Ageing: owed".
        let what = match self.title.strip_prefix("By ") {
            Some(by) => format!("{name} by {by}"),
            None => format!("{}: {}", self.title, name.to_lowercase()),
        };
        let summary = match self.rows.iter().max_by_key(|r| r[first].number()).filter(|r| r[first].number() != 0) {
            None => format!("{what}: nothing in this period."),
            Some(top) => format!("{what}, {} rows: the highest is {} ({}).", self.rows.len(),
                top[first].shown(self.columns[first].kind, currency), top[0].shown(Kind::Text, currency)),
        };
        self.chart = Some(Chart { kind, series, summary });
        self
    }
}

impl Report {
    /// A table as CSV (`csv.rs`): its header, its rows and its total, numbers plain.
    pub fn csv(&self, table: usize) -> String {
        let t = &self.tables[table];
        let header: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        let rows: Vec<Vec<String>> = t.rows.iter().chain(t.total.as_ref()).map(|r| {
            r.iter().zip(&t.columns).map(|(cell, c)| cell.plain(c.kind, self.currency)).collect()
        }).collect();
        super::csv::csv(&header, &rows)
    }

    pub fn table(&self, title: &str) -> &Table {
        self.tables.iter().find(|t| t.title == title).unwrap_or_else(|| panic!("no table {title} in {}", self.title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_people_and_spreadsheets_read_them() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(Cell::Number(123450).shown(Kind::Money, eur), "1,234.50");
        assert_eq!(Cell::Number(123450).plain(Kind::Money, eur), "1234.50");
        assert_eq!(Cell::Number(1234).shown(Kind::Percent, eur), "12.3 %");
        assert_eq!(Cell::Number(1234).plain(Kind::Percent, eur), "12.34");
        assert_eq!(Cell::Number(65).shown(Kind::Minutes, eur), "1 h 05 min");
        assert_eq!(Cell::Number(1234567).shown(Kind::Count, eur), "1,234,567");
        assert_eq!(Cell::Number(-1234).shown(Kind::Count, eur), "-1,234");
    }
}
