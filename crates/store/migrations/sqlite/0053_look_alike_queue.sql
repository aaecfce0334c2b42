-- Look-alike matching after a large sheet's import (issue 19): a sheet of more rows than
-- `[auth] look_alike_background_rows` commits its projects with one row each here, and the
-- matcher indexes and compares them right after, in the background (resumed at start-up and
-- by any instance of a cluster). A project leaves the queue when its pairs are written, or
-- when an edit has matched it already. Until then its fund records cannot be confirmed.
CREATE TABLE look_alike_queue (
    project_id INTEGER PRIMARY KEY,
    -- the account that entered it: its signals (pairs with projects beyond its reach) are
    -- audited under it
    actor_id   INTEGER NOT NULL,
    queued_at  TEXT NOT NULL
);
-- One matcher at a time across a cluster: the instance holding this row until `held_until`
-- (renewed as it writes; a crashed instance's hold runs out).
CREATE TABLE look_alike_matcher (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    held_by    TEXT,
    held_until TEXT
);
INSERT INTO look_alike_matcher (id) VALUES (1);
