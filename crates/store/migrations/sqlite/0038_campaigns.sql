-- Campaigns (专项行动, domain §6): a named action of a region's bureau over the signed projects
-- its rule selects, with goals, its own classification thresholds and dated phases. The rule
-- and goals are JSON documents (domain::campaigns::CampaignRule, Goal), parsed on every read.

CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY,
    -- the organising bureau's region: its projects are the campaign's reach
    region_code  TEXT NOT NULL REFERENCES regions (code),
    name         TEXT NOT NULL,
    rule         TEXT NOT NULL,
    goals        TEXT NOT NULL,
    excellent_bp INTEGER NOT NULL,
    good_bp      INTEGER NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT campaigns_name_key UNIQUE (region_code, name)
);

-- A phase (梳理摸底 / 分片督导 / 集中督导 / 回头看): its dates, what it requires, and the
-- deadline engine's task of the organising bureau, due on its last day.
CREATE TABLE campaign_phases (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    seq          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    starts_on    TEXT NOT NULL,
    ends_on      TEXT NOT NULL,
    requirements TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'done')),
    summary      TEXT,
    done_at      TEXT,
    task_id      INTEGER REFERENCES tasks (id),
    CONSTRAINT campaign_phases_seq_key UNIQUE (campaign_id, seq)
);
