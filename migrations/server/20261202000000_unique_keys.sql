-- One index per unique key declared in clinic-sync (entities.rs), so a pushed batch finds the
-- records already holding its values at once. A test checks that every declared key has one.
CREATE INDEX record_unique_staff_username ON record (org_id, (data->>'username')) WHERE entity = 'staff';
CREATE INDEX record_unique_practitioner_staff_id ON record (org_id, (data->>'staff_id')) WHERE entity = 'practitioner';
CREATE INDEX record_unique_patient_mrn ON record (org_id, (data->>'mrn')) WHERE entity = 'patient';
