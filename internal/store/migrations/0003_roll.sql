-- The recipient roll (名册): who has been confirmed for which program, from
-- when, and whether they are still on it. The qualification procedure
-- writes it; payment reads it. One row per person and program.

CREATE TABLE recipients (
    county      TEXT NOT NULL,
    id          BIGINT NOT NULL,
    person_id   BIGINT NOT NULL,
    program     TEXT NOT NULL,
    tier        TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL,
    case_id     BIGINT,
    confirmed   DATE NOT NULL,
    start_year  INTEGER NOT NULL,
    start_month INTEGER NOT NULL DEFAULT 1 CHECK (start_month BETWEEN 1 AND 12),
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'exited')),
    exit_reason TEXT NOT NULL DEFAULT '',
    exit_date   DATE,
    -- Paid up to and including this period after an exit (year*12+month-1).
    last_month  INTEGER,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX recipients_person_program ON recipients (county, person_id, program);
CREATE INDEX recipients_region ON recipients (county, region, program, status);

-- Changes to a recipient (变更): tier changes, suspensions, exits, with
-- the month from which they apply.
CREATE TABLE recipient_changes (
    county       TEXT NOT NULL,
    id           BIGINT NOT NULL,
    recipient_id BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    before       TEXT NOT NULL,
    after        TEXT NOT NULL,
    effective    DATE NOT NULL,
    reason       TEXT NOT NULL,
    evidence     TEXT NOT NULL DEFAULT '',
    user_id      BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX recipient_changes_recipient ON recipient_changes (county, recipient_id);
