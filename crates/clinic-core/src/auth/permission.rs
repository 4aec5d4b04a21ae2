//! The roles a staff member holds, checked against the one permission table (clinic-sync's
//! `permissions.rs`). The core decides every use case with it; the UI only hides what it forbids.

pub use clinic_sync::permissions::{Allowed, Permission, Role};
use serde::Serialize;

use crate::error::{Code, Error, Result};

/// The roles a staff member holds (one or several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles(u8);

impl Serialize for Roles {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.list())
    }
}

impl specta::Type for Roles {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <Vec<Role> as specta::Type>::definition(types)
    }
}

impl Roles {
    pub fn of(roles: &[Role]) -> Roles {
        Roles(roles.iter().fold(0, |bits, r| bits | bit(*r)))
    }

    pub fn parse(field: &'static str, names: &[String]) -> Result<Roles> {
        let mut roles = Vec::new();
        for name in names {
            let role = Role::ALL.into_iter().find(|r| r.as_str() == name.trim().to_ascii_lowercase())
                .ok_or_else(|| Error::invalid(field, format!("“{name}” is not a role. Roles are receptionist, doctor, manager and admin.")))?;
            roles.push(role);
        }
        if roles.is_empty() {
            return Err(Error::invalid(field, "Give the staff member at least one role."));
        }
        Ok(Roles::of(&roles))
    }

    /// The stored form, "receptionist,doctor".
    pub(crate) fn from_stored(text: &str) -> Roles {
        Roles::of(&Role::ALL.into_iter().filter(|r| text.split(',').any(|s| s == r.as_str())).collect::<Vec<_>>())
    }

    pub(crate) fn to_stored(self) -> String {
        self.list().iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn contains(self, role: Role) -> bool {
        self.0 & bit(role) != 0
    }

    pub fn list(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.contains(*r)).collect()
    }

    /// Every permission these roles hold.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL.iter().copied().filter(|p| self.allow(*p).is_ok()).collect()
    }

    pub fn allow(self, permission: Permission) -> Result<()> {
        if permission.roles().iter().any(|r| self.contains(*r)) {
            Ok(())
        } else {
            Err(Error::new(Code::PermissionDenied, format!("Your role does not allow you to {}.", permission.describe())))
        }
    }

    /// The declaration's answer for one kind of change to an entity (the server asks the same).
    pub fn allow_change(self, allowed: Allowed) -> Result<()> {
        match allowed {
            Allowed::Anyone => Ok(()),
            Allowed::With(permission) => self.allow(permission),
            Allowed::Nobody => Err(Error::new(Code::PermissionDenied, "These records are not changed from a workstation.")),
        }
    }
}

fn bit(role: Role) -> u8 {
    1 << (role as u8)
}
