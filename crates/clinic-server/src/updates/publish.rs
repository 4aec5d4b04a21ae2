//! `clinic-server publish-update`: the admin puts a signed release on the server. Everything is
//! checked before anything is written — the version, the package, the release key's signature and
//! the version it was signed for, and that the version is newer than the platform's latest — and
//! the release is then stored in one transaction: refused, nothing changed.

use std::fmt;
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use super::release::{check_signature, is_platform, package_kind, SignatureProblem, Version, ARCHITECTURES};

/// The largest package taken: the workstation's updater holds the whole download in memory.
pub const MAX_PACKAGE_BYTES: usize = 256 * 1024 * 1024;
/// The most characters of release notes (what the window shows under "Update available").
pub const MAX_NOTES: usize = 10_000;
/// The package is kept in chunks of this many bytes (and served one at a time).
const CHUNK_BYTES: usize = 1024 * 1024;

/// What the admin gives.
#[derive(Debug, Clone)]
pub struct Publication {
    pub package: PathBuf,
    pub signature: PathBuf,
    pub version: String,
    pub notes: String,
    /// The architecture the package is for, as the updater names it; this machine's when not given.
    pub arch: Option<String>,
}

/// A release stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub platform: String,
    pub version: String,
    pub size: i64,
    pub sha256: String,
}

/// Why a release was refused; nothing was stored.
#[derive(Debug)]
pub enum Refused {
    NoPublicKey,
    BadPublicKey(String),
    MalformedVersion(String),
    UnknownArch(String),
    Unreadable(String),
    NotAPackage,
    TooLarge,
    NoNotes,
    BadSignature(String),
    NoSignedVersion,
    SignedForAnotherVersion { signed: String, given: String },
    NotNewer { given: String, latest: String, platform: String },
    Database(sqlx::Error),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NoPublicKey => write!(f, "Set CLINIC_SERVER_UPDATE_PUBLIC_KEY to the release key's public half (the .pub file's one line, \
                as in the app's tauri.conf.json): without it no release can be checked (docs/updates.md)"),
            Refused::BadPublicKey(why) => write!(f, "CLINIC_SERVER_UPDATE_PUBLIC_KEY cannot be used: {why}"),
            Refused::MalformedVersion(v) => write!(f, "“{v}” is not a version: give MAJOR.MINOR.PATCH, plain numbers, e.g. 0.2.0"),
            Refused::UnknownArch(a) => write!(f, "“{a}” is not an architecture the app's updater knows: one of {}", ARCHITECTURES.join(", ")),
            Refused::Unreadable(why) => write!(f, "{why}"),
            Refused::NotAPackage => write!(f, "The package is not a .deb, .rpm or AppImage"),
            Refused::TooLarge => write!(f, "The package is larger than {} MiB", MAX_PACKAGE_BYTES / 1024 / 1024),
            Refused::NoNotes => write!(f, "Give release notes (--notes TEXT or --notes-file FILE) of 1 to {MAX_NOTES} characters: every workstation shows them"),
            Refused::BadSignature(why) => write!(f, "The signature was refused: {why}"),
            Refused::NoSignedVersion => write!(f, "The signature does not name the version it was signed for: sign with `tauri signer sign --app-version X.Y.Z` \
                (`tauri build` does it itself)"),
            Refused::SignedForAnotherVersion { signed, given } => write!(f, "The package was signed as version {signed}, not {given}"),
            Refused::NotNewer { given, latest, platform } => write!(f, "Version {given} is not newer than {latest}, the latest published for {platform}: \
                a workstation never goes back"),
            Refused::Database(e) => write!(f, "database: {e}"),
        }
    }
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Refused {
        Refused::Database(e)
    }
}

/// Checks the release against `public_key` (CLINIC_SERVER_UPDATE_PUBLIC_KEY) and stores it.
pub async fn publish(db: &PgPool, public_key: Option<&str>, p: Publication) -> Result<Published, Refused> {
    let public_key = public_key.map(str::trim).filter(|k| !k.is_empty()).ok_or(Refused::NoPublicKey)?;
    let version = Version::parse(p.version.trim()).ok_or_else(|| Refused::MalformedVersion(p.version.clone()))?;
    let arch = p.arch.clone().unwrap_or_else(|| super::release::this_architecture().to_string());
    if !ARCHITECTURES.contains(&arch.as_str()) {
        return Err(Refused::UnknownArch(arch));
    }
    let notes = p.notes.trim();
    if notes.is_empty() || notes.chars().count() > MAX_NOTES {
        return Err(Refused::NoNotes);
    }
    let size = std::fs::metadata(&p.package).map_err(|e| Refused::Unreadable(format!("cannot read the package {}: {e}", p.package.display())))?.len();
    if size > MAX_PACKAGE_BYTES as u64 {
        return Err(Refused::TooLarge);
    }
    let bytes = std::fs::read(&p.package).map_err(|e| Refused::Unreadable(format!("cannot read the package {}: {e}", p.package.display())))?;
    let kind = package_kind(&bytes).ok_or(Refused::NotAPackage)?;
    let signature = std::fs::read_to_string(&p.signature)
        .map_err(|e| Refused::Unreadable(format!("cannot read the signature {}: {e}", p.signature.display())))?;
    let signature = signature.trim();
    check_signature(public_key, signature, &bytes, version).map_err(|problem| match problem {
        SignatureProblem::Key(why) => Refused::BadPublicKey(why),
        SignatureProblem::NotSigned(why) => Refused::BadSignature(why),
        SignatureProblem::NoVersion => Refused::NoSignedVersion,
        SignatureProblem::OtherVersion(signed) => Refused::SignedForAnotherVersion { signed, given: version.to_string() },
    })?;
    let platform = format!("linux-{arch}-{kind}");
    debug_assert!(is_platform(&platform));
    let sha256 = hex::encode(Sha256::digest(&bytes));

    let mut tx = db.begin().await?;
    // One publication at a time: two admins publishing at once cannot both pass "newer than the latest".
    sqlx::query!("LOCK TABLE app_release IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
    let latest = sqlx::query!(
        "SELECT major, minor, patch FROM app_release WHERE platform = $1 ORDER BY major DESC, minor DESC, patch DESC LIMIT 1", platform
    ).fetch_optional(&mut *tx).await?.map(|r| Version { major: r.major, minor: r.minor, patch: r.patch });
    if let Some(latest) = latest.filter(|latest| version <= *latest) {
        return Err(Refused::NotNewer { given: version.to_string(), latest: latest.to_string(), platform });
    }
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO app_release (id, platform, major, minor, patch, notes, signature, size, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id, platform, version.major, version.minor, version.patch, notes, signature, bytes.len() as i64, sha256
    ).execute(&mut *tx).await?;
    for (i, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
        sqlx::query!("INSERT INTO app_release_chunk (release_id, start, bytes) VALUES ($1, $2, $3)", id, (i * CHUNK_BYTES) as i64, chunk)
            .execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Published { platform, version: version.to_string(), size: bytes.len() as i64, sha256 })
}
