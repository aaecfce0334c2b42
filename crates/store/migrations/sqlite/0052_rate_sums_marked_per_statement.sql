-- Two costs of writing many projects at once (issue 19: a 100,000-row sheet).
--
-- 1. PostgreSQL's 0052 marks the counties of inserted and deleted projects stale once per
-- statement. SQLite has no statement-level triggers and needs none here: its row-level
-- trigger (0047) updates the same stale row in place, without the row versions that made the
-- per-row marking slow on PostgreSQL (a 100,000-row sheet's projects: 1.8 s in all).
--
-- 2. The gram index (0030) loses its foreign key to projects. It is derived data, written in
-- the transaction that writes its projects and replaced with them, and projects are never
-- deleted; a look-up reads its candidates from `projects` by id and so skips an id that is not
-- there. The key's check per gram row cost about a quarter of inserting a sheet's 1.6 million
-- grams (1.7-2.0 s against 1.3 s in `sqlite3`) and 5.7 of 13.0 s on PostgreSQL. SQLite
-- drops a foreign key by rebuilding the table (the migrations run with foreign keys off).
CREATE TABLE project_name_grams_0052 (
    gram       TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    PRIMARY KEY (gram, project_id)
) WITHOUT ROWID;
INSERT INTO project_name_grams_0052 (gram, project_id)
    SELECT gram, project_id FROM project_name_grams;
DROP TABLE project_name_grams;
ALTER TABLE project_name_grams_0052 RENAME TO project_name_grams;
CREATE INDEX project_name_grams_project ON project_name_grams (project_id);
