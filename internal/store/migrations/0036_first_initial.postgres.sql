-- A search by one initial ("w": a tenth of a county for the commonest)
-- read, for each character that can follow it, the persons whose first
-- two initials are the two ("wa", "wb", …: 37 arms of
-- persons_name_initials2), and within a village sorted the village's whole
-- range of that initial. These indexes hold the persons of a county, and
-- of each village, by their first initial in name order, so that a page of
-- one initial reads its own first entries, as a search of two initials
-- does.
CREATE INDEX persons_name_initial ON persons (county, substr(name_initials, 1, 1), name COLLATE "C", id) INCLUDE (region, name_initials);
CREATE INDEX persons_village_initial ON persons (county, region, substr(name_initials, 1, 1), name COLLATE "C", id) INCLUDE (name_initials);
ANALYZE persons;
