-- The 三率 and classification figures of a month-end close (月结), kept per county as well as
-- per project, so that a closed month's rates by region sum a county's one row instead of its
-- thousands of projects (issue 17: province rates as at a closed month, p95 <= 20 ms, also on the
-- first read after an unrelated change). A close's projects never change, so its sums never go
-- stale; only the thresholds (分类标准) they were classified with can differ from today's, and
-- each set of thresholds gets its own rows (made at the close, or at the first read with other
-- thresholds).
CREATE TABLE month_close_sums (
    close_id          INTEGER NOT NULL REFERENCES month_closes (id),
    thresholds        TEXT NOT NULL,
    region_code       TEXT NOT NULL,
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
    PRIMARY KEY (close_id, thresholds, region_code)
);
