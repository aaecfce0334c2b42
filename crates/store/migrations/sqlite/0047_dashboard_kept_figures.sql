-- The 三率 and classification figures of today's signed projects, kept per (county, GB/T 4754
-- section, origin), so that the leaders' dashboard, the 三率 page and the targets list sum a few
-- thousand kept rows instead of reading every project of a province after each change (issue 17).
-- As with arrival_sums (0044), triggers only mark a region stale, whatever path a write takes;
-- the next read recomputes the stale regions from the projects (`rates::kept`). Classification
-- depends on the thresholds (分类标准): each row names the thresholds it was counted with, and a
-- read with other thresholds recomputes every region.
CREATE TABLE project_rate_sums (
    region_code       TEXT NOT NULL,
    section           TEXT NOT NULL,
    origin            TEXT NOT NULL,
    thresholds        TEXT NOT NULL,
    projects          INTEGER NOT NULL,
    contract_fen      INTEGER NOT NULL,
    arrived_fen       INTEGER NOT NULL,
    contract_cents    INTEGER NOT NULL,
    arrived_cents     INTEGER NOT NULL,
    fulfilling        INTEGER NOT NULL,
    started           INTEGER NOT NULL,
    excellent         INTEGER NOT NULL,
    good              INTEGER NOT NULL,
    fair              INTEGER NOT NULL,
    not_fulfilled     INTEGER NOT NULL,
    missing_contract  INTEGER NOT NULL,
    PRIMARY KEY (region_code, section, origin)
);

CREATE TABLE project_rate_sums_stale (
    region_code  TEXT NOT NULL PRIMARY KEY,
    seq          INTEGER NOT NULL
);

CREATE TRIGGER projects_rate_sums_insert AFTER INSERT ON projects
BEGIN
    INSERT INTO project_rate_sums_stale (region_code, seq) VALUES (NEW.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER projects_rate_sums_delete AFTER DELETE ON projects
BEGIN
    INSERT INTO project_rate_sums_stale (region_code, seq) VALUES (OLD.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER projects_rate_sums_update AFTER UPDATE OF stage, contract_fen, contract_cents,
    arrived_fen, arrived_cents, started_on, duplicate_of, region_code, origin, industry_code
    ON projects
WHEN OLD.stage IS NOT NEW.stage OR OLD.contract_fen IS NOT NEW.contract_fen
    OR OLD.contract_cents IS NOT NEW.contract_cents OR OLD.arrived_fen IS NOT NEW.arrived_fen
    OR OLD.arrived_cents IS NOT NEW.arrived_cents OR OLD.started_on IS NOT NEW.started_on
    OR OLD.duplicate_of IS NOT NEW.duplicate_of OR OLD.region_code IS NOT NEW.region_code
    OR OLD.origin IS NOT NEW.origin OR OLD.industry_code IS NOT NEW.industry_code
BEGIN
    INSERT INTO project_rate_sums_stale (region_code, seq) VALUES (OLD.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
    INSERT INTO project_rate_sums_stale (region_code, seq) VALUES (NEW.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
END;

-- Every region with projects starts stale: the first read computes them all once.
INSERT INTO project_rate_sums_stale (region_code, seq)
    SELECT DISTINCT region_code, 1 FROM projects;

-- The leaders' dashboard's lagging projects (签约后未履约: no confirmed arrival, not started), counted
-- and paged from the few projects that have none instead of every project of the region.
CREATE INDEX projects_not_fulfilled ON projects (region_code, stage, signed_on)
    WHERE arrived_fen = 0 AND arrived_cents = 0 AND started_on IS NULL AND duplicate_of IS NULL;
