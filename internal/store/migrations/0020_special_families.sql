-- Special family-planning families (计生特殊家庭, docs/special-families.md):
-- the register with the reason each family is on it and its coverages
-- (family doctor, green channel, insurance), the changes found in the
-- registry for review, the families' contacts, the visits, the requests,
-- and the family-planning family certificates issued.

CREATE TABLE special_families (
    county         TEXT NOT NULL,
    id             BIGINT NOT NULL,
    anchor_id      BIGINT NOT NULL,
    spouse_id      BIGINT,
    child_id       BIGINT,
    region         TEXT NOT NULL,
    category       TEXT NOT NULL CHECK (category IN ('died', 'disabled', 'other')),
    source         TEXT NOT NULL CHECK (source IN ('registry', 'roll', 'manual')),
    reason         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    since          DATE NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    closed         DATE,
    close_reason   TEXT NOT NULL DEFAULT '',
    signed         DATE,
    doctor         TEXT NOT NULL DEFAULT '',
    doctor_tcm     BOOLEAN NOT NULL DEFAULT FALSE,
    green          DATE,
    green_hospital TEXT NOT NULL DEFAULT '',
    insured        DATE,
    insurer        TEXT NOT NULL DEFAULT '',
    last_visit     DATE,
    next_visit     DATE,
    created_by     BIGINT NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
-- At most one family on the register per head.
CREATE UNIQUE INDEX special_families_anchor ON special_families (county, anchor_id) WHERE status = 'active';
CREATE INDEX special_families_region ON special_families (county, region, status);
CREATE INDEX special_families_spouse ON special_families (county, spouse_id);

CREATE TABLE special_changes (
    county     TEXT NOT NULL,
    id         BIGINT NOT NULL,
    family_id  BIGINT NOT NULL,
    region     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('parent_died', 'new_child', 'moved', 'lapsed')),
    detail     TEXT NOT NULL DEFAULT '',
    found      DATE NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'dismissed')),
    decided    DATE,
    decided_by BIGINT NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX special_changes_family ON special_changes (county, family_id);
CREATE INDEX special_changes_status ON special_changes (county, status, region);

CREATE TABLE special_contacts (
    county     TEXT NOT NULL,
    id         BIGINT NOT NULL,
    family_id  BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    user_id    BIGINT,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    from_date  DATE NOT NULL,
    to_date    DATE,
    end_reason TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX special_contacts_family ON special_contacts (county, family_id);
CREATE INDEX special_contacts_user ON special_contacts (county, user_id);

CREATE TABLE special_visits (
    county     TEXT NOT NULL,
    id         BIGINT NOT NULL,
    family_id  BIGINT NOT NULL,
    region     TEXT NOT NULL,
    visited    DATE NOT NULL,
    mode       TEXT NOT NULL CHECK (mode IN ('home', 'phone', 'hospital', 'other')),
    visitor_id BIGINT NOT NULL DEFAULT 0,
    visitor    TEXT NOT NULL,
    found      TEXT NOT NULL,
    help       TEXT NOT NULL DEFAULT '',
    requests   TEXT NOT NULL DEFAULT '',
    next_due   DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX special_visits_family ON special_visits (county, family_id, visited);

CREATE TABLE special_requests (
    county     TEXT NOT NULL,
    id         BIGINT NOT NULL,
    family_id  BIGINT NOT NULL,
    region     TEXT NOT NULL,
    raised     DATE NOT NULL,
    source     TEXT NOT NULL,
    content    TEXT NOT NULL,
    handler_id BIGINT NOT NULL DEFAULT 0,
    handler    TEXT NOT NULL,
    deadline   DATE NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'replied', 'closed')),
    reply      TEXT NOT NULL DEFAULT '',
    replied    DATE,
    satisfied  TEXT NOT NULL DEFAULT '' CHECK (satisfied IN ('', 'yes', 'no')),
    escalated  DATE,
    version    INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX special_requests_family ON special_requests (county, family_id);
CREATE INDEX special_requests_status ON special_requests (county, status, region);

CREATE TABLE family_certificates (
    county     TEXT NOT NULL,
    id         BIGINT NOT NULL,
    serial     TEXT NOT NULL,
    code       TEXT NOT NULL,
    person_id  BIGINT NOT NULL,
    region     TEXT NOT NULL,
    categories TEXT NOT NULL,
    as_of      DATE NOT NULL,
    issued     DATE NOT NULL,
    issued_by  BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX family_certificates_serial ON family_certificates (serial);
CREATE INDEX family_certificates_person ON family_certificates (county, person_id);

-- The lists of help the committee chooses (5·29 and Spring Festival gifts,
-- emergency aid, study aid): made by the township or the county, approved
-- by another member of the county's staff, then paid through a payment
-- cycle of a one-off program (cycle_id).
CREATE TABLE special_help_lists (
    county      TEXT NOT NULL,
    id          BIGINT NOT NULL,
    program     TEXT NOT NULL,
    period      TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL,
    families    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'paid')),
    created_by  BIGINT NOT NULL DEFAULT 0,
    approved_by BIGINT NOT NULL DEFAULT 0,
    approved    DATE,
    cycle_id    BIGINT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
