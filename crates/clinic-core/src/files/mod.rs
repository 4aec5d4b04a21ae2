//! Attachments' bytes on this workstation (DESIGN.md §3, §5d): content-addressed by the SHA-256
//! of the plaintext, so the same scan attached twice is kept once; encrypted at rest
//! (`sealed.rs`) under a key kept only inside the encrypted database; in a folder beside the
//! database named after it (`clinic.db-files/`, as SQLite names its `-wal`), one sub-folder per
//! first two hex digits. A file is written whole to a temporary name and then renamed, so a crash
//! leaves no half file under a real name; reading one checks it against its name. Pictures'
//! thumbnails (`thumbnail.rs`) are kept the same way in `thumbnails/`.

mod download;
mod kind;
mod sealed;
mod thumbnail;

pub(crate) use download::Download;
pub(crate) use kind::{file_name, media_type};
pub(crate) use thumbnail::{has_thumbnail, MEDIA_TYPE as THUMBNAIL_MEDIA_TYPE};

use std::path::{Path, PathBuf};

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use crate::error::{Code, Error, Result};
use crate::store::Store;

/// The SHA-256 of `bytes`, as files are named (lower-case hex).
pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What reading a file found.
pub(crate) enum Held {
    Bytes(Vec<u8>),
    /// Not on this workstation (yet).
    Missing,
    /// There, but changed, cut short or not what its name says: set aside, to be fetched again.
    Damaged,
}

#[derive(Clone)]
pub(crate) struct Files {
    folder: PathBuf,
    key: [u8; 32],
    /// Each file is named by its content's SHA-256, checked when read (attachments' bytes); or
    /// by the SHA-256 of the file it was made from (thumbnails).
    named_by_content: bool,
}

impl Files {
    /// The files of `store`, with their key: read from the database, or made there on first use
    /// (on `conn`, in the caller's transaction when it has one).
    pub async fn of(store: &Store, conn: &mut SqliteConnection, now: i64) -> Result<Files> {
        let mut key: Option<Vec<u8>> = sqlx::query_scalar!("SELECT key FROM file_key WHERE id = 1").fetch_optional(&mut *conn).await?;
        if key.is_none() {
            let mut fresh = vec![0u8; 32];
            rand::rng().fill_bytes(&mut fresh);
            sqlx::query!("INSERT INTO file_key (id, key, created_at) VALUES (1, ?, ?)", fresh, now).execute(&mut *conn).await?;
            key = Some(fresh);
        }
        let key = key.and_then(|k| <[u8; 32]>::try_from(k).ok()).ok_or_else(|| Error::new(Code::Internal, "internal: the files' key is malformed"))?;
        Ok(Files { folder: folder_of(store.path()), key, named_by_content: true })
    }

    /// The files of the clinic's store, outside any transaction.
    pub async fn of_clinic(clinic: &crate::clinic::Clinic) -> Result<Files> {
        let mut conn = clinic.store().pool().acquire().await?;
        Files::of(clinic.store(), &mut conn, clinic.clock().now().timestamp_millis()).await
    }

    /// The thumbnails of these files, each named after its picture: in `thumbnails/`, under a key
    /// of their own derived from the files' key (so a thumbnail never opens as a picture, nor a
    /// picture as a thumbnail, and the database still holds one key).
    pub fn thumbnails(&self) -> Files {
        let key = Sha256::new().chain_update(b"clinic-desk thumbnails").chain_update(self.key).finalize().into();
        Files { folder: self.folder.join("thumbnails"), key, named_by_content: false }
    }

    /// Where the file named `sha256` lives.
    fn path(&self, sha256: &str) -> PathBuf {
        path_in(&self.folder, sha256)
    }

    pub fn holds(&self, sha256: &str) -> bool {
        held_in(&self.folder, sha256)
    }

    /// Keeps `bytes`, named `sha256` (their hash, computed by the caller); true when they were not
    /// kept already (the same bytes are kept once).
    pub async fn put(&self, sha256: &str, bytes: std::sync::Arc<Vec<u8>>) -> Result<bool> {
        if self.holds(sha256) {
            return Ok(false);
        }
        let (files, name) = (self.clone(), sha256.to_string());
        blocking(move || {
            let sealed = sealed::seal(&files.key, &name, &bytes);
            files.place(&name, |file| std::io::Write::write_all(file, &sealed))
        }).await?;
        Ok(true)
    }

    /// Writes a file through `write` under a temporary name, makes it durable, then gives it its
    /// name: a crash leaves either the whole file or none.
    fn place(&self, sha256: &str, write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> std::io::Result<()> {
        let tmp = self.folder.join("tmp");
        std::fs::create_dir_all(&tmp)?;
        let temporary = tmp.join(format!("{}.tmp", uuid::Uuid::now_v7().simple()));
        let written = (|| {
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temporary)?;
            write(&mut file)?;
            file.sync_all()?;
            self.give_name(&temporary, sha256)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    /// Moves a whole, durable file to its name.
    fn give_name(&self, from: &Path, sha256: &str) -> std::io::Result<()> {
        let to = self.path(sha256);
        let folder = to.parent().expect("a file is in a folder");
        std::fs::create_dir_all(folder)?;
        std::fs::rename(from, &to)?;
        // The rename itself must survive a power cut too.
        std::fs::File::open(folder)?.sync_all()
    }

    /// Reads the file named `sha256`, checked against its name when it is named by its content.
    pub async fn read(&self, sha256: &str) -> Result<Held> {
        self.open(sha256, self.named_by_content).await
    }

    /// Reads the file named `sha256` to send it: the server hashes what it receives itself.
    pub async fn read_to_send(&self, sha256: &str) -> Result<Held> {
        self.open(sha256, false).await
    }

    async fn open(&self, sha256: &str, checked: bool) -> Result<Held> {
        // A name from a record another workstation wrote: never a path of any other shape.
        if !clinic_sync::files::is_sha256(sha256) {
            return Ok(Held::Missing);
        }
        let (files, name) = (self.clone(), sha256.to_string());
        blocking(move || {
            let sealed = match std::fs::read(files.path(&name)) {
                Ok(sealed) => sealed,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Held::Missing),
                Err(e) => return Err(e),
            };
            // Sealed with its name, so a file that opens is this file (unless sealed from the wrong
            // bytes, which the hash finds; a file about to be sent is hashed again by the server).
            let opened = sealed::open(&files.key, &name, &sealed).filter(|plain| !checked || self::sha256(plain) == name);
            match opened {
                Some(plain) => Ok(Held::Bytes(plain)),
                None => {
                    // Kept for whoever looks into it, out of the way of a fresh copy.
                    tracing::error!(file = %name, folder = %files.folder.display(), "a stored attachment's file is damaged; set aside");
                    std::fs::rename(files.path(&name), files.path(&name).with_extension("damaged"))?;
                    Ok(Held::Damaged)
                }
            }
        }).await
    }

    /// Forgets a file this use case wrote and did not keep after all.
    pub fn remove(&self, sha256: &str) {
        let _ = std::fs::remove_file(self.path(sha256));
    }

    /// Waits for this workstation's turn to fetch the file named `sha256`: a round fetching the
    /// day's files and a person opening one could otherwise write the same part file at once.
    pub async fn turn_to_fetch(&self, sha256: &str) -> tokio::sync::OwnedMutexGuard<()> {
        static FETCHING: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<PathBuf, std::sync::Arc<tokio::sync::Mutex<()>>>>> =
            std::sync::LazyLock::new(Default::default);
        let part = self.folder.join("partial").join(sha256);
        let turn = {
            let mut fetching = FETCHING.lock().expect("downloads");
            // Forget the files nobody is fetching now.
            fetching.retain(|_, turn| std::sync::Arc::strong_count(turn) > 1);
            fetching.entry(part).or_default().clone()
        };
        turn.lock_owned().await
    }

    /// A download of the file named `sha256` of `size` bytes: begun, or resumed where an earlier
    /// one stopped. Take `turn_to_fetch` first.
    pub async fn download(&self, sha256: &str, size: i64) -> Result<Download> {
        if !clinic_sync::files::is_sha256(sha256) || size < 1 {
            return Err(Error::new(Code::Internal, "internal: a download of a file with no valid name"));
        }
        let (files, name) = (self.clone(), sha256.to_string());
        blocking(move || Download::resume(files, &name, size as u64)).await
    }
}

/// The files folder of the database at `database`: beside it, named after it.
pub(crate) fn folder_of(database: &Path) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_os_string();
    name.push("-files");
    database.with_file_name(name)
}

/// Where the file named `sha256` lives in `folder` (a backup's `files/` is laid out the same).
pub(crate) fn path_in(folder: &Path, sha256: &str) -> PathBuf {
    debug_assert!(clinic_sync::files::is_sha256(sha256));
    folder.join(&sha256[..2]).join(sha256)
}

/// Whether the files folder `folder` holds the file named `sha256` (its key is not needed to know).
pub(crate) fn held_in(folder: &Path, sha256: &str) -> bool {
    clinic_sync::files::is_sha256(sha256) && path_in(folder, sha256).is_file()
}

/// File work off the clinic's thread (hashing and sealing 50 MB takes a while).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> std::io::Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await
        .map_err(|e| Error::new(Code::Internal, format!("internal: file work stopped: {e}")))?
        .map_err(|e| {
            tracing::error!(error = %e, "attachment file");
            Error::new(Code::StoreUnavailable, format!("The attachment could not be read or written on this workstation's disk ({e}). Nothing was changed."))
        })
}
