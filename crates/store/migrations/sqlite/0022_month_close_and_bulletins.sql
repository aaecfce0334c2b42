-- Month-end close (月结) and bulletins (通报), domain §8.
--
-- A close freezes, for one region's subtree and one month, each signed project's figures as
-- they stood at the month's end (one row per project). Rates for a closed month read these
-- rows instead of the fund records, so a record confirmed or withdrawn later for that month
-- changes the next open month's figures and never the closed one's.
CREATE TABLE month_closes (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions (code),
    period      TEXT NOT NULL,
    closed_by   INTEGER NOT NULL REFERENCES users (id),
    closed_at   TEXT NOT NULL,
    projects    INTEGER NOT NULL,
    UNIQUE (region_code, period)
);
CREATE INDEX month_closes_period ON month_closes (period, region_code);

CREATE TABLE month_close_projects (
    close_id       INTEGER NOT NULL REFERENCES month_closes (id),
    project_id     INTEGER NOT NULL REFERENCES projects (id),
    region_code    TEXT NOT NULL,
    stage          TEXT NOT NULL,
    contract_fen   INTEGER NOT NULL,
    contract_cents INTEGER NOT NULL,
    arrived_fen    INTEGER NOT NULL,
    arrived_cents  INTEGER NOT NULL,
    started        INTEGER NOT NULL,
    PRIMARY KEY (close_id, project_id)
);
-- the covering index a closed month's rates read: one range per region subtree
CREATE INDEX month_close_projects_rates ON month_close_projects (close_id, region_code, project_id,
    contract_fen, arrived_fen, contract_cents, arrived_cents, started);

CREATE TABLE bulletins (
    id           INTEGER PRIMARY KEY,
    -- the issuing bureau's region: the bulletin addresses this region's subtree
    region_code  TEXT NOT NULL REFERENCES regions (code),
    period_kind  TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter', 'half_year', 'year')),
    year         INTEGER NOT NULL,
    period_index INTEGER NOT NULL,
    title        TEXT NOT NULL,
    doc_number   TEXT,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    -- the figures as drafted (JSON), frozen with the prose when published
    figures      TEXT NOT NULL,
    prose        TEXT NOT NULL,
    cut_off_at   TEXT NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    published_by INTEGER REFERENCES users (id),
    published_at TEXT,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX bulletins_region ON bulletins (region_code, year);
