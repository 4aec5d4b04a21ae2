//! What a file is: told by its first bytes (its "magic"), which must agree with its name's
//! extension. A file that is not what its name says, is empty or is too large is refused before
//! anything is written, with a message that says which.

use clinic_sync::files::MAX_FILE_BYTES;

use crate::error::{Error, Result};

/// A kind of file the app accepts: its media type, its extensions, its magic, and how a person names it.
struct FileKind {
    media_type: &'static str,
    extensions: &'static [&'static str],
    magic: &'static [u8],
    called: &'static str,
}

/// One entry per media type of clinic-sync's `MEDIA_TYPES` (a test holds the two together).
const KINDS: &[FileKind] = &[
    FileKind { media_type: "image/jpeg", extensions: &["jpg", "jpeg"], magic: &[0xFF, 0xD8, 0xFF], called: "a JPEG picture" },
    FileKind { media_type: "image/png", extensions: &["png"], magic: &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A], called: "a PNG picture" },
    FileKind { media_type: "application/pdf", extensions: &["pdf"], magic: b"%PDF-", called: "a PDF document" },
];

/// The file's name as kept: its last path component, trimmed; without control characters.
pub(crate) fn file_name(given: &str) -> Result<String> {
    let name = given.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() {
        return Err(Error::invalid("file_name", "The file has no name."));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("file_name", "The file's name has characters that cannot be shown; rename the file and try again."));
    }
    if name.chars().count() > 255 {
        return Err(Error::invalid("file_name", "The file's name is longer than 255 characters; rename the file and try again."));
    }
    Ok(name.to_string())
}

/// The media type of `bytes`, named `name`: refused when empty, over 50 MB, of a kind the app
/// does not show, or not what its extension says.
pub(crate) fn media_type(name: &str, bytes: &[u8]) -> Result<&'static str> {
    if bytes.is_empty() {
        return Err(Error::invalid("file", format!("“{name}” is empty: there is nothing to attach.")));
    }
    if bytes.len() as i64 > MAX_FILE_BYTES {
        return Err(Error::invalid("file", format!(
            "“{name}” is {:.1} MB; an attachment can be at most {} MB. Scan it at a lower resolution, or split it.",
            bytes.len() as f64 / 1_048_576.0, MAX_FILE_BYTES / 1_048_576)));
    }
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let named = KINDS.iter().find(|k| k.extensions.contains(&extension.as_str())).ok_or_else(|| Error::invalid("file", format!(
        "“{name}” cannot be attached: only JPEG and PNG pictures and PDF documents can (.jpg, .jpeg, .png, .pdf).")))?;
    if bytes.starts_with(named.magic) {
        return Ok(named.media_type);
    }
    let actual = KINDS.iter().find(|k| bytes.starts_with(k.magic))
        .map_or("not a kind of file the app can show".to_string(), |k| format!("it holds {}", k.called));
    Err(Error::invalid("file", format!("“{name}” is not {} as its name says: {actual}. Nothing was attached.", named.called)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_media_type_is_recognised_by_its_content() {
        let known: Vec<&str> = KINDS.iter().map(|k| k.media_type).collect();
        assert_eq!(known, clinic_sync::files::MEDIA_TYPES);
    }

    #[test]
    fn content_and_name_must_agree() {
        let png = b"\x89PNG\r\n\x1a\n rest";
        assert_eq!(media_type("x.PNG", png).unwrap(), "image/png");
        assert_eq!(media_type("scan.jpeg", b"\xFF\xD8\xFF\xE0 jfif").unwrap(), "image/jpeg");
        assert_eq!(media_type("letter.pdf", b"%PDF-1.7\n").unwrap(), "application/pdf");
        let e = media_type("letter.pdf", png).unwrap_err();
        assert!(e.message.contains("not a PDF document") && e.message.contains("PNG picture"), "{}", e.message);
        assert!(media_type("notes.docx", b"PK\x03\x04").is_err());
        assert!(media_type("noextension", png).is_err());
        assert!(media_type("a.pdf", b"").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn a_name_is_its_last_component() {
        assert_eq!(file_name(" C:\\scans\\x-ray 1.png ").unwrap(), "x-ray 1.png");
        assert_eq!(file_name("/home/ana/a.pdf").unwrap(), "a.pdf");
        assert!(file_name("dir/").is_err());
        assert!(file_name("a\u{7}.pdf").is_err());
    }
}
