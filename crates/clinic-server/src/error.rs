//! Errors as the server answers them: `{code, message}` and a status, never internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use clinic_sync::ErrorBody;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// Well-formed, but not what the API's schema allows (a missing field, a wrong type, out of range).
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    pub fn rate_limited(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
    }

    pub fn unauthorised() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorised", "This workstation is not enrolled, or its enrolment was revoked.")
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        // Logged here, with the detail; the workstation only learns that it should retry.
        tracing::error!(error = %e, "database");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "The server could not reach its database; try again shortly.")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { code: self.code.into(), message: self.message })).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
