//! Whatever the server accepts, every workstation can store. Two workstations push random and
//! adversarial changes to every declared entity (wrong kinds, too long, out of range, unknown
//! words, nulls, NULs, unique values used twice, deletes, guarded fields set and cleared, by any
//! of the clinic's staff); then two real workstations pull everything: no round fails, nothing is
//! set aside, and they hold the same records.

use clinic_sync::entities::{Kind, Presence, ENTITIES};
use clinic_sync::Op;
use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::desks::*;
use crate::server_harness::{example, Desk as Pusher, TestServer};
use crate::stories::assert_converged;

/// One change, as random choices: which entity, operation, record, author, and per field which
/// value (a valid one, or one of the ways a value can be wrong).
#[derive(Debug, Clone)]
struct Change {
    pusher: usize,
    entity: usize,
    op: u8,
    record: usize,
    user: usize,
    values: Vec<(usize, u8)>,
}

fn change() -> impl Strategy<Value = Change> {
    (0..2usize, 0..ENTITIES.len(), 0..4u8, 0..6usize, 0..4usize, proptest::collection::vec((0..20usize, 0..11u8), 0..5))
        .prop_map(|(pusher, entity, op, record, user, values)| Change { pusher, entity, op, record, user, values })
}

/// A value for a field of `kind`: valid, or wrong in one of many ways.
fn value(kind: Kind, choice: u8, place: usize, known: &[Uuid]) -> Value {
    match choice {
        0 | 1 => example(kind, place),
        2 => Value::Null,
        3 => match kind {
            Kind::Text(max) => json!("é".repeat(max + 1)),
            Kind::Int(_, max) => json!(max as i128 + 1),
            Kind::Instant => json!(-1),
            Kind::List(most) => json!(vec!["x"; most + 1]),
            Kind::Hours => json!([{"weekday": "Mon", "start": "17:00", "end": "09:00"}]),
            Kind::Contact => json!({"name": "Rui"}),
            Kind::Charges => json!([{"description": "x", "item_id": null, "quantity": 2, "unit_price": 10, "discount": {"kind": "amount", "value": 21}, "tax_rate_bp": 0}]),
            Kind::Credits => json!([{"line": 0, "quantity": 0}]),
            Kind::Amounts => json!({"cash": -1}),
            _ => json!("x".repeat(300)),
        },
        4 => json!("not one of them"),
        5 => json!("nul\0here"),
        6 => json!({"a": [1, {"b": null}]}),
        7 => json!(12345),
        // A value other records hold: clashes on unique keys, references to real records.
        8 => match kind {
            Kind::Id | Kind::Ref(_) => json!(known[place % known.len()]),
            Kind::Username => json!("ada"),
            Kind::Text(_) => json!("ada"),
            _ => example(kind, place),
        },
        9 => match kind {
            // An id in another spelling, a login in capitals: values that look the same to a person.
            Kind::Id | Kind::Ref(_) => json!(known[place % known.len()].simple().to_string()),
            Kind::Username => json!("Ada"),
            _ => json!(true),
        },
        _ => json!(0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("ADVERSARIAL_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(6),
        max_shrink_iters: 10,
        ..ProptestConfig::default()
    })]

    #[test]
    fn whatever_the_server_accepts_every_workstation_applies(changes in proptest::collection::vec(change(), 20..60)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let server = TestServer::start().await;
            let org = server.organisation("Harbour Health").await;
            let (a, clinic) = enrolled_clinic(&server.url, &server.code(org).await).await;
            let b = Desk::empty().await;
            b.enrol(&server.url, &server.code(org).await, None).await.unwrap();
            let ana = register(&a, &a.log_in("rita").await, "Ana").await;
            a.sync().await;
            let mut pushers = [Pusher::enrol(&server, org, None).await.unwrap(), Pusher::enrol(&server, org, None).await.unwrap()];
            let staff = [clinic.admin.staff_id, a.log_in("rita").await.staff_id, a.log_in("marta").await.staff_id, a.log_in("house").await.staff_id];
            // Records that exist, per entity, and the ones the changes create.
            let mut known: Vec<Uuid> = vec![ana.id, clinic.practitioner.id, clinic.visit.id];
            known.extend(staff);
            let mut created: Vec<Vec<Uuid>> = vec![Vec::new(); ENTITIES.len()];
            created[ENTITIES.iter().position(|e| e.name == "patient").unwrap()].push(ana.id);
            for c in &changes {
                let kind = &ENTITIES[c.entity];
                let (op, id) = match c.op {
                    0 | 1 => (Op::Insert, Uuid::now_v7()),
                    2 => (Op::Update, created[c.entity].get(c.record).copied().unwrap_or_else(|| known[c.record % known.len()])),
                    _ => (Op::Delete, created[c.entity].get(c.record).copied().unwrap_or_else(Uuid::now_v7)),
                };
                let mut fields: Vec<(&str, Value)> = Vec::new();
                if op == Op::Insert {
                    for (place, f) in kind.fields.iter().enumerate() {
                        if f.presence == Presence::Required {
                            fields.push((f.name, example(f.kind, place)));
                        }
                    }
                }
                for (field, choice) in &c.values {
                    let (name, kind_of, place) = match kind.fields.get(*field) {
                        Some(f) => (f.name, f.kind, *field),
                        None => ("deleted_at", Kind::Instant, *field), // a tombstone set or cleared
                    };
                    fields.retain(|(n, _)| *n != name);
                    fields.push((name, value(kind_of, *choice, place, &known)));
                }
                let pusher = &mut pushers[c.pusher];
                let m = pusher.exact(staff[c.user], kind.name, id, op, Some(1), &fields);
                pusher.push(&server, &[m]).await;
                if op == Op::Insert {
                    created[c.entity].push(id);
                    known.push(id);
                }
            }
            // Every workstation applies everything the server accepted, and they agree.
            assert_converged(&[&a, &b]).await;
            for desk in [&a, &b] {
                let set_aside: Vec<(String, String)> = sqlx::query_as("SELECT entity, reason FROM sync_set_aside")
                    .fetch_all(desk.clinic.store().pool()).await.unwrap();
                assert!(set_aside.is_empty(), "the server accepted what a workstation cannot store: {set_aside:?}");
            }
        });
    }
}
