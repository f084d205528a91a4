-- Bank files as each bank asks for them, and batches recalled before the
-- bank confirmed anything.
--
-- A batch may now be recalled (status recalled): released, then taken
-- back with a reason before any return file was recorded; its lines are
-- pending again.
ALTER TABLE payment_batches DROP CONSTRAINT payment_batches_status_check;
ALTER TABLE payment_batches ADD CONSTRAINT payment_batches_status_check
    CHECK (status IN ('draft', 'approved', 'reconciled', 'recalled'));
ALTER TABLE payment_batches ADD COLUMN recalled_by BIGINT;
ALTER TABLE payment_batches ADD COLUMN recalled_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE payment_batches ADD COLUMN recalled_at TIMESTAMPTZ;
ALTER TABLE payment_batches ADD COLUMN recall_reason TEXT NOT NULL DEFAULT '';

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
