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
    id             INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    -- The last chained entry (0 and the genesis hash before the first).
    head_id        INTEGER NOT NULL,
    head_hash      TEXT NOT NULL,
    -- Entries up to `anchor_id` were removed after their retention; `anchor_hash` is the hash
    -- of the last one removed, which the first remaining entry names as its predecessor.
    anchor_id      INTEGER NOT NULL,
    anchor_hash    TEXT NOT NULL,
    legacy_through INTEGER NOT NULL
);
INSERT INTO audit_chain (id, head_id, head_hash, anchor_id, anchor_hash, legacy_through)
SELECT 1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0,
       '0000000000000000000000000000000000000000000000000000000000000000',
       COALESCE(MAX(id), 0)
FROM audit_log;

-- Still append-only, with two exceptions the chain needs: an entry from before this migration
-- receives its place in the chain once (prev_hash and hash, from NULL, nothing else), and
-- entries up to the anchor may be removed after their retention.
DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.prev_hash IS NULL
    OR OLD.id > COALESCE((SELECT legacy_through FROM audit_chain WHERE id = 1), 0)
    OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
    OR NEW.actor_name IS NOT OLD.actor_name OR NEW.region_code IS NOT OLD.region_code
    OR NEW.entity IS NOT OLD.entity OR NEW.entity_id IS NOT OLD.entity_id
    OR NEW.action IS NOT OLD.action OR NEW.summary IS NOT OLD.summary
    OR NEW.before_json IS NOT OLD.before_json OR NEW.after_json IS NOT OLD.after_json
    OR NEW.request_id IS NOT OLD.request_id OR NEW.client_addr IS NOT OLD.client_addr
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.id > COALESCE((SELECT anchor_id FROM audit_chain WHERE id = 1), 0)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
