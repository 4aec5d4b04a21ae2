//! A file arriving from the sync server, sealed a chunk at a time as it arrives (the plaintext
//! never touches the disk) into `partial/<sha256>`. Whole chunks written before a cut connection
//! or a crash are kept: the next try opens them again (a chunk cut short does not open and is
//! dropped) and asks the server for the rest. When all of it is there and its hash is its name,
//! it is given its name, and its bytes are handed back (whoever opens it needs no second read).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use super::sealed::{Sealer, CHUNK, HEADER};
use super::Files;

const SEALED_CHUNK: usize = CHUNK + 16;

pub(crate) struct Download {
    files: Files,
    name: String,
    size: u64,
    part: PathBuf,
    file: std::fs::File,
    sealer: Sealer,
    /// Every byte so far, sealed (`done` of them) or not yet (the rest, less than a chunk or the last).
    plain: Vec<u8>,
    done: u64,
}

impl Download {
    pub(super) fn resume(files: Files, name: &str, size: u64) -> std::io::Result<Download> {
        let part = files.folder.join("partial").join(name);
        std::fs::create_dir_all(part.parent().expect("in a folder"))?;
        let mut file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&part)?;
        let mut header = [0u8; HEADER];
        let kept = file.read_exact(&mut header).ok().and_then(|_| Sealer::resume(&files.key, name, header, 0));
        let (mut sealer, mut done) = match kept {
            Some(sealer) => (sealer, 0u64),
            None => {
                // Nothing usable: start again.
                let sealer = Sealer::new(&files.key, name);
                file.set_len(0)?;
                file.write_all(sealer.header())?;
                (sealer, 0)
            }
        };
        // Open the whole chunks kept; stop at the first that does not open. The last chunk is
        // only ever sealed at the end, so a kept chunk is never the last.
        let mut plain = Vec::with_capacity(size as usize);
        let mut sealed = vec![0u8; SEALED_CHUNK];
        while done + (CHUNK as u64) < size && file.read_exact(&mut sealed).is_ok() {
            if !sealer.open(&sealed, false, &mut plain) {
                break;
            }
            done += CHUNK as u64;
        }
        file.set_len((HEADER as u64) + done / CHUNK as u64 * SEALED_CHUNK as u64)?;
        file.seek(SeekFrom::End(0))?;
        Ok(Download { files, name: name.to_string(), size, part, file, sealer, plain, done })
    }

    /// How many bytes from the start are kept: the server is asked for the rest.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Takes the next bytes the server sent; false when they run past the file's size.
    pub fn take(&mut self, bytes: &[u8]) -> std::io::Result<bool> {
        if (self.plain.len() + bytes.len()) as u64 > self.size {
            return Ok(false);
        }
        self.plain.extend_from_slice(bytes);
        // Each full chunk that is not the file's last is sealed now; the last waits for `finish`.
        let mut sealed = Vec::with_capacity(SEALED_CHUNK);
        while self.done + (CHUNK as u64) < self.size && self.plain.len() as u64 >= self.done + CHUNK as u64 {
            let chunk = &self.plain[self.done as usize..self.done as usize + CHUNK];
            sealed.clear();
            self.sealer.seal(chunk, false, &mut sealed);
            self.file.write_all(&sealed)?;
            self.done += CHUNK as u64;
        }
        Ok(true)
    }

    /// Seals the last chunk, gives the file its name and hands back its bytes; none (and the part
    /// dropped) when what arrived is not the file named, or not all of it.
    pub fn finish(mut self) -> std::io::Result<Option<Vec<u8>>> {
        if self.plain.len() as u64 != self.size || self.done == self.size {
            return Ok(None);
        }
        if super::sha256(&self.plain) != self.name {
            drop(self.file);
            std::fs::remove_file(&self.part)?;
            return Ok(None);
        }
        let mut sealed = Vec::with_capacity(SEALED_CHUNK);
        self.sealer.seal(&self.plain[self.done as usize..], true, &mut sealed);
        self.file.write_all(&sealed)?;
        self.file.sync_all()?;
        drop(self.file);
        self.files.give_name(&self.part, &self.name)?;
        Ok(Some(self.plain))
    }
}
