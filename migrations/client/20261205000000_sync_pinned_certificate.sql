-- The sync server's certificate, pinned at enrolment (DESIGN.md §5c): its SHA-256 fingerprint,
-- `AB:CD:…`. Every round accepts that certificate and no other. NULL only for http:// to this
-- computer (loopback), where there is no certificate.
ALTER TABLE sync_state ADD COLUMN server_fingerprint TEXT;
