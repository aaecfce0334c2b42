-- Two-factor sign-in (TOTP, RFC 6238) with one-time recovery codes, the pending sign-in
-- between the password and the code, and failure counts without an account row. Kept in the
-- database so that any instance can finish a sign-in another one began or count its failures.

-- One row per account that has started or finished enrolling.
CREATE TABLE two_factor (
    user_id        BIGINT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the active secret (base32); NULL until the first enrolment is confirmed
    secret         TEXT,
    -- a secret handed out by "start", active once a code from it is confirmed
    pending_secret TEXT,
    enabled_at     TEXT,
    -- the last time step whose code was accepted: a code is never accepted twice
    last_step      BIGINT NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL
);

-- SHA-256 of each recovery code; a used code keeps its row with used_at set.
CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- A password accepted, the second step still owed: 'verify' (a code) or 'enrol' (the role
-- requires two-factor sign-in and the account has none yet). Only a SHA-256 of the token.
CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'enrol')),
    expires_at TEXT NOT NULL
);
CREATE INDEX sign_in_challenges_user ON sign_in_challenges (user_id);

-- Failed sign-ins counted where there is no account row to count them on: a username that
-- does not exist ('user:<name>', locked like a real account so that a lock tells nothing) and a
-- client address ('addr:<address>', throttled over a window).
CREATE TABLE sign_in_throttle (
    key          TEXT PRIMARY KEY NOT NULL,
    failures     BIGINT NOT NULL,
    first_at     TEXT NOT NULL,
    locked_until TEXT
);

-- Which roles must sign in with a second factor is the setting 'two_factor_roles' (role codes,
-- comma-separated); without the row, administrators must. A database that holds the demo data
-- keeps it off, so that the demo accounts sign in with their password alone.
INSERT INTO settings (key, value)
SELECT 'two_factor_roles', '' WHERE EXISTS (
    SELECT 1 FROM settings WHERE key = 'demo_data' AND value = 'loaded'
);
