//! The recovery code: what opens this workstation's backups when its keychain is gone.
//!
//! 23 random symbols of Crockford's base32 (115 bits) and a check symbol, shown as six groups of
//! four (`K7QF-2M9X-…`). The backups' key is derived from it with argon2id; the code itself is
//! never stored, only the key it gives (inside the encrypted database, so the daily backup runs
//! without anyone typing it). With 115 random bits there is nothing to precompute, so the salt
//! is a fixed label that keeps this use of argon2id apart from any other; argon2id's cost is what
//! makes each guess at a stolen backup slow.

use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::store::DatabaseKey;

/// Crockford's base32: no I, L, O or U, so a code read aloud or off paper is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const SYMBOLS: usize = 24;
const SALT: &[u8] = b"clinic-desk backup key v1";

#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    pub fn generate() -> RecoveryCode {
        let mut rng = rand::rng();
        let mut symbols: Vec<u8> = (0..SYMBOLS - 1).map(|_| rng.random_range(0..32u8)).collect();
        symbols.push(check_symbol(&symbols));
        RecoveryCode(symbols.into_iter().map(|s| ALPHABET[s as usize] as char).collect())
    }

    /// Reads a code as typed: any case, with or without dashes and spaces; O read as 0, I and L
    /// as 1 (as Crockford's alphabet intends). A typo is caught by the check symbol.
    pub fn parse(field: &'static str, typed: &str) -> Result<RecoveryCode> {
        let mut symbols = Vec::with_capacity(SYMBOLS);
        for c in typed.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            let value = ALPHABET.iter().position(|a| *a as char == c)
                .ok_or_else(|| Error::invalid(field, format!("“{c}” is not in a recovery code: it has only digits and the letters A–Z without U.")))?;
            symbols.push(value as u8);
        }
        if symbols.len() != SYMBOLS {
            return Err(Error::invalid(field, format!("A recovery code has {SYMBOLS} letters and digits (six groups of four); this has {}.", symbols.len())));
        }
        if check_symbol(&symbols[..SYMBOLS - 1]) != symbols[SYMBOLS - 1] {
            return Err(Error::invalid(field, "This recovery code has a typo: check it against the printed recovery sheet."));
        }
        Ok(RecoveryCode(symbols.into_iter().map(|s| ALPHABET[s as usize] as char).collect()))
    }

    /// As printed and shown: six groups of four.
    pub fn grouped(&self) -> String {
        self.0.as_bytes().chunks(4).map(|g| std::str::from_utf8(g).expect("ascii")).collect::<Vec<_>>().join("-")
    }

    /// The backups' key: argon2id, 64 MiB, 3 passes (about half a second, once per code).
    pub fn backup_key(&self) -> DatabaseKey {
        let params = Params::new(64 * 1024, 3, 1, Some(32)).expect("valid argon2 params");
        let mut key = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(self.0.as_bytes(), SALT, &mut key)
            .expect("argon2id with a fixed-size output");
        DatabaseKey::from_bytes(&key).expect("32 bytes")
    }
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

/// Names which code a backup needs without giving anything away: four symbols of the key's
/// SHA-256, printed on the recovery sheet and in each backup's file name.
pub fn key_label(key: &DatabaseKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().take(4).map(|b| ALPHABET[(b % 32) as usize] as char).collect()
}

/// A weighted sum mod 37 (Crockford's own check) would need five more symbols; a weighted sum
/// mod 32 over distinct odd weights still catches every single typo and most swaps of neighbours.
fn check_symbol(symbols: &[u8]) -> u8 {
    let sum: u32 = symbols.iter().enumerate().map(|(i, s)| (2 * i as u32 + 1) * u32::from(*s)).sum();
    (sum % 32) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_as_typed_loosely_and_a_typo_is_caught() {
        let code = RecoveryCode::generate();
        let grouped = code.grouped();
        assert_eq!(grouped.len(), 29);
        assert_eq!(RecoveryCode::parse("code", &grouped.to_lowercase().replace('-', " ")).unwrap(), code);
        for at in (0..grouped.len()).filter(|i| grouped.as_bytes()[*i] != b'-') {
            let mut typo = grouped.clone().into_bytes();
            typo[at] = if typo[at] == b'7' { b'8' } else { b'7' };
            let typo = String::from_utf8(typo).unwrap();
            assert!(RecoveryCode::parse("code", &typo).is_err(), "{typo}");
        }
        assert!(RecoveryCode::parse("code", "K7QF-2M9X").is_err());
        assert!(RecoveryCode::parse("code", &grouped.replacen(|c: char| c.is_ascii_alphanumeric(), "U", 1)).is_err());
    }

    #[test]
    fn the_same_code_gives_the_same_key_and_another_code_another() {
        let code = RecoveryCode::generate();
        assert_eq!(code.backup_key(), RecoveryCode::parse("code", &code.grouped()).unwrap().backup_key());
        assert_ne!(code.backup_key(), RecoveryCode::generate().backup_key());
    }
}
