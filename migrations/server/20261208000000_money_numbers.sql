-- Invoices and credit notes are numbered in each workstation's own series, so two never share a
-- number; the server still looks every new number up (unique.rs) and opens a conflict for a
-- person if one ever did (a workstation restored from an old backup, say).
CREATE INDEX record_unique_invoice_number ON record ((data->>'number'), org_id) WHERE entity = 'invoice';
CREATE INDEX record_unique_credit_note_number ON record ((data->>'number'), org_id) WHERE entity = 'credit_note';
