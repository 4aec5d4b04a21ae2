//! A report (`ops::reports`' one shape) as a PDF: the clinic's letterhead with the report's title,
//! its period, then each table under its heading: its chart (`chart.rs`), the table with its total
//! in bold, and its note. Every figure reads as on screen (`Cell::shown`).
//!
//! Upright A4, as every other printed document, rather than on its side: the widest report table
//! has seven columns, which fit the 174 mm with their titles wrapped; a year by day prints on
//! fewer pages upright (some forty rows a page, against twenty-five across); and the letterhead,
//! footer and page model stay the ones the other documents share.

use chrono::{DateTime, Utc};

use super::{chart, Align, Cell, ClinicDetails, Column, Layout, Letterhead, Style, CONTENT_WIDTH};
use crate::domain::Currency;
use crate::error::Result;
use crate::ops::reports::{self, Kind, Report};

/// A text column is given at most this width, in mm, before the columns share out what is left:
/// a long service's name wraps rather than squeezing the figures.
const WIDEST_TEXT: f32 = 70.0;
/// Nor is it squeezed below this to make room for wide figures.
const NARROWEST_TEXT: f32 = 20.0;

/// `report` as a PDF, under `clinic`'s letterhead, dated `printed_at` (shown in UTC: the report's
/// own days are in its subtitle).
pub fn report_pdf(report: &Report, clinic: &ClinicDetails, printed_at: DateTime<Utc>) -> Result<Vec<u8>> {
    let letterhead = Letterhead {
        clinic: clinic.name.clone(),
        logo: clinic.logo.as_deref(),
        lines: clinic.lines(),
        title: report.title.clone(),
        reference: vec![format!("Printed {} UTC", printed_at.format("%Y-%m-%d %H:%M"))],
    };
    let mut page = Layout::new(&letterhead, &format!("{} · {}", report.title, report.subtitle), None)?;
    // The period and filters under the letterhead, where a long one has the page's width.
    page.text(&report.subtitle, Style { size: 12.0, bold: true, grey: 0.0 });
    page.space(4.0);
    for table in &report.tables {
        page.report_table(table, report.currency);
    }
    Ok(page.finish(printed_at))
}

impl Layout {
    fn report_table(&mut self, table: &reports::Table, currency: Currency) {
        let money = table.columns.iter().any(|c| c.kind == Kind::Money);
        let heading = if money { format!("{} ({})", table.title, currency.code()) } else { table.title.clone() };
        if let Some(chart) = &table.chart {
            // Heading, chart and the table's first rows on one page.
            let first_rows = if table.rows.is_empty() { 0.0 } else { 4.0 * Style::BODY.line_height() };
            self.keep_together(Style::HEADING.line_height() + 1.0 + chart::height(table, chart) + first_rows);
        }
        self.heading(&heading);
        if let Some(chart) = &table.chart {
            self.chart(table, chart, currency);
        }
        if table.rows.is_empty() {
            // A chart's summary has already said so.
            if table.chart.is_none() {
                self.text("Nothing in this period.", Style::BODY);
            }
        } else {
            let widths = widths(table, currency);
            let columns: Vec<Column> = table.columns.iter().zip(&widths).map(|(c, &width)| Column {
                title: &c.name,
                width,
                align: if c.kind == Kind::Text { Align::Left } else { Align::Right },
            }).collect();
            let cells = |row: &Vec<reports::Cell>, bold: bool| -> Vec<Cell> {
                row.iter().zip(&table.columns).map(|(cell, c)| {
                    let shown = cell.shown(c.kind, currency);
                    if bold { Cell::bold(shown) } else { Cell::plain(shown) }
                }).collect()
            };
            let rows: Vec<Vec<Cell>> = table.rows.iter().map(|r| cells(r, false)).chain(table.total.iter().map(|r| cells(r, true))).collect();
            self.dense_table(&columns, &rows);
        }
        if let Some(note) = &table.note {
            self.space(1.0);
            self.text(note, Style::SMALL);
        }
        self.space(6.0);
    }
}

/// The columns' widths, adding up to the page's: each first as wide as its widest cell (measured
/// bold at the body's size, a little wider than the table's type) or the longest word of its
/// title; what is left shared out evenly, so the columns stand evenly apart. When that is too
/// wide, the text columns give up room and wrap: a figure is never cut.
fn widths(table: &reports::Table, currency: Currency) -> Vec<f32> {
    let width = |text: &str| super::font::width_mm(text, true, Style::BODY.size);
    let natural: Vec<f32> = table.columns.iter().enumerate().map(|(i, c)| {
        let cells = table.rows.iter().chain(&table.total).filter_map(|r| r.get(i)).map(|cell| width(&cell.shown(c.kind, currency)));
        let title = c.name.split_whitespace().map(|w| super::font::width_mm(w, true, Style::SMALL.size));
        let widest = cells.chain(title).fold(0.0, f32::max) + 3.0;
        if c.kind == Kind::Text { widest.min(WIDEST_TEXT) } else { widest }
    }).collect();
    let left = CONTENT_WIDTH - natural.iter().sum::<f32>();
    if left >= 0.0 {
        return natural.iter().map(|w| w + left / natural.len() as f32).collect();
    }
    let text: f32 = table.columns.iter().zip(&natural).filter(|(c, _)| c.kind == Kind::Text).map(|(_, w)| w).sum();
    let share = ((text + left) / text).max(0.0);
    table.columns.iter().zip(&natural).map(|(c, &w)| if c.kind == Kind::Text { (w * share).max(NARROWEST_TEXT) } else { w }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn columns_fill_the_page_and_figures_keep_their_width() {
        let figure = |text: &str| super::super::font::width_mm(text, true, Style::BODY.size);
        let mut t = reports::Table::new("By day", &[("When", Kind::Text), ("Invoiced", Kind::Money), ("Cancellation rate", Kind::Percent)]);
        t.rows = vec![vec!["2026-11-01".into(), 123_456_789.into(), 1234.into()]];
        let w = widths(&t, eur());
        assert!((w.iter().sum::<f32>() - CONTENT_WIDTH).abs() < 0.01, "{w:?}");
        assert!(w[1] > figure("1,234,567.89") && w[2] > figure("Cancellation"), "{w:?}");

        // A service's long name wraps rather than taking the page.
        t.rows[0][0] = "Physiotherapy session, sports injury, with ultrasound and taping ".repeat(3).into();
        let w = widths(&t, eur());
        assert!(w[0] < WIDEST_TEXT + CONTENT_WIDTH / 3.0 && (w.iter().sum::<f32>() - CONTENT_WIDTH).abs() < 0.01, "{w:?}");

        // Figures too wide for the page between them: the text gives way, never a figure.
        let money: Vec<(&str, Kind)> = std::iter::once(("Service", Kind::Text)).chain(["A", "B", "C", "D", "E", "F"].map(|n| (n, Kind::Money))).collect();
        let mut t = reports::Table::new("By service", &money);
        t.rows = vec![std::iter::once(reports::Cell::from("Consultation")).chain((0..6).map(|_| 99_999_999_999.into())).collect()];
        let w = widths(&t, eur());
        assert!(w[0] >= NARROWEST_TEXT && w[1..].iter().all(|&x| x > figure("999,999,999.99")), "{w:?}");
    }
}
