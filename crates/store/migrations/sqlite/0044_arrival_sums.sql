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
    amount       INTEGER NOT NULL,
    PRIMARY KEY (region_code, period, currency, origin)
);

-- Regions whose sums must be recomputed; `seq` moves on every change, so a recompute that
-- raced a change leaves the region stale.
CREATE TABLE arrival_sums_stale (
    region_code  TEXT NOT NULL PRIMARY KEY,
    seq          INTEGER NOT NULL
);

CREATE TRIGGER fund_arrivals_sums_insert AFTER INSERT ON fund_arrivals
WHEN NEW.status = 'confirmed'
BEGIN
    INSERT INTO arrival_sums_stale (region_code, seq) VALUES (NEW.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER fund_arrivals_sums_update AFTER UPDATE ON fund_arrivals
WHEN OLD.status = 'confirmed' OR NEW.status = 'confirmed'
BEGIN
    INSERT INTO arrival_sums_stale (region_code, seq) VALUES (OLD.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
    INSERT INTO arrival_sums_stale (region_code, seq) VALUES (NEW.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER fund_arrivals_sums_delete AFTER DELETE ON fund_arrivals
WHEN OLD.status = 'confirmed'
BEGIN
    INSERT INTO arrival_sums_stale (region_code, seq) VALUES (OLD.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER projects_sums_update AFTER UPDATE OF origin, duplicate_of, region_code ON projects
WHEN OLD.origin IS NOT NEW.origin OR OLD.duplicate_of IS NOT NEW.duplicate_of
    OR OLD.region_code IS NOT NEW.region_code
BEGIN
    INSERT INTO arrival_sums_stale (region_code, seq) VALUES (OLD.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
    INSERT INTO arrival_sums_stale (region_code, seq) VALUES (NEW.region_code, 1)
        ON CONFLICT (region_code) DO UPDATE SET seq = seq + 1;
END;

-- Every region with records starts stale: the first read computes them all once.
INSERT INTO arrival_sums_stale (region_code, seq)
    SELECT DISTINCT region_code, 1 FROM fund_arrivals WHERE status = 'confirmed';
