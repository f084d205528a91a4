-- The payee of a person's payments of a program when it is not the person
-- (docs/births.md, "Payment"): the childcare subsidy's roll names the
-- child, and the subsidy is paid into the account of the parent or
-- guardian who applied, when that person has an account.

CREATE TABLE payment_payees (
    county     TEXT NOT NULL,
    person_id  BIGINT NOT NULL,
    program    TEXT NOT NULL,
    payee_id   BIGINT NOT NULL,
    updated_by BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, person_id, program)
);
