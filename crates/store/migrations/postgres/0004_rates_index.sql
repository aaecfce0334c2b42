-- Rates read every signed project of a region: one covering index in (region_code, stage)
-- order carries every column the rate queries sum, filter or group on, so a province is one
-- index range scan without touching the table. It replaces projects_region_stage, whose
-- columns are its prefix.
DROP INDEX projects_region_stage;
CREATE INDEX projects_rates ON projects (region_code, stage, signed_on, contract_fen, arrived_fen,
    contract_cents, arrived_cents, started_on, event_id, origin, zone_id, industry_code);
