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
-- (storage 's3').
ALTER TABLE attachments DROP CONSTRAINT attachments_storage_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_storage_check CHECK (storage IN ('db', 'disk', 's3'));

-- The citizen portal's documents keep their bytes in the same file store
-- as the attachments (storage 'db', 'disk' or 's3', under blob_id, a key
-- of the attachments' sequence, checked against sha256); the rows stored
-- before keep theirs in data (storage 'inline').
ALTER TABLE documents ADD COLUMN storage TEXT NOT NULL DEFAULT 'inline';
ALTER TABLE documents ADD COLUMN blob_id BIGINT;
ALTER TABLE documents ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
