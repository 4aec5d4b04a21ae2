//! The central server: organisations, their enrolled workstations, and every synced record on
//! PostgreSQL. Workstations push their outboxes and pull the others' changes (DESIGN.md §5).

pub mod admin;
pub mod audit;
mod api;
mod apply;
mod caller;
mod error;
mod files;
mod limits;
mod openapi;
mod streams;
mod tls;
pub mod updates;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::Router;

use sqlx::postgres::{PgPool, PgPoolOptions};

pub use error::{ApiError, ApiResult};
pub use tls::TlsFiles;

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
    /// The running hash of each file this process is receiving (files/store.rs).
    pub(crate) receiving: Arc<files::Receiving>,
    /// Whether this process speaks HTTPS: the update manifest's download address starts so.
    pub(crate) https: bool,
}

impl Server {
    /// Connects and migrates the database to this build's schema.
    pub async fn connect(database_url: &str) -> Result<Server, sqlx::Error> {
        let db = PgPoolOptions::new().max_connections(16).connect(database_url).await?;
        sqlx::migrate!("../../migrations/server").run(&db).await?;
        Ok(Server {
            db, metrics: Default::default(), limits: Default::default(), changes: tokio::sync::broadcast::channel(256).0,
            streams: Default::default(), receiving: Default::default(), https: false,
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
    /// With it, the server speaks HTTPS only; without it, plain HTTP, which `serve` allows only on
    /// the loopback interface.
    pub tls: Option<TlsFiles>,
    /// The release key's public half (CLINIC_SERVER_UPDATE_PUBLIC_KEY, the base64 line of its .pub
    /// file): `publish-update` takes only packages it signed (docs/updates.md).
    pub update_public_key: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        Config::from_settings(|name| std::env::var(name).ok())
    }

    /// From named settings (the environment's names). Listening off loopback with no certificate
    /// configured means the server's own, in its data folder.
    pub fn from_settings(setting: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let listen = setting("CLINIC_SERVER_LISTEN").unwrap_or_else(|| "127.0.0.1:8787".into());
        let tls = match (setting("CLINIC_SERVER_TLS_CERT"), setting("CLINIC_SERVER_TLS_KEY")) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert: cert.into(), key: key.into() }),
            (None, None) if on_loopback(socket_address(&listen)?) => None,
            (None, None) => Some(TlsFiles::in_folder(&data_folder(&setting)?)),
            _ => return Err("Set both CLINIC_SERVER_TLS_CERT and CLINIC_SERVER_TLS_KEY (PEM files), or neither.".into()),
        };
        let database_url = setting("DATABASE_URL")
            .ok_or("Set DATABASE_URL to the server's PostgreSQL database, e.g. postgres://clinic@localhost/clinic.")?;
        let update_public_key = setting("CLINIC_SERVER_UPDATE_PUBLIC_KEY").filter(|k| !k.trim().is_empty());
        Ok(Config { listen, database_url, tls, update_public_key })
    }
}

/// CLINIC_SERVER_DATA, else the user's data folder (XDG): where the self-made certificate is kept.
fn data_folder(setting: &impl Fn(&str) -> Option<String>) -> Result<std::path::PathBuf, String> {
    if let Some(folder) = setting("CLINIC_SERVER_DATA") {
        return Ok(folder.into());
    }
    let data_home = setting("XDG_DATA_HOME").map(std::path::PathBuf::from)
        .or_else(|| setting("HOME").map(|home| std::path::Path::new(&home).join(".local/share")))
        .ok_or("Set CLINIC_SERVER_DATA to a folder for the server's certificate.")?;
    Ok(data_home.join("clinic-server"))
}

fn socket_address(listen: &str) -> Result<std::net::SocketAddr, String> {
    listen.parse().map_err(|_| format!("“{listen}” is not an address:port"))
}

fn on_loopback(address: std::net::SocketAddr) -> bool {
    clinic_sync::transport::is_loopback(&address.ip().to_string())
}

/// Serves until Ctrl-C: HTTPS only when a certificate is configured, else plain HTTP, which is
/// refused off loopback: the device token read there would open the whole organisation.
pub async fn serve(config: &Config, server: Server) -> Result<(), String> {
    let address = socket_address(&config.listen)?;
    let app = app(Server { https: config.tls.is_some(), ..server });
    match &config.tls {
        None if !on_loopback(address) => Err(format!(
            "Refusing plain HTTP on {address}: off this machine the server speaks HTTPS only. Leave CLINIC_SERVER_TLS_CERT and \
             CLINIC_SERVER_TLS_KEY unset for a certificate of its own, or name yours."
        )),
        None => {
            let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
            tracing::info!(%address, "listening (http, this machine only)");
            axum::serve(listener, app).with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; }).await.map_err(|e| e.to_string())
        }
        Some(files) => {
            let fingerprint = files.ensure()?;
            let tls = axum_server::tls_openssl::OpenSSLConfig::from_pem_file(&files.cert, &files.key).map_err(|e| format!("TLS certificate: {e}"))?;
            tracing::info!(%address, %fingerprint, "listening (https)");
            axum_server::bind_openssl(address, tls).serve(app).await.map_err(|e| e.to_string())
        }
    }
}
