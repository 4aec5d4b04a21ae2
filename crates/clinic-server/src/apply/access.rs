//! Who may make a change, re-checked on the server for the mutation's user from the staff records
//! and the entity's declaration: the operation (insert, update, delete — a tombstone is a delete),
//! and each guarded field changed either way (set or cleared). And the clinic always keeps an
//! active admin.

use clinic_sync::entities::{Entity, Guard, Policy, DELETED_AT};
use clinic_sync::permissions::{Allowed, Role};
use clinic_sync::validate::Refusal;
use clinic_sync::{Mutation, Op};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{is_live, truthy, Batch, Checked};

impl Batch<'_> {
    pub(super) async fn check_permission(&mut self, conn: &mut PgConnection, kind: &Entity, m: &Mutation) -> Checked<()> {
        // The very first batch of a clinic (its set-up) creates the first admin: nobody to check yet.
        // Audit entries are facts about the (authenticated) workstation, whoever was at it.
        if !self.staff_exists || kind.policy == Policy::AppendOnly {
            return Ok(Ok(()));
        }
        let denied = |why: String| Ok(Err(Refusal::new("permission_denied", why)));
        let Some(user) = m.user_id else {
            return denied("A change must say who made it.".into());
        };
        let Some(roles) = self.staff(conn, user).await?.and_then(active_roles) else {
            return denied("The person who made this change is not active staff of this organisation.".into());
        };
        let holds = |allowed: Allowed| allowed.admits(&roles);
        let current = self.records.get(&(m.entity.clone(), m.entity_id)).map(|r| &r.data);
        let changes = |field: &str| m.changes.get(field).is_some_and(|c| !same(current.and_then(|d| d.get(field)), &c.new));
        let who = roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
        // A staff member may change some fields of their own record (their password), whatever their roles.
        if kind.name == "staff" && m.entity_id == user && m.op == Op::Update && !m.changes.is_empty()
            && m.changes.keys().all(|f| kind.own.contains(&f.as_str()))
        {
            return Ok(Ok(()));
        }
        // What the change does to the record as the server holds it: an "insert" of a record it
        // already has is an update, and needs what an update needs.
        let (wanted, doing) = match (m.op, current.is_some()) {
            (Op::Insert, false) => (kind.access.insert, "create"),
            (Op::Insert | Op::Update, _) => (kind.access.update, "change"),
            (Op::Delete, _) => (kind.access.delete, "delete"),
        };
        if !holds(wanted) {
            return denied(format!("The person who made this change ({who}) may not {doing} {} records.", kind.name));
        }
        if changes(DELETED_AT.name) && !holds(kind.access.delete) {
            return denied(format!("The person who made this change ({who}) may not delete or restore {} records.", kind.name));
        }
        let guarded = |field: &str, how: Guard| m.changes.get(field).is_some_and(|c| how.applies(current.and_then(|d| d.get(field)), &c.new));
        if let Some((field, _, _)) = kind.guarded.iter().find(|(field, needs, how)| guarded(field, *how) && !holds(Allowed::With(*needs))) {
            return denied(format!("The person who made this change ({who}) may not set or clear {field} of {} records.", kind.name));
        }
        Ok(Ok(()))
    }

    /// A staff member's record as this batch sees it: changed in the batch, or as the server
    /// held it when the batch began (read once a batch).
    pub(super) async fn staff(&mut self, conn: &mut PgConnection, user: Uuid) -> sqlx::Result<Option<Map<String, Value>>> {
        if let Some(rec) = self.records.get(&("staff".to_string(), user)) {
            return Ok(Some(rec.data.clone()));
        }
        if !self.staff.contains_key(&user) {
            let stored = sqlx::query_scalar!(r#"SELECT data AS "data: Json<Map<String, Value>>" FROM record WHERE org_id = $1 AND entity = 'staff' AND entity_id = $2"#,
                self.auth.org_id, user).fetch_optional(&mut *conn).await?.map(|d| d.0);
            self.staff.insert(user, stored);
        }
        Ok(self.staff[&user].clone())
    }

    /// A change that leaves the organisation without an active admin (the last one's role removed,
    /// or disabled, or deleted) is refused: nobody could manage staff or devices any more.
    pub(super) async fn keeps_an_admin(&self, conn: &mut PgConnection, kind: &Entity, id: Uuid, before: Option<&Map<String, Value>>, after: &Map<String, Value>) -> Checked<()> {
        if kind.name != "staff" || !before.is_some_and(active_admin) || active_admin(after) {
            return Ok(Ok(()));
        }
        let stored: Vec<(Uuid, Json<Map<String, Value>>)> =
            sqlx::query!(r#"SELECT entity_id, data AS "data: Json<Map<String, Value>>" FROM record WHERE org_id = $1 AND entity = 'staff' AND entity_id <> $2"#,
                self.auth.org_id, id).fetch_all(&mut *conn).await?
                .into_iter().map(|r| (r.entity_id, r.data)).collect();
        let in_batch = |other: Uuid| self.records.get(&("staff".to_string(), other)).map(|r| &r.data);
        let another = stored.iter().any(|(other, data)| active_admin(in_batch(*other).unwrap_or(&data.0)))
            || self.records.iter().any(|((e, other), r)| e == "staff" && *other != id && active_admin(&r.data));
        Ok(if another {
            Ok(())
        } else {
            Err(Refusal::new("last_admin", "The clinic must keep at least one active admin: give another staff member the admin role first."))
        })
    }
}

/// The roles of an active staff member's record; none if inactive or deleted.
fn active_roles(data: Map<String, Value>) -> Option<Vec<Role>> {
    (data.get("active").is_none_or(|a| truthy(Some(a))) && is_live(&data))
        .then(|| data.get("roles").and_then(Value::as_str).map(|r| r.split(',').filter_map(|s| Role::named(s.trim())).collect()))
        .flatten()
}

fn active_admin(data: &Map<String, Value>) -> bool {
    data.get("active").is_none_or(|a| truthy(Some(a)))
        && is_live(data)
        && data.get("roles").and_then(Value::as_str).is_some_and(|r| r.split(',').any(|r| Role::named(r.trim()) == Some(Role::Admin)))
}

/// Null, false and absent are the same: a flag not set. (Zero is a value: a `deleted_at` of 0 is
/// a tombstone like any other.)
fn unset(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null) | Some(Value::Bool(false)))
}

/// The change leaves the field as it was.
fn same(current: Option<&Value>, new: &Value) -> bool {
    current == Some(new) || (unset(current) && unset(Some(new)))
}
