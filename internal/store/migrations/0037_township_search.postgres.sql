-- A township's staff search their township (substr(region, 1, 9) =
-- '341523100': a few dozen villages, and in a large county hundreds of
-- thousands of persons). The search passed over the county's entries of
-- a name or initials to find the township's: for one initial, the
-- county's tenth, of which a small township holds one in a hundred; and a
-- search by name read the row of every namesake in the county. These
-- indexes hold each township's persons apart, in name order, as the
-- county's and the villages' do. A search by the end of a number still
-- reads the county's entries of that ending (a few hundred in ten
-- million), dropping other townships' from the region the entries carry.
-- Each carries the region too: the planner reads an index alone (an
-- index-only scan) only if it holds every column the query names, and
-- the township is named as substr(region, 1, 9).
CREATE INDEX persons_township_name ON persons (county, substr(region, 1, 9), name COLLATE "C", id) INCLUDE (region);
CREATE INDEX persons_township_initials ON persons (county, substr(region, 1, 9), name_initials COLLATE "C", name COLLATE "C", id) INCLUDE (region);
CREATE INDEX persons_township_initials2 ON persons (county, substr(region, 1, 9), substr(name_initials, 1, 2), name COLLATE "C", id) INCLUDE (region, name_initials);
CREATE INDEX persons_township_initial ON persons (county, substr(region, 1, 9), substr(name_initials, 1, 1), name COLLATE "C", id) INCLUDE (region, name_initials);
ANALYZE persons;
