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

/// The time as a store's two-factor sign-in sees it (codes, pending sign-ins): the real time,
/// unless a test has set it. One per database handle (`Store::clock`), so tests that run side
/// by side each keep their own time.
#[derive(Debug, Default)]
pub struct Clock {
    set_to: std::sync::Mutex<Option<OffsetDateTime>>,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        self.set_to
            .lock()
            .map(|t| *t)
            .unwrap_or_default()
            .unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// Today where the users are (Beijing time), by this clock.
    pub fn today(&self) -> time::Date {
        self.now().to_offset(time::macros::offset!(+8)).date()
    }

    /// `now()` as stored text.
    pub fn stamp(&self) -> String {
        format(self.now())
    }

    /// Seconds since the Unix epoch, as TOTP counts them.
    pub fn unix(&self) -> u64 {
        u64::try_from(self.now().unix_timestamp()).unwrap_or(0)
    }

    /// Stops the clock at `t`.
    pub fn set(&self, t: OffsetDateTime) {
        if let Ok(mut slot) = self.set_to.lock() {
            *slot = Some(t);
        }
    }

    /// Moves the clock on by `d` (from the real time if it was not set).
    pub fn advance(&self, d: Duration) {
        let t = self.now() + d;
        self.set(t);
    }
}
