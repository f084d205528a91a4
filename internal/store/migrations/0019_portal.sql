-- The citizen portal: a citizen's report of an error in their family as the
-- registry has it, which becomes a task of their village; and the photos
-- of documents uploaded with an application (stored with the case, the
-- birth registration or the subsidy claim, base64 so that one schema
-- serves both engines).

CREATE TABLE family_reports (
    county        TEXT NOT NULL,
    id            BIGINT NOT NULL,
    person_id     BIGINT NOT NULL,
    region        TEXT NOT NULL,
    text          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    filed         DATE NOT NULL,
    resolved      DATE,
    resolved_by   BIGINT,
    resolved_name TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX family_reports_region ON family_reports (county, status, region);
CREATE INDEX family_reports_person ON family_reports (county, person_id);

CREATE TABLE documents (
    county      TEXT NOT NULL,
    id          BIGINT NOT NULL,
    entity      TEXT NOT NULL CHECK (entity IN ('case', 'birth_registration', 'subsidy_claim')),
    entity_id   BIGINT NOT NULL,
    region      TEXT NOT NULL,
    name        TEXT NOT NULL,
    ctype       TEXT NOT NULL,
    size        INTEGER NOT NULL,
    data        TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX documents_entity ON documents (county, entity, entity_id);
