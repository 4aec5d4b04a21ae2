//! References (`Kind::Ref`): a record may point only to a live record of the named entity that
//! the server holds (a booking for a patient that never reached it is a booking no workstation
//! could show). The records a batch refers to are read up front, in one query; those the batch
//! itself creates count as they are applied. A reference the record already holds is not asked
//! again (a creation made again carries every field). Checked before merging: a change whose
//! reference would lose to a later one is still refused if it names nothing the server holds.

use std::collections::HashSet;

use clinic_sync::entities::{entity, Kind};
use clinic_sync::validate::{check_value, Refusal};
use clinic_sync::Mutation;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{is_live, Batch};

/// The records of the organisation a batch's references name, as (entity, id).
pub(super) async fn load(conn: &mut PgConnection, org: Uuid, mutations: &[Mutation]) -> sqlx::Result<HashSet<(String, Uuid)>> {
    let ids: Vec<Uuid> = mutations.iter().flat_map(references).map(|(_, _, id)| id).collect();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(sqlx::query!("SELECT entity, entity_id FROM record WHERE org_id = $1 AND entity_id = ANY($2) AND coalesce(data->>'deleted_at', '') = ''", org, &ids)
        .fetch_all(&mut *conn).await?.into_iter().map(|r| (r.entity, r.entity_id)).collect())
}

/// What a mutation's changes refer to: (field, entity, id), for the values it may carry.
fn references(m: &Mutation) -> Vec<(&'static str, &'static str, Uuid)> {
    let Some(kind) = entity(&m.entity) else { return Vec::new() };
    kind.fields.iter().filter_map(|f| {
        let Kind::Ref(target) = f.kind else { return None };
        let value = m.changes.get(f.name).map(|c| &c.new).filter(|v| check_value(f, v).is_ok())?;
        let id = value.as_str().and_then(|s| s.parse().ok())?;
        Some((f.name, target, id))
    }).collect()
}

impl Batch<'_> {
    /// Refuses a change that points to a record the server never received.
    pub(super) fn check_references(&self, m: &Mutation) -> Result<(), Refusal> {
        let held = self.records.get(&(m.entity.clone(), m.entity_id));
        for (field, target, id) in references(m) {
            if held.and_then(|r| r.data.get(field)).and_then(|v| v.as_str()) == Some(id.to_string().as_str()) {
                continue;
            }
            let key = (target.to_string(), id);
            let in_batch = self.records.get(&key).is_some_and(|r| is_live(&r.data));
            if !in_batch && !self.referred.contains(&key) {
                return Err(Refusal::new("unknown_reference", format!("{field} refers to a {} the server never received.", target.replace('_', " "))));
            }
        }
        Ok(())
    }
}
