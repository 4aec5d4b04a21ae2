//! Every kind of record that syncs, and how: who may change it, and what happens when two
//! workstations change it apart (DESIGN.md §5). The one place both sides read it from.

/// How concurrent changes to one record are reconciled on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Fields changed on different workstations merge; the same field changed on two resolves by
    /// hybrid clock (the later stamp wins, both values stay in the history), except the `human`
    /// fields, where a second concurrent change opens a conflict for a person instead.
    FieldMerge { human: &'static [&'static str] },
    /// As `FieldMerge`, and one practitioner's active appointments may not overlap: a clash made
    /// offline is kept, marked, and opened as a conflict to rebook, keep both, or cancel.
    NoOverlap,
    /// Written once, never changed (the audit trail).
    AppendOnly,
}

/// Staff roles, as the clinic's staff records spell them.
pub const RECEPTIONIST: &str = "receptionist";
pub const DOCTOR: &str = "doctor";
pub const MANAGER: &str = "manager";
pub const ADMIN: &str = "admin";

const FRONT_DESK: &[&str] = &[RECEPTIONIST, DOCTOR, MANAGER];
const MANAGEMENT: &[&str] = &[MANAGER, ADMIN];
const ANYONE: &[&str] = &[RECEPTIONIST, DOCTOR, MANAGER, ADMIN];

/// What a workstation may change of a conflict the server opened: how it was settled.
pub const SETTLING_FIELDS: &[&str] = &["status", "resolution"];

#[derive(Debug)]
pub struct Entity {
    /// The name mutations and records carry; also the workstation's table.
    pub name: &'static str,
    pub policy: Policy,
    /// Who may change it at all (the server re-checks every mutation's user against this).
    pub roles: &'static [&'static str],
    /// Fields that need more: setting them to a true or non-null value takes one of these roles.
    pub guarded: &'static [(&'static str, &'static [&'static str])],
}

impl Entity {
    /// The roles needed to make `change` (the fields it sets to a value); none is enough for any.
    pub fn allows(&self, roles: &[&str], set_fields: &[&str]) -> bool {
        let holds = |wanted: &[&str]| wanted.iter().any(|w| roles.contains(w));
        holds(self.roles)
            && self.guarded.iter().all(|(field, wanted)| !set_fields.contains(field) || holds(wanted))
    }
}

/// In dependency order: a workstation applies a first sync in this order, so references resolve.
pub const ENTITIES: &[Entity] = &[
    Entity { name: "organisation", policy: Policy::FieldMerge { human: &[] }, roles: &[ADMIN], guarded: &[] },
    Entity { name: "site", policy: Policy::FieldMerge { human: &[] }, roles: &[ADMIN], guarded: &[] },
    Entity { name: "staff", policy: Policy::FieldMerge { human: &[] }, roles: &[ADMIN], guarded: &[] },
    Entity { name: "practitioner", policy: Policy::FieldMerge { human: &[] }, roles: MANAGEMENT, guarded: &[] },
    Entity { name: "time_off", policy: Policy::FieldMerge { human: &[] }, roles: MANAGEMENT, guarded: &[] },
    Entity { name: "appointment_type", policy: Policy::FieldMerge { human: &[] }, roles: MANAGEMENT, guarded: &[] },
    Entity {
        name: "patient",
        policy: Policy::FieldMerge { human: &["birth_date", "sex", "allergies"] },
        roles: FRONT_DESK,
        guarded: &[("merged_into", &[MANAGER])],
    },
    Entity {
        name: "appointment",
        policy: Policy::NoOverlap,
        roles: FRONT_DESK,
        guarded: &[("double_booked", &[DOCTOR, MANAGER]), ("outside_hours", &[DOCTOR, MANAGER])],
    },
    Entity { name: "queue_entry", policy: Policy::FieldMerge { human: &[] }, roles: FRONT_DESK, guarded: &[] },
    Entity { name: "audit_event", policy: Policy::AppendOnly, roles: ANYONE, guarded: &[] },
    // A clash or a sensitive double edit the server found (only the server opens one); settling it
    // is a change like any other, by the people who book and edit patients.
    Entity { name: "sync_conflict", policy: Policy::FieldMerge { human: &[] }, roles: FRONT_DESK, guarded: &[] },
];

pub fn entity(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guarded_fields_need_their_roles() {
        let appointment = entity("appointment").unwrap();
        assert!(appointment.allows(&[RECEPTIONIST], &["starts_at"]));
        assert!(!appointment.allows(&[RECEPTIONIST], &["starts_at", "double_booked"]));
        assert!(appointment.allows(&[DOCTOR], &["double_booked"]));
        assert!(!appointment.allows(&[ADMIN], &["starts_at"]), "an admin alone does not book");
        assert!(entity("nonsense").is_none());
    }
}
