-- The doctor's desk (DESIGN.md §7a): consultations, notes and addenda, vital signs, diagnoses,
-- allergies, the formulary and prescriptions. Synced like every other record (clinic-sync's
-- entities.rs declares each). References are checked by the server, not by foreign keys here, so
-- a page of pulled records applies in whatever order the server sent it.

CREATE TABLE encounter (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    patient_id      BLOB NOT NULL,
    practitioner_id BLOB NOT NULL,
    appointment_id  BLOB,
    queue_entry_id  BLOB,
    reason          TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    status          TEXT NOT NULL          -- open, completed
);
CREATE INDEX encounter_patient ON encounter (patient_id, started_at DESC);
CREATE INDEX encounter_practitioner ON encounter (practitioner_id, status);

CREATE TABLE clinical_note (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    encounter_id BLOB NOT NULL,
    patient_id   BLOB NOT NULL,
    author_id    BLOB NOT NULL,
    format       TEXT NOT NULL,            -- soap, free
    subjective   TEXT,
    objective    TEXT,
    assessment   TEXT,
    plan         TEXT,
    body         TEXT,
    signed_at    INTEGER,                  -- set once; the note is frozen from then on
    content_hash TEXT,                     -- SHA-256 of the content fields at signing
    signature    TEXT                      -- the author's Ed25519 signature of that hash
);
CREATE INDEX clinical_note_encounter ON clinical_note (encounter_id);
CREATE INDEX clinical_note_patient ON clinical_note (patient_id);
CREATE INDEX clinical_note_unsigned ON clinical_note (author_id) WHERE signed_at IS NULL AND deleted_at IS NULL;

CREATE TABLE note_addendum (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    note_id      BLOB NOT NULL,
    patient_id   BLOB NOT NULL,
    author_id    BLOB NOT NULL,
    reason       TEXT NOT NULL,
    body         TEXT NOT NULL,
    signed_at    INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    signature    TEXT NOT NULL
);
CREATE INDEX note_addendum_note ON note_addendum (note_id);
CREATE INDEX note_addendum_patient ON note_addendum (patient_id);

-- Units: mm[Hg], /min, tenths of a degree Celsius, %, grams, millimetres.
CREATE TABLE vital_signs (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    patient_id       BLOB NOT NULL,
    encounter_id     BLOB,
    taken_at         INTEGER NOT NULL,
    systolic         INTEGER,
    diastolic        INTEGER,
    pulse            INTEGER,
    temperature_dc   INTEGER,
    respiratory_rate INTEGER,
    spo2             INTEGER,
    weight_g         INTEGER,
    height_mm        INTEGER
);
CREATE INDEX vital_signs_patient ON vital_signs (patient_id, taken_at DESC);

CREATE TABLE diagnosis (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    patient_id   BLOB NOT NULL,
    encounter_id BLOB,
    code         TEXT NOT NULL,            -- ICD-10-CM, dotted (E11.9)
    description  TEXT NOT NULL,
    status       TEXT NOT NULL,            -- active, resolved, entered_in_error
    onset        TEXT,
    resolved_on  TEXT,
    comment      TEXT
);
CREATE INDEX diagnosis_patient ON diagnosis (patient_id);
CREATE INDEX diagnosis_code ON diagnosis (code);

CREATE TABLE allergy (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    patient_id BLOB NOT NULL,
    substance  TEXT NOT NULL,
    reaction   TEXT,
    severity   TEXT NOT NULL,              -- mild, moderate, severe, unknown
    status     TEXT NOT NULL               -- active, inactive, entered_in_error
);
CREATE INDEX allergy_patient ON allergy (patient_id);

CREATE TABLE formulary_drug (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    name            TEXT NOT NULL,
    strength        TEXT NOT NULL,
    form            TEXT NOT NULL,
    route           TEXT NOT NULL,
    usual_dose      TEXT,
    usual_frequency TEXT,
    active          INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE prescription (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    patient_id       BLOB NOT NULL,
    encounter_id     BLOB,
    prescriber_id    BLOB NOT NULL,
    drug_id          BLOB,
    drug             TEXT NOT NULL,
    strength         TEXT NOT NULL,
    form             TEXT NOT NULL,
    dose             TEXT NOT NULL,
    route            TEXT NOT NULL,
    frequency        TEXT NOT NULL,
    duration_days    INTEGER,
    quantity         INTEGER NOT NULL,
    repeats          INTEGER NOT NULL,
    instructions     TEXT,
    prescribed_at    INTEGER NOT NULL,
    status           TEXT NOT NULL,        -- active, stopped
    first_printed_at INTEGER               -- a later print is a copy
);
CREATE INDEX prescription_patient ON prescription (patient_id, prescribed_at DESC);

ALTER TABLE patient ADD COLUMN no_known_allergies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointment_type ADD COLUMN note_template TEXT;
