-- A search by two initials ("wl") matches everyone whose name begins with
-- those two readings: a tenth of a county for the commonest. This index
-- holds them by the first two initials in name order, so that the first
-- page is the index's first entries (store.FindPersons, initialsArms)
-- instead of a sort of them all. Searches by three initials and more use
-- persons_name_initials the same way.
CREATE INDEX persons_name_initials2 ON persons (county, substr(name_initials, 1, 2), name COLLATE NOCASE, id);
-- Without statistics for the new index, SQLite's planner takes it for any
-- search of a county's persons (the county scan's ordered pass among
-- them): analyze it with the others.
ANALYZE persons;
