-- The people in charge (三级干部分包对象): a recipient on the roll or an
-- open case put in the charge of a named cadre (a staff user) at the
-- village, the township or the county level; one cadre per level.
CREATE TABLE charges (
    county           TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('recipient', 'case')),
    target_id        BIGINT NOT NULL,
    level            TEXT NOT NULL CHECK (level IN ('village', 'township', 'county')),
    user_id          BIGINT NOT NULL,
    assigned_by      BIGINT NOT NULL,
    assigned_by_name TEXT NOT NULL,
    assigned_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, kind, target_id, level)
);
CREATE INDEX charges_user ON charges (county, user_id);

-- An attachment's bytes may also be kept in an S3-compatible store
-- (storage 's3'): SQLite changes a CHECK by rebuilding the table.
CREATE TABLE attachments_next (
    county       TEXT NOT NULL,
    id           BIGINT NOT NULL,
    owner        TEXT NOT NULL CHECK (owner IN ('person', 'case')),
    owner_id     BIGINT NOT NULL,
    region       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    storage      TEXT NOT NULL CHECK (storage IN ('db', 'disk', 's3')),
    added_by     BIGINT NOT NULL,
    added_by_name TEXT NOT NULL,
    added_at     TIMESTAMPTZ NOT NULL,
    keep_until   DATE NOT NULL,
    PRIMARY KEY (county, id)
);
INSERT INTO attachments_next SELECT county, id, owner, owner_id, region, kind, name, content_type, size, sha256, storage, added_by,
    added_by_name, added_at, keep_until FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_next RENAME TO attachments;
CREATE INDEX attachments_owner ON attachments (county, owner, owner_id);

-- The citizen portal's documents keep their bytes in the same file store
-- as the attachments (storage 'db', 'disk' or 's3', under blob_id, a key
-- of the attachments' sequence, checked against sha256); the rows stored
-- before keep theirs in data (storage 'inline').
ALTER TABLE documents ADD COLUMN storage TEXT NOT NULL DEFAULT 'inline';
ALTER TABLE documents ADD COLUMN blob_id BIGINT;
ALTER TABLE documents ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
