-- Problems may also be registered from a revisit form (回访登记表, domain §9): `source` gains
-- 'revisit' (the form's id in `source_id`). SQLite cannot change a CHECK constraint, so the
-- table is rebuilt; migrations run with foreign keys off and are checked afterwards (see
-- Db::migrate), as SQLite's documentation asks.
CREATE TABLE problems_new (
    id               INTEGER PRIMARY KEY,
    region_code      TEXT NOT NULL REFERENCES regions (code),
    -- the bureau that registered it and handles it (assigns, closes, supervises)
    handler_region   TEXT NOT NULL REFERENCES regions (code),
    project_id       INTEGER REFERENCES projects (id),
    common           INTEGER NOT NULL DEFAULT 0,
    source           TEXT NOT NULL CHECK (source IN ('direct', 'update', 'visit', 'revisit')),
    -- the monthly update (or visit) it came from, and its place in that list
    source_id        INTEGER,
    source_seq       INTEGER,
    category         TEXT NOT NULL CHECK (category IN ('land', 'planning', 'environment',
                         'financing', 'approval', 'policy', 'factors', 'other')),
    description      TEXT NOT NULL,
    routing          TEXT NOT NULL CHECK (routing IN ('locality', 'on_the_spot', 'leading_group')),
    status           TEXT NOT NULL CHECK (status IN ('registered', 'assigned', 'in_progress',
                         'answered', 'closed')),
    leader           TEXT,
    unit_id          INTEGER REFERENCES units (id),
    person           TEXT,
    due_on           TEXT,
    answer           TEXT,
    answered_by      INTEGER REFERENCES users (id),
    answered_at      TEXT,
    answered_late    INTEGER,
    extension_due_on TEXT,
    extension_reason TEXT,
    returned_count   INTEGER NOT NULL DEFAULT 0,
    supervised_count INTEGER NOT NULL DEFAULT 0,
    task_id          INTEGER REFERENCES tasks (id),
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    closed_at        TEXT,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT problems_source_key UNIQUE (source, source_id, source_seq)
);
INSERT INTO problems_new (
    id, region_code, handler_region, project_id, common, source, source_id, source_seq,
    category, description, routing, status, leader, unit_id, person, due_on, answer,
    answered_by, answered_at, answered_late, extension_due_on, extension_reason,
    returned_count, supervised_count, task_id, created_by, created_at, closed_at,
    updated_at, version
)
SELECT
    id, region_code, handler_region, project_id, common, source, source_id, source_seq,
    category, description, routing, status, leader, unit_id, person, due_on, answer,
    answered_by, answered_at, answered_late, extension_due_on, extension_reason,
    returned_count, supervised_count, task_id, created_by, created_at, closed_at,
    updated_at, version
FROM problems;
DROP TABLE problems;
ALTER TABLE problems_new RENAME TO problems;
CREATE INDEX problems_region_status ON problems (region_code, status);
CREATE INDEX problems_unit_status ON problems (unit_id, status);
