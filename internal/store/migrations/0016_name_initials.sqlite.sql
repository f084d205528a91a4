-- Persons are found by the pinyin initials of their name as well as by
-- its beginning (zjg finds 张建国; registry.ParseWho). The initials are
-- computed in Go (matching.Initials) when a person is written; this step
-- fills them for the persons already registered (store.fillNameInitials).
-- SQLite's LIKE is case-insensitive, so the index collates with NOCASE to
-- serve the prefix search (LIKE 'zjg%').
ALTER TABLE persons ADD COLUMN name_initials TEXT;
CREATE INDEX persons_name_initials ON persons (county, name_initials COLLATE NOCASE, id);
