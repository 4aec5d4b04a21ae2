//! Real workstations (encrypted stores, the core's own use cases and sync engine) against a real
//! server on port 0: after everyone has synced, every workstation holds the same records.

#[path = "../api/harness.rs"]
#[allow(dead_code)]
mod server_harness;
mod clinical;
mod desks;
mod proxy;

mod adversarial;
mod attachments;
mod integrity;
mod lockout;
mod machine;
mod money;
mod pinning;
mod restore;
mod settling;
mod stories;
mod trails;
