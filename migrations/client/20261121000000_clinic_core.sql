-- The workstation's store (SQLite under SQLCipher). Conventions:
--   * ids are UUIDv7, 16-byte BLOBs, made on the device;
--   * instants are INTEGER unix milliseconds (UTC); wall times are shown in the site's zone;
--   * money is INTEGER minor units beside an ISO 4217 code;
--   * every synced table carries id, org_id, created_at/by, updated_at, updated_hlc, updated_by,
--     version (the server's, NULL until synced) and deleted_at (a tombstone: synced rows are never deleted).
-- Only the core's use cases write these tables, each in one transaction with its outbox and audit rows.

-- This workstation. Exactly one row, written when the clinic is set up (or, later, enrolled).
CREATE TABLE device (
    id          BLOB PRIMARY KEY NOT NULL,
    org_id      BLOB NOT NULL,
    site_id     BLOB NOT NULL,
    number      INTEGER NOT NULL CHECK (number BETWEEN 1 AND 99),  -- the device part of record numbers
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Per-device counters: 'device_seq' (outbox order), 'mrn'. Local, never synced, so two
-- offline desks never hand out the same number.
CREATE TABLE series (
    name TEXT PRIMARY KEY NOT NULL,
    next INTEGER NOT NULL
);

CREATE TABLE organisation (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    name TEXT NOT NULL
);

CREATE TABLE site (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    name      TEXT NOT NULL,
    code      TEXT NOT NULL,   -- the site part of record numbers, 2–4 letters
    address   TEXT NOT NULL,
    time_zone TEXT NOT NULL,   -- IANA, e.g. Europe/Lisbon
    currency  TEXT NOT NULL,   -- ISO 4217
    tax_id    TEXT
);

CREATE TABLE staff (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    full_name     TEXT NOT NULL,
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,   -- argon2id PHC string; synced so login works offline on every desk
    roles         TEXT NOT NULL,   -- comma-separated: receptionist,doctor,manager,admin
    active        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX staff_username ON staff (org_id, username);

-- Failed logins on this workstation. Local: a lockout protects this desk even offline.
CREATE TABLE login_throttle (
    staff_id     BLOB PRIMARY KEY NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER
);

CREATE TABLE practitioner (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    staff_id       BLOB NOT NULL REFERENCES staff (id),
    site_id        BLOB NOT NULL REFERENCES site (id),
    display_name   TEXT NOT NULL,
    specialisation TEXT NOT NULL,
    fee_minor      INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    weekly_hours   TEXT NOT NULL,   -- JSON: [{weekday, start, end, breaks:[{start,end}]}], site wall time
    active         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX practitioner_staff ON practitioner (staff_id);

-- Time off of one practitioner, or (practitioner_id NULL) a day the whole site is closed.
CREATE TABLE time_off (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id         BLOB NOT NULL REFERENCES site (id),
    practitioner_id BLOB REFERENCES practitioner (id),
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL CHECK (ends_at > starts_at),
    reason          TEXT NOT NULL
);
CREATE INDEX time_off_practitioner ON time_off (practitioner_id, starts_at);
CREATE INDEX time_off_site ON time_off (site_id, starts_at);

CREATE TABLE appointment_type (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    name         TEXT NOT NULL,
    duration_min INTEGER NOT NULL,
    buffer_min   INTEGER NOT NULL,
    price_minor  INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    colour       TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1
);

-- A rowid table on purpose: the search index refers to patients by rowid.
CREATE TABLE patient (
    id BLOB NOT NULL UNIQUE, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    mrn                  TEXT NOT NULL UNIQUE,
    given_name           TEXT NOT NULL,
    family_name          TEXT NOT NULL,
    sex                  TEXT NOT NULL,
    birth_date           TEXT NOT NULL,      -- YYYY-MM-DD
    birth_date_estimated INTEGER NOT NULL,
    phones               TEXT NOT NULL,      -- JSON array of strings, "+" and digits
    email                TEXT,
    address              TEXT,
    national_id          TEXT,
    emergency_contact    TEXT,               -- JSON {name, relation, phone} or NULL
    blood_group          TEXT,
    allergies            TEXT NOT NULL,      -- JSON array of strings
    notes                TEXT,
    merged_into          BLOB                -- set when this record was merged into another; undone by unmerge
);
CREATE INDEX patient_birth_date ON patient (birth_date);
CREATE INDEX patient_national_id ON patient (national_id) WHERE national_id IS NOT NULL;
CREATE INDEX patient_merged_into ON patient (merged_into) WHERE merged_into IS NOT NULL;

-- Type-ahead search: names (accents and case folded by the tokenizer), phone digits, MRN, national id.
-- Only live records (not deleted, not merged away) are indexed; triggers keep it in step with every
-- write, including rows that arrive by sync.
CREATE VIRTUAL TABLE patient_search USING fts5 (
    name, phone, ident,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3'
);

CREATE TRIGGER patient_search_insert AFTER INSERT ON patient
WHEN NEW.deleted_at IS NULL AND NEW.merged_into IS NULL
BEGIN
    INSERT INTO patient_search (rowid, name, phone, ident)
    VALUES (NEW.rowid, NEW.given_name || ' ' || NEW.family_name,
            (SELECT group_concat(replace(value, '+', ''), ' ') FROM json_each(NEW.phones)),
            replace(NEW.mrn, '-', '') || ' ' || coalesce(NEW.national_id, ''));
END;

CREATE TRIGGER patient_search_update AFTER UPDATE ON patient
BEGIN
    DELETE FROM patient_search WHERE rowid = OLD.rowid;
    INSERT INTO patient_search (rowid, name, phone, ident)
    SELECT NEW.rowid, NEW.given_name || ' ' || NEW.family_name,
           (SELECT group_concat(replace(value, '+', ''), ' ') FROM json_each(NEW.phones)),
           replace(NEW.mrn, '-', '') || ' ' || coalesce(NEW.national_id, '')
    WHERE NEW.deleted_at IS NULL AND NEW.merged_into IS NULL;
END;

CREATE TABLE appointment (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id         BLOB NOT NULL REFERENCES site (id),
    patient_id      BLOB NOT NULL REFERENCES patient (id),
    practitioner_id BLOB NOT NULL REFERENCES practitioner (id),
    type_id         BLOB NOT NULL REFERENCES appointment_type (id),
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL CHECK (ends_at > starts_at),
    busy_until      INTEGER NOT NULL CHECK (busy_until >= ends_at),  -- end plus the type's buffer
    time_zone       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('booked', 'arrived', 'in_consultation', 'completed', 'cancelled', 'no_show')),
    cancel_reason   TEXT,
    double_booked   INTEGER NOT NULL DEFAULT 0,  -- booked over another on purpose, by a role that may
    outside_hours   INTEGER NOT NULL DEFAULT 0,  -- booked outside hours on purpose, by a role that may
    notes           TEXT
);
CREATE INDEX appointment_practitioner_time ON appointment (practitioner_id, starts_at);
CREATE INDEX appointment_site_time ON appointment (site_id, starts_at);
CREATE INDEX appointment_patient_time ON appointment (patient_id, starts_at);

-- Appointments as the calendar shows them: with patient, practitioner and type names.
CREATE VIEW appointment_view AS
SELECT a.id, a.site_id, a.patient_id, p.given_name || ' ' || p.family_name AS patient_name, p.mrn AS patient_mrn,
       a.practitioner_id, pr.display_name AS practitioner_name, a.type_id, t.name AS type_name, t.colour,
       a.starts_at, a.ends_at, a.busy_until, a.time_zone, a.status, a.cancel_reason, a.double_booked, a.outside_hours,
       a.notes, a.version
FROM appointment a
JOIN patient p ON p.id = a.patient_id
JOIN practitioner pr ON pr.id = a.practitioner_id
JOIN appointment_type t ON t.id = a.type_id
WHERE a.deleted_at IS NULL;

-- The walk-in queue, and checked-in appointments waiting to be seen: one "today" list.
CREATE TABLE queue_entry (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id         BLOB NOT NULL REFERENCES site (id),
    patient_id      BLOB NOT NULL REFERENCES patient (id),
    appointment_id  BLOB REFERENCES appointment (id),  -- set for a checked-in appointment
    practitioner_id BLOB REFERENCES practitioner (id), -- who will see them (or saw them); NULL: anyone
    reason          TEXT NOT NULL,
    priority        INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),  -- normal, urgent, emergency
    status          TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'served', 'left')),
    arrived_at      INTEGER NOT NULL,
    called_at       INTEGER,
    finished_at     INTEGER
);
CREATE INDEX queue_entry_site ON queue_entry (site_id, status, arrived_at);

-- Queue entries as today's list shows them: with patient and practitioner names.
CREATE VIEW queue_view AS
SELECT q.id, q.site_id, q.patient_id, p.given_name || ' ' || p.family_name AS patient_name, p.mrn AS patient_mrn,
       q.appointment_id, q.practitioner_id, pr.display_name AS practitioner_name, q.reason, q.priority, q.status,
       q.arrived_at, q.called_at, q.finished_at
FROM queue_entry q
JOIN patient p ON p.id = q.patient_id
LEFT JOIN practitioner pr ON pr.id = q.practitioner_id
WHERE q.deleted_at IS NULL;

-- Mutations waiting to be pushed to the sync server, in device order.
CREATE TABLE outbox (
    mutation_id  BLOB PRIMARY KEY NOT NULL,
    device_seq   INTEGER NOT NULL UNIQUE,
    hlc          TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    BLOB NOT NULL,
    op           TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    changes      TEXT NOT NULL,   -- JSON {field: {old, new}}
    base_version INTEGER,
    user_id      BLOB,
    created_at   INTEGER NOT NULL
);

-- A mutation takes the device's next sequence number in the same statement that inserts it.
CREATE TRIGGER outbox_device_seq AFTER INSERT ON outbox
BEGIN
    UPDATE series SET next = NEW.device_seq + 1 WHERE name = 'device_seq';
END;

-- Who viewed or changed what, when, from which device. Append-only; each entry carries the hash of
-- the one before it on the same device, so a changed or missing entry is found by `verify`.
CREATE TABLE audit_event (
    id         BLOB PRIMARY KEY NOT NULL,
    org_id     BLOB NOT NULL,
    device_id  BLOB NOT NULL,
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    staff_id   BLOB,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  BLOB,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    version    INTEGER,
    UNIQUE (device_id, seq)
);
CREATE INDEX audit_event_entity ON audit_event (entity, entity_id, at);
CREATE INDEX audit_event_at ON audit_event (at);

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
-- Only sync may touch an entry, once, to record the server's version; nothing else may change.
WHEN OLD.version IS NOT NULL OR NEW.version IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.org_id IS NOT OLD.org_id OR NEW.device_id IS NOT OLD.device_id OR NEW.seq IS NOT OLD.seq
  OR NEW.at IS NOT OLD.at OR NEW.staff_id IS NOT OLD.staff_id OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity
  OR NEW.entity_id IS NOT OLD.entity_id OR NEW.details IS NOT OLD.details OR NEW.prev_hash IS NOT OLD.prev_hash
  OR NEW.hash IS NOT OLD.hash
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
