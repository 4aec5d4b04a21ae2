//! Who made a change, proven (DESIGN.md §5b): the device token says which workstation sent a
//! mutation; its signature says which person made it. Each is verified against the public key of
//! the staff record it names as its author, as this batch sees that record.

use clinic_sync::entities::{Entity, Policy};
use clinic_sync::signing::verify;
use clinic_sync::validate::Refusal;
use clinic_sync::Mutation;
use serde_json::Value;
use sqlx::PgConnection;

use super::{Batch, Checked};

impl Batch<'_> {
    pub(super) async fn check_author(&mut self, conn: &mut PgConnection, kind: &Entity, m: &Mutation) -> Checked<()> {
        // Audit entries are the workstation's own record of what happened, bound by its device
        // token and its hash chain, whoever was at it.
        if kind.policy == Policy::AppendOnly {
            return Ok(Ok(()));
        }
        let Some(author) = m.user_id else {
            return Ok(Err(Refusal::new("bad_signature", "A change must say who made it.")));
        };
        let staff = self.staff(conn, author).await?;
        let held = staff.as_ref().and_then(|d| d.get("public_key").and_then(Value::as_str).map(str::to_string));
        let key = match held {
            Some(key) => key,
            None if staff.is_none() && self.staff_exists => {
                return Ok(Err(Refusal::new("permission_denied", "The person who made this change is not staff of this organisation.")));
            }
            // No key yet (the first admin at set-up, or someone made before keys existed): only
            // their own record taking its first key, signed by that key. Trust on first use;
            // from then on every change of theirs is checked against it.
            None => match first_key(kind, m, author) {
                Some(key) => key,
                None => return Ok(Err(Refusal::new("bad_signature",
                    "The person named as the author has no signing key yet: they must log in once on an up-to-date workstation."))),
            },
        };
        Ok(verify(&key, m))
    }
}

/// The public key a change gives its own author's staff record, if it gives one.
fn first_key(kind: &Entity, m: &Mutation, author: uuid::Uuid) -> Option<String> {
    if kind.name != "staff" || m.entity_id != author {
        return None;
    }
    m.changes.get("public_key").and_then(|c| c.new.as_str()).map(str::to_string)
}
