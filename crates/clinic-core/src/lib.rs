//! Clinic Desk's core: the clinic's domain, its encrypted local store and every use case.
//! It knows nothing of Tauri or HTTP: the desktop shell and the sync server are built on it.
//!
//! Map: `domain` (validated values) · `store` (SQLCipher + keychain) · `auth` (roles, permission
//! table, login) · `write` (the one write path: rows, outbox, audit in one transaction) · `audit`
//! (hash-chained trail) · `ops` (the use cases) · `files` (attachments' bytes, encrypted) · `demo` (a generated clinic).

pub mod audit;
pub mod backup;
pub mod auth;
pub mod clinic;
pub mod clinical;
pub mod clock;
pub mod demo;
pub mod domain;
pub mod error;
mod files;
pub mod ops;
pub mod print;
mod picture;
pub mod store;
pub mod sync;
pub mod thread;
mod record;
mod write;

pub use clinic::{Clinic, Device};
pub use thread::ClinicThread;
pub use error::{Code, Error, Result};
