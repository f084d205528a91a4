-- The staff of a village or a township search within their region
-- (region LIKE '341523100231%'), which the search indexes did not hold: a
-- search read the row of every match in the county to drop those of other
-- villages, thousands of rows for a common name or initials in a large
-- county. Each search index now ends with the region (after id, which is
-- unique, so the order is the same), so that the engine drops them from
-- the index entries alone (store.FindPersons).
DROP INDEX persons_name_nocase;
CREATE INDEX persons_name_nocase ON persons (county, name COLLATE NOCASE, id, region);
DROP INDEX persons_name_initials;
CREATE INDEX persons_name_initials ON persons (county, name_initials COLLATE NOCASE, name COLLATE NOCASE, id, region);
DROP INDEX persons_name_initials2;
CREATE INDEX persons_name_initials2 ON persons (county, substr(name_initials, 1, 2), name COLLATE NOCASE, id, region);
DROP INDEX persons_id_tail;
CREATE INDEX persons_id_tail ON persons (county, id_tail, name COLLATE NOCASE, id, region);
DROP INDEX persons_id_tail6;
CREATE INDEX persons_id_tail6 ON persons (county, id_tail6, name COLLATE NOCASE, id, region);
ANALYZE persons;
