//! Each staff member's signing key (DESIGN.md §5b). The private half travels with their staff
//! record, sealed: XChaCha20-Poly1305 under a key derived from their password with argon2id
//! (its own salt, so the sealing key cannot be told from the password hash beside it). It is
//! unsealed in memory at login, so signing works offline, and dropped at lock and log-out.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use clinic_sync::signing::Signer;
use rand::RngCore;

use uuid::Uuid;

use crate::error::{Code, Error, Result};
use crate::write::Write;

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

/// Opens a staff member's signing key with the password they just gave (a login or an unlock).
/// It must be the key their record names: one sealed by a password change that crossed an
/// admin's reset (offline) would sign changes the server refuses.
pub(crate) async fn open(w: &mut Write<'_>, staff_id: Uuid, password: &str) -> Result<Signer> {
    let row = sqlx::query!("SELECT sealed_key, public_key FROM staff WHERE id = ?", staff_id).fetch_one(w.conn()).await?;
    let reset = |why: &str| Error::new(Code::LoginFailed, format!("{why} Ask an administrator to reset your password."));
    // Every account this version makes has a key; one made before keys existed gets its first
    // from an admin's reset (the server takes no key a person gives themselves).
    let (Some(sealed), Some(public_key)) = (row.sealed_key, row.public_key) else {
        return Err(reset("Your password is right, but your account has no signing key yet."));
    };
    match unseal(&sealed, password).await {
        Some(signer) if signer.public_key() == public_key => Ok(signer),
        Some(_) => Err(reset("Your password is right, but your signing key does not match your account.")),
        None => Err(reset("Your password is right, but your signing key does not open with it.")),
    }
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
