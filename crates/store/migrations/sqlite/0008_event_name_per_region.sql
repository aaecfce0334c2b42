-- An event's name is unique among the events one region organises, not across the whole
-- installation: two counties may each hold a "2025年一季度重大项目集中签约活动", and a county
-- must not learn from a refused name that another county has such an event.
-- SQLite cannot drop a table constraint, so the table is rebuilt; migrations run with foreign
-- keys off and are checked afterwards (see Db::migrate), as SQLite's documentation asks.
CREATE TABLE signing_events_new (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    held_on     TEXT NOT NULL,
    host        TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT signing_events_name_key UNIQUE (region_code, name)
);
INSERT INTO signing_events_new
    (id, name, level, held_on, host, region_code, version, created_at, updated_at)
SELECT id, name, level, held_on, host, region_code, version, created_at, updated_at
FROM signing_events;
DROP TABLE signing_events;
ALTER TABLE signing_events_new RENAME TO signing_events;
CREATE INDEX signing_events_region ON signing_events (region_code, held_on);
