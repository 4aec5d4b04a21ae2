//! Unique keys (a username, a record number, one practitioner per staff member). Two workstations
//! offline can both use one value; neither change is lost: both records are kept and a conflict is
//! opened for a person to settle (rename, merge or retire one). Every workstation can store both,
//! since its own indexes on these keys do not refuse duplicates; its use cases check them instead.

use std::collections::HashMap;

use clinic_sync::entities::{entity, Entity};
use clinic_sync::validate::check_value;
use clinic_sync::Mutation;
use serde_json::{json, Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{is_live, Batch};

/// For each (entity, field, value) the batch sets: the live records that held it when it began
/// (`stored`, from the database) and the records this batch gave it (`batch`, so a check does not
/// walk every record of the batch).
#[derive(Default)]
pub(super) struct Holders {
    stored: HashMap<(&'static str, &'static str, String), Vec<Uuid>>,
    batch: HashMap<(&'static str, &'static str, String), Vec<Uuid>>,
}

impl Holders {
    /// One query per unique key the batch touches, served by its index (`record_unique_{entity}_{field}`,
    /// led by the value). The query names the value alone and the organisation is compared here:
    /// given `org_id` too, the planner, on statistics from when the organisation was small (after a
    /// big first enrolment), read every record of the organisation instead (818 ms for 500 values
    /// among 100,000 patients, against 0.4 ms). Unprepared, so each batch is planned for its own
    /// values. The names come from the declaration, never from a workstation.
    pub(super) async fn load(conn: &mut PgConnection, org: Uuid, mutations: &[Mutation]) -> sqlx::Result<Holders> {
        let mut wanted: HashMap<(&'static str, &'static str), Vec<String>> = HashMap::new();
        for m in mutations {
            let Some(kind) = entity(&m.entity) else { continue };
            for field in kind.unique {
                // Only values the mutation may carry: this runs before it is checked (a NUL here
                // failed the whole batch's query).
                let declared = kind.field(field).expect("a unique key is a declared field");
                let value = m.changes.get(*field).filter(|c| check_value(declared, &c.new).is_ok()).and_then(|c| c.new.as_str());
                if let Some(value) = value {
                    wanted.entry((kind.name, field)).or_default().push(value.to_string());
                }
            }
        }
        let mut holders = Holders::default();
        for ((name, field), values) in wanted {
            // Runtime SQL, not `query_as!`: the entity and field names are spliced in from the declaration.
            let found: Vec<(Uuid, Uuid, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT org_id, entity_id, data->>'{field}' FROM record
                 WHERE entity = '{name}' AND data->>'{field}' = ANY($1) AND coalesce(data->>'deleted_at', '') = ''"
            )))
            .bind(&values).persistent(false).fetch_all(&mut *conn).await?;
            for (_, id, value) in found.into_iter().filter(|(holder_org, ..)| *holder_org == org) {
                holders.stored.entry((name, field, value)).or_default().push(id);
            }
        }
        Ok(holders)
    }
}

impl Batch<'_> {
    /// Another live record of the organisation holding `value` in `field`, as the batch stands now.
    fn holder(&self, kind: &Entity, field: &'static str, value: &Value, except: Uuid) -> Option<Uuid> {
        let holds = |data: &Map<String, Value>| is_live(data) && data.get(field) == Some(value);
        let key = (kind.name, field, value.as_str().map_or_else(|| value.to_string(), str::to_string));
        let from_before = self.holders.stored.get(&key).into_iter().flatten().copied().find(|id| {
            *id != except && self.records.get(&(kind.name.to_string(), *id)).is_none_or(|r| holds(&r.data))
        });
        from_before.or_else(|| self.holders.batch.get(&key).into_iter().flatten().copied().find(|id| {
            *id != except && self.records.get(&(kind.name.to_string(), *id)).is_some_and(|r| holds(&r.data))
        }))
    }

    /// Notes the unique values a record of this batch now holds.
    pub(super) fn note_unique_values(&mut self, kind: &Entity, id: Uuid, data: &Map<String, Value>) {
        for field in kind.unique {
            if let Some(value) = data.get(*field).filter(|v| !v.is_null()) {
                let key = (kind.name, *field, value.as_str().map_or_else(|| value.to_string(), str::to_string));
                self.holders.batch.entry(key).or_default().push(id);
            }
        }
    }

    /// A conflict for each unique value this change gave the record that another record holds.
    /// `before`: the record's values of its unique fields before this change, in declared order.
    pub(super) fn duplicates(&self, kind: &Entity, m: &Mutation, before: &[Option<Value>], after: &Map<String, Value>) -> Vec<Value> {
        kind.unique.iter().zip(before).filter_map(|(field, before)| {
            let value = after.get(*field).filter(|v| !v.is_null())?;
            let changed = m.changes.contains_key(*field) && before.as_ref() != Some(value);
            if !changed || !is_live(after) {
                return None;
            }
            let other = self.holder(kind, field, value, m.entity_id)?;
            let shown = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            Some(json!({"kind": "duplicate", "entity": kind.name, "entity_id": m.entity_id, "other_id": other, "field": field,
                "theirs": value.to_string(), "yours": value.to_string(),
                "message": format!("Two {} records have the same {field} “{shown}” (made on two workstations apart): rename, merge or retire one.", kind.name)}))
        }).collect()
    }
}
