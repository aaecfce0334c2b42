-- Evidence files are kept by content (`sha256/ab/abcd…`), so one file may back several
-- attachments. A withdrawal removes a file only when no attachment names it any more; this
-- row per stored key is what the withdrawal and an upload of the same contents both lock, so
-- that the check and the removal cannot interleave with a new attachment of that file.
CREATE TABLE stored_objects (
    storage_key TEXT NOT NULL PRIMARY KEY,
    touched_at  TEXT NOT NULL,
    -- when the file was last removed from the object store
    deleted_at  TEXT
);
CREATE INDEX attachments_storage_key ON attachments (storage_key);
