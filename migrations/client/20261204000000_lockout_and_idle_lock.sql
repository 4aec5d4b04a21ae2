-- Issue 9: a password reset lifts a lockout on every workstation, and the idle lock is the clinic's.

-- When an admin last reset this person's password (synced): failures counted before it no longer
-- lock the account anywhere.
ALTER TABLE staff ADD COLUMN lockout_cleared_at INTEGER;

-- The staff record's lockout_cleared_at when this workstation counted these failures; a different
-- one on the record (a reset made here or received by sync) voids them.
ALTER TABLE login_throttle ADD COLUMN cleared_at INTEGER;

-- Minutes without activity after which a session must be unlocked again (1-30; NULL: 10).
ALTER TABLE site ADD COLUMN idle_lock_minutes INTEGER;
