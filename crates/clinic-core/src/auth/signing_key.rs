//! Each staff member's signing key (DESIGN.md §5b). The private half travels with their staff
//! record, sealed: XChaCha20-Poly1305 under a key derived from their password with argon2id
//! (its own salt, so the sealing key cannot be told from the password hash beside it). It is
//! unsealed in memory at login, so signing works offline, and dropped at lock and log-out.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use clinic_sync::signing::Signer;
use rand::RngCore;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::audit::Details;
use crate::error::{Code, Error, Result};
use crate::write::{Changes, Write};

/// The format's tag: what sealed it, so a later format can be told apart.
const FORMAT: &str = "v1";

/// A new key pair for a staff member, sealed under `password`: the signer and its sealed form.
pub(crate) async fn new_key(password: &str) -> Result<(Signer, String)> {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let signer = Signer::from_seed(&seed);
    let sealed = seal(&signer, password).await?;
    Ok((signer, sealed))
}

/// Seals `signer` under `password` (a password change seals the same key again).
pub(crate) async fn seal(signer: &Signer, password: &str) -> Result<String> {
    let (seed, password) = (*signer.seed(), password.to_string());
    blocking(move || {
        let (mut salt, mut nonce) = ([0u8; 16], [0u8; 24]);
        rand::rng().fill_bytes(&mut salt);
        rand::rng().fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(&sealing_key(&password, &salt)?);
        let sealed = cipher.encrypt(XNonce::from_slice(&nonce), seed.as_slice()).ok()?;
        Some(format!("{FORMAT}${}${}${}", hex::encode(salt), hex::encode(nonce), hex::encode(sealed)))
    })
    .await
    .ok_or_else(|| Error::new(Code::Internal, "The signing key could not be secured."))
}

/// Unseals a staff member's key with their password; none if the password does not open it.
pub(crate) async fn unseal(sealed: &str, password: &str) -> Option<Signer> {
    let (sealed, password) = (sealed.to_string(), password.to_string());
    blocking(move || {
        let [format, salt, nonce, body] = sealed.split('$').collect::<Vec<_>>()[..] else { return None };
        if format != FORMAT {
            return None;
        }
        let (salt, nonce, body) = (hex::decode(salt).ok()?, hex::decode(nonce).ok()?, hex::decode(body).ok()?);
        if nonce.len() != 24 {
            return None;
        }
        let cipher = XChaCha20Poly1305::new(&sealing_key(&password, &salt)?);
        let seed: [u8; 32] = cipher.decrypt(XNonce::from_slice(&nonce), body.as_slice()).ok()?.try_into().ok()?;
        Some(Signer::from_seed(&seed))
    })
    .await
}

/// Opens a staff member's signing key with the password they just gave, in the caller's use case
/// (a login or an unlock). Someone whose record has no key yet (made before keys existed) gets one
/// now, on their own record, signed by that new key: the server takes a first key only so.
pub(crate) async fn open(w: &mut Write<'_>, staff_id: Uuid, password: &str) -> Result<Signer> {
    let row = sqlx::query!("SELECT sealed_key, version FROM staff WHERE id = ?", staff_id).fetch_one(w.conn()).await?;
    if let Some(sealed) = row.sealed_key {
        return unseal(&sealed, password).await.ok_or_else(|| Error::new(Code::LoginFailed,
            "Your password is right, but your signing key does not open with it. Ask an administrator to reset your password."));
    }
    let (signer, sealed) = new_key(password).await?;
    let mut changes = Changes::default();
    changes.set("public_key", Value::Null, signer.public_key()).set("sealed_key", Value::Null, sealed);
    w.update("staff", staff_id, row.version, &changes).await?;
    w.audit("create_signing_key", "staff", Some(staff_id), Details::facts(json!({"public_key": signer.public_key()})));
    w.signed_by(signer.clone());
    Ok(signer)
}

/// argon2id with the password's parameters (OWASP: 19 MiB, 2 passes, 1 lane).
fn sealing_key(password: &str, salt: &[u8]) -> Option<Key> {
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, Some(32)).ok()?);
    let mut key = Key::default();
    argon2.hash_password_into(password.as_bytes(), salt, &mut key).ok()?;
    Some(key)
}

/// Key derivation takes tens of milliseconds on purpose: off the async workers.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Option<T> + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(work).await.ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sealed_key_opens_with_its_password_only() {
        let (signer, sealed) = new_key("correct horse").await.unwrap();
        assert_eq!(unseal(&sealed, "correct horse").await.unwrap().public_key(), signer.public_key());
        assert!(unseal(&sealed, "wrong horse").await.is_none());
        let resealed = seal(&signer, "new battery").await.unwrap();
        assert_ne!(resealed, sealed, "fresh salt and nonce");
        assert_eq!(unseal(&resealed, "new battery").await.unwrap().public_key(), signer.public_key(), "the same key, sealed again");
        assert!(unseal("v1$zz$zz$zz", "correct horse").await.is_none());
        assert!(unseal("garbage", "correct horse").await.is_none());
    }
}
