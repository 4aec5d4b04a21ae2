//! The use cases, one module per part of the clinic. Each change of state is one function that
//! runs one `Write` (permission, validation, rows, outbox, audit, in one transaction).

pub mod appointment_types;
pub mod attachments;
pub mod billing;
pub mod calendar;
pub mod clinical;
pub mod patients;
pub mod practitioners;
pub mod queue;
pub mod reports;
pub mod setup;
pub mod staff;
pub mod updates;
