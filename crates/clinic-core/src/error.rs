//! The one error type of the core. It crosses into the UI as `{code, message}`: the code is for
//! the UI to branch on, the message is for a receptionist to act on. SQL text and internals are
//! logged, never shown.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// An input value is wrong; `field` names it.
    Invalid,
    NotFound,
    PermissionDenied,
    /// The workstation's session is locked; unlock first.
    SessionLocked,
    /// Wrong username or password.
    LoginFailed,
    /// Too many failed logins; try again later or ask an admin to reset the password.
    AccountLocked,
    AccountDisabled,
    /// The practitioner already has an appointment at that time.
    DoubleBooking,
    /// Outside the practitioner's working hours, in a break, or during time off.
    OutsideHours,
    /// Something with that name or number exists already.
    AlreadyExists,
    /// The new patient looks like one already registered; confirm to register anyway.
    PossibleDuplicate,
    /// The record is not in a state that allows this (e.g. completing a cancelled visit).
    WrongState,
    /// The clinic has not been set up yet, or was set up already.
    Setup,
    /// The database key could not be had from the OS keychain.
    KeyUnavailable,
    /// The store could not be opened or read (corrupt, wrong key, disk).
    StoreUnavailable,
    /// The sync server could not be reached, or refused this workstation.
    SyncUnavailable,
    /// Long work (a report) stopped when the user asked.
    Cancelled,
    /// A backup could not be written or checked (the folder missing, full or read-only); nothing
    /// else changed.
    BackupFailed,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, specta::Type)]
#[error("{message}")]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// The input field an `Invalid` error is about, so the UI can show it next to that field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), field: None }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error { code: Code::Invalid, message: message.into(), field: Some(field) }
    }

    pub fn not_found(what: &str) -> Self {
        Error::new(Code::NotFound, format!("{what} was not found. It may have been removed; refresh and try again."))
    }

    pub fn wrong_state(message: impl Into<String>) -> Self {
        Error::new(Code::WrongState, message)
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "store error");
        Error::new(
            Code::StoreUnavailable,
            "The clinic's data could not be read or saved. Nothing was changed. If this repeats, restart the app.",
        )
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        tracing::error!(error = %e, "migration error");
        Error::new(Code::StoreUnavailable, "The clinic's database could not be upgraded to this version of the app.")
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        tracing::error!(error = %e, "json error");
        Error::new(Code::Internal, "A stored record could not be read.")
    }
}
