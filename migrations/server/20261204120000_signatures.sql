-- Each change's signature by its author (DESIGN.md §5b), kept with it: anyone holding the log can
-- check again who made what. Empty for audit entries (the device's hash chain binds them) and for
-- conflicts the server opens.
ALTER TABLE change_log ADD COLUMN signature text;
