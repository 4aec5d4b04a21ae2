-- no-transaction
-- Unique keys that two workstations apart can both use (a username, one practitioner per staff
-- member, a record number) are no longer refused by this store: the server keeps both records and
-- opens a conflict for a person to settle, and every workstation must be able to store both. The
-- use cases still refuse a duplicate made here. `patient.mrn` was a column constraint, so the table
-- is rebuilt (rowids kept: the search index refers to them); references are off meanwhile. The
-- migration is its own transaction, so sqlx records it only after COMMIT: every step can run
-- again, should the app stop in between.
-- And records the server sent that this workstation could not store are set aside, not lost;
-- and a round's read of unacknowledged audit entries gets an index.
PRAGMA foreign_keys = OFF;
BEGIN;

DROP INDEX staff_username;
CREATE INDEX staff_username ON staff (org_id, username);
DROP INDEX practitioner_staff;
CREATE INDEX practitioner_staff ON practitioner (staff_id);

DROP VIEW appointment_view;
DROP VIEW queue_view;
CREATE TABLE patient_rebuilt (
    id BLOB NOT NULL UNIQUE, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    mrn                  TEXT NOT NULL,
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
INSERT INTO patient_rebuilt (rowid, id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, version, deleted_at,
    mrn, given_name, family_name, sex, birth_date, birth_date_estimated, phones, email, address, national_id,
    emergency_contact, blood_group, allergies, notes, merged_into)
SELECT rowid, id, org_id, created_at, created_by, updated_at, updated_hlc, updated_by, version, deleted_at,
    mrn, given_name, family_name, sex, birth_date, birth_date_estimated, phones, email, address, national_id,
    emergency_contact, blood_group, allergies, notes, merged_into
FROM patient;
DROP TABLE patient;
ALTER TABLE patient_rebuilt RENAME TO patient;
CREATE INDEX patient_mrn ON patient (mrn);
CREATE INDEX patient_birth_date ON patient (birth_date);
CREATE INDEX patient_national_id ON patient (national_id) WHERE national_id IS NOT NULL;
CREATE INDEX patient_merged_into ON patient (merged_into) WHERE merged_into IS NOT NULL;

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

CREATE VIEW queue_view AS
SELECT q.id, q.site_id, q.patient_id, p.given_name || ' ' || p.family_name AS patient_name, p.mrn AS patient_mrn,
       q.appointment_id, q.practitioner_id, pr.display_name AS practitioner_name, q.reason, q.priority, q.status,
       q.arrived_at, q.called_at, q.finished_at
FROM queue_entry q
JOIN patient p ON p.id = q.patient_id
LEFT JOIN practitioner pr ON pr.id = q.practitioner_id
WHERE q.deleted_at IS NULL;

-- A record from the server this workstation could not store (a value it cannot hold): kept here,
-- shown in Needs attention, and replaced when a version it can store arrives. The rest of its page
-- is applied as usual.
CREATE TABLE IF NOT EXISTS sync_set_aside (
    entity     TEXT NOT NULL,
    entity_id  BLOB NOT NULL,
    version    INTEGER NOT NULL,
    data       TEXT NOT NULL,    -- JSON, as the server sent it
    reason     TEXT NOT NULL,
    set_at     INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id)
);

-- Each round asks for this workstation's audit entries the server has not acknowledged: without
-- this index that read walked the whole trail, every few seconds.
CREATE INDEX IF NOT EXISTS audit_event_unacknowledged ON audit_event (device_id, seq) WHERE version IS NULL;

COMMIT;
PRAGMA foreign_keys = ON;
