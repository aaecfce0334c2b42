-- Confirmed arrival per (region, month, currency, origin), kept so that the leaders' dashboard
-- and 同比 sum a few thousand rows instead of every fund record of two years (issue 17).
-- Triggers only mark a region stale, whatever path a write takes (forms, sheets, review,
-- corrections, a project moved, a duplicate decided); the next read recomputes the stale
-- regions from the records (`rates::sums`), so the kept figures are always the records' own.
CREATE TABLE arrival_sums (
    region_code  TEXT NOT NULL,
    period       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    origin       TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    PRIMARY KEY (region_code, period, currency, origin)
);

-- Regions whose sums must be recomputed; `seq` moves on every change, so a recompute that
-- raced a change leaves the region stale.
CREATE TABLE arrival_sums_stale (
    region_code  TEXT PRIMARY KEY,
    seq          BIGINT NOT NULL
);

CREATE FUNCTION arrival_sums_mark(code TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO arrival_sums_stale (region_code, seq) VALUES (code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = arrival_sums_stale.seq + 1;
$$;

CREATE FUNCTION fund_arrivals_sums_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'confirmed' THEN
        PERFORM arrival_sums_mark(OLD.region_code);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'confirmed'
        AND (TG_OP = 'INSERT' OR OLD.status <> 'confirmed' OR OLD.region_code <> NEW.region_code
             OR OLD.amount <> NEW.amount OR OLD.period <> NEW.period
             OR OLD.currency <> NEW.currency OR OLD.project_id <> NEW.project_id) THEN
        PERFORM arrival_sums_mark(NEW.region_code);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER fund_arrivals_sums AFTER INSERT OR UPDATE OR DELETE ON fund_arrivals
    FOR EACH ROW EXECUTE FUNCTION fund_arrivals_sums_mark();

CREATE FUNCTION projects_sums_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.origin IS DISTINCT FROM NEW.origin OR OLD.duplicate_of IS DISTINCT FROM NEW.duplicate_of
        OR OLD.region_code IS DISTINCT FROM NEW.region_code THEN
        PERFORM arrival_sums_mark(OLD.region_code);
        PERFORM arrival_sums_mark(NEW.region_code);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER projects_sums AFTER UPDATE OF origin, duplicate_of, region_code ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_sums_mark();

-- Every region with records starts stale: the first read computes them all once.
INSERT INTO arrival_sums_stale (region_code, seq)
    SELECT DISTINCT region_code, 1 FROM fund_arrivals WHERE status = 'confirmed';
