-- Notification channels: every in-app message may also go out by e-mail, and once per event
-- to a group robot's webhook (企业微信 / 钉钉). Rows are written in the transaction that
-- writes the in-app message, and sent afterwards by the delivery worker, so a mail server
-- that is slow or down never holds up a request.

-- An optional address for e-mail notices, set by an administrator.
ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    -- e-mail: the address; webhook: none (the configured robot)
    recipient   TEXT,
    -- whom the message addresses: the account's name, or the region (and unit) for a webhook
    addressee   TEXT NOT NULL,
    region_code TEXT REFERENCES regions (code),
    body        TEXT NOT NULL,
    -- pending → sending (claimed by one worker until due_at) → sent, or back to pending with a
    -- later due_at after a failure, or failed after the last attempt
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_at      TEXT NOT NULL,
    -- the claim of the worker sending it: only that worker records the outcome
    claim       TEXT,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);
CREATE INDEX outbox_due ON outbox (status, due_at);
