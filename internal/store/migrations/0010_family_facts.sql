-- Facts the benefit rules read that the registry did not hold (rules.md
-- §1.4, §1.5, §3.3): contraceptive operations (a sterilisation is a fact
-- of its own, no longer a certificate kind), permissions for a further
-- birth, pension enrolments with where the pension is drawn, and
-- admissions to higher education; and the staff's ruling on a de-facto
-- adoption the rules cannot count or drop on their own.

ALTER TABLE parent_child ADD COLUMN ruling TEXT NOT NULL DEFAULT '';

CREATE TABLE contraception (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    method    TEXT NOT NULL CHECK (method IN ('male_sterilisation', 'female_sterilisation', 'iud', 'implant')),
    op_date   DATE NOT NULL,
    document  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE INDEX contraception_person ON contraception (county, person_id);

CREATE TABLE birth_permissions (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    holder_id BIGINT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('second_birth')),
    number    TEXT NOT NULL DEFAULT '',
    issued    DATE NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX birth_permissions_holder ON birth_permissions (county, holder_id);

CREATE TABLE pensions (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    scheme    TEXT NOT NULL CHECK (scheme IN ('resident', 'urban_employee')),
    enrolled  DATE NOT NULL,
    ended     DATE,
    drawing   DATE,
    region    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
CREATE INDEX pensions_person ON pensions (county, person_id);

CREATE TABLE admissions (
    county    TEXT NOT NULL,
    id        BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    admitted  DATE NOT NULL,
    level     TEXT NOT NULL CHECK (level IN ('bachelor', 'college')),
    PRIMARY KEY (county, id)
);
CREATE INDEX admissions_person ON admissions (county, person_id);
