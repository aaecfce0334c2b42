-- Rates "as at the end of a month" sum each project's confirmed records on one side of that
-- month (store/src/rates.rs). One covering index in (status, region_code, project_id) order
-- carries every column that sum reads, so a province's records stream out grouped by project
-- from one index range, without touching the table or sorting; a small one on
-- (status, period) gives the earliest and latest month, which choose the side.
CREATE INDEX fund_arrivals_rates ON fund_arrivals (status, region_code, project_id, period, currency, amount);
CREATE INDEX fund_arrivals_status_period ON fund_arrivals (status, period);
