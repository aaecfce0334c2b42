-- China's official holidays and 调休 working days, as an administrator loads them each year
-- (domain::deadlines::Calendar): days counted in working days skip the one and count the other.
CREATE TABLE holidays (
    day  TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday'))
);
