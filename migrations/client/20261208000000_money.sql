-- Money (DESIGN.md §7b, docs/money.md): the price list, invoices and their drafts, cash sessions,
-- payments, refunds and credit notes. Each syncs like every other record (clinic-sync's
-- entities.rs declares it). Amounts are integer minor units; tax rates basis points; lines,
-- discounts and counts JSON. No foreign keys: pulled pages apply in any order.

ALTER TABLE site ADD COLUMN discount_limit_bp INTEGER;
ALTER TABLE site ADD COLUMN invoice_note TEXT;
ALTER TABLE site ADD COLUMN logo TEXT;
ALTER TABLE appointment_type ADD COLUMN tax_rate_bp INTEGER;

CREATE TABLE price_item (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    name        TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    tax_rate_bp INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE invoice (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id        BLOB NOT NULL,
    patient_id     BLOB,
    customer_name  TEXT,
    appointment_id BLOB,
    encounter_id   BLOB,
    draft_id       BLOB,
    number         TEXT NOT NULL,          -- LIS-03-2026-000042
    series         TEXT NOT NULL,          -- LIS-03-2026
    seq            INTEGER NOT NULL,
    issued_at      INTEGER NOT NULL,
    service_date   TEXT,
    currency       TEXT NOT NULL,
    lines          TEXT NOT NULL,
    discount       TEXT NOT NULL,
    total_minor    INTEGER NOT NULL,
    tax_minor      INTEGER NOT NULL,
    note           TEXT
);
CREATE INDEX invoice_patient ON invoice (patient_id, issued_at);
CREATE INDEX invoice_issued ON invoice (issued_at);
CREATE INDEX invoice_number ON invoice (number);

CREATE TABLE invoice_draft (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id        BLOB NOT NULL,
    patient_id     BLOB,
    customer_name  TEXT,
    appointment_id BLOB,
    encounter_id   BLOB,
    service_date   TEXT,
    currency       TEXT NOT NULL,
    lines          TEXT NOT NULL,
    discount       TEXT NOT NULL,
    status         TEXT NOT NULL,          -- open, finalised, discarded
    invoice_id     BLOB
);
CREATE INDEX invoice_draft_open ON invoice_draft (status, updated_at);
CREATE INDEX invoice_draft_appointment ON invoice_draft (appointment_id);

CREATE TABLE cash_session (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id       BLOB NOT NULL,
    staff_id      BLOB NOT NULL,
    device_id     BLOB NOT NULL,
    drawer        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    opened_at     INTEGER NOT NULL,
    opening_float INTEGER NOT NULL,
    closed_at     INTEGER,
    counted       TEXT,
    expected      TEXT,
    report_number TEXT,
    note          TEXT
);
CREATE INDEX cash_session_staff ON cash_session (staff_id, device_id, opened_at DESC);

CREATE TABLE payment (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id         BLOB NOT NULL,
    invoice_id      BLOB,
    patient_id      BLOB,
    cash_session_id BLOB,
    method          TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL,
    tendered_minor  INTEGER,
    change_minor    INTEGER NOT NULL,
    credit_minor    INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    reference       TEXT
);
CREATE INDEX payment_invoice ON payment (invoice_id);
CREATE INDEX payment_patient ON payment (patient_id);
CREATE INDEX payment_session ON payment (cash_session_id);

CREATE TABLE refund (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id         BLOB NOT NULL,
    payment_id      BLOB NOT NULL,
    invoice_id      BLOB,
    patient_id      BLOB,
    cash_session_id BLOB,
    method          TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    refunded_at     INTEGER NOT NULL
);
CREATE INDEX refund_payment ON refund (payment_id);
CREATE INDEX refund_invoice ON refund (invoice_id);
CREATE INDEX refund_patient ON refund (patient_id);
CREATE INDEX refund_session ON refund (cash_session_id);

CREATE TABLE credit_note (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    site_id     BLOB NOT NULL,
    invoice_id  BLOB NOT NULL,
    number      TEXT NOT NULL,             -- CN-LIS-03-2026-000004
    series      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    issued_at   INTEGER NOT NULL,
    credits     TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    tax_minor   INTEGER NOT NULL,
    reason      TEXT NOT NULL
);
CREATE INDEX credit_note_invoice ON credit_note (invoice_id);

CREATE TABLE printout (
    id BLOB PRIMARY KEY NOT NULL, org_id BLOB NOT NULL,
    created_at INTEGER NOT NULL, created_by BLOB, updated_at INTEGER NOT NULL, updated_hlc TEXT NOT NULL,
    updated_by BLOB, version INTEGER, deleted_at INTEGER,
    document    TEXT NOT NULL,             -- invoice, receipt (its id is the payment's), credit_note, cash_up
    document_id BLOB NOT NULL,
    printed_at  INTEGER NOT NULL
);
CREATE INDEX printout_document ON printout (document_id, document);
