-- Divisions that change (docs/regions.md): the versions of the divisions
-- a county has changed (each valid from one day until another, kept for
-- ever), the changes themselves, and the keys by which the records of a
-- retired code were re-keyed to its successor. The county-level code
-- itself never changes here: it is the key that distributes the data.

CREATE TABLE division_versions (
    county     TEXT NOT NULL,
    code       TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    parent     TEXT NOT NULL,
    change_id  BIGINT NOT NULL,
    PRIMARY KEY (county, code, valid_from)
);

CREATE TABLE division_changes (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('rename', 'merge', 'move', 'split')),
    code      TEXT NOT NULL,
    target    TEXT NOT NULL DEFAULT '',
    day       DATE NOT NULL,
    name      TEXT NOT NULL DEFAULT '',
    basis     TEXT NOT NULL DEFAULT '',
    rekeyed   TEXT NOT NULL DEFAULT '',
    user_id   BIGINT NOT NULL,
    username  TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);

CREATE TABLE division_keys (
    county    TEXT NOT NULL,
    change_id BIGINT NOT NULL,
    old_code  TEXT NOT NULL,
    new_code  TEXT NOT NULL,
    day       DATE NOT NULL,
    PRIMARY KEY (county, change_id, old_code)
);
