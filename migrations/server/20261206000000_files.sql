-- Attachments' bytes (DESIGN.md §5d), per organisation, named by the SHA-256 of their content:
-- the same file sent by two workstations is kept once. They arrive in chunks, in order, and a
-- file is `complete` once all of it arrived and its hash was checked; only then is it served.
-- The server keeps them as they are (plaintext): it is the clinic's own server and already holds
-- every record in the clear (docs/sync.md says why).

CREATE TABLE file_blob (
    org_id     uuid NOT NULL REFERENCES organisation (id),
    sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size       bigint NOT NULL CHECK (size BETWEEN 1 AND 52428800),
    received   bigint NOT NULL DEFAULT 0 CHECK (received BETWEEN 0 AND size),
    complete   boolean NOT NULL DEFAULT false CHECK (NOT complete OR received = size),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The workstation that began sending it.
    created_by uuid REFERENCES device (id),
    PRIMARY KEY (org_id, sha256)
);

-- The bytes, as they arrived: chunk `start` holds the bytes from that offset on.
CREATE TABLE file_chunk (
    org_id uuid NOT NULL,
    sha256 text NOT NULL,
    start  bigint NOT NULL CHECK (start >= 0),
    bytes  bytea NOT NULL CHECK (octet_length(bytes) > 0),
    PRIMARY KEY (org_id, sha256, start),
    FOREIGN KEY (org_id, sha256) REFERENCES file_blob (org_id, sha256) ON DELETE CASCADE
);
-- Scans and photos are compressed already: stored out of line without compressing them again.
ALTER TABLE file_chunk ALTER COLUMN bytes SET STORAGE EXTERNAL;
