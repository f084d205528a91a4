-- A search by two initials ("wl") matches everyone whose name begins with
-- those two readings: a tenth of a county for the commonest. This index
-- holds them by the first two initials in name order, so that the first
-- page is the index's first entries (store.FindPersons, initialsArms)
-- instead of a sort of them all. Searches by three initials and more use
-- persons_name_initials the same way; its initials are now in byte order
-- ("C") whatever the database's collation, so that the range of initials
-- that begin with those asked is the same set under every collation.
CREATE INDEX persons_name_initials2 ON persons (county, substr(name_initials, 1, 2), name COLLATE "C", id);
DROP INDEX persons_name_initials;
CREATE INDEX persons_name_initials ON persons (county, name_initials COLLATE "C", name COLLATE "C", id);
ANALYZE persons;
