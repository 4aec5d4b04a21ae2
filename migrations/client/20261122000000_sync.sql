-- Sync with the central server: where it is and how far this workstation has come, the conflicts
-- the server opened (synced to every workstation), and the changes it refused (this desk's own).

-- One row once enrolled. The device token itself is in the OS keychain, never here.
CREATE TABLE sync_state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    server_url        TEXT NOT NULL,
    organisation_id   BLOB NOT NULL,
    organisation_name TEXT NOT NULL,
    cursor            INTEGER NOT NULL DEFAULT 0,   -- the last server_seq applied
    last_hlc          TEXT,                         -- the clock survives the outbox being emptied
    last_synced_at    INTEGER,
    offline_since     INTEGER,
    last_error        TEXT
);

CREATE TABLE sync_conflict (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    kind        TEXT NOT NULL,     -- appointment_clash | field
    entity      TEXT NOT NULL,
    entity_id   BLOB NOT NULL,
    other_id    BLOB,              -- the appointment it clashes with
    field       TEXT,              -- the field changed on two workstations
    theirs      TEXT,              -- JSON: the value the server kept
    yours       TEXT,              -- JSON: the value that was not applied
    message     TEXT NOT NULL,
    mutation_id BLOB,
    status      TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    resolution  TEXT               -- rebooked | kept_both | cancelled | chose_theirs | chose_yours
);
CREATE INDEX sync_conflict_open ON sync_conflict (status, created_at);

-- Changes the server refused: shown as "needs attention", never dropped silently.
CREATE TABLE sync_rejected (
    mutation_id BLOB PRIMARY KEY NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   BLOB NOT NULL,
    changes     TEXT NOT NULL,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    user_id     BLOB,
    made_at     INTEGER NOT NULL,
    refused_at  INTEGER NOT NULL,
    dismissed_at INTEGER
);
