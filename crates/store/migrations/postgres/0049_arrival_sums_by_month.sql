-- A confirmed fund record changed marks only its own (region, month) stale, not the whole
-- region: the next read of the kept monthly sums (0044) recomputes the few records of that month
-- instead of every record of the county (issue 17: the leaders' dashboard right after a change).
-- A project's own changes (origin, duplicate, region) still mark its regions whole.
CREATE TABLE arrival_sums_stale_months (
    region_code  TEXT NOT NULL,
    period       TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (region_code, period)
);

CREATE FUNCTION arrival_sums_mark_month(code TEXT, month TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO arrival_sums_stale_months (region_code, period, seq) VALUES (code, month, 1)
        ON CONFLICT (region_code, period) DO UPDATE SET seq = arrival_sums_stale_months.seq + 1;
$$;

CREATE OR REPLACE FUNCTION fund_arrivals_sums_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'confirmed' THEN
        PERFORM arrival_sums_mark_month(OLD.region_code, OLD.period);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'confirmed'
        AND (TG_OP = 'INSERT' OR OLD.status <> 'confirmed' OR OLD.region_code <> NEW.region_code
             OR OLD.amount <> NEW.amount OR OLD.period <> NEW.period
             OR OLD.currency <> NEW.currency OR OLD.project_id <> NEW.project_id) THEN
        PERFORM arrival_sums_mark_month(NEW.region_code, NEW.period);
    END IF;
    RETURN NULL;
END;
$$;
