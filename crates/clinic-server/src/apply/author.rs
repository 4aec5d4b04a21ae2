//! Who made a change, proven (DESIGN.md §5b): the device token says which workstation sent a
//! mutation; its signature says which person made it. Each is verified against the public key of
//! the staff record it names as its author, as this batch sees that record.

use clinic_sync::entities::{Entity, Policy};
use clinic_sync::signing::{is_public_key, verify};
use clinic_sync::validate::Refusal;
use clinic_sync::{Mutation, Op};
use serde_json::Value;
use std::collections::HashMap;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

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
            // A clinic's very first change is its first admin's record, which brings their key:
            // nobody holds one yet to sign it otherwise. Anyone else gets a key from an admin (a
            // new account, or a password reset), never from a change of their own.
            None => match first_admin_key(kind, m, author).filter(|_| !self.staff_exists) {
                Some(key) => key,
                None => return Ok(Err(Refusal::new("bad_signature",
                    "The person named as the author has no signing key: an administrator must reset their password."))),
            },
        };
        // Checked ahead against this very key (the usual case), or now (a key changed in the batch).
        let checked_ahead = self.verdicts.get(&m.mutation_id).is_some_and(|(with, holds)| *with == key && *holds);
        if !checked_ahead {
            if let Err(refusal) = verify(&key, m) {
                return Ok(Err(refusal));
            }
        }
        // A key a staff record takes must be one: a bad one would leave that person unable to
        // sign anything.
        Ok(match m.changes.get("public_key").filter(|_| kind.name == "staff").map(|c| &c.new) {
            Some(Value::String(key)) if !is_public_key(key) => Err(Refusal::new("bad_value", "That is not a signing key (32 bytes, in hex).")),
            _ => Ok(()),
        })
    }
}

/// Signatures checked before the batch: mutation id → (the key, whether it holds).
pub(super) type Verdicts = HashMap<Uuid, (String, bool)>;

/// Checks every signed mutation's signature against its author's key as the server holds it now,
/// on blocking threads, one share per core: a handle to await once the batch's reads are done.
/// Verifying is most of a batch's CPU (about 40 µs a change).
pub(super) async fn verify_ahead(db: &PgPool, org_id: Uuid, mutations: &[Mutation]) -> sqlx::Result<tokio::task::JoinHandle<Verdicts>> {
    let authors: Vec<Uuid> = mutations.iter().filter(|m| m.signature.is_some()).filter_map(|m| m.user_id).collect();
    let keys: HashMap<Uuid, String> = sqlx::query!(
        r#"SELECT entity_id, data->>'public_key' AS "key!" FROM record
           WHERE org_id = $1 AND entity = 'staff' AND entity_id = ANY($2) AND data->>'public_key' IS NOT NULL"#,
        org_id, &authors
    ).fetch_all(db).await?.into_iter().map(|r| (r.entity_id, r.key)).collect();
    let signed: Vec<(String, Mutation)> = mutations.iter()
        .filter_map(|m| keys.get(&m.user_id?).map(|key| (key.clone(), m.clone()))).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let shares: Vec<Vec<(String, Mutation)>> = signed.chunks(signed.len().div_ceil(cores).max(1)).map(<[_]>::to_vec).collect();
    Ok(tokio::spawn(async move {
        let checks = shares.into_iter().map(|share| tokio::task::spawn_blocking(move || {
            share.into_iter().map(|(key, m)| { let holds = verify(&key, &m).is_ok(); (m.mutation_id, (key, holds)) }).collect::<Vec<_>>()
        }));
        let mut verdicts = Verdicts::new();
        for check in checks.collect::<Vec<_>>() {
            verdicts.extend(check.await.expect("a signature check"));
        }
        verdicts
    }))
}

/// The public key a new staff record brings for its own author (the first admin, at set-up).
fn first_admin_key(kind: &Entity, m: &Mutation, author: Uuid) -> Option<String> {
    if kind.name != "staff" || m.entity_id != author || m.op != Op::Insert {
        return None;
    }
    m.changes.get("public_key").and_then(|c| c.new.as_str()).map(str::to_string)
}
