-- The round board (报送情况, store/src/dispatch/mod.rs `board()`) counts a round's projects per
-- reporter, (region_code, unit_id), with each project's update for the month. The primary key
-- (round_id, project_id) holds neither county nor unit; this index carries all four columns the
-- board reads, in (round_id, region_code) order, so a city's or a county's board is an
-- index-only scan of its own part of the round. Plain composite indexes, the same as on SQLite
-- (the schema comparison reads INCLUDE columns as key columns).
CREATE INDEX dispatch_round_projects_board ON dispatch_round_projects (round_id, region_code, unit_id, project_id);
-- The update's state for each of those projects without reading the row (the unique
-- (project_id, period) lacks status and late).
CREATE INDEX monthly_updates_board ON monthly_updates (project_id, period, status, late);
