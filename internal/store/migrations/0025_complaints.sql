-- Complaints, enquiries and petitions (投诉、咨询、信访, docs/complaints.md):
-- the register of items with where each came from, the person or case it
-- concerns, who handles it and by when, the reply, the outcome, and its
-- escalation when overdue; and each item's history, one row per event.

CREATE TABLE complaints (
    county       TEXT NOT NULL,
    id           BIGINT NOT NULL,
    region       TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('complaint', 'enquiry', 'petition')),
    source       TEXT NOT NULL CHECK (source IN ('phone', 'visit', 'letter', 'online')),
    received     DATE NOT NULL,
    name         TEXT NOT NULL,
    phone        TEXT NOT NULL DEFAULT '',
    content      TEXT NOT NULL,
    person_id    BIGINT,
    case_id      BIGINT,
    citizen_id   BIGINT,
    handler_id   BIGINT NOT NULL DEFAULT 0,
    handler      TEXT NOT NULL DEFAULT '',
    deadline     DATE NOT NULL,
    reply        TEXT NOT NULL DEFAULT '',
    replied      DATE,
    outcome      TEXT NOT NULL DEFAULT '',
    closed       DATE,
    status       TEXT NOT NULL CHECK (status IN ('open', 'replied', 'closed')),
    escalated    DATE,
    escalated_to TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX complaints_region ON complaints (county, region, status, deadline);
CREATE INDEX complaints_open ON complaints (status, deadline);
CREATE INDEX complaints_citizen ON complaints (county, citizen_id);

CREATE TABLE complaint_events (
    county       TEXT NOT NULL,
    complaint_id BIGINT NOT NULL,
    seq          INTEGER NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    action       TEXT NOT NULL,
    user_id      BIGINT NOT NULL DEFAULT 0,
    username     TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, complaint_id, seq)
);
