//! Applying a pushed batch: each mutation by its entity's policy, in one transaction per batch,
//! one writer per organisation at a time (so `server_seq` commits in order and a pull by cursor
//! never skips a change). Reads for the whole batch are made up front and writes are sent in bulk.

use std::collections::{HashMap, HashSet};

use clinic_sync::entities::{entity, Entity, Policy};
use clinic_sync::{Mutation, Op, Outcome, PushResult};
use serde_json::{json, Map, Value};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::admin::DeviceAuth;
use crate::error::ApiResult;

/// Columns every synced row has, which only the server sets from the mutation itself.
const META: &[&str] = &["id", "org_id", "created_at", "created_by", "updated_at", "updated_hlc", "updated_by", "version"];

/// A record as this batch sees and changes it.
struct Rec {
    version: i64,
    server_seq: i64,
    data: Map<String, Value>,
    /// Per field: {hlc, version, device} of its last change.
    fields: Map<String, Value>,
}

struct LogRow {
    server_seq: i64,
    entity: String,
    entity_id: Uuid,
    version: i64,
    mutation_id: Option<Uuid>,
    user_id: Option<Uuid>,
    hlc: String,
    changes: Value,
}

struct Batch<'a> {
    auth: &'a DeviceAuth,
    records: HashMap<(String, Uuid), Rec>,
    touched: Vec<(String, Uuid)>,
    log: Vec<LogRow>,
    seqs: std::vec::IntoIter<i64>,
    roles: HashMap<Uuid, Option<Vec<String>>>,
    staff_exists: bool,
    /// Conflicts already opened about records of this batch: (status, resolution).
    conflicts_about: HashMap<Uuid, Vec<(String, Option<String>)>>,
}

type Rejection = (&'static str, String);

pub async fn push(db: &PgPool, auth: &DeviceAuth, mut mutations: Vec<Mutation>) -> ApiResult<Vec<PushResult>> {
    mutations.sort_by_key(|m| m.device_seq);
    let mut tx = db.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))").bind(auth.org_id).execute(&mut *tx).await?;

    let ids: Vec<Uuid> = mutations.iter().map(|m| m.mutation_id).collect();
    let seen: HashMap<Uuid, (Uuid, Json<Outcome>)> =
        sqlx::query_as::<_, (Uuid, Uuid, Json<Outcome>)>("SELECT mutation_id, org_id, outcome FROM applied_mutation WHERE mutation_id = ANY($1)")
            .bind(&ids).fetch_all(&mut *tx).await?
            .into_iter().map(|(id, org, outcome)| (id, (org, outcome))).collect();
    let entity_ids: Vec<Uuid> = mutations.iter().map(|m| m.entity_id).collect();
    let records = sqlx::query_as::<_, (String, Uuid, i64, i64, Json<Map<String, Value>>, Json<Map<String, Value>>)>(
        "SELECT entity, entity_id, version, server_seq, data, fields FROM record WHERE org_id = $1 AND entity_id = ANY($2)",
    )
    .bind(auth.org_id).bind(&entity_ids).fetch_all(&mut *tx).await?
    .into_iter()
    .map(|(e, id, version, server_seq, data, fields)| ((e, id), Rec { version, server_seq, data: data.0, fields: fields.0 }))
    .collect();
    // Server sequence numbers for the change and every conflict a mutation may open (a clash, or
    // one per sensitive field); the unused ones are gaps, which cursors do not mind.
    let most_conflicts = 1 + clinic_sync::ENTITIES.iter()
        .map(|e| match e.policy { Policy::FieldMerge { human } => human.len(), _ => 0 }).max().unwrap_or(0);
    let seqs: Vec<i64> = sqlx::query_scalar("SELECT nextval('server_seq') FROM generate_series(1, $1)")
        .bind(((1 + most_conflicts) * mutations.len()) as i64).fetch_all(&mut *tx).await?;
    let staff_exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM record WHERE org_id = $1 AND entity = 'staff')")
        .bind(auth.org_id).fetch_one(&mut *tx).await?;
    let mut conflicts_about: HashMap<Uuid, Vec<(String, Option<String>)>> = HashMap::new();
    for (about, status, resolution) in sqlx::query_as::<_, (Uuid, String, Option<String>)>(
        "SELECT (data->>'entity_id')::uuid, data->>'status', data->>'resolution' FROM record
         WHERE org_id = $1 AND entity = 'sync_conflict' AND (data->>'entity_id')::uuid = ANY($2)",
    ).bind(auth.org_id).bind(&entity_ids).fetch_all(&mut *tx).await? {
        conflicts_about.entry(about).or_default().push((status, resolution));
    }
    let mut batch = Batch { auth, records, touched: Vec::new(), log: Vec::new(), seqs: seqs.into_iter(), roles: HashMap::new(), staff_exists, conflicts_about };

    let mut results = Vec::with_capacity(mutations.len());
    let mut fresh: Vec<(Uuid, Value)> = Vec::new();
    let mut in_batch = HashSet::new();
    for m in &mutations {
        let outcome = match seen.get(&m.mutation_id) {
            Some((org, first)) if *org == auth.org_id => Outcome::Duplicate { first: Box::new(first.0.clone()) },
            Some(_) => Outcome::Rejected { code: "bad_mutation".into(), reason: "This mutation id was already used.".into() },
            None if !in_batch.insert(m.mutation_id) => Outcome::Rejected { code: "bad_mutation".into(), reason: "This mutation id appears twice in one push.".into() },
            None => {
                let outcome = match batch.apply(&mut tx, m).await? {
                    Ok(outcome) => outcome,
                    Err((code, reason)) => Outcome::Rejected { code: code.into(), reason },
                };
                fresh.push((m.mutation_id, serde_json::to_value(&outcome).expect("outcome")));
                outcome
            }
        };
        results.push(PushResult { mutation_id: m.mutation_id, outcome });
    }
    batch.write(&mut tx, &fresh).await?;
    tx.commit().await?;
    Ok(results)
}

impl Batch<'_> {
    async fn apply(&mut self, conn: &mut PgConnection, m: &Mutation) -> ApiResult<Result<Outcome, Rejection>> {
        let Some(kind) = entity(&m.entity) else {
            return Ok(Err(("unknown_entity", format!("“{}” is not something that syncs.", m.entity))));
        };
        if let Some(bad) = m.changes.keys().find(|f| META.contains(&f.as_str()) || !is_identifier(f)) {
            return Ok(Err(("bad_field", format!("“{bad}” cannot be changed by a workstation."))));
        }
        if let Some(reason) = m.changes.iter().find_map(|(field, change)| bad_value(field, &change.new)) {
            return Ok(Err(("bad_value", reason)));
        }
        if let Err(rejection) = self.check_permission(conn, kind, m).await? {
            return Ok(Err(rejection));
        }
        let key = (m.entity.clone(), m.entity_id);
        let exists = self.records.contains_key(&key);
        if kind.name == "sync_conflict" && (m.op != Op::Update || m.changes.keys().any(|f| !clinic_sync::entities::SETTLING_FIELDS.contains(&f.as_str()))) {
            return Ok(Err(("bad_field", "Only the server opens a conflict; a workstation settles it (status and resolution).".into())));
        }
        match (kind.policy, m.op, exists) {
            (Policy::AppendOnly, Op::Insert, true) => {
                // Written once: the same entry again changes nothing.
                let r = &self.records[&key];
                return Ok(Ok(Outcome::Applied { server_seq: r.server_seq, version: r.version }));
            }
            (Policy::AppendOnly, _, true) | (Policy::AppendOnly, Op::Update | Op::Delete, false) => {
                return Ok(Err(("append_only", format!("{} entries are never changed.", m.entity))));
            }
            (_, Op::Update | Op::Delete, false) => {
                return Ok(Err(("unknown_record", "The record this change is about never reached the server.".into())));
            }
            _ => {}
        }
        let device = self.auth.device_id.to_string();
        let rec = self.records.entry(key.clone()).or_insert_with(|| Rec {
            version: 0,
            server_seq: 0,
            data: Map::from_iter([
                ("id".to_string(), json!(m.entity_id)),
                ("org_id".to_string(), json!(self.auth.clinic_id)),
                ("created_at".to_string(), json!(m.at)),
                ("created_by".to_string(), json!(m.user_id)),
            ]),
            fields: Map::new(),
        });
        // Only an appointment can be refused after merging (see below): keep its state to restore.
        let before = (kind.policy == Policy::NoOverlap).then(|| (rec.data.clone(), rec.fields.clone()));
        let version = rec.version + 1;
        let human: &[&str] = match kind.policy {
            Policy::FieldMerge { human } => human,
            _ => &[],
        };
        let mut disputed = Vec::new();
        // A record's first version needs no per-field history: a later change made on any version
        // is not concurrent with its creation. (Keeps a pushed batch of new records small.)
        let created = rec.version == 0;
        for (field, change) in &m.changes {
            let last = rec.fields.get(field);
            let last_version = last.and_then(|l| l["version"].as_i64()).unwrap_or(0);
            let last_device = last.and_then(|l| l["device"].as_str()).unwrap_or_default();
            // Changed on another workstation since the version this change was made on.
            let concurrent = last.is_some() && last_device != device && last_version > m.base_version.unwrap_or(0);
            if concurrent && human.contains(&field.as_str()) && rec.data.get(field) != Some(&change.new) {
                disputed.push((field.clone(), rec.data.get(field).cloned().unwrap_or(Value::Null), change.new.clone()));
                continue;
            }
            if concurrent && last.and_then(|l| l["hlc"].as_str()).is_some_and(|h| h > m.hlc.as_str()) {
                continue; // the later change wins; this one stays in the change log
            }
            rec.data.insert(field.clone(), change.new.clone());
            if !created {
                rec.fields.insert(field.clone(), json!({"hlc": m.hlc, "version": version, "device": device}));
            }
        }
        if m.op == Op::Delete {
            rec.data.insert("deleted_at".into(), json!(m.at));
        }
        let newer = rec.data.get("updated_hlc").and_then(Value::as_str).is_none_or(|h| h <= m.hlc.as_str());
        if newer {
            rec.data.insert("updated_at".into(), json!(m.at));
            rec.data.insert("updated_hlc".into(), json!(m.hlc));
            rec.data.insert("updated_by".into(), json!(m.user_id));
        }
        // Merged with what other workstations changed, the record must still be one every
        // workstation can store: otherwise this change is refused and the record stays as it was.
        if let Some((reason, (data, fields))) = before.and_then(|kept| bad_appointment(&rec.data).map(|reason| (reason, kept))) {
            (rec.data, rec.fields) = (data, fields);
            if rec.version == 0 {
                self.records.remove(&key);
            }
            return Ok(Err(("bad_value", reason)));
        }
        rec.version = version;
        rec.server_seq = self.seqs.next().expect("sequence block");
        let (server_seq, data) = (rec.server_seq, rec.data.clone());
        self.touched.push(key);
        self.log.push(LogRow {
            server_seq, entity: m.entity.clone(), entity_id: m.entity_id, version, mutation_id: Some(m.mutation_id),
            user_id: m.user_id, hlc: m.hlc.clone(), changes: serde_json::to_value(&m.changes).expect("changes"),
        });

        let mut conflicts = Vec::new();
        if kind.policy == Policy::NoOverlap {
            let clash = self.hold_slot(conn, m.entity_id, &data).await?;
            self.free_waiting(conn, m.entity_id).await?;
            if let Some(other) = clash.filter(|_| !self.clash_settled_or_open(m.entity_id)) {
                conflicts.push(json!({"kind": "appointment_clash", "entity": "appointment", "entity_id": m.entity_id, "other_id": other,
                    "message": "Booked on two workstations for the same practitioner at the same time."}));
            }
        }
        // One conflict per field in dispute: each value not applied stays in front of a person.
        for (field, theirs, yours) in disputed {
            conflicts.push(json!({"kind": "field", "entity": m.entity, "entity_id": m.entity_id, "field": field,
                "theirs": theirs.to_string(), "yours": yours.to_string(),
                "message": format!("{field} was changed on two workstations: choose the right value.")}));
        }
        if kind.name == "staff" {
            self.roles.remove(&m.entity_id); // their roles may have changed: read them again
        }
        let mut first_conflict = None;
        for details in conflicts {
            let id = self.open_conflict(m, details);
            first_conflict.get_or_insert(id);
        }
        Ok(Ok(match first_conflict {
            None => Outcome::Applied { server_seq, version },
            Some(conflict_id) => Outcome::Conflict { conflict_id, server_seq, version },
        }))
    }

    /// Whether this appointment's clash is already open, or was kept deliberately: no second conflict.
    fn clash_settled_or_open(&self, appointment: Uuid) -> bool {
        self.conflicts_about.get(&appointment).is_some_and(|c| c.iter().any(|(status, resolution)| {
            status == "open" || resolution.as_deref() == Some("kept_both")
        }))
    }

    /// Appointments that clashed with this one hold no time; now that this one may have moved or
    /// ended, each takes its time if it is free (and a later booking there is flagged against it).
    async fn free_waiting(&self, conn: &mut PgConnection, freed_by: Uuid) -> ApiResult<()> {
        let freed = freed_by.to_string();
        let mut waiting: Vec<Uuid> = sqlx::query_scalar(
            "SELECT (data->>'entity_id')::uuid FROM record
             WHERE org_id = $1 AND entity = 'sync_conflict' AND data->>'kind' = 'appointment_clash' AND data->>'other_id' = $2",
        ).bind(self.auth.org_id).bind(&freed).fetch_all(&mut *conn).await?;
        waiting.extend(self.records.iter()
            .filter(|((e, _), r)| e == "sync_conflict" && r.data.get("other_id").and_then(Value::as_str) == Some(freed.as_str()))
            .filter_map(|(_, r)| r.data.get("entity_id").and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok())));
        waiting.sort();
        waiting.dedup();
        for appointment in waiting.into_iter().filter(|w| *w != freed_by) {
            let data = match self.records.get(&("appointment".to_string(), appointment)) {
                Some(rec) => rec.data.clone(),
                None => match sqlx::query_scalar::<_, Json<Map<String, Value>>>(
                    "SELECT data FROM record WHERE org_id = $1 AND entity = 'appointment' AND entity_id = $2",
                ).bind(self.auth.org_id).bind(appointment).fetch_optional(&mut *conn).await? {
                    Some(data) => data.0,
                    None => continue,
                },
            };
            // Still clashing with something else: it keeps the conflict it has.
            self.hold_slot(conn, appointment, &data).await?;
        }
        Ok(())
    }

    /// Holds the appointment's time for its practitioner, or names the appointment already there.
    async fn hold_slot(&self, conn: &mut PgConnection, id: Uuid, data: &Map<String, Value>) -> ApiResult<Option<Uuid>> {
        let active = matches!(data.get("status").and_then(Value::as_str), Some("booked" | "arrived" | "in_consultation"))
            && data.get("deleted_at").is_none_or(Value::is_null)
            // Booked over another on purpose, by someone who may: holds no exclusive time.
            && !truthy(data.get("double_booked"));
        let (practitioner, starts, until) = (
            data.get("practitioner_id").and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok()),
            data.get("starts_at").and_then(Value::as_i64),
            data.get("busy_until").and_then(Value::as_i64),
        );
        sqlx::query("DELETE FROM appointment_slot WHERE org_id = $1 AND appointment_id = $2").bind(self.auth.org_id).bind(id).execute(&mut *conn).await?;
        let (true, Some(practitioner), Some(starts), Some(until)) = (active, practitioner, starts, until) else { return Ok(None) };
        let other: Option<Uuid> = sqlx::query_scalar(
            "SELECT appointment_id FROM appointment_slot
             WHERE org_id = $1 AND practitioner_id = $2 AND appointment_id <> $5
               AND during && tstzrange(to_timestamp($3 / 1000.0), to_timestamp($4 / 1000.0), '[)') LIMIT 1",
        )
        .bind(self.auth.org_id).bind(practitioner).bind(starts).bind(until).bind(id)
        .fetch_optional(&mut *conn).await?;
        if other.is_none() {
            sqlx::query(
                "INSERT INTO appointment_slot (org_id, practitioner_id, during, appointment_id)
                 VALUES ($1, $2, tstzrange(to_timestamp($3 / 1000.0), to_timestamp($4 / 1000.0), '[)'), $5)",
            )
                .bind(self.auth.org_id).bind(practitioner).bind(starts).bind(until).bind(id)
                .execute(&mut *conn).await?;
        }
        Ok(other)
    }

    /// A conflict is a record like any other: every workstation of the organisation receives it.
    fn open_conflict(&mut self, m: &Mutation, details: Value) -> Uuid {
        let id = Uuid::now_v7();
        let mut data = Map::from_iter([
            ("id".to_string(), json!(id)), ("org_id".to_string(), json!(self.auth.clinic_id)),
            ("created_at".to_string(), json!(m.at)), ("created_by".to_string(), json!(m.user_id)),
            ("updated_at".to_string(), json!(m.at)), ("updated_hlc".to_string(), json!(m.hlc)),
            ("updated_by".to_string(), json!(m.user_id)), ("status".to_string(), json!("open")),
            ("mutation_id".to_string(), json!(m.mutation_id)),
        ]);
        data.extend(details.as_object().cloned().unwrap_or_default());
        let server_seq = self.seqs.next().expect("sequence block");
        self.log.push(LogRow {
            server_seq, entity: "sync_conflict".into(), entity_id: id, version: 1, mutation_id: None, user_id: m.user_id,
            hlc: m.hlc.clone(), changes: Value::Object(data.clone()),
        });
        let key = ("sync_conflict".to_string(), id);
        self.conflicts_about.entry(m.entity_id).or_default().push(("open".into(), None));
        self.records.insert(key.clone(), Rec { version: 1, server_seq, data, fields: Map::new() });
        self.touched.push(key);
        id
    }

    async fn check_permission(&mut self, conn: &mut PgConnection, kind: &Entity, m: &Mutation) -> ApiResult<Result<(), Rejection>> {
        // The very first batch of a clinic (its set-up) creates the first admin: nobody to check yet.
        // Audit entries are facts about the (authenticated) workstation, whoever was at it.
        if !self.staff_exists || kind.policy == Policy::AppendOnly {
            return Ok(Ok(()));
        }
        let Some(user) = m.user_id else {
            return Ok(Err(("permission_denied", "A change must say who made it.".into())));
        };
        if !self.roles.contains_key(&user) {
            let roles = self.staff_roles(conn, user).await?;
            self.roles.insert(user, roles);
        }
        let Some(roles) = &self.roles[&user] else {
            return Ok(Err(("permission_denied", "The person who made this change is not active staff of this organisation.".into())));
        };
        let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
        let set: Vec<&str> = m.changes.iter().filter(|(_, c)| truthy(Some(&c.new))).map(|(f, _)| f.as_str()).collect();
        // Everyone may change their own password.
        let own_password = m.entity == "staff" && m.entity_id == user && m.op == Op::Update && !m.changes.is_empty()
            && m.changes.keys().all(|f| f == "password_hash");
        if own_password || kind.allows(&roles, &set) {
            Ok(Ok(()))
        } else {
            Ok(Err(("permission_denied", format!("The person who made this change ({}) may not change {} records that way.", roles.join(", "), m.entity))))
        }
    }

    /// A staff member's roles, from their record (in this batch or on the server); none if inactive.
    async fn staff_roles(&self, conn: &mut PgConnection, user: Uuid) -> ApiResult<Option<Vec<String>>> {
        let data = match self.records.get(&("staff".to_string(), user)) {
            Some(rec) => Some(rec.data.clone()),
            None => sqlx::query_scalar::<_, Json<Map<String, Value>>>("SELECT data FROM record WHERE org_id = $1 AND entity = 'staff' AND entity_id = $2")
                .bind(self.auth.org_id).bind(user).fetch_optional(&mut *conn).await?.map(|d| d.0),
        };
        Ok(data.filter(|d| d.get("active").is_none_or(|a| truthy(Some(a))) && d.get("deleted_at").is_none_or(Value::is_null))
            .and_then(|d| d.get("roles").and_then(Value::as_str).map(|r| r.split(',').map(|s| s.trim().to_string()).collect())))
    }

    /// Writes what the batch changed, in bulk.
    async fn write(self, conn: &mut PgConnection, outcomes: &[(Uuid, Value)]) -> ApiResult<()> {
        let org = self.auth.org_id;
        let mut seen = HashSet::new();
        let (mut entities, mut ids, mut versions, mut seqs, mut datas, mut fields) = (vec![], vec![], vec![], vec![], vec![], vec![]);
        for key in self.touched.iter().rev() {
            if seen.insert(key.clone()) {
                let rec = &self.records[key];
                entities.push(key.0.clone());
                ids.push(key.1);
                versions.push(rec.version);
                seqs.push(rec.server_seq);
                datas.push(Value::Object(rec.data.clone()));
                fields.push(Value::Object(rec.fields.clone()));
            }
        }
        sqlx::query(
            "INSERT INTO record (org_id, entity, entity_id, version, server_seq, data, fields)
             SELECT $1, * FROM UNNEST($2::text[], $3::uuid[], $4::bigint[], $5::bigint[], $6::jsonb[], $7::jsonb[])
             ON CONFLICT (org_id, entity, entity_id) DO UPDATE
             SET version = EXCLUDED.version, server_seq = EXCLUDED.server_seq, data = EXCLUDED.data, fields = EXCLUDED.fields",
        )
        .bind(org).bind(&entities).bind(&ids).bind(&versions).bind(&seqs).bind(&datas).bind(&fields)
        .execute(&mut *conn).await?;

        let log = &self.log;
        sqlx::query(
            "INSERT INTO change_log (org_id, device_id, server_seq, entity, entity_id, version, mutation_id, user_id, hlc, changes)
             SELECT $1, $2, * FROM UNNEST($3::bigint[], $4::text[], $5::uuid[], $6::bigint[], $7::uuid[], $8::uuid[], $9::text[], $10::jsonb[])",
        )
        .bind(org).bind(self.auth.device_id)
        .bind(log.iter().map(|l| l.server_seq).collect::<Vec<_>>())
        .bind(log.iter().map(|l| l.entity.clone()).collect::<Vec<_>>())
        .bind(log.iter().map(|l| l.entity_id).collect::<Vec<_>>())
        .bind(log.iter().map(|l| l.version).collect::<Vec<_>>())
        .bind(log.iter().map(|l| l.mutation_id).collect::<Vec<_>>())
        .bind(log.iter().map(|l| l.user_id).collect::<Vec<_>>())
        .bind(log.iter().map(|l| l.hlc.clone()).collect::<Vec<_>>())
        .bind(log.iter().map(|l| l.changes.clone()).collect::<Vec<_>>())
        .execute(&mut *conn).await?;

        sqlx::query(
            "INSERT INTO applied_mutation (org_id, device_id, mutation_id, outcome)
             SELECT $1, $2, * FROM UNNEST($3::uuid[], $4::jsonb[])",
        )
        .bind(org).bind(self.auth.device_id)
        .bind(outcomes.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(outcomes.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>())
        .execute(&mut *conn).await?;
        Ok(())
    }
}

/// What no workstation could store: text with a NUL, an id that is not one, a time that is not a
/// number. Refused with the reason, rather than failing the batch (and every retry of it).
fn bad_value(field: &str, value: &Value) -> Option<String> {
    fn has_nul(v: &Value) -> bool {
        match v {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().any(has_nul),
            Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }
    let id_like = field.ends_with("_id") || field.ends_with("_by") || field == "merged_into";
    let time_like = field.ends_with("_at") || field == "at";
    if has_nul(value) {
        Some(format!("{field} contains a NUL character."))
    } else if id_like && !(value.is_null() || value.as_str().is_some_and(|s| s.parse::<Uuid>().is_ok())) {
        Some(format!("{field} is not an id."))
    } else if time_like && !(value.is_null() || value.is_i64()) {
        Some(format!("{field} is not a time."))
    } else {
        None
    }
}

/// An appointment every workstation can hold: it ends after it starts, and its times are times.
fn bad_appointment(data: &Map<String, Value>) -> Option<String> {
    const LATEST: i64 = 253_402_300_799_000; // 9999-12-31
    let time = |f: &str| data.get(f).and_then(Value::as_i64);
    match (time("starts_at"), time("ends_at"), time("busy_until")) {
        (Some(s), Some(e), Some(b)) if 0 <= s && s < e && e <= b && b <= LATEST => None,
        _ => Some("The appointment must end after it starts (and after its buffer).".into()),
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        _ => true,
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
