-- Each staff member's signing key (DESIGN.md §5b): the public half, and the private half sealed
-- under their password. Empty only for staff made before keys existed: they get one at their next
-- login.
ALTER TABLE staff ADD COLUMN public_key TEXT;
ALTER TABLE staff ADD COLUMN sealed_key TEXT;
-- The author's signature of each change waiting to be pushed.
ALTER TABLE outbox ADD COLUMN signature TEXT;
