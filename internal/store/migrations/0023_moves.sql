-- People who move: residence kept apart from hukou, and transfers of a
-- person between counties (迁移) with the hand-over both counties sign.

-- The division a person lives in (12-digit village or township code),
-- '' when they live where their hukou is. A migrant (流动人口) lives in
-- another county, or another township, than their hukou's: counted where
-- they live, paid where their hukou is.
ALTER TABLE persons ADD COLUMN residence TEXT NOT NULL DEFAULT '';
-- Set on the old county's row once a transfer is accepted: the county the
-- person moved to. The row is closed; the person lives on in that county
-- under a new id (transfers says which).
ALTER TABLE persons ADD COLUMN moved_to TEXT NOT NULL DEFAULT '';
-- The migrants living in a region are found by their residence, whatever
-- county holds their hukou: a list across counties.
CREATE INDEX persons_residence ON persons (residence, county, id);

-- A roll entry handed over by another county in the middle of a year:
-- how many months of its start year's schedule the old county paid, so
-- that the new county pays the rest of the year's amount to the fen
-- (payment.DueFor).
ALTER TABLE recipients ADD COLUMN carried_months INTEGER NOT NULL DEFAULT 0;

-- A transfer of a person from one county to another. Each transfer has
-- one row in each county (side 'out' in the old county, 'in' in the new),
-- with the same id, so that each county lists and audits its own side
-- with its own key. The old county starts it (state 'started'); the new
-- county accepts (signs) or refuses it with a reason. The person snapshot
-- (name, masked ID number, sex, birth, programs) lets the new county
-- decide without seeing the old county's registry.
CREATE TABLE transfers (
    county          TEXT NOT NULL,
    id              BIGINT NOT NULL,
    side            TEXT NOT NULL CHECK (side IN ('out', 'in')),
    from_county     TEXT NOT NULL,
    to_county       TEXT NOT NULL,
    person_id       BIGINT NOT NULL,
    new_person_id   BIGINT,
    name            TEXT NOT NULL,
    id_masked       TEXT NOT NULL DEFAULT '',
    sex             TEXT NOT NULL,
    birth           DATE NOT NULL,
    from_region     TEXT NOT NULL,
    to_region       TEXT NOT NULL DEFAULT '',
    moved_on        DATE NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('police', 'hand')),
    source_ref      TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    programs        TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('started', 'accepted', 'refused', 'cancelled')),
    started_by      BIGINT NOT NULL,
    started_by_name TEXT NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    decided_by      BIGINT,
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at      TIMESTAMPTZ,
    refuse_reason   TEXT NOT NULL DEFAULT '',
    handover        TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (county, id)
);
-- At most one open transfer of a person.
CREATE UNIQUE INDEX transfers_open ON transfers (county, side, person_id) WHERE state = 'started';
CREATE INDEX transfers_list ON transfers (county, side, state, started_at);

-- A family tie that spans two counties after a move: what the other
-- person (other_county, other_id) is to person_id — 'spouse', 'parent'
-- or 'child' — from the tie the old county recorded. Each county keeps
-- its side, so a family page in either county names the relative.
CREATE TABLE remote_ties (
    county       TEXT NOT NULL,
    id           BIGINT NOT NULL,
    person_id    BIGINT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('spouse', 'parent', 'child')),
    tie_kind     TEXT NOT NULL DEFAULT '',
    other_county TEXT NOT NULL,
    other_id     BIGINT NOT NULL,
    from_date    DATE,
    to_date      DATE,
    transfer_id  BIGINT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX remote_ties_person ON remote_ties (county, person_id);
