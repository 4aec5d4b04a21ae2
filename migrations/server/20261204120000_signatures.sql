-- Each change as its author signed it (DESIGN.md §5b), kept with it: its signature, and the
-- signed fields the log did not hold yet (when, the operation, the version it was made on), so
-- anyone holding the log can check again who made what. The signature is empty for audit entries
-- (the device's hash chain binds them) and for conflicts the server opens.
ALTER TABLE change_log ADD COLUMN signature text;
ALTER TABLE change_log ADD COLUMN made_at bigint;
ALTER TABLE change_log ADD COLUMN op text;
ALTER TABLE change_log ADD COLUMN base_version bigint;
