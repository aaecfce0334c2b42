-- Duplicate detection looks for similar names within a county.
CREATE INDEX projects_region_name_key ON projects (region_code, name_key);
