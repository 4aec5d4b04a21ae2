-- Attachments (DESIGN.md §5d): scans, photos and PDFs on a patient's record. The record syncs like
-- every other (clinic-sync's entities.rs declares it) and names its file by the SHA-256 of the
-- content; the bytes live encrypted in the files folder beside this database (clinic-core's
-- files/), and travel on their own endpoints. No foreign keys: pulled pages apply in any order.

CREATE TABLE attachment (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    patient_id   BLOB NOT NULL,
    encounter_id BLOB,
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,            -- image/jpeg, image/png, application/pdf
    size         INTEGER NOT NULL,         -- bytes
    sha256       TEXT NOT NULL,            -- of the content: the file's name, here and on the server
    description  TEXT
);
CREATE INDEX attachment_patient ON attachment (patient_id, created_at DESC);
CREATE INDEX attachment_sha256 ON attachment (sha256);

-- The key this workstation's files are encrypted with: made on first use, kept only here, inside
-- the encrypted database (a backup of the database carries it with it). Never synced.
CREATE TABLE file_key (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    key        BLOB NOT NULL CHECK (length(key) = 32),
    created_at INTEGER NOT NULL
);

-- Files on their way to the server (upload: held here, not yet complete there) or from it
-- (download: named by a record, not held here yet). Resumable: `done_bytes` is how far it got.
-- Local, never synced.
CREATE TABLE file_transfer (
    sha256     TEXT PRIMARY KEY NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('upload', 'download')),
    size       INTEGER NOT NULL,
    done_bytes INTEGER NOT NULL DEFAULT 0,
    tries      INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at INTEGER NOT NULL
);
