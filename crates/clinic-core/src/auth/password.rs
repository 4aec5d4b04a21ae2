use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{Code, Error, Result};

/// A new password: 8 to 128 characters, not only spaces.
pub(crate) struct Password(String);

impl Password {
    pub(crate) fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let n = raw.chars().count();
        if n < 8 {
            return Err(Error::invalid(field, "A password needs at least 8 characters."));
        }
        if n > 128 {
            return Err(Error::invalid(field, "A password can have at most 128 characters."));
        }
        if raw.trim().is_empty() {
            return Err(Error::invalid(field, "A password cannot be only spaces."));
        }
        Ok(Password(raw.to_string()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// argon2id with OWASP's parameters: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"))
}

/// Hashing takes tens of milliseconds on purpose; it runs off the async workers.
pub(crate) async fn hash_password(password: Password) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.0.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .ok()
    .and_then(|r| r.ok())
    .ok_or_else(|| Error::new(Code::Internal, "The password could not be secured."))
}

pub(crate) async fn verify_password(password: &str, stored_hash: &str) -> bool {
    let (password, stored_hash) = (password.to_string(), stored_hash.to_string());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored_hash).is_ok_and(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
    })
    .await
    .unwrap_or(false)
}
