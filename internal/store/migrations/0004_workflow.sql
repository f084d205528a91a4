-- The qualification procedure: cases and their signed steps, public
-- notices and objections, annual reviews, and the workflow's regional
-- parameters. The roll itself (recipients, recipient_changes) is 0003.

-- One application going through the procedure. application and engine
-- hold JSON: what the applicant declared, and the policy engine's last
-- decision attached at a review step.
CREATE TABLE cases (
    county         TEXT NOT NULL,
    id             BIGINT NOT NULL,
    person_id      BIGINT NOT NULL,
    spouse_id      BIGINT,
    program        TEXT NOT NULL,
    year           INTEGER NOT NULL,
    region         TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('applied', 'surveyed', 'village_reviewed', 'village_notice',
                       'township_review', 'township_approved', 'township_notice', 'county_review', 'approved',
                       'county_notice', 'enrolled', 'deferred', 'rejected', 'withdrawn', 'suspended')),
    suspended_from TEXT NOT NULL DEFAULT '',
    submitted      DATE NOT NULL,
    application    TEXT NOT NULL,
    engine         TEXT NOT NULL DEFAULT '',
    recipient_id   BIGINT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX cases_worklist ON cases (county, state, region);
CREATE INDEX cases_person ON cases (county, person_id);
-- At most one open case per person and program.
CREATE UNIQUE INDEX cases_open ON cases (county, person_id, program)
    WHERE state NOT IN ('enrolled', 'deferred', 'rejected', 'withdrawn');

-- The signed history of a case: one row per step, with the record the
-- step produced (survey, review, decision…) as JSON in detail.
CREATE TABLE case_steps (
    county     TEXT NOT NULL,
    case_id    BIGINT NOT NULL,
    seq        INTEGER NOT NULL,
    step       TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    user_id    BIGINT NOT NULL,
    username   TEXT NOT NULL,
    signer     TEXT NOT NULL,
    role       TEXT NOT NULL,
    signed_at  TIMESTAMPTZ NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (county, case_id, seq)
);

-- Public notices (公示), one per case and level; signatures are JSON.
CREATE TABLE case_notices (
    county     TEXT NOT NULL,
    id         BIGINT NOT NULL,
    case_id    BIGINT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('village', 'township', 'county')),
    region     TEXT NOT NULL,
    place      TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date   DATE NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_by  TEXT NOT NULL,
    closed_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id),
    CHECK (end_date > start_date)
);
CREATE INDEX case_notices_case ON case_notices (county, case_id);
CREATE INDEX case_notices_board ON case_notices (county, level, region, start_date);

-- Objections received during a notice, and their resolution (JSON).
CREATE TABLE case_objections (
    county      TEXT NOT NULL,
    id          BIGINT NOT NULL,
    case_id     BIGINT NOT NULL,
    notice_id   BIGINT NOT NULL,
    received    DATE NOT NULL,
    objector    TEXT NOT NULL,
    contact     TEXT NOT NULL DEFAULT '',
    content     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'dismissed', 'moot')),
    recorded_by TEXT NOT NULL,
    resolution  TEXT NOT NULL DEFAULT '',
    resolved_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE INDEX case_objections_case ON case_objections (county, case_id);

-- The year of the last annual review a recipient passed.
ALTER TABLE recipients ADD COLUMN reviewed_year INTEGER;

-- Runs of the annual review; changed holds the listed recipients (JSON).
CREATE TABLE annual_reviews (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    region    TEXT NOT NULL,
    year      INTEGER NOT NULL,
    user_id   BIGINT NOT NULL,
    run_at    TIMESTAMPTZ NOT NULL,
    reviewed  INTEGER NOT NULL,
    confirmed INTEGER NOT NULL,
    changed   TEXT NOT NULL,
    PRIMARY KEY (county, id)
);

-- Regional parameters of the procedure (e.g. notice_days), by division
-- prefix: '' national, 2 digits a province, 4 a city, 6 a county. The
-- longest prefix of a region wins.
CREATE TABLE workflow_params (
    region TEXT NOT NULL,
    name   TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (region, name)
);
