//! The sync protocol between a workstation and the central server (DESIGN.md §5): what travels on
//! the wire, every kind of record that syncs, declared once, and the checks derived from that
//! declaration. Both sides depend on this crate, so they cannot disagree about any of it.

pub mod audit_chain;
pub mod entities;
pub mod files;
pub mod money;
pub mod permissions;
pub mod signed;
pub mod signing;
pub mod transport;
pub mod validate;
pub mod wire;

pub use entities::{entity, Entity, Policy, ENTITIES};
pub use wire::*;
