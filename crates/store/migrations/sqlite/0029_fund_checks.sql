-- The thresholds of the fund records' plausibility checks (issue 19), as JSON
-- (luodi_domain::funds::FundChecks); NULL keeps the seeds' defaults.
ALTER TABLE ledger_rules ADD COLUMN fund_checks TEXT;
