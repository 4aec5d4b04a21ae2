-- Every public key each staff member has had, as this workstation saw them: a signed note is
-- checked against the key its author held when signing, which an administrator's password reset
-- later replaces (DESIGN.md §5b: the old key stays valid for what it signed). Kept by triggers, so
-- keys that arrive by sync are kept too. Local, never synced. (The triggers test for the key
-- rather than say OR IGNORE: a statement's own conflict clause, an upsert's, would override theirs.)
CREATE TABLE staff_key (
    staff_id   BLOB NOT NULL,
    public_key TEXT NOT NULL,
    PRIMARY KEY (staff_id, public_key)
) WITHOUT ROWID;
INSERT OR IGNORE INTO staff_key (staff_id, public_key) SELECT id, public_key FROM staff WHERE public_key IS NOT NULL;
CREATE TRIGGER staff_key_inserted AFTER INSERT ON staff
WHEN NEW.public_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff_key WHERE staff_id = NEW.id AND public_key = NEW.public_key)
BEGIN
    INSERT INTO staff_key (staff_id, public_key) VALUES (NEW.id, NEW.public_key);
END;
CREATE TRIGGER staff_key_changed AFTER UPDATE OF public_key ON staff
WHEN NEW.public_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff_key WHERE staff_id = NEW.id AND public_key = NEW.public_key)
BEGIN
    INSERT INTO staff_key (staff_id, public_key) VALUES (NEW.id, NEW.public_key);
END;
