//! Dates as users type them in forms and sheets.

/// Parses a calendar date as users type it (2026-03-05, 2026/3/5) within 2000–2100.
pub fn parse_date(s: &str) -> Result<time::Date, String> {
    let t = s.trim();
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    let bad = || format!("日期应为“YYYY-MM-DD”格式（2000年至2100年），实际为“{t}”");
    if parts.len() != 3 {
        return Err(bad());
    }
    let year: i32 = parts[0].parse().map_err(|_| bad())?;
    let month: u8 = parts[1].parse().map_err(|_| bad())?;
    let day: u8 = parts[2].parse().map_err(|_| bad())?;
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    let month = time::Month::try_from(month).map_err(|_| bad())?;
    time::Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// The most days after today a rule may allow a date to lie (a ceremony tomorrow typed in
/// today); more would let the figures count what has not happened.
pub const MAX_GRACE_DAYS: i64 = 7;

/// The latest date a milestone, a signing or a stage change may carry: dates cannot lie
/// after today, but for a grace of `grace_days` days (0 to [`MAX_GRACE_DAYS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateLimit {
    pub today: time::Date,
    pub grace_days: i64,
}

impl DateLimit {
    pub fn latest(&self) -> time::Date {
        let grace = self.grace_days.clamp(0, MAX_GRACE_DAYS);
        self.today
            .checked_add(time::Duration::days(grace))
            .unwrap_or(self.today)
    }

    /// Refuses a date after the latest allowed, saying which date that is.
    pub fn check(&self, date: time::Date) -> Result<time::Date, String> {
        let latest = self.latest();
        if date <= latest {
            Ok(date)
        } else if latest == self.today {
            Err(format!(
                "日期{date}晚于今天（{}），不能填写尚未发生的日期",
                self.today
            ))
        } else {
            Err(format!(
                "日期{date}晚于{latest}（今天之后最多{}天），不能填写尚未发生的日期",
                self.grace_days.clamp(0, MAX_GRACE_DAYS)
            ))
        }
    }

    /// Parses a date as users type it and refuses it when it lies too far ahead.
    pub fn parse(&self, s: &str) -> Result<time::Date, String> {
        parse_date(s).and_then(|d| self.check(d))
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_date, DateLimit};
    use time::macros::date;

    #[test]
    fn dates_after_today_are_refused_but_for_the_grace() {
        let strict = DateLimit {
            today: date!(2026 - 12 - 06),
            grace_days: 0,
        };
        assert_eq!(strict.parse("2026-12-06"), Ok(date!(2026 - 12 - 06)));
        assert!(strict
            .parse("2026-12-07")
            .unwrap_err()
            .contains("晚于今天（2026-12-06）"));
        assert!(strict.parse("2099-01-01").is_err());
        assert!(strict
            .parse("2026-13-01")
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        let grace = DateLimit {
            grace_days: 3,
            ..strict
        };
        assert_eq!(grace.parse("2026-12-09"), Ok(date!(2026 - 12 - 09)));
        let e = grace.parse("2026-12-10").unwrap_err();
        assert!(e.contains("晚于2026-12-09（今天之后最多3天）"), "{e}");
        // A grace beyond the maximum counts as the maximum.
        let wide = DateLimit {
            grace_days: 400,
            ..strict
        };
        assert_eq!(wide.latest(), date!(2026 - 12 - 13));
    }

    #[test]
    fn dates_as_users_type_them() {
        assert_eq!(parse_date("2019-11-28").unwrap().to_string(), "2019-11-28");
        assert_eq!(parse_date("2019/5/8").unwrap().to_string(), "2019-05-08");
        for bad in [
            "2019-02-30",
            "1999-01-01",
            "2101-01-01",
            "2019-13-01",
            "昨天",
            "2019-1",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
