-- This workstation's backups (docs/backups.md). Local: never synced.

-- Where backups go and the key they are encrypted with: derived from the recovery code with
-- argon2id (the code itself is never kept), held here inside the encrypted database so the
-- daily backup needs nobody to type it. `key_label` names the recovery sheet that opens them.
CREATE TABLE backup_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    folder       TEXT,
    key          BLOB,
    key_label    TEXT,
    code_made_at INTEGER,
    last_at      INTEGER,          -- the last backup written and verified
    last_file    TEXT,
    last_error   TEXT,             -- why the last attempt failed, until one succeeds
    last_tried_at INTEGER
);
INSERT INTO backup_settings (id) VALUES (1);

-- Filled in each backup file only (empty here): whose backup it is, when it was made, and the
-- workstation's sync token, so a restore on a new computer (whose keychain never held it)
-- carries on as the same workstation.
CREATE TABLE backup_manifest (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    format      INTEGER NOT NULL,
    org_id      BLOB,
    clinic_name TEXT,
    device_id   BLOB,
    made_at     INTEGER NOT NULL,
    app_version TEXT NOT NULL,
    sync_token  BLOB
);
