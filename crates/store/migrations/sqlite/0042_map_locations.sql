-- 招商地图 markers (issue 17): where a project or a zone (园区、乡镇) lies, set by clicking the
-- map. Optional: a project without a row is counted on the map but not drawn. Coordinates are
-- kept as integer millionths of a degree (GCJ-02 as the bundled boundaries use), so both
-- databases hold and compare them exactly.
CREATE TABLE project_locations (
    project_id INTEGER PRIMARY KEY NOT NULL REFERENCES projects (id),
    lng_e6     INTEGER NOT NULL,
    lat_e6     INTEGER NOT NULL,
    set_by     INTEGER NOT NULL REFERENCES users (id),
    set_at     TEXT NOT NULL
);

CREATE TABLE zone_locations (
    zone_id INTEGER PRIMARY KEY NOT NULL REFERENCES zones (id),
    lng_e6  INTEGER NOT NULL,
    lat_e6  INTEGER NOT NULL,
    set_by  INTEGER NOT NULL REFERENCES users (id),
    set_at  TEXT NOT NULL
);
