-- The assistance list (帮办清单, domain §9 [003]): per project, the procedures the bureau helps
-- through, each with a responsible unit, person and time limit, on the deadline engine. The
-- row keeps the project's county for scope, like every record hanging off a project.

CREATE TABLE assistance_items (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    step        TEXT NOT NULL CHECK (step IN ('registration', 'approval', 'land_pre_review',
                    'environment', 'energy', 'planning_permit', 'construction_permit',
                    'fire_safety', 'utilities', 'other')),
    content     TEXT NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    person      TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'done')),
    result      TEXT,
    done_by     INTEGER REFERENCES users (id),
    done_at     TEXT,
    -- the deadline engine's task: the unit's when it has an account, else its county bureau's
    task_id     INTEGER REFERENCES tasks (id),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX assistance_items_project ON assistance_items (project_id, id);
CREATE INDEX assistance_items_region_status ON assistance_items (region_code, status, due_on);
CREATE INDEX assistance_items_unit_status ON assistance_items (unit_id, status);
