-- Name search is a prefix match (name LIKE '王建%'). SQLite's LIKE is
-- case-insensitive, so it can use an index only when the index collates
-- with NOCASE.
CREATE INDEX persons_name_nocase ON persons (county, name COLLATE NOCASE);
