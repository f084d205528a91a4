-- Foundation: id sequences, users and sessions, the audit log and the
-- population registry. Every table holding people's data carries county
-- (the six-digit GB/T 2260 code) first in its primary key, so that a
-- national deployment can distribute it by county.

CREATE TABLE id_seq (
    name TEXT PRIMARY KEY,
    next BIGINT NOT NULL
);

CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    region        TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One hash chain per county ('' for system-wide changes such as users).
CREATE TABLE audit_head (
    county TEXT PRIMARY KEY,
    seq    BIGINT NOT NULL,
    hash   TEXT NOT NULL
);

CREATE TABLE audit_log (
    county    TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    user_id   BIGINT NOT NULL,
    username  TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    region    TEXT NOT NULL,
    before    TEXT NOT NULL,
    after     TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (county, seq)
);
CREATE INDEX audit_log_entity ON audit_log (county, entity, entity_id);
CREATE INDEX audit_log_user ON audit_log (user_id, at);

CREATE TABLE persons (
    county       TEXT NOT NULL,
    id           BIGINT NOT NULL,
    id_number    TEXT,
    name         TEXT NOT NULL,
    sex          TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    birth        DATE NOT NULL,
    death        DATE,
    death_source TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL,
    hukou_type   TEXT NOT NULL CHECK (hukou_type IN ('rural', 'urban')),
    pension      TEXT NOT NULL DEFAULT 'none',
    marital      TEXT NOT NULL DEFAULT '',
    ethnic       TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX persons_id_number ON persons (county, id_number);
CREATE INDEX persons_id_number_any ON persons (id_number);
CREATE INDEX persons_name ON persons (county, name);
CREATE INDEX persons_region ON persons (county, region);
CREATE INDEX persons_birth ON persons (county, birth);

CREATE TABLE hukou_spells (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    type      TEXT NOT NULL CHECK (type IN ('rural', 'urban')),
    region    TEXT NOT NULL DEFAULT '',
    from_date DATE,
    to_date   DATE,
    reason    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE INDEX hukou_spells_person ON hukou_spells (county, person_id);

CREATE TABLE marriages (
    county     TEXT NOT NULL,
    id         BIGINT NOT NULL,
    a_id       BIGINT NOT NULL,
    b_id       BIGINT NOT NULL,
    from_date  DATE NOT NULL,
    to_date    DATE,
    end_reason TEXT NOT NULL DEFAULT '' CHECK (end_reason IN ('', 'divorce', 'death')),
    cert_no    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE INDEX marriages_a ON marriages (county, a_id);
CREATE INDEX marriages_b ON marriages (county, b_id);

CREATE TABLE parent_child (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    parent_id BIGINT NOT NULL,
    child_id  BIGINT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('birth', 'adoption', 'adoption_defacto', 'step')),
    from_date DATE,
    in_policy BOOLEAN,
    reg_no    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX parent_child_pair ON parent_child (county, parent_id, child_id);
CREATE INDEX parent_child_child ON parent_child (county, child_id);

CREATE TABLE disabilities (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    grade     INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 4),
    category  TEXT NOT NULL DEFAULT '',
    cert_no   TEXT NOT NULL DEFAULT '',
    from_date DATE NOT NULL,
    to_date   DATE,
    PRIMARY KEY (county, id)
);
CREATE INDEX disabilities_person ON disabilities (county, person_id);

CREATE TABLE certificates (
    county        TEXT NOT NULL,
    id            BIGINT NOT NULL,
    holder_id     BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    number        TEXT NOT NULL DEFAULT '',
    issued        DATE NOT NULL,
    cancelled     DATE,
    cancel_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE INDEX certificates_holder ON certificates (county, holder_id);

CREATE TABLE complications (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    grade     INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 3),
    from_date DATE NOT NULL,
    to_date   DATE,
    document  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE INDEX complications_person ON complications (county, person_id);

CREATE TABLE retirements (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    date      DATE NOT NULL,
    employer  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE INDEX retirements_person ON retirements (county, person_id);
