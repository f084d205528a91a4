-- Statistics (docs/statistics.md): the approval of each region's monthly
-- report, level by level, with the snapshot of its figures frozen when it
-- is submitted (a locked month never changes), and the revisions: the
-- changes of a locked month's figures found later, each carried by the
-- month it was found in. The county column holds the first six digits of
-- the report's region (a county, or a city's or a province's code).

CREATE TABLE stat_reports (
    county         TEXT NOT NULL,
    region         TEXT NOT NULL,
    month          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'approved', 'returned')),
    version        INTEGER NOT NULL,
    snapshot       TEXT NOT NULL DEFAULT '',
    submitted_by   BIGINT NOT NULL DEFAULT 0,
    submitted_name TEXT NOT NULL DEFAULT '',
    submitted_at   TIMESTAMPTZ,
    decided_by     BIGINT NOT NULL DEFAULT 0,
    decided_name   TEXT NOT NULL DEFAULT '',
    decided_at     TIMESTAMPTZ,
    note           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, region, month)
);

CREATE TABLE stat_revisions (
    county  TEXT NOT NULL,
    region  TEXT NOT NULL,
    month   TEXT NOT NULL,
    figure  TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    delta   BIGINT NOT NULL,
    found_in TEXT NOT NULL,
    found_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, region, month, figure, seq)
);

-- The monthly report reads the residents alive on a day by unit, the
-- deaths and the hukou changes of a month: indexes that let each be read
-- without visiting every row of the county (docs/performance.md).
CREATE INDEX persons_alive ON persons (county, region, birth, death);
CREATE INDEX persons_death ON persons (county, death) WHERE death IS NOT NULL;
CREATE INDEX hukou_spells_from ON hukou_spells (county, from_date);
CREATE INDEX marriages_from ON marriages (county, from_date);
CREATE INDEX marriages_to ON marriages (county, to_date) WHERE to_date IS NOT NULL;
