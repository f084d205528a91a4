-- A rule layer a region added can be withdrawn (taken out of force, with
-- the reason, who and when) or superseded by a later version of the same
-- region, which withdraws it in the same transaction. A withdrawn layer
-- stays stored, as the record of the rules that were in force; its
-- version number is never used again.
ALTER TABLE policy_layers ADD COLUMN withdrawn_at TIMESTAMPTZ;
ALTER TABLE policy_layers ADD COLUMN withdrawn_by BIGINT;
ALTER TABLE policy_layers ADD COLUMN withdrawn_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_layers ADD COLUMN withdraw_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE policy_layers ADD COLUMN superseded_by INTEGER;
