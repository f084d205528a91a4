-- Persons are found by the last six characters of their ID number through
-- a keyed hash of them (id_tail6, beside id_tail's hash of the last four),
-- one probe of an index instead of decrypting every number that shares the
-- last four. The hashes are computed in Go with the key file whenever a
-- number is written; this step fills them for the persons already
-- registered (store.fillIDTail6). The name and id in the index let the
-- first page, sorted by name, be chosen from the index alone.
ALTER TABLE persons ADD COLUMN id_tail6 TEXT;
CREATE INDEX persons_id_tail6 ON persons (county, id_tail6, name COLLATE NOCASE, id);

-- Likewise for a search by initials (county, the initials, the name in the
-- order of the list, id): the thousands of persons who share three
-- initials are sorted without reading their rows, and only the page's
-- rows are read (store.FindPersons).
DROP INDEX persons_name_initials;
CREATE INDEX persons_name_initials ON persons (county, name_initials COLLATE NOCASE, name COLLATE NOCASE, id);
