//! clinic-core's API tests, one binary. Each test opens a fresh encrypted database of its own.

mod helpers;
mod attachments;
mod audit;
mod auth;
mod billing;
mod calendar;
mod clinic_settings;
mod clinical;
mod daylight_saving;
mod declaration;
mod demo;
mod idle_lock;
mod keychain;
mod patients;
mod permissions;
mod print;
mod print_money;
mod print_reports;
mod queue;
mod reports;
mod report_choices;
mod signing;
mod store;
mod sync_address;
mod thread;
mod updates;
