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
