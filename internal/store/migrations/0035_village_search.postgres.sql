-- A village's staff search their own village (region = '341523100231').
-- The search indexes hold a county's persons by name, initials or the end
-- of a number, and a search within a village passed over the county's
-- entries of that value to find the village's: 3,500 entries for the
-- last four characters of a number in a county of a million, where the
-- village holds a dozen. These indexes hold each village's persons apart,
-- in the same order, so that its search reads its own entries alone (two
-- initials within a village are a range of its initials, sorted: no index
-- of the first two is needed). A township's search (region LIKE
-- '341523100%') still uses the county's.
CREATE INDEX persons_village_name ON persons (county, region, name COLLATE "C", id);
CREATE INDEX persons_village_initials ON persons (county, region, name_initials COLLATE "C", name COLLATE "C", id);
CREATE INDEX persons_village_id_tail ON persons (county, region, id_tail, name COLLATE "C", id);
CREATE INDEX persons_village_id_tail6 ON persons (county, region, id_tail6, name COLLATE "C", id);
ANALYZE persons;
