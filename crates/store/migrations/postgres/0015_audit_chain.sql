-- The audit trail made tamper-evident (issue 13): every entry carries the SHA-256 of its own
-- content and of the entry before it (`prev_hash`, `hash`, lowercase hex), one chain per
-- installation. `audit_chain` is its single head row: an append updates it in the change's
-- own transaction, which serialises appends (a row lock on PostgreSQL; SQLite writes one at a
-- time anyway), so no two entries share a predecessor.
-- Entries written before this migration are chained in id order at the next start
-- (`audit::chain::seal_legacy`, the same code that appends), up to `legacy_through`.
-- `client_addr` is the address of the request that wrote the entry.
ALTER TABLE audit_log ADD COLUMN client_addr TEXT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

CREATE TABLE audit_chain (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    -- The last chained entry (0 and the genesis hash before the first).
    head_id        BIGINT NOT NULL,
    head_hash      TEXT NOT NULL,
    -- Entries up to `anchor_id` were removed after their retention; `anchor_hash` is the hash
    -- of the last one removed, which the first remaining entry names as its predecessor.
    anchor_id      BIGINT NOT NULL,
    anchor_hash    TEXT NOT NULL,
    legacy_through BIGINT NOT NULL
);
INSERT INTO audit_chain (id, head_id, head_hash, anchor_id, anchor_hash, legacy_through)
SELECT 1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0,
       '0000000000000000000000000000000000000000000000000000000000000000',
       COALESCE(MAX(id), 0)
FROM audit_log;

-- Still append-only, with two exceptions the chain needs: an entry from before this migration
-- receives its place in the chain once (prev_hash and hash, from NULL, nothing else), and
-- entries up to the anchor may be removed after their retention.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND OLD.id <= COALESCE((SELECT anchor_id FROM audit_chain WHERE id = 1), 0) THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
       AND NEW.prev_hash IS NOT NULL
       AND OLD.id <= COALESCE((SELECT legacy_through FROM audit_chain WHERE id = 1), 0)
       AND (to_jsonb(OLD) - 'prev_hash' - 'hash') = (to_jsonb(NEW) - 'prev_hash' - 'hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
