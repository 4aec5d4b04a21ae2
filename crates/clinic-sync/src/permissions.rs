//! Who may do what: the one permission table. The core checks it in every use case, the server
//! checks every pushed change with it (through each entity's declared access, which names these
//! permissions), and the window's menus are built from the permissions a session holds. A role
//! is a set of permissions, read from the table; nothing else lists them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Receptionist,
    Doctor,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Receptionist, Role::Doctor, Role::Manager, Role::Admin];

    /// As staff records spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Receptionist => "receptionist",
            Role::Doctor => "doctor",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn named(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    pub fn may(self, permission: Permission) -> bool {
        permission.roles().contains(&self)
    }
}

/// Declares the permissions, each once: the enum, `ALL`, and each one's roles and description.
macro_rules! permissions {
    ($($(#[$doc:meta])* $name:ident => [$($role:ident),*], $describe:literal;)*) => {
        /// One permission per kind of use case.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum Permission {
            $($(#[$doc])* $name,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$name),*];

            /// The roles that hold it.
            pub fn roles(self) -> &'static [Role] {
                match self {
                    $(Permission::$name => &[$(Role::$role),*],)*
                }
            }

            /// What it allows, to finish "Your role does not allow you to …".
            pub fn describe(self) -> &'static str {
                match self {
                    $(Permission::$name => $describe,)*
                }
            }
        }
    };
}

// Admin runs the system (staff, devices, clinic details) and sees no patient data unless the
// person also holds a clinical or front-desk role.
permissions! {
    ManageClinic => [Admin], "change the clinic's details";
    ManageStaff => [Admin], "manage staff accounts";
    ViewAudit => [Admin], "see the audit trail";
    ManagePractitioners => [Manager, Admin], "manage practitioners and their hours";
    ManageAppointmentTypes => [Manager, Admin], "manage appointment types";
    ViewPatients => [Receptionist, Doctor, Manager], "see patient records";
    RegisterPatients => [Receptionist, Doctor, Manager], "register patients";
    EditPatients => [Receptionist, Doctor, Manager], "edit patient records";
    /// Merging and unmerging: a duplicate record is a manager's decision.
    MergePatients => [Manager], "merge patient records";
    ViewSchedule => [Receptionist, Doctor, Manager], "see the calendar";
    BookAppointments => [Receptionist, Doctor, Manager], "book or change appointments";
    /// Book over another appointment or outside hours, on purpose.
    OverrideSchedule => [Doctor, Manager], "book over another appointment or outside working hours";
    UpdateAppointmentStatus => [Receptionist, Doctor, Manager], "check patients in or change an appointment's status";
    ManageQueue => [Receptionist, Doctor, Manager], "manage the walk-in queue";
    /// See what sync needs a person for, and mark it settled (each fix also takes the permission
    /// of what it changes: a staff member's duplicate username is the admin's to fix).
    SettleConflicts => [Receptionist, Doctor, Manager, Admin], "settle what sync needs a person for";
    /// The chart: notes, problems, allergies, medications, vitals, attachments (DESIGN.md §7a,
    /// minimum necessary: clinical content is for clinicians).
    ViewClinical => [Doctor], "see clinical records";
    /// Consultations, notes (and signing one's own), vitals, diagnoses, allergies, prescriptions, attachments.
    WriteClinical => [Doctor], "write clinical records";
    /// The drugs the clinic prescribes from.
    ManageFormulary => [Doctor, Manager], "manage the formulary";
    /// An emergency read of a chart by someone whose role does not see it: with a reason, audited as such.
    BreakTheGlass => [Receptionist, Manager], "open a chart in an emergency";
    /// Invoices, payments and one's own cash drawer (DESIGN.md §7b).
    TakePayments => [Receptionist, Manager], "make invoices and take payments";
    /// A patient's invoices, payments and statement.
    ViewAccounts => [Receptionist, Manager], "see patients' accounts";
    /// What a patient owes, and nothing more of their account.
    ViewBalance => [Receptionist, Doctor, Manager], "see what a patient owes";
    ManagePrices => [Manager], "manage the price list";
    /// A discount over the site's limit.
    GiveLargeDiscounts => [Manager], "give a discount over the limit";
    RefundPayments => [Manager], "refund payments";
    CreditInvoices => [Manager], "issue credit notes";
    /// Every cashier's sessions, not only one's own.
    ReviewCashSessions => [Manager], "see every cash session";
    /// The clinic's reports and dashboard.
    ViewReports => [Manager], "see the clinic's reports";
    /// Where this workstation's backups go, backing up now, the recovery code, restoring.
    ManageBackups => [Admin], "manage backups";
    /// Installing a new version of the app on this workstation (the admin's consent).
    InstallUpdates => [Admin], "install updates";
}

/// Who may make one kind of change to an entity's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Whoever is logged in (an audit entry is a fact about the workstation, whoever was at it).
    Anyone,
    /// Those whose roles hold this permission.
    With(Permission),
    /// Nobody from a workstation.
    Nobody,
}

impl Allowed {
    pub fn admits(self, roles: &[Role]) -> bool {
        match self {
            Allowed::Anyone => true,
            Allowed::With(permission) => roles.iter().any(|r| r.may(permission)),
            Allowed::Nobody => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_held_by_some_role_and_named_once() {
        for p in Permission::ALL {
            assert!(!p.roles().is_empty(), "{p:?} is held by nobody");
            assert_eq!(Permission::ALL.iter().filter(|q| *q == p).count(), 1);
        }
        for r in Role::ALL {
            assert_eq!(Role::named(r.as_str()), Some(r));
        }
        assert_eq!(Role::named("root"), None);
    }
}
