-- Meetings (调度会 / 联席会议, domain §8) and their decisions, each assigned to a unit or a
-- bureau with a deadline and tracked as a task on the deadline engine.

CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY,
    -- the organising bureau's region
    region_code TEXT NOT NULL REFERENCES regions (code),
    kind        TEXT NOT NULL CHECK (kind IN ('dispatch', 'joint', 'special', 'consultation')),
    title       TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    place       TEXT,
    chair       TEXT,
    attendees   TEXT,
    minutes     TEXT,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX meetings_region_held ON meetings (region_code, held_on);

-- A decision (议定事项): who must do what by when. Exactly one of a unit or a bureau (the
-- region's, unit_id null) answers for it; the region is kept either way for scope.
CREATE TABLE meeting_decisions (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
    seq         INTEGER NOT NULL,
    content     TEXT NOT NULL,
    project_id  INTEGER REFERENCES projects (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    unit_id     INTEGER REFERENCES units (id),
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'done')),
    result      TEXT,
    done_by     INTEGER REFERENCES users (id),
    done_at     TEXT,
    -- the deadline engine's task: the unit's when it has an account, else its bureau's
    task_id     INTEGER REFERENCES tasks (id),
    created_at  TEXT NOT NULL,
    UNIQUE (meeting_id, seq)
);
CREATE INDEX meeting_decisions_assignee ON meeting_decisions (region_code, unit_id, status);
