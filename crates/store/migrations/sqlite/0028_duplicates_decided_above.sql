-- 确认重复 marks the later entry of a pair as a copy of the earlier one (issue 19): the copy is
-- kept in the ledger with its history, but no rate, total or export of figures counts it.
ALTER TABLE projects ADD COLUMN duplicate_of INTEGER REFERENCES projects (id);
-- The level that decided a pair ('' for a nationwide account): only that level, or one above
-- it, may reopen the decision.
ALTER TABLE duplicate_candidates ADD COLUMN decided_region TEXT;
-- Whether a project sits in the pool (a pending pair on either side) is asked before each of its
-- fund records is confirmed and for every row of the review queue.
CREATE INDEX duplicate_candidates_project ON duplicate_candidates (project_id, status);
CREATE INDEX duplicate_candidates_other_status ON duplicate_candidates (other_project_id, status);
