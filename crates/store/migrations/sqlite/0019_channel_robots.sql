-- Group robots per region: a bureau (province, city or county) connects its own 企业微信 /
-- 钉钉 groups, and messages to the region's accounts are posted there as well as to the
-- installation-wide robot of luodi.toml. The URL's key and the 加签 secret are secrets: the
-- API never returns the secret and shows the URL with its key masked.
CREATE TABLE channel_robots (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk')),
    url         TEXT NOT NULL,
    -- 钉钉 加签: the SEC… secret the robot signs with; none for 企业微信
    secret      TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX channel_robots_region ON channel_robots (region_code);

-- The region's robot a webhook row goes to; none for the installation-wide robot. A robot's
-- messages go with it when it is deleted.
ALTER TABLE outbox ADD COLUMN robot_id INTEGER REFERENCES channel_robots (id) ON DELETE CASCADE;
CREATE INDEX outbox_robot ON outbox (robot_id);
-- The failed-delivery page reads a region subtree's given-up rows; housekeeping removes old
-- sent and failed rows by status and time.
CREATE INDEX outbox_region_status ON outbox (region_code, status);
