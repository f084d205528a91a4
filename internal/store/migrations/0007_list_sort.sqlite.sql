-- The person list sorts by name, birth date, ID number or region, then by
-- county and id so that every page is stable (store.personSorts). Within
-- a county an index on (county, key, id) yields any page in order with no
-- sort step, ascending or (scanned backwards) descending. The (county,
-- key) indexes of 0001 are replaced by the longer ones, which serve every
-- query they served. A missing ID number sorts first ascending.
--
-- Names sort with NOCASE, the collation SQLite's LIKE needs of an index:
-- the NOCASE index of 0006 (the name-prefix search) gains id and serves
-- the order too, and the BINARY name index of 0001 goes.
DROP INDEX persons_name;
DROP INDEX persons_name_nocase;
CREATE INDEX persons_name_nocase ON persons (county, name COLLATE NOCASE, id);
DROP INDEX persons_birth;
CREATE INDEX persons_birth ON persons (county, birth, id);
DROP INDEX persons_region;
CREATE INDEX persons_region ON persons (county, region, id);
CREATE INDEX persons_id_number_sort ON persons (county, id_number, id);
