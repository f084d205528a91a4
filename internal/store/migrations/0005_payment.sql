-- Payment (发放): county payment parameters, bank accounts (一卡通),
-- payment cycles and their lines, batches per bank with the exact items
-- sent to the bank, and holds on persons suspected to have died.
--
-- The guarantee that nobody is paid twice for the same program and period
-- lives here, in payment_lines_paid_once: a period's payment is the line
-- with revision 0, and (county, person_id, program, period) is unique
-- among those. Corrections of a paid period are further revisions holding
-- only the difference.

-- Named parameters a county sets for payment (tf_period, back_pay_years,
-- lookback_years, payer, enquiry_phone, report_phone); unset names take
-- the regional default.
CREATE TABLE payment_params (
    county     TEXT NOT NULL,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_by BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, name)
);

-- One payment account per person: the card or passbook of the county's
-- 惠农补贴"一卡通". bank is a code of payment.Banks.
CREATE TABLE bank_accounts (
    county     TEXT NOT NULL,
    person_id  BIGINT NOT NULL,
    bank       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('card', 'passbook')),
    account_no TEXT NOT NULL,
    holder     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_by BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, person_id)
);

-- A suspected death (or another reason to stop money until a person is
-- verified), raised by staff or by matching with police records.
CREATE TABLE payment_holds (
    county     TEXT NOT NULL,
    person_id  BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, person_id)
);

CREATE TABLE payment_cycles (
    county          TEXT NOT NULL,
    id              BIGINT NOT NULL,
    program         TEXT NOT NULL,
    period          TEXT NOT NULL,
    line_count      INTEGER NOT NULL,
    total_fen       BIGINT NOT NULL,
    created_by      BIGINT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX payment_cycles_once ON payment_cycles (county, program, period);

-- status: pending (to be batched), held (suspected death: waits for
-- verification), batched (in a batch sent or to be sent), paid, failed
-- (the bank refused; retried after the account is fixed), missing (absent
-- from the bank's return file), cancelled (verified not due), recovery (a
-- negative correction: money to recover, never sent to a bank).
CREATE TABLE payment_lines (
    county       TEXT NOT NULL,
    id           BIGINT NOT NULL,
    cycle_id     BIGINT NOT NULL,
    person_id    BIGINT NOT NULL,
    recipient_id BIGINT NOT NULL,
    program      TEXT NOT NULL,
    period       TEXT NOT NULL,
    revision     INTEGER NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL CHECK (kind IN ('regular', 'arrears', 'correction')),
    tier         TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL,
    months       INTEGER NOT NULL,
    amount_fen   BIGINT NOT NULL,
    central_fen  BIGINT NOT NULL,
    province_fen BIGINT NOT NULL,
    city_fen     BIGINT NOT NULL,
    county_fen   BIGINT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('pending', 'held', 'batched', 'paid', 'failed', 'missing', 'cancelled', 'recovery')),
    hold_reason  TEXT NOT NULL DEFAULT '',
    batch_id     BIGINT,
    paid_on      DATE,
    fail_reason  TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, id),
    CHECK (central_fen + province_fen + city_fen + county_fen = amount_fen),
    CHECK ((kind = 'correction') = (revision > 0))
);
CREATE UNIQUE INDEX payment_lines_paid_once ON payment_lines (county, person_id, program, period) WHERE revision = 0;
CREATE UNIQUE INDEX payment_lines_revision ON payment_lines (county, person_id, program, period, revision);
CREATE INDEX payment_lines_cycle ON payment_lines (county, cycle_id, status);
CREATE INDEX payment_lines_status ON payment_lines (county, status);
CREATE INDEX payment_lines_batch ON payment_lines (county, batch_id);

-- A batch is what one bank is asked to pay at once. status: draft (made,
-- waiting for a second finance officer), approved (released: the file
-- may be downloaded), reconciled (a return file was applied).
CREATE TABLE payment_batches (
    county           TEXT NOT NULL,
    id               BIGINT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('regular', 'retry')),
    cycle_id         BIGINT,
    bank             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'reconciled')),
    item_count       INTEGER NOT NULL,
    total_fen        BIGINT NOT NULL,
    created_by       BIGINT NOT NULL,
    created_by_name  TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    approved_by      BIGINT,
    approved_by_name TEXT NOT NULL DEFAULT '',
    approved_at      TIMESTAMPTZ,
    reconciled_at    TIMESTAMPTZ,
    PRIMARY KEY (county, id)
);
CREATE INDEX payment_batches_cycle ON payment_batches (county, cycle_id);

-- The items of a batch exactly as sent: name, ID number and account are
-- copied when the batch is made, so the bank file can be regenerated
-- byte for byte later, whatever happens to the registry or the account.
CREATE TABLE payment_batch_items (
    county     TEXT NOT NULL,
    batch_id   BIGINT NOT NULL,
    seq        INTEGER NOT NULL,
    line_id    BIGINT NOT NULL,
    person_id  BIGINT NOT NULL,
    name       TEXT NOT NULL,
    id_number  TEXT NOT NULL,
    bank       TEXT NOT NULL,
    account_no TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    program    TEXT NOT NULL,
    period     TEXT NOT NULL,
    result     TEXT NOT NULL DEFAULT '' CHECK (result IN ('', 'paid', 'failed', 'missing')),
    reason     TEXT NOT NULL DEFAULT '',
    paid_on    DATE,
    result_at  TIMESTAMPTZ,
    PRIMARY KEY (county, batch_id, seq)
);
CREATE UNIQUE INDEX payment_batch_items_line ON payment_batch_items (county, batch_id, line_id);
CREATE INDEX payment_batch_items_by_line ON payment_batch_items (county, line_id);
