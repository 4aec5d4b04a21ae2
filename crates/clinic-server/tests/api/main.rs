//! The server's HTTP API against a real PostgreSQL (a fresh database per test).

mod harness;

mod declaration;
mod enrolment;
mod openapi;
mod push_pull;
mod refusals;
mod signatures;
mod tls;
