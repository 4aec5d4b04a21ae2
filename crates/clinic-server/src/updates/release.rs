//! What a release is made of, checked before anything is stored: its version, the platform its
//! package is for, and the release key's signature over it (minisign, as `tauri signer` makes it).

use std::fmt;

use base64::Engine;
use minisign_verify::{PublicKey, Signature};

/// A release's version: `MAJOR.MINOR.PATCH`, plain numbers, as the app's version is written
/// (tauri.conf.json). No `v`, no pre-release or build suffix: an update is always a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: i32,
    pub minor: i32,
    pub patch: i32,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.split('.').map(|part| {
            // Digits only, without leading zeros (`01` is not a version number), within PostgreSQL's integer.
            let plain = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) && (part == "0" || !part.starts_with('0'));
            plain.then(|| part.parse::<i32>().ok()).flatten()
        });
        let version = Version { major: parts.next()??, minor: parts.next()??, patch: parts.next()?? };
        parts.next().is_none().then_some(version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The architectures the workstation's updater names (tauri-plugin-updater's `{{arch}}`).
pub const ARCHITECTURES: [&str; 5] = ["x86_64", "aarch64", "i686", "armv7", "riscv64"];

/// This machine's architecture, as the updater names it: the default for a package published here.
pub fn this_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86" => "i686",
        "arm" => "armv7",
        other => ARCHITECTURES.iter().find(|a| **a == other).copied().unwrap_or("x86_64"),
    }
}

/// The platform a workstation's updater asks for: `{os}-{arch}-{bundle}`, e.g. `linux-x86_64-deb`
/// (an app not installed from a package asks for `…-unknown`, and is never offered one).
pub fn is_platform(text: &str) -> bool {
    let mut parts = text.split('-');
    let word = |part: Option<&str>, also: &[u8]| part.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || also.contains(&b)));
    text.len() <= 64 && word(parts.next(), b"") && word(parts.next(), b"0123456789_") && word(parts.next(), b"") && parts.next().is_none()
}

/// What kind of package the bytes are, told by their first bytes (as the updater tells them before
/// it installs one): the bundle part of the platform.
pub fn package_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"!<arch>\ndebian-binary") {
        Some("deb")
    } else if bytes.starts_with(&[0xED, 0xAB, 0xEE, 0xDB]) {
        Some("rpm")
    } else if bytes.starts_with(b"\x7fELF") {
        Some("appimage")
    } else {
        None
    }
}

/// Why a signature is not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum SignatureProblem {
    /// The configured public key cannot be read.
    Key(String),
    /// Not a signature, or not the release key's signature of these bytes.
    NotSigned(String),
    /// Signed without naming the version (an old CLI, or `signer sign` without `--app-version`).
    NoVersion,
    /// Signed as another version than the one given.
    OtherVersion(String),
}

/// Checks `signature` (the base64 text of a `.sig` file) over `bytes` against `public_key` (the
/// base64 text of a `.pub` file, as tauri.conf.json holds it), as the workstation's updater will
/// with `requireSignedVersion`: the global signature, then the version its trusted comment names.
pub fn check_signature(public_key: &str, signature: &str, bytes: &[u8], version: Version) -> Result<(), SignatureProblem> {
    let decoded = |text: &str| {
        base64::engine::general_purpose::STANDARD.decode(text.trim()).ok().and_then(|b| String::from_utf8(b).ok())
    };
    let key = decoded(public_key).and_then(|text| PublicKey::decode(&text).ok())
        .ok_or_else(|| SignatureProblem::Key("it is not a Tauri updater public key (the one line of base64 in the .pub file `tauri signer generate` writes)".into()))?;
    let signature = decoded(signature).and_then(|text| Signature::decode(&text).ok())
        .ok_or_else(|| SignatureProblem::NotSigned("the signature file is not a minisign signature (the .sig file `tauri signer sign` or `tauri build` writes)".into()))?;
    key.verify(bytes, &signature, true)
        .map_err(|_| SignatureProblem::NotSigned("it is not the release key's signature of this package (another key signed it, or the package changed since)".into()))?;
    // Only now is the trusted comment worth reading: the global signature just checked covers it.
    let signed = signature.trusted_comment().split('\t').find_map(|field| field.strip_prefix("version:")).ok_or(SignatureProblem::NoVersion)?;
    match Version::parse(signed.trim_start_matches('v')) {
        Some(signed) if signed == version => Ok(()),
        _ => Err(SignatureProblem::OtherVersion(signed.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_three_plain_numbers() {
        assert_eq!(Version::parse("0.2.10"), Some(Version { major: 0, minor: 2, patch: 10 }));
        assert!(Version::parse("1.10.0") > Version::parse("1.9.9"));
        for bad in ["", "1", "1.2", "1.2.3.4", "v1.2.3", "1.2.3-beta", "01.2.3", "1.2.x", "1..3", "1.2.3 ", "99999999999.0.0", "-1.0.0", "+1.0.0"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_platform_is_the_updaters_os_arch_and_bundle() {
        for good in ["linux-x86_64-deb", "linux-aarch64-rpm", "linux-x86_64-unknown", "windows-i686-nsis"] {
            assert!(is_platform(good), "{good}");
        }
        for bad in ["linux", "linux-x86_64", "linux-x86_64-deb-x", "Linux-x86_64-deb", "linux--deb", "linux-x86_64-de b", &"a".repeat(65)] {
            assert!(!is_platform(bad), "{bad}");
        }
    }

    #[test]
    fn packages_are_told_by_their_first_bytes() {
        assert_eq!(package_kind(include_bytes!("../../../../tests/updates/update-fixture_0.2.0_amd64.deb")), Some("deb"));
        assert_eq!(package_kind(&[0xED, 0xAB, 0xEE, 0xDB, 3, 0]), Some("rpm"));
        assert_eq!(package_kind(b"\x7fELF\x02\x01"), Some("appimage"));
        assert_eq!(package_kind(b"PK\x03\x04"), None);
    }

    const TEST_KEY: &str = include_str!("../../../../tests/updates/TEST-ONLY-update-signing.key.pub");
    const FIXTURE: &[u8] = include_bytes!("../../../../tests/updates/update-fixture_0.2.0_amd64.deb");
    const FIXTURE_SIG: &str = include_str!("../../../../tests/updates/update-fixture_0.2.0_amd64.deb.sig");

    #[test]
    fn the_tauri_clis_own_signature_is_read_with_its_version() {
        let v = |text| Version::parse(text).unwrap();
        assert_eq!(check_signature(TEST_KEY, FIXTURE_SIG, FIXTURE, v("0.2.0")), Ok(()));
        assert_eq!(check_signature(TEST_KEY, FIXTURE_SIG, FIXTURE, v("0.3.0")), Err(SignatureProblem::OtherVersion("0.2.0".into())));
        let mut changed = FIXTURE.to_vec();
        *changed.last_mut().unwrap() ^= 1;
        assert!(matches!(check_signature(TEST_KEY, FIXTURE_SIG, &changed, v("0.2.0")), Err(SignatureProblem::NotSigned(_))));
        assert!(matches!(check_signature(TEST_KEY, "bm90IGEgc2lnbmF0dXJl", FIXTURE, v("0.2.0")), Err(SignatureProblem::NotSigned(_))));
        assert!(matches!(check_signature("not a key", FIXTURE_SIG, FIXTURE, v("0.2.0")), Err(SignatureProblem::Key(_))));
    }
}
