-- The last entry of each workstation's audit chain the server acknowledged (issue 9): a
-- workstation's next entry must follow it (its number and the hash it links to), and `verify`
-- holds each chain, here and on the workstations, to it, so entries cut off a trail show.
CREATE TABLE audit_head (
    org_id    uuid   NOT NULL,
    device_id uuid   NOT NULL,
    seq       bigint NOT NULL,
    hash      text   NOT NULL,
    PRIMARY KEY (org_id, device_id)
);
INSERT INTO audit_head (org_id, device_id, seq, hash)
SELECT DISTINCT ON (org_id, (data->>'device_id')::uuid) org_id, (data->>'device_id')::uuid, (data->>'seq')::bigint, data->>'hash'
FROM record WHERE entity = 'audit_event'
ORDER BY org_id, (data->>'device_id')::uuid, (data->>'seq')::bigint DESC;

-- Each audit entry the server refused from a workstation (out of order, not linked, altered, or
-- claiming another workstation): from there that workstation's trail stops reaching the server,
-- so `verify-audit` reports every one.
CREATE TABLE audit_break (
    org_id    uuid        NOT NULL,
    device_id uuid        NOT NULL,
    seq       bigint      NOT NULL,
    reason    text        NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, device_id, seq)
);
