-- Who confirms fund records, and how far ahead a date may lie (domain::rules::RulesDraft).
ALTER TABLE ledger_rules ADD COLUMN review_by TEXT NOT NULL DEFAULT 'parent'
    CHECK (review_by IN ('parent', 'parent_only', 'any_above'));
ALTER TABLE ledger_rules ADD COLUMN date_grace_days BIGINT NOT NULL DEFAULT 0
    CHECK (date_grace_days BETWEEN 0 AND 7);
-- A record confirmed or returned by a level that stepped in for the one between (代为审核).
ALTER TABLE fund_arrivals ADD COLUMN stepped_in BOOLEAN NOT NULL DEFAULT FALSE;
-- The review queue filters on who entered a record.
CREATE INDEX fund_arrivals_status_entered_by ON fund_arrivals (status, entered_by);
