-- Name search is a prefix match (name LIKE '王建%'). Under a non-C
-- collation PostgreSQL can use a b-tree for LIKE only with the pattern
-- operator class.
CREATE INDEX persons_name_pattern ON persons (county, name text_pattern_ops);
