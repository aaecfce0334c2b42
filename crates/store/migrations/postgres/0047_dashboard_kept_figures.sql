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
    projects          BIGINT NOT NULL,
    contract_fen      BIGINT NOT NULL,
    arrived_fen       BIGINT NOT NULL,
    contract_cents    BIGINT NOT NULL,
    arrived_cents     BIGINT NOT NULL,
    fulfilling        BIGINT NOT NULL,
    started           BIGINT NOT NULL,
    excellent         BIGINT NOT NULL,
    good              BIGINT NOT NULL,
    fair              BIGINT NOT NULL,
    not_fulfilled     BIGINT NOT NULL,
    missing_contract  BIGINT NOT NULL,
    PRIMARY KEY (region_code, section, origin)
);

CREATE TABLE project_rate_sums_stale (
    region_code  TEXT NOT NULL PRIMARY KEY,
    seq          BIGINT NOT NULL
);

CREATE FUNCTION project_rate_sums_mark(code TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO project_rate_sums_stale (region_code, seq) VALUES (code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = project_rate_sums_stale.seq + 1;
$$;

CREATE FUNCTION projects_rate_sums_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM project_rate_sums_mark(NEW.region_code);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM project_rate_sums_mark(OLD.region_code);
    ELSIF OLD.stage IS DISTINCT FROM NEW.stage OR OLD.contract_fen IS DISTINCT FROM NEW.contract_fen
        OR OLD.contract_cents IS DISTINCT FROM NEW.contract_cents
        OR OLD.arrived_fen IS DISTINCT FROM NEW.arrived_fen
        OR OLD.arrived_cents IS DISTINCT FROM NEW.arrived_cents
        OR OLD.started_on IS DISTINCT FROM NEW.started_on
        OR OLD.duplicate_of IS DISTINCT FROM NEW.duplicate_of
        OR OLD.region_code IS DISTINCT FROM NEW.region_code
        OR OLD.origin IS DISTINCT FROM NEW.origin
        OR OLD.industry_code IS DISTINCT FROM NEW.industry_code THEN
        PERFORM project_rate_sums_mark(OLD.region_code);
        PERFORM project_rate_sums_mark(NEW.region_code);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER projects_rate_sums AFTER INSERT OR UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_rate_sums_mark();

-- Every region with projects starts stale: the first read computes them all once.
INSERT INTO project_rate_sums_stale (region_code, seq)
    SELECT DISTINCT region_code, 1 FROM projects;

-- The leaders' dashboard's lagging projects (签约后未履约: no confirmed arrival, not started), counted
-- and paged from the few projects that have none instead of every project of the region.
CREATE INDEX projects_not_fulfilled ON projects (region_code, stage, signed_on)
    WHERE arrived_fen = 0 AND arrived_cents = 0 AND started_on IS NULL AND duplicate_of IS NULL;
