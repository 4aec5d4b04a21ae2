//! The cash-up's report (DESIGN.md §7b): a closed cash session's Z-report, or while it is still
//! open its X-report (figures so far, "not closed"). Who and which drawer, when it opened and
//! closed, the opening float; per method what was expected, what was counted and the variance;
//! then every payment and refund of the session in time order; a line for the cashier to sign.

use chrono::{DateTime, Utc};

use super::{Align, Cell, ClinicDetails, Column, Layout, Letterhead, Style, Total, CONTENT_WIDTH};
use crate::domain::{Currency, Money};
use crate::error::{Error, Result};

/// Everything a cash-up report shows, already read from the store and summed by the cash-up.
#[derive(Debug, Clone)]
pub struct CashUpDocument {
    pub clinic: ClinicDetails,
    /// E.g. "Z-LIS-3-2026-000007".
    pub reference: String,
    pub cashier: String,
    pub drawer: String,
    /// Local time, "2026-03-02 08:01".
    pub opened: String,
    /// None while the session is open: the report is then an X-report, figures so far.
    pub closed: Option<String>,
    pub currency: Currency,
    pub opening_float: i64,
    /// One per method used or counted.
    pub methods: Vec<MethodCount>,
    /// The session's payments and refunds, in time order.
    pub entries: Vec<CashUpEntry>,
    /// For a reprint: when the original was printed. Marks every page "COPY".
    pub copy: Option<String>,
    pub printed_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct MethodCount {
    pub method: String,
    /// For cash: the float plus cash taken less cash refunded.
    pub expected: i64,
    /// None while the session is open.
    pub counted: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CashUpEntry {
    /// Local time of day, "10:15".
    pub time: String,
    /// The invoice's number.
    pub reference: String,
    pub patient: String,
    pub method: String,
    /// Negative for a refund.
    pub amount: i64,
}

/// The cash-up report as a PDF (A4, one page or more).
pub fn cash_up_pdf(doc: &CashUpDocument) -> Result<Vec<u8>> {
    if doc.cashier.trim().is_empty() {
        return Err(Error::invalid("cashier", "The cash session has no cashier."));
    }
    let money = |minor: i64| Money { minor, currency: doc.currency }.amount();
    let with_code = |minor: i64| Money { minor, currency: doc.currency }.display();
    let title = if doc.closed.is_some() { "Z-report" } else { "X-report (not closed)" };
    let mut reference = vec![format!("No. {}", doc.reference), format!("Opened {}", doc.opened)];
    reference.push(match &doc.closed {
        Some(closed) => format!("Closed {closed}"),
        None => "Still open".into(),
    });
    let letterhead = Letterhead {
        clinic: doc.clinic.name.clone(),
        logo: doc.clinic.logo.as_deref(),
        lines: doc.clinic.lines(),
        title: title.into(),
        reference,
    };
    let footer = format!("{title} {} · {} · {}", doc.reference, doc.cashier, doc.drawer);
    let mut page = Layout::new(&letterhead, &footer, doc.copy.as_deref())?;

    let closed = doc.closed.clone().unwrap_or_else(|| "Not closed: the figures so far; nothing has been counted".into());
    let float = with_code(doc.opening_float);
    page.heading("Cash session");
    page.key_values(&[
        ("Cashier", doc.cashier.as_str()),
        ("Drawer", &doc.drawer),
        ("Opened", &doc.opened),
        ("Closed", &closed),
        ("Opening float", &float),
    ]);

    page.space(4.0);
    page.heading(&format!("Expected and counted, by method ({})", doc.currency.code()));
    let columns = [
        Column { title: "Method", width: CONTENT_WIDTH - 3.0 * 34.0 - 24.0, align: Align::Left },
        Column { title: "Expected", width: 34.0, align: Align::Right },
        Column { title: "Counted", width: 34.0, align: Align::Right },
        Column { title: "Variance", width: 34.0, align: Align::Right },
        Column { title: "", width: 24.0, align: Align::Left },
    ];
    let mut rows: Vec<Vec<Cell>> = doc
        .methods
        .iter()
        .map(|m| {
            let (counted, variance, verdict) = match m.counted {
                Some(counted) => (money(counted), signed(counted - m.expected, &money), verdict(counted - m.expected)),
                None => ("–".into(), "–".into(), ""),
            };
            vec![Cell::bold(m.method.as_str()), Cell::plain(money(m.expected)), Cell::plain(counted), Cell::bold(variance), Cell::plain(verdict)]
        })
        .collect();
    let expected: i64 = doc.methods.iter().map(|m| m.expected).sum();
    let counted: Option<i64> = doc.methods.iter().map(|m| m.counted).sum();
    let (counted, variance, verdict) = match counted {
        Some(counted) => (money(counted), signed(counted - expected, &money), verdict(counted - expected)),
        None => ("–".into(), "–".into(), ""),
    };
    rows.push(vec![Cell::bold("All methods"), Cell::bold(money(expected)), Cell::bold(counted), Cell::bold(variance), Cell::bold(verdict)]);
    page.table(&columns, &rows);

    page.space(4.0);
    page.heading(&format!("Payments and refunds ({})", doc.currency.code()));
    if doc.entries.is_empty() {
        page.text("None in this session.", Style::BODY);
    } else {
        let columns = [
            Column { title: "Time", width: 16.0, align: Align::Left },
            Column { title: "Invoice", width: 44.0, align: Align::Left },
            Column { title: "Patient", width: CONTENT_WIDTH - 16.0 - 44.0 - 34.0 - 28.0, align: Align::Left },
            Column { title: "Method", width: 34.0, align: Align::Left },
            Column { title: "Amount", width: 28.0, align: Align::Right },
        ];
        let rows: Vec<Vec<Cell>> = doc
            .entries
            .iter()
            .map(|e| {
                vec![Cell::plain(e.time.as_str()), Cell::plain(e.reference.as_str()), Cell::plain(e.patient.as_str()), Cell::plain(e.method.as_str()), Cell::plain(money(e.amount))]
            })
            .collect();
        page.dense_table(&columns, &rows);
        let taken: i64 = doc.entries.iter().map(|e| e.amount).filter(|a| *a > 0).sum();
        let refunded: i64 = doc.entries.iter().map(|e| e.amount).filter(|a| *a < 0).sum();
        let (payments, refunds) = doc.entries.iter().fold((0, 0), |(p, r), e| if e.amount < 0 { (p, r + 1) } else { (p + 1, r) });
        page.totals(&[
            Total::row(format!("Taken ({})", count(payments, "payment")), money(taken)),
            Total::row(format!("Refunded ({})", count(refunds, "refund")), money(refunded)),
            Total::Rule,
            Total::strong("Net taken", with_code(taken + refunded)),
        ]);
    }

    let date = doc.closed.as_deref().unwrap_or(&doc.opened);
    let date = date.split(' ').next().unwrap_or(date);
    page.signature_line(date, &[doc.cashier.clone(), format!("Drawer {}", doc.drawer)]);
    Ok(page.finish(doc.printed_at))
}

/// A variance with its sign always shown: "+1.00", "-2.50", "0.00".
fn signed(minor: i64, money: &impl Fn(i64) -> String) -> String {
    if minor > 0 { format!("+{}", money(minor)) } else { money(minor) }
}

fn verdict(variance: i64) -> &'static str {
    match variance {
        0 => "balanced",
        v if v > 0 => "over",
        _ => "short",
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}
