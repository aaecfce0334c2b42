-- Separation of duties (三权分立): the security auditor (安全审计员) reads the audit trail,
-- the system administrator no longer does. And password age (口令定期更换): when each
-- account's password was last set, so that one older than `[auth] password_max_age_days`
-- must be changed before anything else. Existing accounts count their password's age from
-- this upgrade, so none is expired by it.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'auditor', 'bureau', 'inspector', 'unit', 'leader'));
ALTER TABLE users ADD COLUMN password_changed_at TEXT NOT NULL
    DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
