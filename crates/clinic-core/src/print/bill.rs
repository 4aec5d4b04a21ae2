//! The printed bill: an invoice, a receipt or a credit note, one layout under three titles
//! (DESIGN.md §7b). The clinic's letterhead and logo; who is billed; the lines with quantity,
//! unit price, discount, tax rate, tax and total; the totals per tax rate; what was paid, by what
//! means, what was credited and what is still due; the clinic's tax exemption note. Every figure
//! comes from `domain::totals`, the one place an invoice's arithmetic is done: the printed
//! document adds up exactly as the ledger does. A credit note prints its amounts as a credit
//! (negative), and says which invoice it reverses and why.

use chrono::{DateTime, Utc};

use super::{Align, Cell, ClinicDetails, Column, Layout, Letterhead, Style, Total, CONTENT_WIDTH};
use crate::domain::{totals, Currency, Discount, Line, Money, Totals};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillKind {
    Invoice,
    Receipt,
    CreditNote,
}

impl BillKind {
    fn title(self) -> &'static str {
        match self {
            BillKind::Invoice => "Invoice",
            BillKind::Receipt => "Receipt",
            BillKind::CreditNote => "Credit note",
        }
    }
}

/// Everything a printed bill shows, already read from the store: no database here.
#[derive(Debug, Clone)]
pub struct BillDocument {
    pub kind: BillKind,
    /// E.g. "LIS-3-2026-000042"; a credit note has its own number.
    pub number: String,
    pub clinic: ClinicDetails,
    /// None for a counter sale.
    pub patient: Option<BilledPatient>,
    /// The date of issue, already in the clinic's local time: "2026-03-02".
    pub issued: String,
    pub service_date: Option<String>,
    pub currency: Currency,
    pub lines: Vec<BillLine>,
    pub invoice_discount: Discount,
    /// What was paid against it, in time order; a refund has a negative amount.
    pub payments: Vec<PaymentLine>,
    /// The total of the credit notes against this invoice (minor units, ≥ 0); 0 on a credit note.
    pub credited: i64,
    /// On a credit note: "Invoice LIS-3-2026-000042 of 2026-03-02".
    pub refers_to: Option<String>,
    /// On a credit note: why.
    pub reason: Option<String>,
    /// The clinic's note, e.g. "Medical care exempt from VAT under Art. 9 CIVA".
    pub exemption_note: Option<String>,
    /// For a reprint: when the original was issued. Marks every page "COPY".
    pub copy: Option<String>,
    /// When this copy is printed: the PDF's own creation date.
    pub printed_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct BilledPatient {
    pub name: String,
    /// The medical record number.
    pub mrn: String,
    pub address: Option<String>,
}

/// A line as billed: what it was, and what was charged (prices before tax).
#[derive(Debug, Clone)]
pub struct BillLine {
    pub description: String,
    pub line: Line,
}

#[derive(Debug, Clone)]
pub struct PaymentLine {
    pub date: String,
    /// As the receptionist reads it: "Cash", "Card", "Bank transfer", "Patient credit", "Refund (card)".
    pub method: String,
    /// Negative for a refund.
    pub amount: i64,
    /// Cash handed over, when more than the amount: the change is `tendered - amount`.
    pub tendered: Option<i64>,
}

/// One bill as a PDF (A4, one page or more).
pub fn bill_pdf(doc: &BillDocument) -> Result<Vec<u8>> {
    let mut layout = Layout::empty(&format!("{} {}", doc.kind.title(), doc.number));
    add_bill(&mut layout, doc)?;
    Ok(layout.finish(doc.printed_at))
}

/// Several bills in one PDF, to print as a batch (a day's invoices, or a selection): each starts
/// on a new page with its own letterhead, reference and page numbers.
pub fn bills_pdf(docs: &[BillDocument]) -> Result<Vec<u8>> {
    let Some(last_printed) = docs.iter().map(|d| d.printed_at).max() else {
        return Err(Error::invalid("documents", "Choose at least one invoice to print."));
    };
    let kinds = |kind: BillKind| docs.iter().all(|d| d.kind == kind);
    let title = match () {
        _ if kinds(BillKind::Receipt) => "Receipts",
        _ if kinds(BillKind::CreditNote) => "Credit notes",
        _ => "Invoices",
    };
    let mut layout = Layout::empty(&format!("{title} ({})", docs.len()));
    for doc in docs {
        // In a batch, the message says which of the documents could not be printed.
        add_bill(&mut layout, doc).map_err(|e| Error { message: format!("{} {}: {}", doc.kind.title(), doc.number, e.message), ..e })?;
    }
    Ok(layout.finish(last_printed))
}

fn add_bill(layout: &mut Layout, doc: &BillDocument) -> Result<()> {
    if doc.lines.is_empty() {
        return Err(Error::invalid("lines", format!("{} {} has no lines: there is nothing to print.", doc.kind.title(), doc.number)));
    }
    let lines: Vec<Line> = doc.lines.iter().map(|l| l.line).collect();
    let totals = totals(&lines, doc.invoice_discount)?;
    // The lines' own discounts, without the invoice's shared over them: to say what that came to.
    let own_discounts = match doc.invoice_discount {
        Discount::None => totals.discount,
        _ => crate::domain::totals(&lines, Discount::None)?.discount,
    };
    let kind = doc.kind.title();
    let mut reference = vec![format!("No. {}", doc.number), format!("Date of issue {}", doc.issued)];
    reference.extend(doc.service_date.as_ref().map(|d| format!("Date of service {d}")));
    let letterhead = Letterhead {
        clinic: doc.clinic.name.clone(),
        logo: doc.clinic.logo.as_deref(),
        lines: doc.clinic.lines(),
        title: kind.into(),
        reference,
    };
    let billed = match &doc.patient {
        Some(p) => format!("{} · {}", p.name, p.mrn),
        None => "Counter sale".into(),
    };
    layout.start_document(&letterhead, &format!("{kind} {} · {billed}", doc.number), doc.copy.as_deref())?;

    billed_to(layout, doc);
    layout.space(5.0);
    lines_table(layout, doc, &totals, own_discounts);
    layout.space(3.0);
    layout.totals(&summary(doc, &totals));
    if let Some(note) = doc.exemption_note.as_deref().filter(|n| !n.trim().is_empty()) {
        layout.space(5.0);
        layout.text(note, Style { grey: 0.0, ..Style::SMALL });
    }
    Ok(())
}

/// Who is billed at the left; at the right, what a credit note reverses and why, or for an
/// invoice how its amounts are to be read.
fn billed_to(layout: &mut Layout, doc: &BillDocument) {
    let label = |text: &str| (text.to_string(), Style::SMALL);
    let mut left = vec![label(if doc.kind == BillKind::CreditNote { "Credited to" } else { "Billed to" })];
    match &doc.patient {
        Some(p) => {
            left.push((p.name.clone(), Style::STRONG));
            left.push((format!("Record no. {}", p.mrn), Style::BODY));
            left.extend(p.address.iter().map(|a| (a.clone(), Style::BODY)));
        }
        None => left.push(("Counter sale".into(), Style::STRONG)),
    }
    let mut right = Vec::new();
    if let Some(refers_to) = &doc.refers_to {
        right.extend([label("Refers to"), (refers_to.clone(), Style::STRONG)]);
    }
    if let Some(reason) = &doc.reason {
        right.extend([label("Reason"), (reason.clone(), Style::BODY)]);
    }
    if doc.kind != BillKind::CreditNote {
        right.extend([label("Amounts"), (format!("In {}. Prices are before tax.", doc.currency.code()), Style::BODY)]);
    }
    layout.side_by_side(&left, &right);
}

fn lines_table(layout: &mut Layout, doc: &BillDocument, totals: &Totals, own_discounts: i64) {
    let figure = Figures { currency: doc.currency, sign: doc.sign() };
    let columns = [
        Column { title: "Description", width: CONTENT_WIDTH - 9.0 - 21.0 - 18.0 - 13.0 - 18.0 - 23.0, align: Align::Left },
        Column { title: "Qty", width: 9.0, align: Align::Right },
        Column { title: "Unit price", width: 21.0, align: Align::Right },
        Column { title: "Discount", width: 18.0, align: Align::Right },
        Column { title: "Tax %", width: 13.0, align: Align::Right },
        Column { title: "Tax", width: 18.0, align: Align::Right },
        Column { title: "Total", width: 23.0, align: Align::Right },
    ];
    let rows: Vec<Vec<Cell>> = doc
        .lines
        .iter()
        .zip(&totals.lines)
        .map(|(billed, amounts)| {
            let line = billed.line;
            let own_discount = match line.discount {
                Discount::Percent(bp) if bp > 0 => format!("{} discount", rate(bp)),
                _ => String::new(),
            };
            vec![
                Cell::plain(billed.description.trim()).and(own_discount, false),
                Cell::plain(line.quantity.to_string()),
                Cell::plain(figure.of(line.unit_price)),
                // Taken off: shown as the negative it adds to the line (on a credit, the reverse).
                Cell::plain(if amounts.discount == 0 { "–".into() } else { figure.of(-amounts.discount) }),
                Cell::plain(rate(line.tax_rate_bp)),
                Cell::plain(figure.of(amounts.tax)),
                Cell::bold(figure.of(amounts.total)),
            ]
        })
        .collect();
    layout.dense_table(&columns, &rows);
    if doc.invoice_discount != Discount::None {
        let whole = match doc.invoice_discount {
            Discount::Percent(bp) => format!("{} ", rate(bp)),
            _ => String::new(),
        };
        let shared = totals.discount - own_discounts;
        layout.text(
            &format!("The discount column includes a {whole}discount on the whole {} of {}, shared over its lines.", doc.kind.title().to_lowercase(), figure.with_code(shared)),
            Style::SMALL,
        );
    }
}

/// The column of totals: subtotal, discount, tax per rate, total; then what was paid and
/// credited, and the balance.
fn summary(doc: &BillDocument, totals: &Totals) -> Vec<Total> {
    let figure = Figures { currency: doc.currency, sign: doc.sign() };
    let mut rows = vec![Total::row("Subtotal", figure.of(totals.gross))];
    if totals.discount != 0 {
        rows.push(Total::row("Discount", figure.of(-totals.discount)));
        rows.push(Total::row("Total before tax", figure.of(totals.net)));
    }
    for r in &totals.by_rate {
        rows.push(Total::row(format!("Tax {} on {}", rate(r.tax_rate_bp), figure.of(r.net)), figure.of(r.tax)));
    }
    rows.push(Total::Rule);
    let total_label = if doc.kind == BillKind::CreditNote { "Total credited" } else { "Total" };
    rows.push(Total::strong(total_label, figure.with_code(totals.total)));

    let as_is = Figures { currency: doc.currency, sign: 1 };
    if !doc.payments.is_empty() || doc.credited != 0 {
        rows.push(Total::Rule);
    }
    for payment in &doc.payments {
        let what = if payment.amount < 0 { "Refunded" } else { "Paid" };
        rows.push(Total::row(format!("{what} {} · {}", payment.date, payment.method), as_is.of(payment.amount)));
        if let Some(tendered) = payment.tendered.filter(|t| *t > payment.amount) {
            rows.push(Total::Note(format!("Handed over {}, change given {}", as_is.of(tendered), as_is.of(tendered - payment.amount))));
        }
    }
    if doc.credited != 0 {
        rows.push(Total::row("Credit notes", as_is.of(-doc.credited)));
    }
    if doc.kind != BillKind::CreditNote {
        let paid: i64 = doc.payments.iter().map(|p| p.amount).sum();
        let balance = totals.total - paid - doc.credited;
        rows.push(Total::Rule);
        match balance {
            0 => {
                rows.push(Total::strong("Balance due", as_is.with_code(0)));
                rows.push(Total::Note("Paid in full. Thank you.".into()));
            }
            b if b > 0 => rows.push(Total::strong("Balance due", as_is.with_code(b))),
            b => rows.push(Total::strong("Overpaid: owed to the patient", as_is.with_code(-b))),
        }
    }
    rows
}

impl BillDocument {
    /// A credit note's amounts print as a credit: negative.
    fn sign(&self) -> i64 {
        if self.kind == BillKind::CreditNote { -1 } else { 1 }
    }
}

/// Amounts as printed: in the bill's currency, negated on a credit note.
struct Figures {
    currency: Currency,
    sign: i64,
}

impl Figures {
    /// `1,234.50`: a table's cells and the totals' figures (the currency is said once).
    fn of(&self, minor: i64) -> String {
        Money { minor: self.sign * minor, currency: self.currency }.amount()
    }
    /// `1,234.50 EUR`: the sums a reader looks for.
    fn with_code(&self, minor: i64) -> String {
        Money { minor: self.sign * minor, currency: self.currency }.display()
    }
}

/// A rate in basis points as people write it: 2300 → "23%", 1350 → "13.5%", 0 → "0%".
fn rate(bp: i64) -> String {
    let whole = format!("{}.{:02}", bp / 100, bp % 100);
    format!("{}%", whole.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn rates_print_as_people_write_them() {
        assert_eq!([rate(2300), rate(1350), rate(625), rate(0), rate(10_000), rate(5)], ["23%", "13.5%", "6.25%", "0%", "100%", "0.05%"]);
    }
}
