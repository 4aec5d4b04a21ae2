//! Applying a pushed batch: each mutation checked against its entity's declaration and applied by
//! its policy, in one transaction per batch, one writer per organisation at a time (so
//! `server_seq` commits in order and a pull by cursor never skips a change). Reads for the whole
//! batch are made up front and writes are sent in bulk. A mutation that cannot be accepted is
//! refused on its own, with its reason: never the batch.

mod access;
mod author;
mod chain;
mod closing;
mod refs;
mod signed;
mod slots;
mod store;
mod unique;

use std::collections::{HashMap, HashSet};

use clinic_sync::entities::{entity, Policy, DELETED_AT, SETTLING_FIELDS};
use clinic_sync::audit_chain::GENESIS;
use clinic_sync::validate::{check_change, check_order, quoted, Refusal, LATEST};
use clinic_sync::{Mutation, Op, Outcome, PushResult, Record};
use serde_json::{json, Map, Value};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::admin::DeviceAuth;
use crate::error::ApiResult;

/// A record as this batch sees and changes it.
#[derive(Clone)]
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
    /// As signed: the signature, and the fields it covers that the rest do not say.
    signature: Option<String>,
    made_at: i64,
    op: &'static str,
    base_version: Option<i64>,
}

struct Batch<'a> {
    auth: &'a DeviceAuth,
    records: HashMap<(String, Uuid), Rec>,
    touched: Vec<(String, Uuid)>,
    log: Vec<LogRow>,
    seqs: std::vec::IntoIter<i64>,
    /// Staff records as the server held them when the batch began, read as authors need them.
    staff: HashMap<Uuid, Option<Map<String, Value>>>,
    staff_exists: bool,
    /// Conflicts already opened about records of this batch: (status, resolution).
    conflicts_about: HashMap<Uuid, Vec<(String, Option<String>)>>,
    /// Records that held a unique value the batch uses, when it began.
    holders: unique::Holders,
    /// Records the batch's references name that the server held when it began.
    referred: HashSet<(String, Uuid)>,
    /// The last entry of the pushing workstation's audit chain the server acknowledged (number,
    /// hash), as the batch moves it; and whether it moved.
    chain_head: (i64, String),
    chain_moved: bool,
    /// This workstation's audit entries the batch refused: (number, why).
    chain_breaks: Vec<(i64, String)>,
    /// Signatures checked ahead, each with the key it was checked against.
    verdicts: author::Verdicts,
}

pub async fn push(db: &PgPool, auth: &DeviceAuth, mut mutations: Vec<Mutation>) -> ApiResult<Vec<PushResult>> {
    mutations.sort_by_key(|m| m.device_seq);
    // Signatures are checked on other cores while the batch's reads wait on the database.
    let verdicts = author::verify_ahead(db, auth.org_id, &mutations).await?;
    let mut tx = db.begin().await?;
    sqlx::query_scalar!(r#"SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text, 0)) AS "locked: ()""#, auth.org_id).fetch_one(&mut *tx).await?;

    let ids: Vec<Uuid> = mutations.iter().map(|m| m.mutation_id).collect();
    let seen: HashMap<Uuid, (Uuid, Json<Outcome>)> =
        sqlx::query!(r#"SELECT mutation_id, org_id, outcome AS "outcome: Json<Outcome>" FROM applied_mutation WHERE mutation_id = ANY($1)"#, &ids)
            .fetch_all(&mut *tx).await?
            .into_iter().map(|r| (r.mutation_id, (r.org_id, r.outcome))).collect();
    let entity_ids: Vec<Uuid> = mutations.iter().map(|m| m.entity_id).collect();
    let records = sqlx::query!(
        r#"SELECT entity, entity_id, version, server_seq, data AS "data: Json<Map<String, Value>>", fields AS "fields: Json<Map<String, Value>>"
         FROM record WHERE org_id = $1 AND entity_id = ANY($2)"#,
        auth.org_id, &entity_ids,
    )
    .fetch_all(&mut *tx).await?
    .into_iter()
    .map(|r| ((r.entity, r.entity_id), Rec { version: r.version, server_seq: r.server_seq, data: r.data.0, fields: r.fields.0 }))
    .collect();
    // Server sequence numbers for the change and every conflict a mutation may open (a clash, a
    // duplicate per unique key, or one per sensitive field); the unused ones are gaps, which
    // cursors do not mind.
    let most_conflicts = 1 + clinic_sync::ENTITIES.iter().map(|e| e.human_fields().len() + e.unique.len()).max().unwrap_or(0);
    let seqs: Vec<i64> = sqlx::query_scalar!(r#"SELECT nextval('server_seq') AS "seq!" FROM generate_series(1, $1::bigint)"#,
        ((1 + most_conflicts) * mutations.len()) as i64).fetch_all(&mut *tx).await?;
    let staff_exists: bool = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM record WHERE org_id = $1 AND entity = 'staff') AS "exists!""#,
        auth.org_id).fetch_one(&mut *tx).await?;
    let mut conflicts_about: HashMap<Uuid, Vec<(String, Option<String>)>> = HashMap::new();
    for c in sqlx::query!(
        r#"SELECT (data->>'entity_id')::uuid AS "about!", data->>'status' AS "status!", data->>'resolution' AS resolution FROM record
         WHERE org_id = $1 AND entity = 'sync_conflict' AND (data->>'entity_id')::uuid = ANY($2)"#,
        auth.org_id, &entity_ids,
    ).fetch_all(&mut *tx).await? {
        conflicts_about.entry(c.about).or_default().push((c.status, c.resolution));
    }
    let holders = unique::Holders::load(&mut tx, auth.org_id, &mutations).await?;
    let referred = refs::load(&mut tx, auth.org_id, &mutations).await?;
    let chain_head = sqlx::query!("SELECT seq, hash FROM audit_head WHERE org_id = $1 AND device_id = $2", auth.org_id, auth.device_id)
        .fetch_optional(&mut *tx).await?.map_or((0, GENESIS.to_string()), |h| (h.seq, h.hash));
    let verdicts = verdicts.await.expect("signature checks");
    let mut batch = Batch {
        auth, records, touched: Vec::new(), log: Vec::new(), seqs: seqs.into_iter(), staff: HashMap::new(), staff_exists,
        conflicts_about, holders, referred, chain_head, chain_moved: false, chain_breaks: Vec::new(), verdicts,
    };

    let mut outcomes = Vec::with_capacity(mutations.len());
    let mut fresh: Vec<(Uuid, Value)> = Vec::new();
    let mut in_batch = HashSet::new();
    for m in &mutations {
        let outcome = match seen.get(&m.mutation_id) {
            Some((org, first)) if *org == auth.org_id => Outcome::Duplicate { first: Box::new(first.0.clone()) },
            Some(_) => refused(Refusal::new("bad_mutation", "This mutation id was already used.")),
            None if !in_batch.insert(m.mutation_id) => refused(Refusal::new("bad_mutation", "This mutation id appears twice in one push.")),
            None => {
                let outcome = match batch.apply(&mut tx, m).await? {
                    Ok(outcome) => outcome,
                    Err(refusal) => refused(refusal),
                };
                // Kept as first answered, without the record (a replay is sent the record as it is then).
                fresh.push((m.mutation_id, serde_json::to_value(&outcome).expect("outcome")));
                outcome
            }
        };
        outcomes.push(outcome);
    }
    // Refusals carry each record as the batch left it (a later change in it may have applied).
    let results = mutations.iter().zip(outcomes).map(|(m, outcome)| PushResult { mutation_id: m.mutation_id, outcome: batch.with_current(m, outcome) }).collect();
    batch.write(&mut tx, &fresh).await?;
    tx.commit().await?;
    Ok(results)
}

fn refused(refusal: Refusal) -> Outcome {
    Outcome::Rejected { code: refusal.code.into(), reason: refusal.reason, current: None }
}

type Checked<T> = ApiResult<Result<T, Refusal>>;

impl Batch<'_> {
    /// A refusal carries the record as the server holds it now, for the workstation to go back to.
    fn with_current(&self, m: &Mutation, outcome: Outcome) -> Outcome {
        match outcome {
            Outcome::Duplicate { first } => Outcome::Duplicate { first: Box::new(self.with_current(m, *first)) },
            Outcome::Rejected { code, reason, .. } => {
                let current = self.records.get(&(m.entity.clone(), m.entity_id)).filter(|r| r.version > 0).map(|r| Box::new(Record {
                    entity: m.entity.clone(), entity_id: m.entity_id, version: r.version, server_seq: r.server_seq, data: r.data.clone().into_iter().collect(),
                }));
                Outcome::Rejected { code, reason, current }
            }
            other => other,
        }
    }

    async fn apply(&mut self, conn: &mut PgConnection, m: &Mutation) -> Checked<Outcome> {
        let Some(kind) = entity(&m.entity) else {
            return Ok(Err(Refusal::new("unknown_entity", format!("“{}” is not something that syncs.", quoted(&m.entity)))));
        };
        if !(0..=LATEST).contains(&m.at) || m.hlc.len() > 64 || m.hlc.contains('\0') {
            return Ok(Err(Refusal::new("bad_mutation", "The change's time or clock stamp is not one a workstation can keep.")));
        }
        if let Err(refusal) = check_change(kind, m.op, &m.changes) {
            return Ok(Err(refusal));
        }
        if kind.name == "sync_conflict" && (m.op != Op::Update || m.changes.keys().any(|f| !SETTLING_FIELDS.contains(&f.as_str()))) {
            return Ok(Err(Refusal::new("bad_field", "Only the server opens a conflict; a workstation settles it (status and resolution).")));
        }
        let key = (m.entity.clone(), m.entity_id);
        let exists = self.records.contains_key(&key);
        match (kind.policy, m.op, exists) {
            (Policy::AppendOnly, Op::Insert, true) => {
                // Written once: the same entry again changes nothing.
                let r = &self.records[&key];
                return Ok(Ok(Outcome::Applied { server_seq: r.server_seq, version: r.version }));
            }
            (Policy::AppendOnly, _, true) | (Policy::AppendOnly, Op::Update | Op::Delete, false) => {
                return Ok(Err(Refusal::new("append_only", format!("{} entries are never changed.", m.entity))));
            }
            (_, Op::Update | Op::Delete, false) => {
                return Ok(Err(Refusal::new("unknown_record", "The record this change is about never reached the server.")));
            }
            _ => {}
        }
        if let Err(refusal) = signed::frozen(kind, self.records.get(&key).map(|r| &r.data), m) {
            return Ok(Err(refusal));
        }
        if let Err(refusal) = closing::locked(kind, self.records.get(&key).map(|r| &r.data), m) {
            return Ok(Err(refusal));
        }
        if let Err(refusal) = self.check_author(conn, kind, m).await? {
            return Ok(Err(refusal));
        }
        if let Err(refusal) = self.check_permission(conn, kind, m).await? {
            return Ok(Err(refusal));
        }
        if let Err(refusal) = self.check_references(m) {
            return Ok(Err(refusal));
        }
        if kind.policy == Policy::AppendOnly {
            if let Err(refusal) = self.follows_chain(m) {
                return Ok(Err(refusal));
            }
        }
        let device = self.auth.device_id.to_string();
        // Kept to restore only where merging can end in a refusal (times out of order, the last
        // admin); for unique keys, only the values they had.
        let can_refuse = !kind.ordered.is_empty() || kind.name == "staff" || kind.signed_content().is_some();
        let before = self.records.get(&key).filter(|_| can_refuse).cloned();
        let unique_before: Vec<Option<Value>> = kind.unique.iter()
            .map(|f| self.records.get(&key).and_then(|r| r.data.get(*f)).cloned()).collect();
        let existed = self.records.contains_key(&key);
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
        let version = rec.version + 1;
        let human = kind.human_fields();
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
            rec.data.insert(DELETED_AT.name.into(), json!(m.at));
        }
        let newer = rec.data.get("updated_hlc").and_then(Value::as_str).is_none_or(|h| h <= m.hlc.as_str());
        if newer {
            rec.data.insert("updated_at".into(), json!(m.at));
            rec.data.insert("updated_hlc".into(), json!(m.hlc));
            rec.data.insert("updated_by".into(), json!(m.user_id));
        }
        // Merged with what other workstations changed, the record must still be one every
        // workstation can store, and the clinic must keep an admin: otherwise this change is
        // refused and the record stays as it was.
        let problem = match check_order(kind, |f| rec.data.get(f)) {
            Err(reason) => Some(Refusal::new("bad_value", reason)),
            Ok(()) if kind.name == "staff" => {
                let merged = rec.data.clone();
                self.keeps_an_admin(conn, kind, m.entity_id, before.as_ref().map(|b| &b.data), &merged).await?.err()
            }
            Ok(()) if kind.signed_content().is_some() => {
                let merged = rec.data.clone();
                self.check_signature(conn, kind, m, &merged).await?.err()
            }
            Ok(()) => None,
        };
        if let Some(refusal) = problem {
            match before {
                Some(kept) => { self.records.insert(key, kept); }
                None if !existed => { self.records.remove(&key); }
                None => unreachable!("a record that can be refused after merging is kept before"),
            }
            return Ok(Err(refusal));
        }
        let rec = self.records.get_mut(&key).expect("just merged");
        rec.version = version;
        rec.server_seq = self.seqs.next().expect("sequence block");
        let (server_seq, data) = (rec.server_seq, rec.data.clone());
        self.touched.push(key);
        self.log.push(LogRow {
            server_seq, entity: m.entity.clone(), entity_id: m.entity_id, version, mutation_id: Some(m.mutation_id),
            user_id: m.user_id, hlc: m.hlc.clone(), changes: serde_json::to_value(&m.changes).expect("changes"), signature: m.signature.clone(),
            made_at: m.at, op: m.op.as_str(), base_version: m.base_version,
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
        conflicts.extend(self.duplicates(kind, m, &unique_before, &data));
        self.note_unique_values(kind, m.entity_id, &data);
        // One conflict per field in dispute: each value not applied stays in front of a person.
        for (field, theirs, yours) in disputed {
            conflicts.push(json!({"kind": "field", "entity": m.entity, "entity_id": m.entity_id, "field": field,
                "theirs": theirs.to_string(), "yours": yours.to_string(),
                "message": format!("{field} was changed on two workstations: choose the right value.")}));
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
            hlc: m.hlc.clone(), changes: Value::Object(data.clone()), signature: None, made_at: m.at, op: Op::Insert.as_str(), base_version: None,
        });
        let key = ("sync_conflict".to_string(), id);
        self.conflicts_about.entry(m.entity_id).or_default().push(("open".into(), None));
        self.records.insert(key.clone(), Rec { version: 1, server_seq, data, fields: Map::new() });
        self.touched.push(key);
        id
    }
}

/// A stored value counts as set: not null, false or zero.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        _ => true,
    }
}

fn is_live(data: &Map<String, Value>) -> bool {
    data.get(DELETED_AT.name).is_none_or(Value::is_null)
}
