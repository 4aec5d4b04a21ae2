//! The server's HTTP API against a real PostgreSQL (a fresh database per test).

mod harness;

mod audit_chains;
mod declaration;
mod enrolment;
mod files;
mod limits;
mod money;
mod openapi;
mod push_pull;
mod refusals;
mod signatures;
mod signed_notes;
mod tls;
mod updates;
