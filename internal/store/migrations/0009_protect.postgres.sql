-- Protection at rest and keyed audit chains (docs/security.md). The SQL
-- here only makes room: `jiahe migrate` then encrypts what is stored in
-- clear and keys the chains, with the key file (store.protect).

-- The database's id (which anchors name) and how far encryption got.
CREATE TABLE jiahe_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every key generation the database was used with, by fingerprint, so
-- that a wrong or replaced key file is refused.
CREATE TABLE key_generations (
    id          INTEGER PRIMARY KEY,
    cipher      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    added_at    TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);

-- Entries and heads name the key generation they are keyed with; 0 marks
-- an entry written before the chains were keyed, hashed without a key.
ALTER TABLE audit_log ADD COLUMN key_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN key_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN mac TEXT NOT NULL DEFAULT '';

-- persons.id_number now holds the encrypted number; it is found by its
-- keyed hash (unique within a county), searched by the keyed hash of its
-- last four characters, and sorted by the division that issued it.
ALTER TABLE persons ADD COLUMN id_hash TEXT;
ALTER TABLE persons ADD COLUMN id_tail TEXT;
ALTER TABLE persons ADD COLUMN id_division TEXT;
DROP INDEX persons_id_number;
DROP INDEX persons_id_number_any;
DROP INDEX persons_id_number_sort;
CREATE UNIQUE INDEX persons_id_hash ON persons (county, id_hash);
CREATE INDEX persons_id_hash_any ON persons (id_hash);
CREATE INDEX persons_id_tail ON persons (county, id_tail);
CREATE INDEX persons_id_sort ON persons (county, id_division NULLS FIRST, birth, id);

-- Registering an ID number locks one of these rows (the first byte of the
-- number's hash), so that the check that it is registered in no county
-- holds at READ COMMITTED. A reference table in a sharded deployment.
CREATE TABLE id_locks (
    bucket INTEGER PRIMARY KEY
);
INSERT INTO id_locks (bucket) SELECT generate_series(0, 255);
