//! What an invoice's lines come to (DESIGN.md §7b), in integer minor units: each line's gross
//! (quantity × unit price), its discount, its net, and its tax at the line's rate in basis
//! points, rounded per line, half away from zero; an invoice-wide discount shared out over the
//! lines in proportion to their net (so every line's tax is still worked out on what it really
//! costs); totals per tax rate. Prices are before tax. Pure arithmetic: no store, no clock.

use serde::Serialize;

use super::money::share;
use crate::error::{Error, Result};

pub use clinic_sync::money::{Discount, MOST_UNITS, WHOLE_BP};

/// What `discount` takes off `of`: refused when negative, over 100 %, or larger than `of`.
fn off(discount: Discount, field: &'static str, of: i64) -> Result<i64> {
    let off = match discount {
        Discount::None => 0,
        Discount::Percent(bp) if (0..=WHOLE_BP).contains(&bp) => share(of, bp, WHOLE_BP),
        Discount::Percent(_) => return Err(Error::invalid(field, "A discount is between 0 % and 100 %.")),
        Discount::Amount(minor) if minor < 0 => return Err(Error::invalid(field, "A discount cannot be negative.")),
        Discount::Amount(minor) => minor,
    };
    if off > of {
        return Err(Error::invalid(field, "The discount is larger than what it is taken off."));
    }
    Ok(off)
}

/// One line as charged: so many units at a price, less a discount, taxed at a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub quantity: i64,
    /// Before tax, in minor units.
    pub unit_price: i64,
    pub discount: Discount,
    /// In basis points: 23 % = 2300; 0 for exempt care.
    pub tax_rate_bp: i64,
}

/// What one line comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, specta::Type)]
pub struct LineAmounts {
    /// Quantity × unit price.
    pub gross: i64,
    /// The line's own discount and its share of the invoice's.
    pub discount: i64,
    /// Gross less discount: what the tax is worked out on.
    pub net: i64,
    pub tax: i64,
    /// Net plus tax.
    pub total: i64,
}

/// The net and tax of every line at one rate, as the invoice prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct RateTotal {
    pub tax_rate_bp: i64,
    pub net: i64,
    pub tax: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, specta::Type)]
pub struct Totals {
    pub lines: Vec<LineAmounts>,
    pub gross: i64,
    pub discount: i64,
    pub net: i64,
    pub tax: i64,
    pub total: i64,
    /// Lowest rate first.
    pub by_rate: Vec<RateTotal>,
}

/// A tax rate a line may carry: 0 % to 100 %.
pub fn tax_rate(field: &'static str, bp: i64) -> Result<i64> {
    if !(0..=WHOLE_BP).contains(&bp) {
        return Err(Error::invalid(field, "A tax rate is between 0 % and 100 %."));
    }
    Ok(bp)
}

/// What `lines` come to, with `invoice_discount` shared out over them. Refused (naming the
/// field) for a quantity under 1 or over 9,999, a negative price, a rate out of range, or a
/// discount larger than what it is taken off.
pub fn totals(lines: &[Line], invoice_discount: Discount) -> Result<Totals> {
    let mut amounts = Vec::with_capacity(lines.len());
    for line in lines {
        if !(1..=MOST_UNITS).contains(&line.quantity) {
            return Err(Error::invalid("quantity", format!("A quantity is a whole number from 1 to {MOST_UNITS}.")));
        }
        if line.unit_price < 0 {
            return Err(Error::invalid("unit_price", "A price cannot be negative: take money off with a discount or a credit note."));
        }
        tax_rate("tax_rate", line.tax_rate_bp)?;
        let gross = line.quantity.checked_mul(line.unit_price).filter(|g| *g <= i64::MAX / WHOLE_BP)
            .ok_or_else(|| Error::invalid("unit_price", "This line's amount is too large."))?;
        let discount = off(line.discount, "discount", gross)?;
        amounts.push(LineAmounts { gross, discount, net: gross - discount, ..Default::default() });
    }
    let before: i64 = amounts.iter().map(|a| a.net).sum();
    let shared = off(invoice_discount, "invoice_discount", before)?;
    let parts = shares(shared, &amounts.iter().map(|a| a.net).collect::<Vec<_>>());
    for (a, part) in amounts.iter_mut().zip(parts) {
        a.discount += part;
        a.net -= part;
    }
    let mut totals = Totals::default();
    for (a, line) in amounts.iter_mut().zip(lines) {
        a.tax = share(a.net, line.tax_rate_bp, WHOLE_BP);
        a.total = a.net + a.tax;
        match totals.by_rate.iter_mut().find(|r| r.tax_rate_bp == line.tax_rate_bp) {
            Some(r) => (r.net, r.tax) = (r.net + a.net, r.tax + a.tax),
            None => totals.by_rate.push(RateTotal { tax_rate_bp: line.tax_rate_bp, net: a.net, tax: a.tax }),
        }
        (totals.gross, totals.discount, totals.net, totals.tax, totals.total) =
            (totals.gross + a.gross, totals.discount + a.discount, totals.net + a.net, totals.tax + a.tax, totals.total + a.total);
    }
    totals.by_rate.sort_by_key(|r| r.tax_rate_bp);
    totals.lines = amounts;
    Ok(totals)
}

/// `amount` split in proportion to `weights` (largest remainder: the parts sum to `amount`
/// exactly, and a remainder goes to the earliest of the largest fractions).
fn shares(amount: i64, weights: &[i64]) -> Vec<i64> {
    let whole: i64 = weights.iter().sum();
    if whole == 0 || amount == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(i128, i128)> = weights.iter().map(|w| {
        let p = amount as i128 * *w as i128;
        (p / whole as i128, p % whole as i128)
    }).collect();
    let mut parts: Vec<i64> = exact.iter().map(|(q, _)| *q as i64).collect();
    let mut left = amount - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(exact[*i].1));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn line(quantity: i64, unit_price: i64, discount: Discount, tax_rate_bp: i64) -> Line {
        Line { quantity, unit_price, discount, tax_rate_bp }
    }

    #[test]
    fn a_line_is_taxed_on_its_net_rounded_half_away_from_zero() {
        // 3 × 0.50 at 23 %: net 1.50, tax 34.5 cents → 35.
        let t = totals(&[line(3, 50, Discount::None, 2300)], Discount::None).unwrap();
        assert_eq!(t.lines[0], LineAmounts { gross: 150, discount: 0, net: 150, tax: 35, total: 185 });
        // 10 % off 45.00, exempt: 40.50.
        let t = totals(&[line(1, 4500, Discount::Percent(1000), 0)], Discount::None).unwrap();
        assert_eq!((t.net, t.tax, t.total), (4050, 0, 4050));
    }

    #[test]
    fn an_invoice_discount_is_shared_out_and_taxed_per_line() {
        // 10.00 off 60.00 + 40.00: 6.00 and 4.00; then 23 % and 6 %.
        let t = totals(&[line(1, 6000, Discount::None, 2300), line(1, 4000, Discount::None, 600)], Discount::Amount(1000)).unwrap();
        assert_eq!((t.lines[0].net, t.lines[1].net), (5400, 3600));
        assert_eq!((t.lines[0].tax, t.lines[1].tax), (1242, 216));
        assert_eq!(t.by_rate, vec![RateTotal { tax_rate_bp: 600, net: 3600, tax: 216 }, RateTotal { tax_rate_bp: 2300, net: 5400, tax: 1242 }]);
        assert_eq!((t.discount, t.net, t.tax, t.total), (1000, 9000, 1458, 10458));
        // 1 cent over three equal lines: it lands on one, and none is lost.
        let t = totals(&[line(1, 100, Discount::None, 0); 3], Discount::Amount(1)).unwrap();
        assert_eq!(t.lines.iter().map(|l| l.discount).collect::<Vec<_>>(), vec![1, 0, 0]);
    }

    #[test]
    fn bad_lines_are_refused_naming_their_field() {
        let refused = |lines: &[Line], d: Discount| totals(lines, d).unwrap_err().field.unwrap();
        assert_eq!(refused(&[line(0, 100, Discount::None, 0)], Discount::None), "quantity");
        assert_eq!(refused(&[line(-1, 100, Discount::None, 0)], Discount::None), "quantity");
        assert_eq!(refused(&[line(1, -100, Discount::None, 0)], Discount::None), "unit_price");
        assert_eq!(refused(&[line(1, 100, Discount::None, 10_001)], Discount::None), "tax_rate");
        assert_eq!(refused(&[line(1, 100, Discount::Amount(101), 0)], Discount::None), "discount");
        assert_eq!(refused(&[line(1, 100, Discount::Percent(10_001), 0)], Discount::None), "discount");
        assert_eq!(refused(&[line(1, 100, Discount::None, 0)], Discount::Amount(101)), "invoice_discount");
        assert_eq!(refused(&[line(9_999, i64::MAX / 9_999, Discount::None, 0)], Discount::None), "unit_price");
    }

    #[test]
    fn totals_always_add_up() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..10_000 {
            let lines: Vec<Line> = (0..rng.random_range(1..6)).map(|_| {
                let discount = match rng.random_range(0..3) { 0 => Discount::None, 1 => Discount::Percent(rng.random_range(0..=10_000)), _ => Discount::Amount(rng.random_range(0..100)) };
                line(rng.random_range(1..20), rng.random_range(100..100_000), discount, [0, 600, 1300, 2300][rng.random_range(0..4)])
            }).collect();
            let invoice = Discount::Percent(rng.random_range(0..5000));
            let t = totals(&lines, invoice).unwrap();
            assert_eq!(t.total, t.net + t.tax);
            assert_eq!(t.net, t.gross - t.discount);
            assert_eq!(t.total, t.lines.iter().map(|l| l.total).sum::<i64>());
            assert_eq!(t.net, t.by_rate.iter().map(|r| r.net).sum::<i64>());
            assert_eq!(t.tax, t.by_rate.iter().map(|r| r.tax).sum::<i64>());
            assert!(t.lines.iter().all(|l| l.net >= 0 && l.discount >= 0 && l.total == l.net + l.tax));
        }
    }
}
