-- The person list sorts by name, birth date, ID number or region, then by
-- county and id so that every page is stable (store.personSorts). Within
-- a county an index on (county, key, id) yields any page in order with no
-- sort step, ascending or (scanned backwards) descending. The (county,
-- key) indexes of 0001 are replaced by the longer ones, which serve every
-- query they served.
--
-- Names sort by code point (COLLATE "C"), as on SQLite. An index in the C
-- collation also serves the name-prefix search (LIKE '王建%'), so it
-- replaces the text_pattern_ops index of 0006 as well.
DROP INDEX persons_name;
DROP INDEX persons_name_pattern;
CREATE INDEX persons_name ON persons (county, name COLLATE "C", id);
DROP INDEX persons_birth;
CREATE INDEX persons_birth ON persons (county, birth, id);
DROP INDEX persons_region;
CREATE INDEX persons_region ON persons (county, region, id);
-- A missing ID number sorts first ascending, as on SQLite.
CREATE INDEX persons_id_number_sort ON persons (county, id_number NULLS FIRST, id);
