//! The declaration of every synced entity (clinic-sync entities.rs) is the truth the server checks
//! against: the workstation's tables must hold exactly the declared columns, and every change its
//! use cases put in the outbox must pass the server's own check, and be allowed to its writer by
//! the same permission table the server reads.

use std::collections::BTreeMap;

use clinic_core::ops::calendar::{book_appointment, cancel_appointment, mark_arrived, BookingInput};
use clinic_core::ops::patients::{edit_patient, merge_patients};
use clinic_core::ops::practitioners::{add_time_off, TimeOffInput};
use clinic_core::ops::queue::{add_walk_in, Priority, WalkInInput, WalkInPatient};
use clinic_core::auth::Role;
use clinic_sync::entities::{Guard, Kind, Presence, ENTITIES};
use clinic_sync::validate::check_change;
use clinic_sync::{FieldChange, Op};

use crate::helpers::*;

#[tokio::test]
async fn every_synced_table_holds_exactly_the_declared_columns() {
    let t = clinic().await;
    for entity in ENTITIES {
        let columns: Vec<(String, String, bool, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('{}') WHERE name <> 'version'", entity.name
        ))).fetch_all(t.clinic.store().pool()).await.unwrap();
        let declared: Vec<(String, String, bool, Option<String>)> = entity.columns().map(|f| {
            let stored = match f.kind {
                Kind::Id | Kind::Ref(_) => "BLOB",
                Kind::Int(..) | Kind::Bool | Kind::Instant => "INTEGER",
                _ => "TEXT",
            };
            let default = match f.presence { Presence::Defaulted(d) => Some(if d { "1" } else { "0" }.to_string()), _ => None };
            (f.name.to_string(), stored.to_string(), f.presence != Presence::Nullable, default)
        }).collect();
        let sorted = |mut v: Vec<(String, String, bool, Option<String>)>| { v.sort(); v };
        assert_eq!(sorted(columns), sorted(declared), "the table {} and its declaration differ", entity.name);
    }
}

#[tokio::test]
async fn every_change_the_use_cases_make_passes_the_server_s_check() {
    let f = front_desk().await;
    let c = &f.t.clinic;
    let ana = f.t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let rui = f.t.patient(&f.desk, "Rui", "Quaresma", "1981-02-03").await;
    let mut edited = person("Ana", "Quaresma", "1980-02-03");
    edited.notes = Some("Prefers mornings".into());
    edited.allergies = vec!["Penicillin".into()];
    edit_patient(c, &f.desk, ana.id, edited).await.unwrap();
    let booked = book_appointment(c, &f.desk, BookingInput {
        patient_id: ana.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at("2026-11-23", "10:00"),
        notes: Some("First visit".into()), override_schedule: false,
    }).await.unwrap();
    mark_arrived(c, &f.desk, booked.appointment.id).await.unwrap();
    let later = book_appointment(c, &f.desk, BookingInput {
        patient_id: rui.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at("2026-11-24", "10:00"),
        notes: None, override_schedule: false,
    }).await.unwrap();
    cancel_appointment(c, &f.desk, later.appointment.id, "Feeling better").await.unwrap();
    add_walk_in(c, &f.desk, WalkInInput { patient: WalkInPatient::Existing(rui.id), reason: "Fever".into(), priority: Priority::Urgent,
        practitioner_id: None }).await.unwrap();
    add_time_off(c, &f.manager, TimeOffInput { practitioner_id: Some(f.practitioner.id), starts: at("2026-11-25", "09:00"),
        ends: at("2026-11-25", "12:00"), reason: "Training".into() }).await.unwrap();
    merge_patients(c, &f.manager, ana.id, rui.id).await.unwrap();

    // The writer's roles as the server reads them: from the staff record, the declaration's names.
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT o.entity, o.op, o.changes, s.roles FROM outbox o LEFT JOIN staff s ON s.id = o.user_id ORDER BY o.device_seq",
    ).fetch_all(c.store().pool()).await.unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for (entity, op, changes, roles) in rows {
        let kind = clinic_sync::entity(&entity).unwrap_or_else(|| panic!("{entity} is not declared"));
        let op = match op.as_str() { "insert" => Op::Insert, "update" => Op::Update, _ => Op::Delete };
        let changes: BTreeMap<String, FieldChange> = serde_json::from_str(&changes).unwrap();
        if let Err(refused) = check_change(kind, op, &changes) {
            panic!("the server would refuse this {entity} change: {} ({changes:?})", refused.reason);
        }
        // One permission table: what the core let this person do, the declaration lets them push.
        let roles: Vec<Role> = roles.unwrap_or_default().split(',').filter_map(Role::named).collect();
        let allowed = match op { Op::Insert => kind.access.insert, Op::Update => kind.access.update, Op::Delete => kind.access.delete };
        assert!(allowed.admits(&roles), "the core let {roles:?} {op:?} a {entity}, which the declaration does not allow");
        let guarded = |field: &str, how: Guard| changes.get(field).is_some_and(|c| how.applies(Some(&c.old), &c.new));
        for (field, needs, _) in kind.guarded.iter().filter(|(field, _, how)| guarded(field, *how)) {
            assert!(roles.iter().any(|r| r.may(*needs)), "the core let {roles:?} change {entity}.{field}, which needs {needs:?}");
        }
        seen.insert(entity);
    }
    for entity in ["organisation", "site", "staff", "practitioner", "appointment_type", "patient", "appointment", "queue_entry", "time_off"] {
        assert!(seen.contains(entity), "no {entity} change was checked");
    }
}
