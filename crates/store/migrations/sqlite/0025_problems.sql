-- Problems (问题清单, domain §9): registered from a monthly update, a visit or directly; routed,
-- assigned with a numbered 交办函, answered and closed, supervised with a 督办函 when overdue or
-- poorly handled. Every row carries the region scope reads: the project's county, or the
-- registering bureau's region for a common (共性) problem.

CREATE TABLE problems (
    id               INTEGER PRIMARY KEY,
    region_code      TEXT NOT NULL REFERENCES regions (code),
    -- the bureau that registered it and handles it (assigns, closes, supervises)
    handler_region   TEXT NOT NULL REFERENCES regions (code),
    project_id       INTEGER REFERENCES projects (id),
    common           INTEGER NOT NULL DEFAULT 0,
    source           TEXT NOT NULL CHECK (source IN ('direct', 'update', 'visit')),
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
CREATE INDEX problems_region_status ON problems (region_code, status);
CREATE INDEX problems_unit_status ON problems (unit_id, status);

-- The problem's timeline: every step, who, when, with its note and deadline.
CREATE TABLE problem_events (
    id         INTEGER PRIMARY KEY,
    problem_id INTEGER NOT NULL REFERENCES problems (id),
    action     TEXT NOT NULL,
    note       TEXT,
    due_on     TEXT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    at         TEXT NOT NULL
);
CREATE INDEX problem_events_problem ON problem_events (problem_id, id);

-- 交办函 and 督办函, numbered per issuing bureau, kind and year.
CREATE TABLE problem_letters (
    id            INTEGER PRIMARY KEY,
    problem_id    INTEGER NOT NULL REFERENCES problems (id),
    kind          TEXT NOT NULL CHECK (kind IN ('assign', 'supervise')),
    issuer_region TEXT NOT NULL REFERENCES regions (code),
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    number        TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    reason        TEXT,
    issued_by     INTEGER NOT NULL REFERENCES users (id),
    issued_at     TEXT NOT NULL,
    CONSTRAINT problem_letters_number_key UNIQUE (issuer_region, kind, year, seq)
);
CREATE INDEX problem_letters_problem ON problem_letters (problem_id);
