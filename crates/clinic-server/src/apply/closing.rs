//! Records that close (`Policy::Closing`: a cash session): changed only by their owner while open,
//! by nobody once closed. And ledger entries (`Policy::Ledger`: invoices, payments, refunds,
//! credit notes), written once and never changed.

use clinic_sync::entities::{Entity, Policy};
use clinic_sync::validate::Refusal;
use clinic_sync::{Mutation, Op};
use serde_json::{Map, Value};

pub(super) fn locked(kind: &Entity, held: Option<&Map<String, Value>>, m: &Mutation) -> Result<(), Refusal> {
    match kind.policy {
        Policy::Ledger if held.is_some() || m.op != Op::Insert => Err(Refusal::new("ledger_entry",
            format!("A {} is written once and never changed: a correction is a new entry (a credit note, a refund).", kind.name.replace('_', " ")))),
        Policy::Closing { closed, owner } => {
            if held.is_some_and(|data| data.get(closed).is_some_and(|v| !v.is_null())) {
                return Err(Refusal::new("closed", format!("This {} is closed and can no longer be changed.", kind.name.replace('_', " "))));
            }
            let named = m.changes.get(owner).map(|c| c.new.as_str());
            let held_owner = held.and_then(|data| data.get(owner)).and_then(Value::as_str);
            let owner_is = held_owner.or(named.flatten());
            let maker = m.user_id.map(|u| u.to_string());
            if owner_is.is_none() || owner_is != maker.as_deref() || named.is_some_and(|n| n != owner_is) {
                return Err(Refusal::new("permission_denied", format!("Only its owner opens, changes or closes a {}.", kind.name.replace('_', " "))));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
