-- The roll's life after approval: files kept with a person or a case
-- (photos from a phone, scans, PDFs), the annual face-to-face review
-- (年审人人见面), and the checks after approval — the county's re-check
-- of a drawn sample of the year's new recipients and the city's or
-- province's spot-check (抽查), with their findings and who is held
-- accountable for which step; the funds received for the budget; and a
-- case's questions to the level above.

-- A file kept with a person (owner 'person') or a case (owner 'case'):
-- what it is, who added it and when, and until when it is kept. The
-- bytes are kept by the storage the deployment chose (storage 'db': the
-- row of attachment_blobs with the same key; 'disk': a file named by
-- its digest in the directory beside the database).
CREATE TABLE attachments (
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
    storage      TEXT NOT NULL CHECK (storage IN ('db', 'disk')),
    added_by     BIGINT NOT NULL,
    added_by_name TEXT NOT NULL,
    added_at     TIMESTAMPTZ NOT NULL,
    keep_until   DATE NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX attachments_owner ON attachments (county, owner, owner_id);

CREATE TABLE attachment_blobs (
    county TEXT NOT NULL,
    id     BIGINT NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (county, id)
);

-- The annual face-to-face review: one row per person and year, either
-- seen (on a day, by whom, where, with a photo or a signature) or not
-- seen with the reason.
CREATE TABLE inperson_reviews (
    county        TEXT NOT NULL,
    person_id     BIGINT NOT NULL,
    year          INTEGER NOT NULL,
    region        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('seen', 'not_seen')),
    reason        TEXT NOT NULL DEFAULT '',
    seen_on       DATE,
    place         TEXT NOT NULL DEFAULT '',
    proof         TEXT NOT NULL DEFAULT '' CHECK (proof IN ('', 'photo', 'signature')),
    attachment_id BIGINT,
    note          TEXT NOT NULL DEFAULT '',
    recorded_by   BIGINT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (county, person_id, year)
);
CREATE INDEX inperson_reviews_region ON inperson_reviews (county, year, region);

-- A drawn sample of recipients to check again: the county's re-check of
-- the year's new recipients or a city's or province's spot-check, with
-- the method, size and seed that reproduce it.
CREATE TABLE check_samples (
    county      TEXT NOT NULL,
    id          BIGINT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('county_recheck', 'city_spot', 'province_spot')),
    year        INTEGER NOT NULL,
    program     TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    seed        BIGINT NOT NULL,
    population  INTEGER NOT NULL,
    drawn_by    BIGINT NOT NULL,
    drawn_by_name TEXT NOT NULL,
    drawn_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);

-- One recipient of a sample: the visit assigned, and the finding.
CREATE TABLE check_items (
    county        TEXT NOT NULL,
    sample_id     BIGINT NOT NULL,
    seq           INTEGER NOT NULL,
    recipient_id  BIGINT NOT NULL,
    person_id     BIGINT NOT NULL,
    case_id       BIGINT,
    program       TEXT NOT NULL,
    region        TEXT NOT NULL,
    assignee      TEXT NOT NULL DEFAULT '',
    visit_on      DATE,
    finding       TEXT NOT NULL DEFAULT '' CHECK (finding IN ('', 'confirmed', 'discrepancy', 'fraud')),
    note          TEXT NOT NULL DEFAULT '',
    reopened      BOOLEAN NOT NULL DEFAULT FALSE,
    recovery_fen  BIGINT NOT NULL DEFAULT 0,
    found_by      BIGINT,
    found_by_name TEXT NOT NULL DEFAULT '',
    found_at      TIMESTAMPTZ,
    version       INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (county, sample_id, seq)
);
CREATE INDEX check_items_person ON check_items (county, person_id);

-- Who is held accountable for which step of a case a finding of fraud
-- concerns (谁调查谁签字谁负责).
CREATE TABLE check_accountability (
    county    TEXT NOT NULL,
    sample_id BIGINT NOT NULL,
    seq       INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    case_id   BIGINT NOT NULL,
    step      TEXT NOT NULL,
    user_id   BIGINT NOT NULL,
    username  TEXT NOT NULL,
    signer    TEXT NOT NULL,
    role      TEXT NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, sample_id, seq, line)
);

-- Funds received for a year's benefits from each level of government
-- (central, province, city, county), recorded against the budget that
-- the roll and the rules give.
CREATE TABLE budget_funds (
    county           TEXT NOT NULL,
    id               BIGINT NOT NULL,
    year             INTEGER NOT NULL,
    program          TEXT NOT NULL,
    level            TEXT NOT NULL CHECK (level IN ('central', 'province', 'city', 'county')),
    amount_fen       BIGINT NOT NULL,
    received         DATE NOT NULL,
    document         TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    recorded_by      BIGINT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX budget_funds_year ON budget_funds (county, year, program);

-- A question a case sends to the level above (请示) and its answer.
CREATE TABLE case_escalations (
    county            TEXT NOT NULL,
    id                BIGINT NOT NULL,
    case_id           BIGINT NOT NULL,
    from_level        TEXT NOT NULL,
    to_level          TEXT NOT NULL,
    question          TEXT NOT NULL,
    asked_by          BIGINT NOT NULL,
    asked_by_name     TEXT NOT NULL,
    asked_at          TIMESTAMPTZ NOT NULL,
    answer            TEXT NOT NULL DEFAULT '',
    answered_by       BIGINT,
    answered_by_name  TEXT NOT NULL DEFAULT '',
    answered_at       TIMESTAMPTZ,
    PRIMARY KEY (county, id)
);
CREATE INDEX case_escalations_case ON case_escalations (county, case_id);
