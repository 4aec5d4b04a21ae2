-- Signed releases of the desktop app, published by the server's admin (`clinic-server
-- publish-update`, docs/updates.md) and offered to every enrolled workstation: releases are the
-- server's, not one organisation's. One row per platform (`linux-x86_64-deb`, as the workstation's
-- updater names itself) and version; a version is published once per platform, each newer than the
-- last (the command checks it, the unique key keeps it).

CREATE TABLE app_release (
    id           uuid PRIMARY KEY,
    platform     text NOT NULL CHECK (platform ~ '^[a-z]+-[a-z0-9_]+-[a-z]+$' AND length(platform) <= 64),
    major        integer NOT NULL CHECK (major >= 0),
    minor        integer NOT NULL CHECK (minor >= 0),
    patch        integer NOT NULL CHECK (patch >= 0),
    notes        text NOT NULL CHECK (length(notes) BETWEEN 1 AND 10000),
    -- The package's minisign signature as `tauri signer sign` writes it (the base64 text of the
    -- .sig file): checked against the release key before the row was written, and handed to the
    -- workstation, whose updater checks it again against the key built into the app.
    signature    text NOT NULL,
    size         bigint NOT NULL CHECK (size > 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    published_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, major, minor, patch)
);

-- The package's bytes, in chunks of 1 MiB from `start` on: served a chunk at a time, never held
-- whole in memory. In PostgreSQL, like the attachments, so several server processes behind one
-- address all serve the same releases (docs/updates.md says why not a folder).
CREATE TABLE app_release_chunk (
    release_id uuid NOT NULL REFERENCES app_release (id) ON DELETE CASCADE,
    start      bigint NOT NULL CHECK (start >= 0),
    bytes      bytea NOT NULL CHECK (octet_length(bytes) > 0),
    PRIMARY KEY (release_id, start)
);
-- Packages are compressed already: stored out of line without compressing them again.
ALTER TABLE app_release_chunk ALTER COLUMN bytes SET STORAGE EXTERNAL;
