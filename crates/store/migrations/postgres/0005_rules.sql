-- Editable ledger rules (domain §5, §7) and the outcome of duplicate reviews.

-- One row for the whole installation; without it the seed defaults apply (domain::rules).
-- The tier table is stored as the JSON of `RulesDraft::tiers` and parsed (and so checked
-- again) whenever it is read.
CREATE TABLE ledger_rules (
    id                 BIGINT PRIMARY KEY CHECK (id = 1),
    -- basis points: 5000 = 50%
    excellent_above_bp BIGINT NOT NULL CHECK (excellent_above_bp BETWEEN 0 AND 10000),
    good_from_bp       BIGINT NOT NULL CHECK (good_from_bp BETWEEN 0 AND 10000),
    tiers              TEXT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    updated_by         BIGINT REFERENCES users (id),
    updated_at         TEXT NOT NULL,
    CHECK (good_from_bp < excellent_above_bp)
);

-- Why a reviewer decided a pair is (not) one project entered twice.
ALTER TABLE duplicate_candidates ADD COLUMN decision_note TEXT;
-- An edited project's pairs are looked up from both sides, so that none is raised twice.
CREATE INDEX duplicate_candidates_other ON duplicate_candidates (other_project_id);
