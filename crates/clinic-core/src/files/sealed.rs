//! How a file is encrypted at rest: XChaCha20-Poly1305 in chunks of 1 MiB, so a file is sealed
//! and opened a chunk at a time (a download is sealed as it arrives) and a change anywhere is
//! found. The file starts with a header (a magic word and a random nonce prefix of its own);
//! chunk `i` is sealed with the nonce `prefix ‖ i` and, as associated data, the header, the
//! file's name (its content's SHA-256) and whether it is the last chunk: so a chunk moved, a file
//! renamed, or a file cut short at a chunk boundary does not open.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Key, Tag, XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// Plaintext bytes per chunk.
pub(crate) const CHUNK: usize = 1024 * 1024;
const MAGIC: &[u8; 4] = b"CDF1";
const PREFIX: usize = 16;
pub(crate) const HEADER: usize = MAGIC.len() + PREFIX;
const TAG: usize = 16;

/// The sealed size of a file of `plain` bytes.
pub(crate) fn sealed_len(plain: usize) -> usize {
    HEADER + plain + plain.div_ceil(CHUNK) * TAG
}

/// Seals the chunks of one file, in order.
pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER],
    name: String,
    next: u64,
}

impl Sealer {
    /// A new file named `name` (its SHA-256), with a fresh nonce prefix.
    pub fn new(key: &[u8; 32], name: &str) -> Sealer {
        let mut header = [0u8; HEADER];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        rand::rng().fill_bytes(&mut header[MAGIC.len()..]);
        Sealer { cipher: XChaCha20Poly1305::new(Key::from_slice(key)), header, name: name.to_string(), next: 0 }
    }

    /// Carries on sealing a file whose `header` and first `chunks` chunks are written already.
    pub fn resume(key: &[u8; 32], name: &str, header: [u8; HEADER], chunks: u64) -> Option<Sealer> {
        (header[..MAGIC.len()] == MAGIC[..]).then(|| Sealer { cipher: XChaCha20Poly1305::new(Key::from_slice(key)), header, name: name.to_string(), next: chunks })
    }

    pub fn header(&self) -> &[u8; HEADER] {
        &self.header
    }

    /// Seals the next chunk (`CHUNK` bytes, fewer only for the last) onto `out`.
    pub fn seal(&mut self, plain: &[u8], last: bool, out: &mut Vec<u8>) {
        debug_assert!(!plain.is_empty() && plain.len() <= CHUNK && (last || plain.len() == CHUNK));
        let start = out.len();
        out.extend_from_slice(plain);
        let (nonce, aad) = (nonce(&self.header, self.next), aad(&self.header, &self.name, last));
        let tag = self.cipher.encrypt_in_place_detached(&nonce, &aad, &mut out[start..]).expect("a chunk of at most 1 MiB seals");
        out.extend_from_slice(&tag);
        self.next += 1;
    }

    /// Opens the next chunk (plaintext and tag, as `seal` wrote it) onto `out`; false when it was
    /// changed, moved, or is not the last when `last` says it is (or the other way round).
    pub fn open(&mut self, sealed: &[u8], last: bool, out: &mut Vec<u8>) -> bool {
        if sealed.len() <= TAG {
            return false;
        }
        let (body, tag) = sealed.split_at(sealed.len() - TAG);
        let start = out.len();
        out.extend_from_slice(body);
        let (nonce, aad) = (nonce(&self.header, self.next), aad(&self.header, &self.name, last));
        if self.cipher.decrypt_in_place_detached(&nonce, &aad, &mut out[start..], Tag::from_slice(tag)).is_err() {
            out.truncate(start);
            return false;
        }
        self.next += 1;
        true
    }
}

/// Seals a whole file.
pub(crate) fn seal(key: &[u8; 32], name: &str, plain: &[u8]) -> Vec<u8> {
    let mut sealer = Sealer::new(key, name);
    let mut out = Vec::with_capacity(sealed_len(plain.len()));
    out.extend_from_slice(sealer.header());
    let chunks = plain.len().div_ceil(CHUNK);
    for (i, chunk) in plain.chunks(CHUNK).enumerate() {
        sealer.seal(chunk, i + 1 == chunks, &mut out);
    }
    out
}

/// Opens a whole sealed file; none when any of it was changed, cut short or is not this file.
pub(crate) fn open(key: &[u8; 32], name: &str, sealed: &[u8]) -> Option<Vec<u8>> {
    let header: [u8; HEADER] = sealed.get(..HEADER)?.try_into().ok()?;
    let mut opener = Sealer::resume(key, name, header, 0)?;
    let body = &sealed[HEADER..];
    let mut out = Vec::with_capacity(body.len());
    let chunks = body.len().div_ceil(CHUNK + TAG);
    for (i, chunk) in body.chunks(CHUNK + TAG).enumerate() {
        if !opener.open(chunk, i + 1 == chunks, &mut out) {
            return None;
        }
    }
    (chunks > 0).then_some(out)
}

fn nonce(header: &[u8; HEADER], index: u64) -> XNonce {
    let mut nonce = [0u8; 24];
    nonce[..PREFIX].copy_from_slice(&header[MAGIC.len()..]);
    nonce[PREFIX..].copy_from_slice(&index.to_be_bytes());
    *XNonce::from_slice(&nonce)
}

fn aad(header: &[u8; HEADER], name: &str, last: bool) -> Vec<u8> {
    [&header[..], name.as_bytes(), &[last as u8]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn a_sealed_file_opens_only_whole_unchanged_and_under_its_own_name() {
        let plain: Vec<u8> = (0..CHUNK * 2 + 10).map(|i| (i % 251) as u8).collect();
        let sealed = seal(&KEY, "a", &plain);
        assert_eq!(sealed.len(), sealed_len(plain.len()));
        assert_eq!(open(&KEY, "a", &sealed).as_deref(), Some(&plain[..]));
        assert!(open(&KEY, "b", &sealed).is_none(), "renamed");
        assert!(open(&[8; 32], "a", &sealed).is_none(), "another key");
        let mut flipped = sealed.clone();
        flipped[HEADER + CHUNK + 5] ^= 1;
        assert!(open(&KEY, "a", &flipped).is_none(), "a byte changed");
        let cut = &sealed[..HEADER + 2 * (CHUNK + TAG)];
        assert!(open(&KEY, "a", cut).is_none(), "cut at a chunk boundary");
        assert!(open(&KEY, "a", &sealed[..HEADER]).is_none(), "nothing but the header");
    }

    #[test]
    fn the_same_bytes_seal_differently_each_time() {
        assert_ne!(seal(&KEY, "a", b"same"), seal(&KEY, "a", b"same"));
    }
}
