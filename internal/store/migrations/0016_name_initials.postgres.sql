-- Persons are found by the pinyin initials of their name as well as by
-- its beginning (zjg finds 张建国; registry.ParseWho). The initials are
-- computed in Go (matching.Initials) when a person is written; this step
-- fills them for the persons already registered (store.fillNameInitials).
-- Initials are Latin letters, so the column sorts by byte (COLLATE "C") and
-- its index serves the prefix search (LIKE 'zjg%').
ALTER TABLE persons ADD COLUMN name_initials TEXT COLLATE "C";
CREATE INDEX persons_name_initials ON persons (county, name_initials, id);
