-- Two costs of writing many projects at once (issue 19: a 100,000-row sheet).
--
-- 1. Inserted and deleted projects mark their counties stale once per statement instead of once
-- per row. Marking per row made a 100,000-row sheet update the same few
-- `project_rate_sums_stale` rows 100,000 times in one transaction; each update leaves a row
-- version that the next one must step over, so the import's project insert took 13.4 s in
-- place of 4.8 s without the trigger (PostgreSQL 15, province data). A statement-level
-- trigger sees the statement's rows as a transition table and marks each county once.
-- Updates keep the row-level trigger: it compares each row's old and new figures.
DROP TRIGGER projects_rate_sums ON projects;

CREATE TRIGGER projects_rate_sums AFTER UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_rate_sums_mark();

-- Both statement triggers name their transition table `changed_projects` (the new rows of
-- an insert, the old rows of a delete), so one function serves them.
CREATE FUNCTION projects_rate_sums_mark_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO project_rate_sums_stale (region_code, seq)
        SELECT DISTINCT region_code, 1 FROM changed_projects
        ON CONFLICT (region_code) DO UPDATE SET seq = project_rate_sums_stale.seq + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER projects_rate_sums_inserted AFTER INSERT ON projects
    REFERENCING NEW TABLE AS changed_projects
    FOR EACH STATEMENT EXECUTE FUNCTION projects_rate_sums_mark_statement();

CREATE TRIGGER projects_rate_sums_deleted AFTER DELETE ON projects
    REFERENCING OLD TABLE AS changed_projects
    FOR EACH STATEMENT EXECUTE FUNCTION projects_rate_sums_mark_statement();

-- 2. The gram index (0030) loses its foreign key to projects. It is derived data, written in
-- the transaction that writes its projects and replaced with them, and projects are never
-- deleted; a look-up reads its candidates from `projects` by id and so skips an id that is not
-- there. The key's check per gram row cost 5.7 of the 13.0 s that inserting a sheet's 1.6
-- million grams took (PostgreSQL 15) and about a quarter on SQLite (1.7-2.0 s against
-- 1.3 s in `sqlite3`).
ALTER TABLE project_name_grams DROP CONSTRAINT IF EXISTS project_name_grams_project_id_fkey;
