-- The 三率 and classification figures of a month-end close (月结), kept per county as well as
-- per project, so that a closed month's rates by region sum a county's one row instead of its
-- thousands of projects (issue 17: province rates as at a closed month, p95 <= 20 ms, also on the
-- first read after an unrelated change). A close's projects never change, so its sums never go
-- stale; only the thresholds (分类标准) they were classified with can differ from today's, and
-- each set of thresholds gets its own rows (made at the close, or at the first read with other
-- thresholds).
CREATE TABLE month_close_sums (
    close_id          BIGINT NOT NULL REFERENCES month_closes (id),
    thresholds        TEXT NOT NULL,
    region_code       TEXT COLLATE "C" NOT NULL,
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
    PRIMARY KEY (close_id, thresholds, region_code)
);
