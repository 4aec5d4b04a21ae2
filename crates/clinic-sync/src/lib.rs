//! The sync protocol between a workstation and the central server (DESIGN.md §5): what travels on
//! the wire, and how each kind of record is synced. Both sides depend on this crate, so they cannot
//! disagree about either.

pub mod entities;
pub mod wire;

pub use entities::{Entity, Policy, ENTITIES};
pub use wire::*;
