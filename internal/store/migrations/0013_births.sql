-- Births and the under-threes (rules.md §2.10, §8.1, §8.2, §8.4): birth
-- registrations with their slips, the birth approvals kept on persons,
-- childcare subsidy claims, and the filing and inspection of childcare
-- institutions. The serials table numbers each county's registrations
-- and filings by year, without gaps.

CREATE TABLE serials (
    county TEXT NOT NULL,
    kind   TEXT NOT NULL,
    year   INTEGER NOT NULL,
    next   INTEGER NOT NULL,
    PRIMARY KEY (county, kind, year)
);

CREATE TABLE birth_registrations (
    county        TEXT NOT NULL,
    id            BIGINT NOT NULL,
    serial        TEXT NOT NULL,
    code          TEXT NOT NULL,
    region        TEXT NOT NULL,
    mother_id     BIGINT,
    father_id     BIGINT,
    applicant_id  BIGINT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('online', 'counter')),
    registered    DATE NOT NULL,
    expected      DATE,
    expecting     INTEGER NOT NULL DEFAULT 1,
    parity        INTEGER NOT NULL,
    statistical   INTEGER NOT NULL DEFAULT 0,
    policy_status TEXT NOT NULL CHECK (policy_status IN ('registration', 'approval_required', 'approved')),
    in_policy     BOOLEAN NOT NULL,
    approval_id   BIGINT,
    decision      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('registered', 'closed', 'cancelled')),
    phone         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    born          DATE,
    hospital      TEXT NOT NULL DEFAULT '',
    cert_no       TEXT NOT NULL DEFAULT '',
    hospital_birth BOOLEAN NOT NULL DEFAULT FALSE,
    source        TEXT NOT NULL DEFAULT '',
    children      TEXT NOT NULL DEFAULT '',
    cancel_reason TEXT NOT NULL DEFAULT '',
    cancel_note   TEXT NOT NULL DEFAULT '',
    cancelled     DATE,
    created_by    BIGINT NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX birth_registrations_serial ON birth_registrations (serial);
CREATE INDEX birth_registrations_region ON birth_registrations (county, region, status);
CREATE INDEX birth_registrations_mother ON birth_registrations (county, mother_id);
CREATE INDEX birth_registrations_father ON birth_registrations (county, father_id);

CREATE TABLE birth_approvals (
    county      TEXT NOT NULL,
    id          BIGINT NOT NULL,
    person_id   BIGINT NOT NULL,
    spouse_id   BIGINT,
    kind        TEXT NOT NULL CHECK (kind IN ('rebirth', 'certificate')),
    parity      INTEGER NOT NULL,
    number      TEXT NOT NULL DEFAULT '',
    issued      DATE NOT NULL,
    issuer      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX birth_approvals_person ON birth_approvals (county, person_id);
CREATE INDEX birth_approvals_spouse ON birth_approvals (county, spouse_id);

CREATE TABLE subsidy_claims (
    county       TEXT NOT NULL,
    id           BIGINT NOT NULL,
    child_id     BIGINT NOT NULL,
    applicant_id BIGINT NOT NULL,
    relation     TEXT NOT NULL CHECK (relation IN ('mother', 'father', 'guardian')),
    region       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    filed        DATE NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('online', 'counter')),
    phone        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('submitted', 'checked', 'approved', 'rejected', 'withdrawn')),
    engine       TEXT NOT NULL DEFAULT '',
    taken_by     BIGINT,
    checked      DATE,
    checked_by   BIGINT,
    checked_name TEXT NOT NULL DEFAULT '',
    check_note   TEXT NOT NULL DEFAULT '',
    decided      DATE,
    decided_by   BIGINT,
    decided_name TEXT NOT NULL DEFAULT '',
    decide_note  TEXT NOT NULL DEFAULT '',
    recipient_id BIGINT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
-- At most one claim in progress per child.
CREATE UNIQUE INDEX subsidy_claims_open ON subsidy_claims (county, child_id) WHERE status IN ('submitted', 'checked');
CREATE INDEX subsidy_claims_child ON subsidy_claims (county, child_id);
CREATE INDEX subsidy_claims_region ON subsidy_claims (county, region, status);
CREATE INDEX subsidy_claims_applicant ON subsidy_claims (county, applicant_id);

CREATE TABLE childcare_institutions (
    county          TEXT NOT NULL,
    id              BIGINT NOT NULL,
    filing_no       TEXT NOT NULL,
    name            TEXT NOT NULL,
    credit_code     TEXT NOT NULL,
    operator        TEXT NOT NULL,
    reg_type        TEXT NOT NULL CHECK (reg_type IN ('public', 'social', 'enterprise')),
    type            TEXT NOT NULL CHECK (type IN ('full_day', 'half_day', 'hourly', 'community', 'kindergarten', 'employer')),
    inclusive       BOOLEAN NOT NULL,
    places          INTEGER NOT NULL,
    places_infant   INTEGER NOT NULL DEFAULT 0,
    places_toddler  INTEGER NOT NULL DEFAULT 0,
    places_older    INTEGER NOT NULL DEFAULT 0,
    region          TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    area            INTEGER NOT NULL,
    outdoor_area    INTEGER NOT NULL DEFAULT 0,
    fire_safety     BOOLEAN NOT NULL,
    fire_doc        TEXT NOT NULL DEFAULT '',
    fire_date       DATE,
    staff           TEXT NOT NULL,
    filed           DATE NOT NULL,
    phone           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('filed', 'closed')),
    closed          DATE,
    close_reason    TEXT NOT NULL DEFAULT '',
    last_inspection DATE,
    created_by      BIGINT NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX childcare_institutions_filing ON childcare_institutions (filing_no);
CREATE INDEX childcare_institutions_region ON childcare_institutions (county, region, status);

CREATE TABLE childcare_changes (
    county         TEXT NOT NULL,
    id             BIGINT NOT NULL,
    institution_id BIGINT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('change', 'close')),
    fields         TEXT NOT NULL,
    before         TEXT NOT NULL DEFAULT '',
    after          TEXT NOT NULL DEFAULT '',
    effective      DATE NOT NULL,
    reason         TEXT NOT NULL,
    user_id        BIGINT NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX childcare_changes_institution ON childcare_changes (county, institution_id);

CREATE TABLE childcare_inspections (
    county         TEXT NOT NULL,
    id             BIGINT NOT NULL,
    institution_id BIGINT NOT NULL,
    region         TEXT NOT NULL,
    inspected      DATE NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('routine', 'joint', 'complaint', 'filing')),
    inspectors     TEXT NOT NULL,
    findings       TEXT NOT NULL,
    grade          TEXT NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    rectify        BOOLEAN NOT NULL,
    requirement    TEXT NOT NULL DEFAULT '',
    deadline       DATE,
    checked_on     DATE,
    checkers       TEXT NOT NULL DEFAULT '[]',
    check_passed   BOOLEAN NOT NULL DEFAULT FALSE,
    check_note     TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('rectifying', 'closed')),
    recorded_by    BIGINT NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX childcare_inspections_institution ON childcare_inspections (county, institution_id);
CREATE INDEX childcare_inspections_open ON childcare_inspections (county, status, region);
