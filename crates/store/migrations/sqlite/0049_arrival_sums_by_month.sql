-- A confirmed fund record changed marks only its own (region, month) stale, not the whole
-- region: the next read of the kept monthly sums (0044) recomputes the few records of that month
-- instead of every record of the county (issue 17: the leaders' dashboard right after a change).
-- A project's own changes (origin, duplicate, region) still mark its regions whole.
CREATE TABLE arrival_sums_stale_months (
    region_code  TEXT NOT NULL,
    period       TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (region_code, period)
);

DROP TRIGGER fund_arrivals_sums_insert;
DROP TRIGGER fund_arrivals_sums_update;
DROP TRIGGER fund_arrivals_sums_delete;

CREATE TRIGGER fund_arrivals_sums_insert AFTER INSERT ON fund_arrivals
WHEN NEW.status = 'confirmed'
BEGIN
    INSERT INTO arrival_sums_stale_months (region_code, period, seq)
        VALUES (NEW.region_code, NEW.period, 1)
        ON CONFLICT (region_code, period) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER fund_arrivals_sums_update AFTER UPDATE ON fund_arrivals
WHEN OLD.status = 'confirmed' OR NEW.status = 'confirmed'
BEGIN
    INSERT INTO arrival_sums_stale_months (region_code, period, seq)
        VALUES (OLD.region_code, OLD.period, 1)
        ON CONFLICT (region_code, period) DO UPDATE SET seq = seq + 1;
    INSERT INTO arrival_sums_stale_months (region_code, period, seq)
        VALUES (NEW.region_code, NEW.period, 1)
        ON CONFLICT (region_code, period) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER fund_arrivals_sums_delete AFTER DELETE ON fund_arrivals
WHEN OLD.status = 'confirmed'
BEGIN
    INSERT INTO arrival_sums_stale_months (region_code, period, seq)
        VALUES (OLD.region_code, OLD.period, 1)
        ON CONFLICT (region_code, period) DO UPDATE SET seq = seq + 1;
END;
