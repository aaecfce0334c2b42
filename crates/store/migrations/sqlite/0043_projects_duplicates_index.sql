-- The few projects confirmed as duplicates (issue 19), found without reading every project: the
-- leaders' dashboard sums a region's fund records alone and leaves these out by id (issue 17).
CREATE INDEX projects_duplicates ON projects (duplicate_of) WHERE duplicate_of IS NOT NULL;
