//! Printed documents as PDFs: prescriptions, invoices, receipts and credit notes, the cash-up's
//! Z-report, reports with their charts; and printing them on the system's printers (CUPS).
//!
//! `Layout` is the small page model they share: an A4 page filled from the top, one block after
//! another (letterhead, wrapped text, key/value pairs, a table, a column of totals, a signature
//! line), a new page when a block does not fit, and on every page its number and the document's
//! reference. A reprint is the same document with a banner and a light diagonal "COPY" on every
//! page (DESIGN.md §7b). Each document's own file (`prescription.rs`, `bill.rs`, `cash_up.rs`)
//! only decides what goes where; a report (`report.rs`) prints any of the reports' tables, with
//! its chart (`chart.rs`). docs/printing.md says what each shows.

mod bill;
mod blocks;
mod cash_up;
mod chart;
mod font;
mod layout;
mod logo;
pub mod prescription;
mod printers;
mod recovery_sheet;
mod report;
mod table;

pub use bill::{bill_pdf, bills_pdf, BillDocument, BillKind, BillLine, BilledPatient, PaymentLine};
pub use blocks::Total;
pub use cash_up::{cash_up_pdf, CashUpDocument, CashUpEntry, MethodCount};
pub use font::unprintable;
pub use layout::Layout;
pub use logo::check_logo;
pub use printers::{printers, send, Printer};
pub use recovery_sheet::{recovery_sheet_pdf, RecoverySheet};
pub use report::report_pdf;
pub use table::{Align, Cell, Column};
pub use prescription::{prescription_pdf, PatientDetails, PrescribedItem, Prescriber, PrescriptionDocument};

use font::MM_PER_PT;

const PAGE_WIDTH: f32 = 210.0;
const PAGE_HEIGHT: f32 = 297.0;
const MARGIN: f32 = 18.0;
/// Content stops here; below it is the footer with the page number.
const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 8.0;
/// Width of the text area, in mm: a table's columns add up to this.
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// How a piece of text looks. `grey` is 0 for black, towards 1 for lighter.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    pub grey: f32,
}

impl Style {
    pub const BODY: Style = Style { size: 10.0, bold: false, grey: 0.0 };
    pub const STRONG: Style = Style { size: 10.0, bold: true, grey: 0.0 };
    pub const SMALL: Style = Style { size: 8.5, bold: false, grey: 0.35 };
    pub const HEADING: Style = Style { size: 11.0, bold: true, grey: 0.0 };

    fn line_height(self) -> f32 {
        self.size * 1.3 * MM_PER_PT
    }
}

/// The clinic as its printed documents name it.
#[derive(Debug, Clone)]
pub struct ClinicDetails {
    pub name: String,
    pub address: String,
    pub phone: Option<String>,
    pub tax_id: Option<String>,
    /// The clinic's logo, a PNG or JPEG (`check_logo` says whether one will print), drawn at the
    /// top left of its letterhead.
    pub logo: Option<Vec<u8>>,
}

impl ClinicDetails {
    /// The lines under the clinic's name on a letterhead.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![self.address.clone()];
        let contact: Vec<String> = [self.phone.as_ref().map(|p| format!("Phone {p}")), self.tax_id.as_ref().map(|t| format!("Tax id {t}"))]
            .into_iter()
            .flatten()
            .collect();
        if !contact.is_empty() {
            lines.push(contact.join(" · "));
        }
        lines
    }
}

/// The clinic's letterhead, with the document's kind and reference at the top right.
pub struct Letterhead<'a> {
    pub clinic: String,
    /// PNG or JPEG bytes, drawn above the clinic's name.
    pub logo: Option<&'a [u8]>,
    /// Address, phone, tax id: one line each, under the clinic's name.
    pub lines: Vec<String>,
    pub title: String,
    /// E.g. the document's number and date, under the title.
    pub reference: Vec<String>,
}
