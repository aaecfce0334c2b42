-- The automatic close (自动月结) is one of the ledger rules, set on the rules page
-- (domain::rules::RulesDraft::auto_close_days): each month a dispatch round asked about closes
-- over the round organiser's region this many days after the round's deadline. NULL: months
-- are closed by hand only.
ALTER TABLE ledger_rules ADD COLUMN auto_close_days BIGINT
    CHECK (auto_close_days BETWEEN 0 AND 31);
-- Whether the automatic close was ever chosen: on the rules page, or by adopting luodi.toml's
-- auto_close_days once at start-up. Until then a configured auto_close_days is adopted; after,
-- the rules' value stands, even when it is "by hand only".
ALTER TABLE ledger_rules ADD COLUMN auto_close_set BOOLEAN NOT NULL DEFAULT FALSE;
