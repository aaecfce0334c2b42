-- Duplicate detection finds similar names by a prefix range on name_key; the range must follow
-- code-point order, as it does on SQLite, whatever the database's default collation.
ALTER TABLE projects ALTER COLUMN name_key TYPE TEXT COLLATE "C";
CREATE INDEX projects_region_name_key ON projects (region_code, name_key);
