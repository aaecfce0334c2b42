-- Fair duplicate candidates across the installation (issue 19): each project's normalised name
-- (traditional to simplified, the place in front and company forms off) and its investor's
-- core are indexed by character bigrams, so that a new project meets the projects sharing its
-- rarer grams anywhere, without comparing every pair. Investor grams start with '@'; the gram
-- '#1' marks a project indexed with the first version of the normalisation (projects without
-- it are indexed on start-up).
CREATE TABLE project_name_grams (
    gram       TEXT NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    PRIMARY KEY (gram, project_id)
) WITHOUT ROWID;
CREATE INDEX project_name_grams_project ON project_name_grams (project_id);
-- A pair's score (0–100) from the weighted comparison; NULL for pairs raised before it.
ALTER TABLE duplicate_candidates ADD COLUMN score INTEGER;
