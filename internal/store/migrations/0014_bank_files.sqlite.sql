-- Bank files as each bank asks for them, and batches recalled before the
-- bank confirmed anything.
--
-- A batch may now be recalled (status recalled): released, then taken
-- back with a reason before any return file was recorded; its lines are
-- pending again. SQLite cannot change a CHECK constraint in place, so the
-- table is rebuilt with the new status and the recall's columns.
CREATE TABLE payment_batches_new (
    county           TEXT NOT NULL,
    id               BIGINT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('regular', 'retry')),
    cycle_id         BIGINT,
    bank             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'reconciled', 'recalled')),
    item_count       INTEGER NOT NULL,
    total_fen        BIGINT NOT NULL,
    created_by       BIGINT NOT NULL,
    created_by_name  TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    approved_by      BIGINT,
    approved_by_name TEXT NOT NULL DEFAULT '',
    approved_at      TIMESTAMPTZ,
    reconciled_at    TIMESTAMPTZ,
    recalled_by      BIGINT,
    recalled_by_name TEXT NOT NULL DEFAULT '',
    recalled_at      TIMESTAMPTZ,
    recall_reason    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
);
INSERT INTO payment_batches_new (county, id, kind, cycle_id, bank, status, item_count, total_fen, created_by, created_by_name,
    created_at, approved_by, approved_by_name, approved_at, reconciled_at)
SELECT county, id, kind, cycle_id, bank, status, item_count, total_fen, created_by, created_by_name,
    created_at, approved_by, approved_by_name, approved_at, reconciled_at FROM payment_batches;
DROP TABLE payment_batches;
ALTER TABLE payment_batches_new RENAME TO payment_batches;
CREATE INDEX payment_batches_cycle ON payment_batches (county, cycle_id);

-- The layout of the file each bank of a county is sent (payment.BankLayout
-- as JSON), set by the county's finance officer; a bank without one gets
-- the generic layout.
CREATE TABLE bank_templates (
    county          TEXT NOT NULL,
    bank            TEXT NOT NULL,
    layout          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    updated_by      BIGINT NOT NULL,
    updated_by_name TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, bank)
);
