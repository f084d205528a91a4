-- Cross-department matching (docs/matching.md): extracts received from
-- other departments, their rows and each role's outcome, the facts
-- already imported (so that a file imported twice, or files that
-- overlap, create nothing twice), the saved column mapping of each
-- source, the worklist of tasks per village and township, and the log of
-- every exchange by month and source.

CREATE TABLE match_imports (
    county          TEXT NOT NULL,
    id              BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    source          TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    file_hash       TEXT NOT NULL,
    format          TEXT NOT NULL,
    encoding        TEXT NOT NULL DEFAULT '',
    header          TEXT NOT NULL,
    mapping         TEXT NOT NULL DEFAULT '',
    rows_total      INTEGER NOT NULL,
    rows_new        INTEGER NOT NULL,
    rows_repeated   INTEGER NOT NULL,
    rows_error      INTEGER NOT NULL,
    matched         INTEGER NOT NULL,
    review          INTEGER NOT NULL,
    unmatched       INTEGER NOT NULL,
    tasks           INTEGER NOT NULL,
    held            INTEGER NOT NULL,
    seconds         DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_by      BIGINT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX match_imports_created ON match_imports (county, created_at);

-- The rows of an import: the department's cells (encrypted: they hold ID
-- numbers), the problems found, and whether the row's fact was new. The
-- fingerprint (the row's content) and the fact key (who, what, when) are
-- keyed hashes, as persons' id_hash is.
CREATE TABLE match_rows (
    county      TEXT NOT NULL,
    import_id   BIGINT NOT NULL,
    row_no      INTEGER NOT NULL,
    line_no     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('new', 'repeated', 'error')),
    fingerprint TEXT NOT NULL,
    fact_key    TEXT NOT NULL,
    cells       TEXT NOT NULL,
    problems    TEXT NOT NULL DEFAULT '',
    event_date  DATE,
    PRIMARY KEY (county, import_id, row_no)
);

-- Each role of each row: the outcome, the person linked (matched) or the
-- best candidate (review), the score and the candidates.
CREATE TABLE match_results (
    county     TEXT NOT NULL,
    import_id  BIGINT NOT NULL,
    row_no     INTEGER NOT NULL,
    role       TEXT NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('matched', 'review', 'unmatched')),
    person_id  BIGINT,
    score      DOUBLE PRECISION NOT NULL,
    reason     TEXT NOT NULL,
    candidates TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, import_id, row_no, role)
);
CREATE INDEX match_results_person ON match_results (county, person_id);

-- The facts imported, once each (by the keyed hash of the fact key): the
-- first import and row that reported the fact.
CREATE TABLE match_facts (
    county    TEXT NOT NULL,
    fact_key  TEXT NOT NULL,
    import_id BIGINT NOT NULL,
    row_no    INTEGER NOT NULL,
    PRIMARY KEY (county, fact_key)
);

-- The column mapping saved for a source's files of a kind.
CREATE TABLE match_mappings (
    county          TEXT NOT NULL,
    source          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    mapping         TEXT NOT NULL,
    updated_by_name TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, source, kind)
);

CREATE TABLE match_tasks (
    county          TEXT NOT NULL,
    id              BIGINT NOT NULL,
    import_id       BIGINT NOT NULL,
    row_no          INTEGER NOT NULL,
    role            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    reason          TEXT NOT NULL,
    person_id       BIGINT,
    other_id        BIGINT,
    region          TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('village', 'township', 'county')),
    status          TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'rejected')),
    event_date      DATE,
    deadline        DATE NOT NULL,
    on_roll         BOOLEAN NOT NULL DEFAULT FALSE,
    held            BOOLEAN NOT NULL DEFAULT FALSE,
    note            TEXT NOT NULL DEFAULT '',
    decided_by      BIGINT,
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at      TIMESTAMPTZ,
    decision        TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX match_tasks_region ON match_tasks (county, status, region);
CREATE INDEX match_tasks_import ON match_tasks (county, import_id, row_no);
CREATE INDEX match_tasks_person ON match_tasks (county, person_id);

CREATE TABLE match_exchanges (
    county     TEXT NOT NULL,
    id         BIGINT NOT NULL,
    month      TEXT NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('received', 'sent')),
    source     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    import_id  BIGINT NOT NULL,
    rows_count INTEGER NOT NULL,
    by_name    TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX match_exchanges_month ON match_exchanges (county, month, source);
