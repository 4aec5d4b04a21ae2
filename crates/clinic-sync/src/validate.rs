//! Checking values against the declaration (entities.rs): the server checks every pushed change
//! with it, and a workstation checks every pulled record with it before storing it. One check,
//! so whatever the server accepts, every workstation can store.

use std::collections::BTreeMap;

use serde_json::Value;
use uuid::Uuid;

use crate::entities::{Entity, Field, Kind, Policy, Presence, CURRENCIES, DELETED_AT, META, VERSION};
use crate::money;
use crate::permissions::Role;
use crate::wire::{FieldChange, Op};

/// The latest instant a record may carry: the end of 9999 (what every workstation can show).
pub const LATEST: i64 = 253_402_300_799_999;

/// Why a change cannot be accepted: a code the workstation keeps, a reason a person can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub reason: String,
}

impl Refusal {
    pub fn new(code: &'static str, reason: impl Into<String>) -> Refusal {
        Refusal { code, reason: reason.into() }
    }
}

/// Whether `value` is one `field` can hold; the reason when not.
pub fn check_value(field: &Field, value: &Value) -> Result<(), String> {
    let name = field.name;
    if value.is_null() {
        return match field.presence {
            Presence::Nullable => Ok(()),
            _ => Err(format!("{name} cannot be empty.")),
        };
    }
    let text = value.as_str();
    let ok = match field.kind {
        Kind::Id | Kind::Ref(_) => text.is_some_and(is_id),
        Kind::Username => text.is_some_and(is_username),
        Kind::Text(max) => text.is_some_and(|s| plain(s, max)),
        Kind::OneOf(words) => text.is_some_and(|s| words.contains(&s)),
        Kind::Int(min, max) => value.as_i64().is_some_and(|n| (min..=max).contains(&n)),
        Kind::Bool => value.is_boolean(),
        Kind::Instant => value.as_i64().is_some_and(|n| (0..=LATEST).contains(&n)),
        Kind::Date => text.is_some_and(is_date),
        Kind::List(most) => value.as_array().is_some_and(|items| {
            items.len() <= most && items.iter().all(|i| i.as_str().is_some_and(|s| plain(s, 200)))
        }),
        Kind::Hours => value.as_array().is_some_and(|days| days.len() <= 7 && days.iter().all(is_day_hours)),
        Kind::Contact => value.as_object().is_some_and(|c| {
            c.len() == 3 && ["name", "relation", "phone"].iter().all(|k| c.get(*k).and_then(Value::as_str).is_some_and(|s| plain(s, 200)))
        }),
        Kind::Roles => text.is_some_and(|s| !s.is_empty() && s.split(',').all(|r| Role::named(r).is_some())),
        Kind::Zone => text.is_some_and(|s| s.parse::<chrono_tz::Tz>().is_ok()),
        Kind::Currency => text.is_some_and(|s| CURRENCIES.iter().any(|(c, _)| *c == s)),
        Kind::Charges => money::is_charges(value),
        Kind::Discount => money::is_discount(value),
        Kind::Credits => money::is_credits(value),
        Kind::Amounts => money::is_amounts(value),
    };
    if ok { Ok(()) } else { Err(format!("{name} cannot hold {}: {}.", short(value), describe(field.kind))) }
}

/// Checks a pushed change's shape: the fields exist and may be named, their values fit, and a
/// new record has every field it needs. (Who may make it is checked against the record.)
pub fn check_change(entity: &Entity, op: Op, changes: &BTreeMap<String, FieldChange>) -> Result<(), Refusal> {
    for (name, change) in changes {
        let field = if name == DELETED_AT.name && entity.policy != Policy::AppendOnly {
            &DELETED_AT
        } else {
            entity.field(name).ok_or_else(|| {
                let why = if META.iter().any(|m| m.name == name) || name == VERSION { "cannot be changed by a workstation" } else { "is not a field of it" };
                Refusal::new("bad_field", format!("“{}” {why} ({}).", quoted(name), entity.name))
            })?
        };
        check_value(field, &change.new).map_err(|reason| Refusal::new("bad_value", reason))?;
        // The old value is history, kept with the change: it must be storable too.
        if has_nul(&change.old) {
            return Err(Refusal::new("bad_value", format!("The old value of {name} contains a NUL character.")));
        }
    }
    if op == Op::Insert {
        if let Some(missing) = entity.fields.iter().find(|f| f.presence == Presence::Required && !changes.contains_key(f.name)) {
            return Err(Refusal::new("bad_value", format!("A new {} needs its {}.", entity.name, missing.name)));
        }
    }
    Ok(())
}

/// Whether a record, as the server holds it (every column by name), is one a workstation can
/// store: every column it carries fits, the ones it must have are there, and its times are in order.
pub fn check_record<'a>(entity: &Entity, data: impl Fn(&str) -> Option<&'a Value>) -> Result<(), String> {
    for field in entity.columns() {
        match data(field.name) {
            Some(value) => check_value(field, value)?,
            None if field.presence == Presence::Required => return Err(format!("{} has no {}.", entity.name, field.name)),
            None => {}
        }
    }
    check_order(entity, data)
}

/// The record's times come in the declared order.
pub fn check_order<'a>(entity: &Entity, data: impl Fn(&str) -> Option<&'a Value>) -> Result<(), String> {
    for order in entity.ordered {
        let (earlier, later) = (data(order.earlier).and_then(Value::as_i64), data(order.later).and_then(Value::as_i64));
        if let (Some(a), Some(b)) = (earlier, later) {
            if b < a || (b == a && !order.may_equal) {
                return Err(format!("The {} would end before it starts ({} after {}).", entity.name, order.later, order.earlier));
            }
        }
    }
    Ok(())
}

fn plain(s: &str, max: usize) -> bool {
    !s.contains('\0') && s.chars().count() <= max
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// An id in the one form every side writes: lower-case, hyphenated.
fn is_id(s: &str) -> bool {
    s.parse::<Uuid>().is_ok_and(|id| id.hyphenated().to_string() == s)
}

/// The rule the workstation's staff accounts follow (clinic-core parses usernames with it).
pub fn is_username(s: &str) -> bool {
    (3..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// `HH:MM`, a time of day.
fn is_time(v: Option<&Value>) -> bool {
    let Some(s) = v.and_then(Value::as_str) else { return false };
    let b = s.as_bytes();
    b.len() == 5 && b[2] == b':' && s[..2].parse::<u8>().is_ok_and(|h| h < 24) && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
        && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit)
}

/// One day of a practitioner's week, as the workstation reads it.
fn is_day_hours(day: &Value) -> bool {
    const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let Some(d) = day.as_object() else { return false };
    let span = |p: &serde_json::Map<String, Value>| is_time(p.get("start")) && is_time(p.get("end")) && p["start"].as_str() < p["end"].as_str();
    d.get("weekday").and_then(Value::as_str).is_some_and(|w| WEEKDAYS.contains(&w))
        && span(d)
        && d.keys().all(|k| ["weekday", "start", "end", "breaks"].contains(&k.as_str()))
        && d.get("breaks").is_none_or(|b| b.as_array().is_some_and(|list| {
            list.len() <= 10 && list.iter().all(|p| p.as_object().is_some_and(|p| p.len() == 2 && span(p)))
        }))
}

/// `YYYY-MM-DD`, a real day.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit())).and_then(|p| p.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

fn describe(kind: Kind) -> String {
    match kind {
        Kind::Id => "it takes an id".into(),
        Kind::Ref(entity) => format!("it takes the id of a {entity}"),
        Kind::Username => "it takes 3 to 32 letters a–z, digits, dots, dashes or underscores".into(),
        Kind::Text(max) => format!("it takes text of at most {max} characters"),
        Kind::OneOf(words) => format!("it takes one of {}", words.join(", ")),
        Kind::Int(min, max) => format!("it takes a whole number from {min} to {max}"),
        Kind::Bool => "it takes true or false".into(),
        Kind::Instant => "it takes a time (milliseconds since 1970, before the year 10000)".into(),
        Kind::Date => "it takes a date (YYYY-MM-DD)".into(),
        Kind::List(most) => format!("it takes a list of at most {most} short texts"),
        Kind::Hours => "it takes a week of hours (weekday, start and end as HH:MM, breaks)".into(),
        Kind::Contact => "it takes an emergency contact (name, relation, phone)".into(),
        Kind::Roles => format!("it takes roles ({}), separated by commas", Role::ALL.map(Role::as_str).join(", ")),
        Kind::Zone => "it takes a time zone (e.g. Europe/Lisbon)".into(),
        Kind::Currency => "it takes a currency code (e.g. EUR)".into(),
        Kind::Charges => format!("it takes at most {} invoice lines (description, quantity 1 to {}, unit price, discount no larger than the line, tax rate 0 to 10000)",
            money::MOST_LINES, money::MOST_UNITS),
        Kind::Discount => "it takes a discount (none, a percentage in basis points, or an amount)".into(),
        Kind::Credits => "it takes the invoice lines credited and how many of each".into(),
        Kind::Amounts => format!("it takes an amount per payment method ({})", money::METHODS.join(", ")),
    }
}

/// A value as a refusal quotes it: never the whole of a long one.
fn short(value: &Value) -> String {
    quoted(&value.to_string())
}

/// Text from a workstation as a refusal quotes it: short, and without control characters (a
/// refusal is stored, and PostgreSQL keeps no NUL).
pub fn quoted(s: &str) -> String {
    let cleaned: String = s.chars().map(|c| if c.is_control() { '·' } else { c }).take(41).collect();
    if cleaned.chars().count() > 40 { format!("{}…", cleaned.chars().take(40).collect::<String>()) } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::entity;
    use serde_json::json;

    fn field(entity_name: &str, name: &str) -> &'static Field {
        entity(entity_name).unwrap().field(name).unwrap()
    }

    #[test]
    fn values_are_checked_by_kind() {
        let seq = field("audit_event", "seq");
        assert!(check_value(seq, &json!(1)).is_ok());
        assert!(check_value(seq, &json!("x")).is_err());
        let priority = field("queue_entry", "priority");
        assert!(check_value(priority, &json!(2)).is_ok());
        assert!(check_value(priority, &json!(7)).is_err());
        let birth = field("patient", "birth_date");
        assert!(check_value(birth, &json!("2024-02-29")).is_ok());
        for bad in [json!("2023-02-29"), json!("1990-13-01"), json!("1990-1-01"), json!(19900101), json!(null)] {
            assert!(check_value(birth, &bad).is_err(), "{bad}");
        }
        let email = field("patient", "email");
        assert!(check_value(email, &json!(null)).is_ok());
        assert!(check_value(email, &json!("a\0b")).is_err());
        assert!(check_value(email, &json!("x".repeat(255))).is_err());
        let roles = field("staff", "roles");
        assert!(check_value(roles, &json!("doctor,manager")).is_ok());
        assert!(check_value(roles, &json!("doctor,king")).is_err());
        assert!(check_value(roles, &json!("")).is_err());
        assert!(check_value(field("practitioner", "staff_id"), &json!("not an id")).is_err());
        let id = Uuid::now_v7();
        assert!(check_value(field("practitioner", "staff_id"), &json!(id)).is_ok());
        for other_form in [id.simple().to_string(), id.hyphenated().to_string().to_uppercase(), format!("{{{id}}}")] {
            assert!(check_value(field("practitioner", "staff_id"), &json!(other_form)).is_err(), "{other_form}");
        }
        assert!(check_value(field("staff", "username"), &json!("Jo.Bento")).is_err(), "logins are lower case");
        let hours = field("practitioner", "weekly_hours");
        assert!(check_value(hours, &json!([{"weekday": "Mon", "start": "09:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "13:00"}]}])).is_ok());
        for bad in [json!({}), json!([{"weekday": "Moonday", "start": "09:00", "end": "17:00"}]), json!([{"weekday": "Mon", "start": "17:00", "end": "09:00"}]),
            json!([{"weekday": "Mon", "start": "9am", "end": "17:00"}])] {
            assert!(check_value(hours, &bad).is_err(), "{bad}");
        }
        let contact = field("patient", "emergency_contact");
        assert!(check_value(contact, &json!({"name": "Rui", "relation": "son", "phone": "+351900"})).is_ok());
        assert!(check_value(contact, &json!({"name": "Rui"})).is_err());
        assert!(check_value(field("appointment", "starts_at"), &json!(-1)).is_err());
        assert!(check_value(field("site", "time_zone"), &json!("Europe/Lisbon")).is_ok());
        assert!(check_value(field("site", "time_zone"), &json!("Mars/Olympus")).is_err());
        assert!(check_value(field("site", "currency"), &json!("KES")).is_ok());
        assert!(check_value(field("site", "currency"), &json!("XYZ")).is_err());
    }

    #[test]
    fn a_new_record_needs_its_required_fields() {
        let patient = entity("patient").unwrap();
        let changes: BTreeMap<String, FieldChange> = [("given_name", json!("Ana"))].into_iter()
            .map(|(k, v)| (k.to_string(), FieldChange { old: Value::Null, new: v })).collect();
        let refused = check_change(patient, Op::Insert, &changes).unwrap_err();
        assert!(refused.reason.contains("mrn"), "{refused:?}");
        assert!(check_change(patient, Op::Update, &changes).is_ok());
        let meta: BTreeMap<String, FieldChange> = [("version".to_string(), FieldChange { old: Value::Null, new: json!(9) })].into();
        assert_eq!(check_change(patient, Op::Update, &meta).unwrap_err().code, "bad_field");
    }

    #[test]
    fn times_must_come_in_order() {
        let appointment = entity("appointment").unwrap();
        let check = |s: i64, e: i64, b: i64| {
            let data = json!({"starts_at": s, "ends_at": e, "busy_until": b});
            check_order(appointment, |f| data.get(f)).is_ok()
        };
        assert!(check(1, 2, 2));
        assert!(!check(2, 2, 2));
        assert!(!check(1, 3, 2));
    }
}
