-- Foundation: regions, zones, units, accounts, sessions, audit log (SQLite).
-- Timestamps are RFC 3339 UTC text with milliseconds (fixed width, so text order = time order).
-- Booleans are INTEGER 0/1: sqlx's Any driver cannot map SQLite's BOOLEAN declared type; the store
-- decodes them (and PostgreSQL's BOOLEAN) through one `Flag` type.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    parent_code TEXT REFERENCES regions (code)
);
CREATE INDEX regions_parent ON regions (parent_code, code);

CREATE TABLE zones (
    id          INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL REFERENCES regions (code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('park', 'township')),
    UNIQUE (county_code, name)
);

CREATE TABLE units (
    id             INTEGER PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    name           TEXT NOT NULL,
    category       TEXT NOT NULL CHECK (category IN ('investment', 'landing', 'encouraged')),
    subcategory    TEXT CHECK (subcategory IN ('coordinating', 'industry')),
    sort_order     INTEGER NOT NULL DEFAULT 0,
    contact_person TEXT,
    contact_phone  TEXT,
    note           TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CONSTRAINT units_region_name_key UNIQUE (region_code, name)
);
CREATE INDEX units_region_category ON units (region_code, category, sort_order);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'bureau', 'inspector', 'unit', 'leader')),
    region_code          TEXT REFERENCES regions (code),
    unit_id              INTEGER REFERENCES units (id),
    phone                TEXT,
    active               INTEGER NOT NULL DEFAULT 1,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    -- set on accounts created by `luodi demo` or the first-start bootstrap: their password is
    -- known outside the account holder, so outside demo mode it must be changed at first login
    seeded_password      INTEGER NOT NULL DEFAULT 0,
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    last_login_at        TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);
CREATE INDEX users_region ON users (region_code);

-- Installation-wide settings that live with the data (e.g. whether this is a demo database).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_id     INTEGER,
    actor_name   TEXT NOT NULL,
    region_code  TEXT,
    entity       TEXT NOT NULL,
    entity_id    TEXT,
    action       TEXT NOT NULL,
    summary      TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    request_id   TEXT
);
CREATE INDEX audit_region_at ON audit_log (region_code, at);
CREATE INDEX audit_at ON audit_log (at);

-- The audit trail is append-only, whatever path a write takes.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
