-- Separation of duties (三权分立): the security auditor (安全审计员) reads the audit trail,
-- the system administrator no longer does. And password age (口令定期更换): when each
-- account's password was last set, so that one older than `[auth] password_max_age_days`
-- must be changed before anything else.
-- SQLite cannot change a column's CHECK, so the table is rebuilt (as in 0008); migrations run
-- with foreign keys off and are checked afterwards (see Db::migrate). Existing accounts count
-- their password's age from this upgrade, so none is expired by it.
CREATE TABLE users_new (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL
        CHECK (role IN ('admin', 'auditor', 'bureau', 'inspector', 'unit', 'leader')),
    region_code          TEXT REFERENCES regions (code),
    unit_id              INTEGER REFERENCES units (id),
    phone                TEXT,
    active               INTEGER NOT NULL DEFAULT 1,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    seeded_password      INTEGER NOT NULL DEFAULT 0,
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    last_login_at        TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    email                TEXT,
    password_changed_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT users_username_key UNIQUE (username)
);
INSERT INTO users_new
    (id, username, display_name, password_hash, role, region_code, unit_id, phone, active,
     must_change_password, seeded_password, failed_attempts, locked_until, last_login_at,
     version, created_at, updated_at, email)
SELECT id, username, display_name, password_hash, role, region_code, unit_id, phone, active,
       must_change_password, seeded_password, failed_attempts, locked_until, last_login_at,
       version, created_at, updated_at, email
FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_region ON users (region_code);
