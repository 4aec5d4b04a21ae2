//! Attachments' bytes (DESIGN.md §5d): what the file endpoints (`/v1/files/{sha256}`) carry and the
//! limits both sides keep. A record names its file by the SHA-256 of its content; the bytes travel
//! on their own, in chunks, never inside a push.

use serde::{Deserialize, Serialize};

/// The largest attachment: 50 MiB.
pub const MAX_FILE_BYTES: i64 = 52_428_800;
/// The most bytes one upload request carries (the server's body limit).
pub const MAX_CHUNK_BYTES: usize = 8 * 1024 * 1024;
/// The kinds of file an attachment may be: each one recognised by its content, not only its name.
pub const MEDIA_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];

/// How much of a file the server holds for the asking workstation's organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStatus {
    /// The SHA-256 of the whole file, 64 lower-case hex digits: its name.
    pub sha256: String,
    /// The whole file's size, in bytes.
    pub size: i64,
    /// How many bytes from the start the server holds: the next upload starts there.
    pub received: i64,
    /// All of it arrived and its hash was checked: it can be downloaded.
    pub complete: bool,
}

/// Whether `text` is a SHA-256 as files are named: 64 lower-case hex digits (one spelling only,
/// so one file has one name).
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_has_one_name() {
        assert!(is_sha256(&"ab".repeat(32)));
        assert!(!is_sha256(&"AB".repeat(32)), "upper case is another spelling");
        assert!(!is_sha256(&"ab".repeat(31)));
        assert!(!is_sha256(&"zz".repeat(32)));
    }
}
