//! What money records hold beyond plain values (DESIGN.md §7b): an invoice's lines, a discount,
//! a credit note's lines, amounts per payment method. One shape here, checked by the server on
//! every push and by a workstation on every pull; the core reads and writes these same types.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How money is paid: "credit" is the patient's own credit (an earlier overpayment) spent.
pub const METHODS: &[&str] = &["cash", "card", "transfer", "other", "credit"];
/// The most lines one invoice has.
pub const MOST_LINES: usize = 200;
/// The largest quantity on one line.
pub const MOST_UNITS: i64 = 9_999;
/// The largest price or amount: ten thousand million in major units of a two-decimal currency.
pub const MOST_MINOR: i64 = 1_000_000_000_000;
/// A whole in basis points: 100 % = 10 000.
pub const WHOLE_BP: i64 = 10_000;

/// A discount: a percentage (in basis points: 10 % = 1000) or an amount in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Discount {
    #[default]
    None,
    Percent(i64),
    Amount(i64),
}

/// One line of an invoice as stored and synced: what was charged, in the words printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct ChargeLine {
    pub description: String,
    /// The appointment type or price item it was chosen from (none: typed freely).
    pub item_id: Option<String>,
    pub quantity: i64,
    /// Before tax, in minor units.
    pub unit_price: i64,
    pub discount: Discount,
    pub tax_rate_bp: i64,
}

/// So many units of one line of the invoice a credit note refers to (`line`: its index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct CreditLine {
    pub line: usize,
    pub quantity: i64,
}

impl Discount {
    /// Whether it is one a line (or an invoice) of `gross` can take: a percentage up to 100 %,
    /// an amount up to what it is taken off.
    pub fn fits(self, gross: i64) -> bool {
        match self {
            Discount::None => true,
            Discount::Percent(bp) => (0..=WHOLE_BP).contains(&bp),
            Discount::Amount(minor) => (0..=gross).contains(&minor),
        }
    }
}

fn plain(s: &str, max: usize) -> bool {
    !s.contains('\0') && s.chars().count() <= max
}

fn is_id(s: &str) -> bool {
    s.parse::<uuid::Uuid>().is_ok_and(|id| id.hyphenated().to_string() == s)
}

impl ChargeLine {
    pub fn is_valid(&self) -> bool {
        let gross = self.quantity.saturating_mul(self.unit_price);
        !self.description.trim().is_empty() && plain(&self.description, 200) && self.item_id.as_deref().is_none_or(is_id)
            && (1..=MOST_UNITS).contains(&self.quantity) && (0..=MOST_MINOR).contains(&self.unit_price)
            && (0..=WHOLE_BP).contains(&self.tax_rate_bp) && self.discount.fits(gross)
    }
}

pub fn is_charges(v: &Value) -> bool {
    serde_json::from_value::<Vec<ChargeLine>>(v.clone()).is_ok_and(|lines| lines.len() <= MOST_LINES && lines.iter().all(ChargeLine::is_valid))
}

pub fn is_discount(v: &Value) -> bool {
    serde_json::from_value::<Discount>(v.clone()).is_ok_and(|d| match d {
        Discount::Amount(minor) => (0..=MOST_MINOR).contains(&minor),
        other => other.fits(0),
    })
}

pub fn is_credits(v: &Value) -> bool {
    serde_json::from_value::<Vec<CreditLine>>(v.clone()).is_ok_and(|lines| {
        !lines.is_empty() && lines.len() <= MOST_LINES && lines.iter().all(|l| l.line < MOST_LINES && (1..=MOST_UNITS).contains(&l.quantity))
    })
}

/// `{"cash": 12000, "card": 4550}`: known methods (not "credit": no money moves), amounts in range.
pub fn is_amounts(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.iter().all(|(k, v)| METHODS.contains(&k.as_str()) && k != "credit" && v.as_i64().is_some_and(|n| (0..=MOST_MINOR).contains(&n)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_are_checked() {
        let line = json!({"description": "Consultation", "item_id": null, "quantity": 1, "unit_price": 6000, "discount": {"kind": "none"}, "tax_rate_bp": 0});
        assert!(is_charges(&json!([line])));
        assert!(is_charges(&json!([])), "a draft starts empty");
        for (field, bad) in [("quantity", json!(0)), ("quantity", json!(10_000)), ("unit_price", json!(-1)), ("tax_rate_bp", json!(10_001)),
            ("description", json!(" ")), ("discount", json!({"kind": "amount", "value": 6001})), ("discount", json!({"kind": "percent", "value": 10_001})),
            ("item_id", json!("not an id")), ("colour", json!("red"))] {
            let mut l = line.clone();
            l[field] = bad.clone();
            assert!(!is_charges(&json!([l])), "{field}: {bad}");
        }
        assert!(is_discount(&json!({"kind": "percent", "value": 1000})) && is_discount(&json!({"kind": "none"})));
        assert!(!is_discount(&json!({"kind": "amount", "value": -5})) && !is_discount(&json!({"kind": "half"})));
        assert!(is_credits(&json!([{"line": 0, "quantity": 2}])) && !is_credits(&json!([])) && !is_credits(&json!([{"line": 0, "quantity": 0}])));
        assert!(is_amounts(&json!({"cash": 100, "card": 0})) && !is_amounts(&json!({"cash": -1})) && !is_amounts(&json!({"credit": 5})));
    }
}
