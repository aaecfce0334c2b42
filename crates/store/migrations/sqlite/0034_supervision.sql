-- Supervision groups and their visits (督导组 / 督导调研, domain §9): a group of a bureau's
-- region, its leader and members (inspector accounts) and the regions it answers for
-- (分片负责、长期包干); each visit with its places, the projects seen, and the day its problem
-- list is due. A group's regions are its members' whole scope.

CREATE TABLE supervision_groups (
    id                 INTEGER PRIMARY KEY,
    -- the organising bureau's region: who manages the group and handles its problems
    region_code        TEXT NOT NULL REFERENCES regions (code),
    name               TEXT NOT NULL,
    leader_id          INTEGER NOT NULL REFERENCES users (id),
    visits_per_quarter INTEGER NOT NULL DEFAULT 1,
    created_by         INTEGER NOT NULL REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT supervision_groups_name_key UNIQUE (region_code, name)
);

CREATE TABLE supervision_group_members (
    group_id INTEGER NOT NULL REFERENCES supervision_groups (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX supervision_group_members_user ON supervision_group_members (user_id, group_id);

CREATE TABLE supervision_group_regions (
    group_id    INTEGER NOT NULL REFERENCES supervision_groups (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (group_id, region_code)
);

CREATE TABLE visits (
    id                   INTEGER PRIMARY KEY,
    group_id             INTEGER NOT NULL REFERENCES supervision_groups (id),
    -- the group's region, copied for scope filtering of the organising bureau
    region_code          TEXT NOT NULL REFERENCES regions (code),
    visited_on           TEXT NOT NULL,
    method               TEXT NOT NULL CHECK (method IN ('on_site', 'symposium', 'documents',
                             'company_visit', 'unannounced')),
    findings             TEXT NOT NULL,
    problem_list_due     TEXT NOT NULL,
    problem_list_at      TEXT,
    -- the day (Beijing time) it was submitted, which decides whether it was late
    problem_list_on      TEXT,
    problem_list_by      INTEGER REFERENCES users (id),
    task_id              INTEGER REFERENCES tasks (id),
    created_by           INTEGER NOT NULL REFERENCES users (id),
    created_at           TEXT NOT NULL
);
CREATE INDEX visits_group ON visits (group_id, visited_on);
CREATE INDEX visits_region ON visits (region_code, visited_on);

CREATE TABLE visit_places (
    visit_id    INTEGER NOT NULL REFERENCES visits (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (visit_id, region_code)
);

CREATE TABLE visit_projects (
    visit_id   INTEGER NOT NULL REFERENCES visits (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    PRIMARY KEY (visit_id, project_id)
);
CREATE INDEX visit_projects_project ON visit_projects (project_id);

-- A task may be addressed to one person (a group's leader) rather than a bureau or a unit.
ALTER TABLE tasks ADD COLUMN user_id INTEGER REFERENCES users (id);
CREATE INDEX tasks_user_status ON tasks (user_id, status, due_on);
