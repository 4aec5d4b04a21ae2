//! Audit entries join their workstation's chain here only in order (DESIGN.md §5b): from the
//! workstation that wrote them, numbered right after the last one the server acknowledged,
//! linked to its hash, and matching their own. A forged entry for another workstation, a gap, a
//! reordering or a rewritten entry is refused; the head moves with each entry taken.

use clinic_sync::audit_chain::ChainEntry;
use clinic_sync::validate::Refusal;
use clinic_sync::Mutation;
use serde_json::json;

use super::Batch;

impl Batch<'_> {
    /// Takes the entry into the chain, or refuses it and notes where this workstation's trail
    /// broke (`audit_break`, reported by `verify-audit`).
    pub(super) fn follows_chain(&mut self, m: &Mutation) -> Result<(), Refusal> {
        let taken = self.takes(m);
        if let Err(refusal) = &taken {
            let seq = m.changes.get("seq").and_then(|c| c.new.as_i64()).unwrap_or(0);
            self.chain_breaks.push((seq, refusal.reason.clone()));
        }
        taken
    }

    fn takes(&mut self, m: &Mutation) -> Result<(), Refusal> {
        let refused = |why: String| Err(Refusal::new("audit_chain", why));
        let entry = ChainEntry::from_fields(|field| match field {
            "id" => Some(json!(m.entity_id)),
            "org_id" => Some(json!(self.auth.clinic_id)),
            other => m.changes.get(other).map(|c| c.new.clone()),
        });
        let Some(entry) = entry else {
            return refused("An audit entry must carry every field of its chain.".into());
        };
        if entry.device_id != self.auth.device_id {
            return refused("An audit entry is pushed by the workstation that wrote it.".into());
        }
        let (seq, hash) = &self.chain_head;
        if entry.seq != seq + 1 || entry.prev_hash != *hash {
            return refused(format!(
                "Audit entry {} of this workstation does not follow entry {seq}, the last one the server acknowledged.", entry.seq));
        }
        if entry.computed_hash() != entry.hash {
            return refused(format!("Audit entry {} does not match its own hash: it was changed after it was written.", entry.seq));
        }
        self.chain_head = (entry.seq, entry.hash);
        self.chain_moved = true;
        Ok(())
    }
}
