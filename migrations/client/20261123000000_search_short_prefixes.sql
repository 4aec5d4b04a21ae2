-- Type-ahead on one or two letters: with prefix indexes only for three, a one-letter search merged
-- every term starting with that letter (35–70 ms on a million patients, against 5–25 ms for longer
-- ones). The index is rebuilt with prefix indexes for one, two and three characters. The triggers
-- that keep it in step refer to it by name and carry on unchanged.
DROP TABLE patient_search;
CREATE VIRTUAL TABLE patient_search USING fts5 (
    name, phone, ident,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO patient_search (rowid, name, phone, ident)
SELECT rowid, given_name || ' ' || family_name,
       (SELECT group_concat(replace(value, '+', ''), ' ') FROM json_each(phones)),
       replace(mrn, '-', '') || ' ' || coalesce(national_id, '')
FROM patient
WHERE deleted_at IS NULL AND merged_into IS NULL;
