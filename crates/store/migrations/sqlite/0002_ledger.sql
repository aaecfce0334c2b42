-- The project ledger (domain §3–7): industries, signing events, projects and their stage
-- history, fund arrivals with review and evidence, duplicate candidates, targets.
-- Money is integer minor units: *_fen in 分, *_cents in US cents. Dates are 'YYYY-MM-DD'.

CREATE TABLE industries (
    code        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES industries (code),
    level       TEXT NOT NULL CHECK (level IN ('section', 'division'))
);

CREATE TABLE signing_events (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    held_on     TEXT NOT NULL,
    host        TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT signing_events_name_key UNIQUE (name)
);
CREATE INDEX signing_events_region ON signing_events (region_code, held_on);

CREATE TABLE projects (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL,
    -- the name stripped of 有限公司/项目/brackets etc., for duplicate detection
    name_key               TEXT NOT NULL,
    investor_name          TEXT NOT NULL,
    investor_credit_code   TEXT,
    investor_home          TEXT,
    origin                 TEXT NOT NULL CHECK (origin IN ('foreign', 'out_of_province', 'in_province')),
    global500              INTEGER NOT NULL DEFAULT 0,
    china500               INTEGER NOT NULL DEFAULT 0,
    private500             INTEGER NOT NULL DEFAULT 0,
    industry_code          TEXT REFERENCES industries (code),
    leading_industry       TEXT,
    strategic_emerging     INTEGER NOT NULL DEFAULT 0,
    total_investment_fen   INTEGER NOT NULL DEFAULT 0 CHECK (total_investment_fen >= 0),
    contract_fen           INTEGER NOT NULL DEFAULT 0 CHECK (contract_fen >= 0),
    contract_cents         INTEGER NOT NULL DEFAULT 0 CHECK (contract_cents >= 0),
    signed_on              TEXT,
    event_id               INTEGER REFERENCES signing_events (id),
    region_code            TEXT NOT NULL REFERENCES regions (code),
    zone_id                INTEGER REFERENCES zones (id),
    attracting_unit_id     INTEGER REFERENCES units (id),
    responsible_leader     TEXT,
    responsible_unit_id    INTEGER REFERENCES units (id),
    responsible_person     TEXT,
    service_plan           TEXT,
    stage                  TEXT NOT NULL,
    land_supplied_on       TEXT,
    certificate_on         TEXT,
    started_on             TEXT,
    completed_on           TEXT,
    producing_on           TEXT,
    case_by_case           INTEGER NOT NULL DEFAULT 0,
    key_project            INTEGER NOT NULL DEFAULT 0,
    -- confirmed arrival so far, kept in step with fund_arrivals in the same transaction
    arrived_fen            INTEGER NOT NULL DEFAULT 0,
    arrived_cents          INTEGER NOT NULL DEFAULT 0,
    version                INTEGER NOT NULL DEFAULT 1,
    created_by             INTEGER REFERENCES users (id),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX projects_region_stage ON projects (region_code, stage);
CREATE INDEX projects_region_signed ON projects (region_code, signed_on);
CREATE INDEX projects_event ON projects (event_id);
CREATE INDEX projects_credit_code ON projects (investor_credit_code);
CREATE INDEX projects_name_key ON projects (name_key);
CREATE INDEX projects_zone ON projects (zone_id);

CREATE TABLE project_stages (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    stage      TEXT NOT NULL,
    changed_on TEXT NOT NULL,
    note       TEXT,
    actor_id   INTEGER REFERENCES users (id),
    at         TEXT NOT NULL
);
CREATE INDEX project_stages_project ON project_stages (project_id, changed_on);

CREATE TABLE fund_arrivals (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    -- the project's region, copied so scope filters need no join
    region_code   TEXT NOT NULL REFERENCES regions (code),
    period        TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    currency      TEXT NOT NULL CHECK (currency IN ('CNY', 'USD')),
    kind          TEXT NOT NULL CHECK (kind IN ('fixed_asset', 'registered_capital', 'other')),
    status        TEXT NOT NULL CHECK (status IN ('entered', 'confirmed', 'returned', 'superseded')),
    corrects_id   INTEGER REFERENCES fund_arrivals (id),
    note          TEXT,
    warnings      TEXT,
    override_reason TEXT,
    return_reason TEXT,
    entered_by    INTEGER NOT NULL REFERENCES users (id),
    entered_at    TEXT NOT NULL,
    reviewed_by   INTEGER REFERENCES users (id),
    reviewed_at   TEXT,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX fund_arrivals_project ON fund_arrivals (project_id, period);
CREATE INDEX fund_arrivals_region_status ON fund_arrivals (region_code, status, period);

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    owner_kind  TEXT NOT NULL,
    owner_id    INTEGER NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    file_name   TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id);

CREATE TABLE duplicate_candidates (
    id               INTEGER PRIMARY KEY,
    project_id       INTEGER NOT NULL REFERENCES projects (id),
    other_project_id INTEGER NOT NULL REFERENCES projects (id),
    reasons          TEXT NOT NULL,
    region_code      TEXT NOT NULL REFERENCES regions (code),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'not_duplicate', 'duplicate')),
    reviewed_by      INTEGER REFERENCES users (id),
    reviewed_at      TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (project_id, other_project_id)
);
CREATE INDEX duplicate_candidates_region ON duplicate_candidates (region_code, status);

CREATE TABLE targets (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions (code),
    year        INTEGER NOT NULL,
    indicator   TEXT NOT NULL,
    -- a rate in basis points (2000 = 20%)
    value_bp    INTEGER NOT NULL,
    UNIQUE (region_code, year, indicator)
);
