-- The reports' tallies (docs/reports.md): what happened per site day, kept by triggers as rows are
-- written (by a use case here or by sync), so a year's report reads a few thousand tally rows
-- instead of hundreds of thousands of appointments and payments. Local to this workstation, never
-- synced: each workstation derives them from the synced rows. `local_day(instant, zone)` is the
-- store's own function (store/functions.rs). A key that is not there (no practitioner, no payment
-- method) is the nil id (zeroblob(16)) or an empty text, never NULL: NULLs would not meet in a primary key.

-- Appointments per day, practitioner, type and status, with their booked minutes.
CREATE TABLE appointment_tally (
    day             TEXT NOT NULL,
    site_id         BLOB NOT NULL,
    practitioner_id BLOB NOT NULL,
    type_id         BLOB NOT NULL,
    status          TEXT NOT NULL,
    appointments    INTEGER NOT NULL,
    minutes         INTEGER NOT NULL,
    PRIMARY KEY (day, site_id, practitioner_id, type_id, status)
) WITHOUT ROWID;

CREATE TRIGGER appointment_tally_insert AFTER INSERT ON appointment WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO appointment_tally VALUES (local_day(NEW.starts_at, NEW.time_zone), NEW.site_id, NEW.practitioner_id, NEW.type_id,
                                          NEW.status, 1, (NEW.ends_at - NEW.starts_at) / 60000)
    ON CONFLICT DO UPDATE SET appointments = appointments + 1, minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER appointment_tally_update AFTER UPDATE OF site_id, practitioner_id, type_id, starts_at, ends_at, time_zone, status, deleted_at
ON appointment BEGIN
    UPDATE appointment_tally SET appointments = appointments - 1, minutes = minutes - (OLD.ends_at - OLD.starts_at) / 60000
    WHERE OLD.deleted_at IS NULL AND day = local_day(OLD.starts_at, OLD.time_zone) AND site_id = OLD.site_id
      AND practitioner_id = OLD.practitioner_id AND type_id = OLD.type_id AND status = OLD.status;
    INSERT INTO appointment_tally SELECT local_day(NEW.starts_at, NEW.time_zone), NEW.site_id, NEW.practitioner_id, NEW.type_id,
                                         NEW.status, 1, (NEW.ends_at - NEW.starts_at) / 60000 WHERE NEW.deleted_at IS NULL
    ON CONFLICT DO UPDATE SET appointments = appointments + 1, minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER appointment_tally_delete AFTER DELETE ON appointment WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE appointment_tally SET appointments = appointments - 1, minutes = minutes - (OLD.ends_at - OLD.starts_at) / 60000
    WHERE day = local_day(OLD.starts_at, OLD.time_zone) AND site_id = OLD.site_id
      AND practitioner_id = OLD.practitioner_id AND type_id = OLD.type_id AND status = OLD.status;
END;

INSERT INTO appointment_tally
SELECT local_day(starts_at, time_zone), site_id, practitioner_id, type_id, status, count(*), sum((ends_at - starts_at) / 60000)
FROM appointment WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5;

-- Whose an invoice's money is: the practitioner of its appointment or consultation (none: zeroblob(16)).
CREATE VIEW invoice_practitioner AS
SELECT i.id AS invoice_id, i.site_id, COALESCE(a.practitioner_id, e.practitioner_id, zeroblob(16)) AS practitioner_id,
       (SELECT time_zone FROM site WHERE id = i.site_id) AS time_zone
FROM invoice i LEFT JOIN appointment a ON a.id = i.appointment_id LEFT JOIN encounter e ON e.id = i.encounter_id;

-- Money per day, practitioner and payment method ('' for invoices and credit notes). The ledger
-- is written once and never changed (Policy::Ledger), so only inserts are counted.
CREATE TABLE money_tally (
    day             TEXT NOT NULL,
    site_id         BLOB NOT NULL,
    practitioner_id BLOB NOT NULL,
    method          TEXT NOT NULL,
    invoiced        INTEGER NOT NULL DEFAULT 0,
    tax             INTEGER NOT NULL DEFAULT 0,
    credited        INTEGER NOT NULL DEFAULT 0,
    received        INTEGER NOT NULL DEFAULT 0,
    refunded        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, site_id, practitioner_id, method)
) WITHOUT ROWID;

-- Units and list value (before discounts, tax excluded) per service, by its printed description;
-- the service '' holds what discounts took off, so the services add up to the net invoiced.
CREATE TABLE service_tally (
    day             TEXT NOT NULL,
    site_id         BLOB NOT NULL,
    practitioner_id BLOB NOT NULL,
    service         TEXT NOT NULL,
    units           INTEGER NOT NULL,
    amount          INTEGER NOT NULL,
    PRIMARY KEY (day, site_id, practitioner_id, service)
) WITHOUT ROWID;

-- What each invoice is owed now, and since when it has been settled (i64::MAX: not settled), so
-- the ageing "as on a day" looks only at invoices that could still have been owing then.
CREATE TABLE invoice_balance (
    invoice_id BLOB PRIMARY KEY NOT NULL,
    owed       INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    settled_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX invoice_balance_settled ON invoice_balance (settled_at);

CREATE TRIGGER invoice_tally AFTER INSERT ON invoice BEGIN
    INSERT INTO money_tally (day, site_id, practitioner_id, method, invoiced, tax)
    SELECT local_day(NEW.issued_at, p.time_zone), NEW.site_id, p.practitioner_id, '', NEW.total_minor, NEW.tax_minor
    FROM invoice_practitioner p WHERE p.invoice_id = NEW.id
    ON CONFLICT DO UPDATE SET invoiced = invoiced + excluded.invoiced, tax = tax + excluded.tax;
    INSERT INTO service_tally
    SELECT local_day(NEW.issued_at, p.time_zone), NEW.site_id, p.practitioner_id, l.value ->> 'description',
           l.value ->> 'quantity', (l.value ->> 'quantity') * (l.value ->> 'unit_price')
    FROM invoice_practitioner p, json_each(NEW.lines) l WHERE p.invoice_id = NEW.id
    ON CONFLICT DO UPDATE SET units = units + excluded.units, amount = amount + excluded.amount;
    INSERT INTO service_tally
    SELECT local_day(NEW.issued_at, p.time_zone), NEW.site_id, p.practitioner_id, '', 0,
           NEW.total_minor - NEW.tax_minor - (SELECT COALESCE(sum((value ->> 'quantity') * (value ->> 'unit_price')), 0) FROM json_each(NEW.lines))
    FROM invoice_practitioner p WHERE p.invoice_id = NEW.id
    ON CONFLICT DO UPDATE SET amount = amount + excluded.amount;
    INSERT INTO invoice_balance VALUES (NEW.id, NEW.total_minor, NEW.issued_at, CASE WHEN NEW.total_minor <= 0 THEN NEW.issued_at ELSE 9223372036854775807 END)
    ON CONFLICT DO UPDATE SET owed = owed + excluded.owed, last_at = max(last_at, excluded.last_at),
        settled_at = CASE WHEN owed + excluded.owed <= 0 THEN max(last_at, excluded.last_at) ELSE 9223372036854775807 END;
END;

CREATE TRIGGER credit_note_tally AFTER INSERT ON credit_note BEGIN
    INSERT INTO money_tally (day, site_id, practitioner_id, method, credited, tax)
    SELECT local_day(NEW.issued_at, (SELECT time_zone FROM site WHERE id = NEW.site_id)), NEW.site_id,
           COALESCE((SELECT practitioner_id FROM invoice_practitioner WHERE invoice_id = NEW.invoice_id), zeroblob(16)), '', NEW.total_minor, -NEW.tax_minor
    WHERE true
    ON CONFLICT DO UPDATE SET credited = credited + excluded.credited, tax = tax + excluded.tax;
    INSERT INTO service_tally
    SELECT local_day(NEW.issued_at, p.time_zone), NEW.site_id, p.practitioner_id, l.value ->> 'description',
           -(c.value ->> 'quantity'), -(c.value ->> 'quantity') * (l.value ->> 'unit_price')
    FROM invoice_practitioner p, invoice i, json_each(NEW.credits) c, json_each(i.lines) l
    WHERE p.invoice_id = NEW.invoice_id AND i.id = NEW.invoice_id AND l.key = c.value ->> 'line'
    ON CONFLICT DO UPDATE SET units = units + excluded.units, amount = amount + excluded.amount;
    INSERT INTO service_tally
    SELECT local_day(NEW.issued_at, p.time_zone), NEW.site_id, p.practitioner_id, '', 0,
           -(NEW.total_minor - NEW.tax_minor) + (SELECT COALESCE(sum((c.value ->> 'quantity') * (l.value ->> 'unit_price')), 0)
                                                 FROM json_each(NEW.credits) c, json_each(i.lines) l WHERE l.key = c.value ->> 'line')
    FROM invoice_practitioner p, invoice i WHERE p.invoice_id = NEW.invoice_id AND i.id = NEW.invoice_id
    ON CONFLICT DO UPDATE SET amount = amount + excluded.amount;
    INSERT INTO invoice_balance VALUES (NEW.invoice_id, -NEW.total_minor, NEW.issued_at, NEW.issued_at)
    ON CONFLICT DO UPDATE SET owed = owed + excluded.owed, last_at = max(last_at, excluded.last_at),
        settled_at = CASE WHEN owed + excluded.owed <= 0 THEN max(last_at, excluded.last_at) ELSE 9223372036854775807 END;
END;

CREATE TRIGGER payment_tally AFTER INSERT ON payment BEGIN
    INSERT INTO money_tally (day, site_id, practitioner_id, method, received)
    SELECT local_day(NEW.received_at, (SELECT time_zone FROM site WHERE id = NEW.site_id)), NEW.site_id,
           COALESCE((SELECT practitioner_id FROM invoice_practitioner WHERE invoice_id = NEW.invoice_id), zeroblob(16)), NEW.method, NEW.amount_minor
    WHERE true
    ON CONFLICT DO UPDATE SET received = received + excluded.received;
    INSERT INTO invoice_balance SELECT NEW.invoice_id, -NEW.amount_minor, NEW.received_at, NEW.received_at WHERE NEW.invoice_id IS NOT NULL
    ON CONFLICT DO UPDATE SET owed = owed + excluded.owed, last_at = max(last_at, excluded.last_at),
        settled_at = CASE WHEN owed + excluded.owed <= 0 THEN max(last_at, excluded.last_at) ELSE 9223372036854775807 END;
END;

CREATE TRIGGER refund_tally AFTER INSERT ON refund BEGIN
    INSERT INTO money_tally (day, site_id, practitioner_id, method, refunded)
    SELECT local_day(NEW.refunded_at, (SELECT time_zone FROM site WHERE id = NEW.site_id)), NEW.site_id,
           COALESCE((SELECT practitioner_id FROM invoice_practitioner WHERE invoice_id = NEW.invoice_id), zeroblob(16)), NEW.method, NEW.amount_minor
    WHERE true
    ON CONFLICT DO UPDATE SET refunded = refunded + excluded.refunded;
    INSERT INTO invoice_balance SELECT NEW.invoice_id, NEW.amount_minor, NEW.refunded_at, 9223372036854775807 WHERE NEW.invoice_id IS NOT NULL
    ON CONFLICT DO UPDATE SET owed = owed + excluded.owed, last_at = max(last_at, excluded.last_at),
        settled_at = CASE WHEN owed + excluded.owed <= 0 THEN max(last_at, excluded.last_at) ELSE 9223372036854775807 END;
END;

-- Diagnoses per day (when recorded), practitioner and code; entered in error, they no longer count.
CREATE VIEW diagnosis_counted AS
SELECT d.id, COALESCE(pr.site_id, (SELECT site_id FROM device)) AS site_id, COALESCE(e.practitioner_id, zeroblob(16)) AS practitioner_id, d.code,
       local_day(d.created_at, (SELECT time_zone FROM site WHERE id = COALESCE(pr.site_id, (SELECT site_id FROM device)))) AS day
FROM diagnosis d LEFT JOIN encounter e ON e.id = d.encounter_id LEFT JOIN practitioner pr ON pr.id = e.practitioner_id
WHERE d.deleted_at IS NULL AND d.status != 'entered_in_error';

CREATE TABLE diagnosis_tally (
    day             TEXT NOT NULL,
    site_id         BLOB NOT NULL,
    practitioner_id BLOB NOT NULL,
    code            TEXT NOT NULL,
    diagnoses       INTEGER NOT NULL,
    PRIMARY KEY (day, site_id, practitioner_id, code)
) WITHOUT ROWID;

CREATE TRIGGER diagnosis_tally_insert AFTER INSERT ON diagnosis BEGIN
    INSERT INTO diagnosis_tally SELECT day, site_id, practitioner_id, code, 1 FROM diagnosis_counted WHERE id = NEW.id
    ON CONFLICT DO UPDATE SET diagnoses = diagnoses + 1;
END;

CREATE TRIGGER diagnosis_tally_before_update BEFORE UPDATE OF code, status, deleted_at, encounter_id ON diagnosis BEGIN
    UPDATE diagnosis_tally SET diagnoses = diagnoses - 1
    WHERE (day, site_id, practitioner_id, code) = (SELECT day, site_id, practitioner_id, code FROM diagnosis_counted WHERE id = OLD.id);
END;

CREATE TRIGGER diagnosis_tally_after_update AFTER UPDATE OF code, status, deleted_at, encounter_id ON diagnosis BEGIN
    INSERT INTO diagnosis_tally SELECT day, site_id, practitioner_id, code, 1 FROM diagnosis_counted WHERE id = NEW.id
    ON CONFLICT DO UPDATE SET diagnoses = diagnoses + 1;
END;

INSERT INTO diagnosis_tally SELECT day, site_id, practitioner_id, code, count(*) FROM diagnosis_counted WHERE true GROUP BY 1, 2, 3, 4;

-- Walk-ins per day and practitioner: how many were called in, how long they waited (minutes, in
-- all and in bands) and how many were seen. Counted on the day they arrived.
CREATE VIEW walk_in_counted AS
SELECT q.id, local_day(q.arrived_at, (SELECT time_zone FROM site WHERE id = q.site_id)) AS day, q.site_id,
       COALESCE(q.practitioner_id, zeroblob(16)) AS practitioner_id, (q.called_at - q.arrived_at) / 60000 AS waited,
       q.status = 'served' AS served
FROM queue_entry q WHERE q.appointment_id IS NULL AND q.called_at IS NOT NULL AND q.deleted_at IS NULL;

CREATE TABLE walk_in_tally (
    day             TEXT NOT NULL,
    site_id         BLOB NOT NULL,
    practitioner_id BLOB NOT NULL,
    called          INTEGER NOT NULL,
    served          INTEGER NOT NULL,
    waited          INTEGER NOT NULL,   -- minutes, all of them
    within_15       INTEGER NOT NULL,
    within_30       INTEGER NOT NULL,
    within_60       INTEGER NOT NULL,
    PRIMARY KEY (day, site_id, practitioner_id)
) WITHOUT ROWID;

CREATE TRIGGER walk_in_tally_insert AFTER INSERT ON queue_entry BEGIN
    INSERT INTO walk_in_tally SELECT day, site_id, practitioner_id, 1, served, waited, waited <= 15, waited <= 30, waited <= 60
    FROM walk_in_counted WHERE id = NEW.id
    ON CONFLICT DO UPDATE SET called = called + 1, served = served + excluded.served, waited = waited + excluded.waited,
        within_15 = within_15 + excluded.within_15, within_30 = within_30 + excluded.within_30, within_60 = within_60 + excluded.within_60;
END;

CREATE TRIGGER walk_in_tally_before_update BEFORE UPDATE OF site_id, practitioner_id, appointment_id, status, arrived_at, called_at, deleted_at
ON queue_entry BEGIN
    UPDATE walk_in_tally SET called = called - 1,
        served = served - (SELECT served FROM walk_in_counted WHERE id = OLD.id),
        waited = waited - (SELECT waited FROM walk_in_counted WHERE id = OLD.id),
        within_15 = within_15 - (SELECT waited <= 15 FROM walk_in_counted WHERE id = OLD.id),
        within_30 = within_30 - (SELECT waited <= 30 FROM walk_in_counted WHERE id = OLD.id),
        within_60 = within_60 - (SELECT waited <= 60 FROM walk_in_counted WHERE id = OLD.id)
    WHERE (day, site_id, practitioner_id) = (SELECT day, site_id, practitioner_id FROM walk_in_counted WHERE id = OLD.id);
END;

CREATE TRIGGER walk_in_tally_after_update AFTER UPDATE OF site_id, practitioner_id, appointment_id, status, arrived_at, called_at, deleted_at
ON queue_entry BEGIN
    INSERT INTO walk_in_tally SELECT day, site_id, practitioner_id, 1, served, waited, waited <= 15, waited <= 30, waited <= 60
    FROM walk_in_counted WHERE id = NEW.id
    ON CONFLICT DO UPDATE SET called = called + 1, served = served + excluded.served, waited = waited + excluded.waited,
        within_15 = within_15 + excluded.within_15, within_30 = within_30 + excluded.within_30, within_60 = within_60 + excluded.within_60;
END;

INSERT INTO walk_in_tally SELECT day, site_id, practitioner_id, count(*), sum(served), sum(waited), sum(waited <= 15), sum(waited <= 30), sum(waited <= 60)
FROM walk_in_counted WHERE true GROUP BY 1, 2, 3;

-- Each patient's first visit (a completed appointment, or a walk-in seen), to tell new patients
-- from returning ones. Worked out again, from the patient's own rows, whenever one of them changes.
CREATE INDEX queue_entry_patient ON queue_entry (patient_id, arrived_at);
CREATE INDEX queue_entry_arrived ON queue_entry (arrived_at);

CREATE VIEW visit AS
SELECT patient_id, starts_at AS at, site_id, practitioner_id, time_zone FROM appointment WHERE status = 'completed' AND deleted_at IS NULL
UNION ALL
SELECT q.patient_id, q.arrived_at, q.site_id, COALESCE(q.practitioner_id, zeroblob(16)), (SELECT time_zone FROM site WHERE id = q.site_id)
FROM queue_entry q WHERE q.status = 'served' AND q.appointment_id IS NULL AND q.deleted_at IS NULL;

CREATE TABLE first_visit (
    patient_id      BLOB PRIMARY KEY NOT NULL,
    day             TEXT NOT NULL,
    site_id         BLOB NOT NULL,
    practitioner_id BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX first_visit_day ON first_visit (day);

CREATE TRIGGER first_visit_appointment_insert AFTER INSERT ON appointment WHEN NEW.status = 'completed' BEGIN
    DELETE FROM first_visit WHERE patient_id = NEW.patient_id;
    INSERT INTO first_visit SELECT patient_id, local_day(min(at), time_zone), site_id, practitioner_id FROM visit WHERE patient_id = NEW.patient_id GROUP BY patient_id;
END;

CREATE TRIGGER first_visit_appointment_update AFTER UPDATE OF patient_id, starts_at, status, deleted_at ON appointment
WHEN OLD.status = 'completed' OR NEW.status = 'completed' BEGIN
    DELETE FROM first_visit WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
    INSERT INTO first_visit SELECT patient_id, local_day(min(at), time_zone), site_id, practitioner_id FROM visit
    WHERE patient_id IN (OLD.patient_id, NEW.patient_id) GROUP BY patient_id;
END;

CREATE TRIGGER first_visit_walk_in_insert AFTER INSERT ON queue_entry WHEN NEW.status = 'served' AND NEW.appointment_id IS NULL BEGIN
    DELETE FROM first_visit WHERE patient_id = NEW.patient_id;
    INSERT INTO first_visit SELECT patient_id, local_day(min(at), time_zone), site_id, practitioner_id FROM visit WHERE patient_id = NEW.patient_id GROUP BY patient_id;
END;

CREATE TRIGGER first_visit_walk_in_update AFTER UPDATE OF patient_id, arrived_at, status, deleted_at, appointment_id ON queue_entry
WHEN OLD.status = 'served' OR NEW.status = 'served' BEGIN
    DELETE FROM first_visit WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
    INSERT INTO first_visit SELECT patient_id, local_day(min(at), time_zone), site_id, practitioner_id FROM visit
    WHERE patient_id IN (OLD.patient_id, NEW.patient_id) GROUP BY patient_id;
END;

INSERT INTO first_visit SELECT patient_id, local_day(min(at), time_zone), site_id, practitioner_id FROM visit WHERE true GROUP BY patient_id;

-- The money tallies from the ledger already held: each ledger table's rows written again, in the
-- order they depend on each other, so the triggers above count them (one definition of counting).
CREATE TEMP TABLE held AS SELECT * FROM invoice;
DELETE FROM invoice;
INSERT INTO invoice SELECT * FROM held ORDER BY issued_at;
DROP TABLE held;
CREATE TEMP TABLE held AS SELECT * FROM credit_note;
DELETE FROM credit_note;
INSERT INTO credit_note SELECT * FROM held ORDER BY issued_at;
DROP TABLE held;
CREATE TEMP TABLE held AS SELECT * FROM payment;
DELETE FROM payment;
INSERT INTO payment SELECT * FROM held ORDER BY received_at;
DROP TABLE held;
CREATE TEMP TABLE held AS SELECT * FROM refund;
DELETE FROM refund;
INSERT INTO refund SELECT * FROM held ORDER BY refunded_at;
DROP TABLE held;
