-- A township's staff search their township (substr(region, 1, 9) =
-- '341523100': a few dozen villages; in a county of ten million, 135,000
-- to 1,100,000 persons). The search passed over the county's entries of a
-- name, initials or an ending to find the township's: for one initial,
-- the county's tenth; for the last four characters of a number, some
-- 11,500 entries, of which a small township holds one in seventy; and a
-- search by name read the row of every namesake in the county. These
-- indexes hold each township's persons apart, in name order, as the
-- county's and the villages' do, by name, initials, the first two
-- initials, the first initial and the last four and six characters of
-- the number. Each carries the region too: the planner reads an index
-- alone (a covering index) only if it holds every column the query
-- names, and the township is named as substr(region, 1, 9).
CREATE INDEX persons_township_name ON persons (county, substr(region, 1, 9), name COLLATE NOCASE, id, region);
CREATE INDEX persons_township_initials ON persons (county, substr(region, 1, 9), name_initials COLLATE NOCASE, name COLLATE NOCASE, id, region);
CREATE INDEX persons_township_initials2 ON persons (county, substr(region, 1, 9), substr(name_initials, 1, 2), name COLLATE NOCASE, id, region, name_initials);
CREATE INDEX persons_township_initial ON persons (county, substr(region, 1, 9), substr(name_initials, 1, 1), name COLLATE NOCASE, id, region, name_initials);
CREATE INDEX persons_township_id_tail ON persons (county, substr(region, 1, 9), id_tail, name COLLATE NOCASE, id, region);
CREATE INDEX persons_township_id_tail6 ON persons (county, substr(region, 1, 9), id_tail6, name COLLATE NOCASE, id, region);
ANALYZE persons;
