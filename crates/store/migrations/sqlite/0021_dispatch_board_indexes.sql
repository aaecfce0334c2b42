-- The round board (报送情况, store/src/dispatch/mod.rs `board()`) counts a round's projects per
-- reporter, (region_code, unit_id), with each project's update for the month. The primary key
-- (round_id, project_id) holds neither county nor unit, so every round project cost a table
-- lookup; this index carries all four columns the board reads, in (round_id, region_code) order,
-- so a round's rows come out of one index range already grouped by reporter, and a city's or a
-- county's board reads only its own part of that range.
CREATE INDEX dispatch_round_projects_board ON dispatch_round_projects (round_id, region_code, unit_id, project_id);
-- The update's state for each of those projects without reading the row (the unique
-- (project_id, period) lacks status and late). SQLite prefers it over the unique index only
-- once the table has statistics (`PRAGMA optimize` at start-up gathers them).
CREATE INDEX monthly_updates_board ON monthly_updates (project_id, period, status, late);
