-- A search by the last four characters of an ID number matches hundreds
-- to thousands of persons in a large county. Like persons_id_tail6, the
-- index on their hash now holds them in name order (county, the hash, the
-- name in the order of the list, id), so that the first page is the
-- index's first entries and the count reads the index alone, instead of
-- reading every match's row to sort them (store.FindPersons, searchArms).
DROP INDEX persons_id_tail;
CREATE INDEX persons_id_tail ON persons (county, id_tail, name COLLATE NOCASE, id);
ANALYZE persons;
