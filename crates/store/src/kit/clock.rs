//! Timestamps are stored as fixed-width RFC 3339 UTC text (`2026-11-23T15:04:05.123Z`), so
//! text order is time order on both backends.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .expect("UTC timestamps always format")
}

pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

pub fn now_plus(d: Duration) -> String {
    format(OffsetDateTime::now_utc() + d)
}

/// Today's date where the users are (Beijing time, UTC+8): what "a date after today" means.
pub fn today() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}
