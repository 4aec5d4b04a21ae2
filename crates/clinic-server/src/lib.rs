//! The central server: organisations, their enrolled workstations, and every synced record on
//! PostgreSQL. Workstations push their outboxes and pull the others' changes (DESIGN.md §5).

pub mod admin;
mod api;
mod apply;
mod error;
mod limits;
mod openapi;

use std::sync::Arc;

use sqlx::postgres::{PgPool, PgPoolOptions};

pub use api::router;
pub use error::{ApiError, ApiResult};

/// Everything a request needs.
#[derive(Clone)]
pub struct Server {
    pub db: PgPool,
    pub metrics: Arc<api::Metrics>,
    pub limits: Arc<limits::RateLimits>,
}

impl Server {
    /// Connects and migrates the database to this build's schema.
    pub async fn connect(database_url: &str) -> Result<Server, sqlx::Error> {
        let db = PgPoolOptions::new().max_connections(16).connect(database_url).await?;
        sqlx::migrate!("../../migrations/server").run(&db).await?;
        Ok(Server { db, metrics: Default::default(), limits: Default::default() })
    }
}

/// Where the server listens and what it serves, from the environment (or a config file's
/// `KEY=value` lines, read into the environment first).
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub database_url: String,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        Ok(Config {
            listen: std::env::var("CLINIC_SERVER_LISTEN").unwrap_or_else(|_| "127.0.0.1:8787".into()),
            database_url: std::env::var("DATABASE_URL")
                .map_err(|_| "Set DATABASE_URL to the server's PostgreSQL database, e.g. postgres://clinic@localhost/clinic.")?,
        })
    }
}
