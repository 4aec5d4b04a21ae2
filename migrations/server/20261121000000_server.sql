-- The central server's store: organisations and their enrolled workstations, every synced record's
-- current state, the append-only log of applied changes, and the mutations already applied.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE organisation (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    -- The clinic whose rows this organisation holds (the org_id its rows carry): set when the first
    -- workstation, the one holding the clinic, enrols.
    clinic_id  uuid UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enrolment_code (
    code_hash  text PRIMARY KEY,           -- sha256 of the code: the code itself is shown once
    org_id     uuid NOT NULL REFERENCES organisation (id),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    uuid
);

CREATE TABLE device (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organisation (id),
    name         text NOT NULL,
    number       integer NOT NULL CHECK (number BETWEEN 1 AND 99),
    token_hash   text NOT NULL UNIQUE,
    enrolled_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_seen_at timestamptz,
    UNIQUE (org_id, number)
);

-- Orders every change; per organisation, changes commit in this order (one writer per
-- organisation at a time), so a pull by cursor never skips one.
CREATE SEQUENCE server_seq;

-- Each synced record as it is now: its columns by name, and per field the clock, version and
-- device of its last change (what field-level merging needs).
CREATE TABLE record (
    org_id     uuid NOT NULL REFERENCES organisation (id),
    entity     text NOT NULL,
    entity_id  uuid NOT NULL,
    version    bigint NOT NULL,
    server_seq bigint NOT NULL,
    data       jsonb NOT NULL,
    fields     jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, entity, entity_id)
);
CREATE INDEX record_pull ON record (org_id, server_seq);
-- A pushed batch reads its records by id, whatever their kind.
CREATE INDEX record_by_id ON record (org_id, entity_id);

-- Every applied change, with old and new values: the per-field history, never rewritten.
CREATE TABLE change_log (
    server_seq  bigint PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisation (id),
    entity      text NOT NULL,
    entity_id   uuid NOT NULL,
    version     bigint NOT NULL,
    mutation_id uuid,
    device_id   uuid,
    user_id     uuid,
    hlc         text,
    changes     jsonb NOT NULL,
    logged_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_record ON change_log (org_id, entity, entity_id, server_seq);

-- Mutation ids already seen, with their first result: a replay answers the same.
CREATE TABLE applied_mutation (
    mutation_id uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisation (id),
    device_id   uuid NOT NULL,
    outcome     jsonb NOT NULL
);

-- The time each active appointment holds: one practitioner's cannot overlap, whichever
-- workstation booked them and whenever they arrive.
CREATE TABLE appointment_slot (
    org_id          uuid NOT NULL,
    appointment_id  uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    during          tstzrange NOT NULL,
    PRIMARY KEY (org_id, appointment_id),
    EXCLUDE USING gist (org_id WITH =, practitioner_id WITH =, during WITH &&)
);
