//! Who is asking: the client's address, and the enrolled workstation its bearer token names,
//! within the rate limits (limits.rs).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use crate::admin::{self, DeviceAuth};
use crate::error::ApiError;
use crate::limits::address_key;
use crate::Server;

/// The client's address, as its rate limits know it.
pub struct Client(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Client, Self::Rejection> {
        // `app()` always serves with the connection's address; were it missing, every client would
        // share one bucket: still limited, never unlimited.
        let address = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Client(address_key(address)))
    }
}

/// An enrolled workstation, from its bearer token, within its rate limit.
pub struct Device(pub DeviceAuth);

impl FromRequestParts<Server> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, server: &Server) -> Result<Device, ApiError> {
        let Ok(Client(address)) = Client::from_request_parts(parts, server).await;
        let limits = &server.limits;
        // Taken before the token is looked up, and given back when it is good: an address that
        // keeps sending wrong tokens is refused here, without asking the database.
        if !limits.token_tries.take(address) {
            return Err(refused(server, "Too many requests with a token this server does not know, from this address; try again in a minute."));
        }
        let token = parts.headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer ")).ok_or_else(ApiError::unauthorised)?;
        let auth = admin::authenticate(&server.db, token).await?;
        limits.token_tries.give_back(address);
        if !limits.workstation.take(auth.device_id) {
            return Err(refused(server, "Too many requests from this workstation; it will retry shortly."));
        }
        Ok(Device(auth))
    }
}

/// A request over a rate limit, counted.
pub fn refused(server: &Server, message: &str) -> ApiError {
    server.metrics.count_refused();
    ApiError::rate_limited(message)
}
