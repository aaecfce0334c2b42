-- Monthly dispatch (一月一调度, domain §8) and the deadline engine its submissions run on.

-- A round opened by a bureau over its scope for one month.
CREATE TABLE dispatch_rounds (
    id          INTEGER PRIMARY KEY,
    -- the organiser's region: the round covers its subtree
    region_code TEXT NOT NULL REFERENCES regions (code),
    period      TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    closed_at   TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (region_code, period)
);

-- The projects a round asks about, each with its reporter: the responsible unit when it has
-- an account, else the county bureau (unit_id null).
CREATE TABLE dispatch_round_projects (
    round_id    INTEGER NOT NULL REFERENCES dispatch_rounds (id),
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    unit_id     INTEGER REFERENCES units (id),
    PRIMARY KEY (round_id, project_id)
);
CREATE INDEX dispatch_round_projects_project ON dispatch_round_projects (project_id);

-- One update per project per month (月度调度), whichever rounds asked for it.
CREATE TABLE monthly_updates (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    period        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned')),
    unchanged     INTEGER NOT NULL DEFAULT 0,
    progress      TEXT,
    problems      TEXT,
    next_steps    TEXT,
    late          INTEGER NOT NULL DEFAULT 0,
    submitted_by  INTEGER REFERENCES users (id),
    submitted_at  TEXT,
    return_reason TEXT,
    returned_by   INTEGER REFERENCES users (id),
    returned_at   TEXT,
    updated_by    INTEGER NOT NULL REFERENCES users (id),
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (project_id, period)
);
CREATE INDEX monthly_updates_region_period ON monthly_updates (region_code, period);

-- Every version of an update as it was saved, submitted or returned.
CREATE TABLE monthly_update_versions (
    id         INTEGER PRIMARY KEY,
    update_id  INTEGER NOT NULL REFERENCES monthly_updates (id),
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL,
    snapshot   TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    at         TEXT NOT NULL,
    UNIQUE (update_id, version)
);

-- The deadline engine: every dated task of a region (unit_id null: its bureau) or a unit.
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    source_id   INTEGER NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    unit_id     INTEGER REFERENCES units (id),
    title       TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    done_at     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX tasks_source ON tasks (kind, source_id);
CREATE INDEX tasks_region_status ON tasks (region_code, status, due_on);

-- Each reminder of a task goes out once, whichever instance sends it.
CREATE TABLE task_reminders (
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    slot    TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (task_id, slot)
);

-- In-app messages (the bell).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    task_id    INTEGER REFERENCES tasks (id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);
