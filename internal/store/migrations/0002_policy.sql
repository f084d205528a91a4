-- Policy: rule layers added by regions on top of the embedded rules, and
-- the determinations of batch evaluation.

-- A validated rule layer (JSON text of policy.Layer) for a region: '' for
-- national, or a 2-, 4- or 6-digit division prefix.
CREATE TABLE policy_layers (
    region     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    from_date  DATE NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    author_id  BIGINT NOT NULL,
    author     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (region, version)
);

-- One row per person, program and year the person is eligible for, as
-- decided by the last evaluation run. Funding columns add up to amount_fen.
-- explanation holds the clause-by-clause JSON only when it was asked for.
CREATE TABLE determinations (
    county       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    program      TEXT NOT NULL,
    person_id    BIGINT NOT NULL,
    eligible     BOOLEAN NOT NULL,
    amount_fen   BIGINT NOT NULL,
    months       INTEGER NOT NULL,
    central_fen  BIGINT NOT NULL DEFAULT 0,
    province_fen BIGINT NOT NULL DEFAULT 0,
    city_fen     BIGINT NOT NULL DEFAULT 0,
    county_fen   BIGINT NOT NULL DEFAULT 0,
    rule_version TEXT NOT NULL,
    evaluated_at TIMESTAMPTZ NOT NULL,
    explanation  TEXT,
    PRIMARY KEY (county, year, program, person_id),
    CHECK (central_fen + province_fen + city_fen + county_fen = amount_fen)
);
CREATE INDEX determinations_person ON determinations (county, person_id, year);
