//! The central server: organisations, their enrolled workstations, and every synced record on
//! PostgreSQL. Workstations push their outboxes and pull the others' changes (DESIGN.md §5).

pub mod admin;
pub mod audit;
mod api;
mod apply;
mod caller;
mod error;
mod limits;
mod openapi;
mod streams;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::Router;

use sqlx::postgres::{PgPool, PgPoolOptions};

pub use error::{ApiError, ApiResult};

/// Everything a request needs.
#[derive(Clone)]
pub struct Server {
    pub db: PgPool,
    pub metrics: Arc<api::Metrics>,
    pub limits: Arc<limits::RateLimits>,
    /// Which organisation just changed: its workstations' event streams poke them to pull.
    pub changes: tokio::sync::broadcast::Sender<uuid::Uuid>,
    /// The event streams open now, per workstation.
    pub streams: Arc<streams::Streams>,
}

impl Server {
    /// Connects and migrates the database to this build's schema.
    pub async fn connect(database_url: &str) -> Result<Server, sqlx::Error> {
        let db = PgPoolOptions::new().max_connections(16).connect(database_url).await?;
        sqlx::migrate!("../../migrations/server").run(&db).await?;
        Ok(Server {
            db, metrics: Default::default(), limits: Default::default(), changes: tokio::sync::broadcast::channel(256).0,
            streams: Default::default(),
        })
    }
}

/// What to serve: the API, told each request's client address (its rate limits are per address),
/// with the watch that ends a revoked workstation's event streams. Needs a Tokio runtime.
pub fn app(server: Server) -> IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
    tokio::spawn(streams::end_revoked(server.db.clone(), server.streams.clone()));
    api::router(server).into_make_service_with_connect_info::<SocketAddr>()
}

/// Where the server listens and what it serves, from the environment (or a config file's
/// `KEY=value` lines, read into the environment first).
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub database_url: String,
    /// PEM files: with both, the server speaks HTTPS only.
    pub tls: Option<(String, String)>,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        Ok(Config {
            listen: std::env::var("CLINIC_SERVER_LISTEN").unwrap_or_else(|_| "127.0.0.1:8787".into()),
            database_url: std::env::var("DATABASE_URL")
                .map_err(|_| "Set DATABASE_URL to the server's PostgreSQL database, e.g. postgres://clinic@localhost/clinic.")?,
            tls: match (std::env::var("CLINIC_SERVER_TLS_CERT"), std::env::var("CLINIC_SERVER_TLS_KEY")) {
                (Ok(cert), Ok(key)) => Some((cert, key)),
                (Err(_), Err(_)) => None,
                _ => return Err("Set both CLINIC_SERVER_TLS_CERT and CLINIC_SERVER_TLS_KEY (PEM files), or neither.".into()),
            },
        })
    }
}

/// Serves until Ctrl-C: plain HTTP, or HTTPS only when a certificate is configured.
pub async fn serve(config: &Config, server: Server) -> Result<(), String> {
    let address: std::net::SocketAddr = config.listen.parse().map_err(|_| format!("“{}” is not an address:port", config.listen))?;
    let app = app(server);
    match &config.tls {
        None => {
            let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
            tracing::info!(%address, "listening (http)");
            axum::serve(listener, app).with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; }).await.map_err(|e| e.to_string())
        }
        Some((cert, key)) => {
            let tls = axum_server::tls_openssl::OpenSSLConfig::from_pem_file(cert, key).map_err(|e| format!("TLS certificate: {e}"))?;
            tracing::info!(%address, "listening (https)");
            axum_server::bind_openssl(address, tls).serve(app).await.map_err(|e| e.to_string())
        }
    }
}
