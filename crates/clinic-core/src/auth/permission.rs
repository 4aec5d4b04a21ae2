//! Who may do what. The core decides every use case here; the UI only hides what this forbids.

use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Receptionist,
    Doctor,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Receptionist, Role::Doctor, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Receptionist => "receptionist",
            Role::Doctor => "doctor",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

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
        Roles(roles.iter().fold(0, |bits, r| bits | r.bit()))
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
        self.0 & role.bit() != 0
    }

    pub fn list(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.contains(*r)).collect()
    }

    /// Every permission these roles hold.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL.into_iter().filter(|p| self.allow(*p).is_ok()).collect()
    }

    pub fn allow(self, permission: Permission) -> Result<()> {
        if permission.roles().iter().any(|r| self.contains(*r)) {
            Ok(())
        } else {
            Err(Error::new(Code::PermissionDenied, format!("Your role does not allow you to {}.", permission.describe())))
        }
    }
}

/// One permission per kind of use case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ManageClinic,
    ManageStaff,
    ManagePractitioners,
    ManageAppointmentTypes,
    ViewPatients,
    RegisterPatients,
    EditPatients,
    MergePatients,
    ViewSchedule,
    BookAppointments,
    /// Book over another appointment or outside hours, on purpose.
    OverrideSchedule,
    UpdateAppointmentStatus,
    ManageQueue,
    ViewAudit,
}

impl Permission {
    pub const ALL: [Permission; 14] = [
        Permission::ManageClinic, Permission::ManageStaff, Permission::ManagePractitioners,
        Permission::ManageAppointmentTypes, Permission::ViewPatients, Permission::RegisterPatients,
        Permission::EditPatients, Permission::MergePatients, Permission::ViewSchedule,
        Permission::BookAppointments, Permission::OverrideSchedule, Permission::UpdateAppointmentStatus,
        Permission::ManageQueue, Permission::ViewAudit,
    ];

    /// The permission table. Admin runs the system (staff, devices, clinic details) and sees no
    /// patient data unless the person also holds a clinical or front-desk role.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Permission::ManageClinic | Permission::ManageStaff | Permission::ViewAudit => &[Admin],
            Permission::ManagePractitioners | Permission::ManageAppointmentTypes => &[Manager, Admin],
            Permission::ViewPatients | Permission::RegisterPatients | Permission::EditPatients => {
                &[Receptionist, Doctor, Manager]
            }
            Permission::MergePatients => &[Manager],
            Permission::ViewSchedule | Permission::BookAppointments | Permission::UpdateAppointmentStatus
            | Permission::ManageQueue => &[Receptionist, Doctor, Manager],
            Permission::OverrideSchedule => &[Doctor, Manager],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Permission::ManageClinic => "change the clinic's details",
            Permission::ManageStaff => "manage staff accounts",
            Permission::ManagePractitioners => "manage practitioners and their hours",
            Permission::ManageAppointmentTypes => "manage appointment types",
            Permission::ViewPatients => "see patient records",
            Permission::RegisterPatients => "register patients",
            Permission::EditPatients => "edit patient records",
            Permission::MergePatients => "merge patient records",
            Permission::ViewSchedule => "see the calendar",
            Permission::BookAppointments => "book or change appointments",
            Permission::OverrideSchedule => "book over another appointment or outside working hours",
            Permission::UpdateAppointmentStatus => "check patients in or change an appointment's status",
            Permission::ManageQueue => "manage the walk-in queue",
            Permission::ViewAudit => "see the audit trail",
        }
    }
}
