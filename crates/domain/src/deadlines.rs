//! The deadline engine's rules (domain §8, §9): every dated task — a round's submission, a
//! problem list after a visit, a 帮办 item, a meeting's decision — is due on a day counted in
//! calendar days or in working days (China's official holidays and 调休 working days, which
//! weekends alone do not give), shows a light, and is reminded before, on and after its day.
//! Nothing here reads a clock: `today` is always given, so tests control time.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Date, Duration, Weekday};

/// Official days off and 调休 working days (a weekend day worked to make up a holiday).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
}

/// A line of a holiday table that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    pub line: usize,
    pub message: String,
}

impl Calendar {
    pub fn new(
        holidays: impl IntoIterator<Item = Date>,
        workdays: impl IntoIterator<Item = Date>,
    ) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
        }
    }

    /// Reads a holiday table as an administrator loads it: one day per line, `YYYY-MM-DD,休`
    /// (a day off) or `YYYY-MM-DD,班` (a 调休 working day); `holiday` / `workday` are accepted
    /// too, blank lines and lines starting with `#` are skipped. Every bad line is reported.
    pub fn parse(text: &str) -> Result<Self, Vec<CalendarError>> {
        let mut calendar = Self::default();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split([',', '，', '\t']).map(str::trim);
            let (day, kind) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let date = match crate::date::parse_date(day) {
                Ok(d) => d,
                Err(m) => {
                    errors.push(CalendarError {
                        line: i + 1,
                        message: m,
                    });
                    continue;
                }
            };
            match kind {
                "休" | "holiday" | "假" => {
                    calendar.holidays.insert(date);
                }
                "班" | "workday" => {
                    calendar.workdays.insert(date);
                }
                other => errors.push(CalendarError {
                    line: i + 1,
                    message: format!("第二列应为“休”（放假）或“班”（调休上班），实际为“{other}”"),
                }),
            }
        }
        if errors.is_empty() {
            Ok(calendar)
        } else {
            Err(errors)
        }
    }

    pub fn holidays(&self) -> impl Iterator<Item = &Date> {
        self.holidays.iter()
    }

    pub fn workdays(&self) -> impl Iterator<Item = &Date> {
        self.workdays.iter()
    }

    /// A 调休 working day works even on a weekend; an official holiday rests even on a weekday.
    pub fn is_working_day(&self, day: Date) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
    }
}

/// How a task's days are counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// 自然日 (the default).
    #[default]
    Calendar,
    /// 工作日: official holidays and weekends skipped, 调休 working days counted.
    Working,
}

impl DayCount {
    /// The day `days` days after `start` (`start` itself for 0). In working days, a start on
    /// a day off is moved to the next working day first, and the result is always a working
    /// day.
    pub fn add(self, start: Date, days: u32, calendar: &Calendar) -> Date {
        match self {
            Self::Calendar => start + Duration::days(i64::from(days)),
            Self::Working => {
                let mut day = start;
                while !calendar.is_working_day(day) {
                    day = day.next_day().unwrap_or(day);
                }
                let mut left = days;
                while left > 0 {
                    day = day.next_day().unwrap_or(day);
                    if calendar.is_working_day(day) {
                        left -= 1;
                    }
                }
                day
            }
        }
    }
}

/// The state of a dated task as a light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// 正常: more than the warning days left.
    Green,
    /// 临期: due within the warning days (today included).
    Yellow,
    /// 逾期: past its day and not done.
    Red,
    /// 已完成.
    Done,
}

impl Light {
    pub fn label(self) -> &'static str {
        match self {
            Self::Green => "正常",
            Self::Yellow => "临期",
            Self::Red => "逾期",
            Self::Done => "已完成",
        }
    }
}

/// The light of a task due on `due` on `today`; yellow when at most `warn_days` days are left.
pub fn light(due: Date, done: bool, today: Date, warn_days: i64) -> Light {
    if done {
        Light::Done
    } else if today > due {
        Light::Red
    } else if (due - today).whole_days() <= warn_days {
        Light::Yellow
    } else {
        Light::Green
    }
}

/// When reminders go out (defaults: 3 days before, on the day, every 2 days after).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReminderRule {
    /// Days before the due day of the early reminder (0: none).
    pub days_before: i64,
    pub on_the_day: bool,
    /// Every this many days after the due day while not done (0: never).
    pub every_days_after: i64,
}

impl Default for ReminderRule {
    fn default() -> Self {
        Self {
            days_before: 3,
            on_the_day: true,
            every_days_after: 2,
        }
    }
}

/// Which reminder a task is owed, named by the day it belongs to so that each goes out once
/// whoever sends it (the store keeps one row per task and slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// Before the due day.
    Ahead(Date),
    /// On the due day.
    Due(Date),
    /// After the due day, the task still open: also to the supervising leader.
    Overdue(Date),
}

impl Reminder {
    /// The slot's key, unique per task: `ahead:2026-12-02`, `due:…`, `overdue:…`.
    pub fn slot(&self) -> String {
        match self {
            Self::Ahead(d) => format!("ahead:{d}"),
            Self::Due(d) => format!("due:{d}"),
            Self::Overdue(d) => format!("overdue:{d}"),
        }
    }

    pub fn is_overdue(&self) -> bool {
        matches!(self, Self::Overdue(_))
    }
}

impl ReminderRule {
    /// The reminder of `today` for an open task due on `due`, if `today` is one of its days.
    /// A reminder missed on its day (nobody ran the engine) is not sent late, except that the
    /// latest overdue one always stands.
    pub fn reminder_on(&self, due: Date, today: Date) -> Option<Reminder> {
        let days = (today - due).whole_days();
        if self.days_before > 0 && days == -self.days_before {
            Some(Reminder::Ahead(today))
        } else if self.on_the_day && days == 0 {
            Some(Reminder::Due(today))
        } else if self.every_days_after > 0 && days > 0 {
            // The last overdue day on or before today: due + k·every.
            let k = days / self.every_days_after;
            (k >= 1).then(|| Reminder::Overdue(due + Duration::days(k * self.every_days_after)))
        } else {
            None
        }
    }
}

/// The deadline of a monthly round: day `day` of the month after `period` (default the 5th).
pub fn round_deadline(period: crate::funds::Period, day: u8) -> Date {
    let (year, month) = if period.month() == 12 {
        (period.year() + 1, 1)
    } else {
        (period.year(), period.month() + 1)
    };
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, day.clamp(1, last))
        .unwrap_or_else(|_| Date::from_calendar_date(year, month, 1).expect("the 1st exists"))
}

/// The month a round is opened for by default on `today`: the month just ended.
pub fn month_just_ended(today: Date) -> crate::funds::Period {
    let this = crate::funds::Period::of_date(today);
    match this.month() {
        1 => crate::funds::Period::new(this.year() - 1, 12),
        m => crate::funds::Period::new(this.year(), m - 1),
    }
    .unwrap_or(this)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funds::Period;
    use time::macros::date;

    /// 2026's Spring Festival as announced: 2026-02-15 … 02-23 off, 02-14 (Saturday) and
    /// 02-28 (Saturday) worked.
    fn spring_festival() -> Calendar {
        Calendar::parse(
            "# 2026 春节\n2026-02-14,班\n2026-02-15,休\n2026-02-16,休\n2026-02-17,休\n\
             2026-02-18,休\n2026-02-19,休\n2026-02-20,休\n2026-02-21,休\n2026-02-22,休\n\
             2026-02-23,休\n2026-02-28,班\n",
        )
        .unwrap()
    }

    #[test]
    fn a_tiaoxiu_saturday_works_and_a_holiday_weekday_rests() {
        let c = spring_festival();
        assert!(c.is_working_day(date!(2026 - 02 - 14)), "调休 Saturday");
        assert!(
            !c.is_working_day(date!(2026 - 02 - 16)),
            "Monday of the festival"
        );
        assert!(
            !c.is_working_day(date!(2026 - 03 - 01)),
            "an ordinary Sunday"
        );
        assert!(
            c.is_working_day(date!(2026 - 03 - 02)),
            "an ordinary Monday"
        );
    }

    #[test]
    fn working_days_skip_the_festival_and_count_the_tiaoxiu_saturday() {
        let c = spring_festival();
        // Friday 02-13 + 1 working day: the 调休 Saturday 02-14.
        assert_eq!(
            DayCount::Working.add(date!(2026 - 02 - 13), 1, &c),
            date!(2026 - 02 - 14)
        );
        // + 2: past nine days off, Tuesday 02-24.
        assert_eq!(
            DayCount::Working.add(date!(2026 - 02 - 13), 2, &c),
            date!(2026 - 02 - 24)
        );
        // Ten working days after a visit on 02-10: 11, 12, 13, 14, 24, 25, 26, 27, 28, 3-02.
        assert_eq!(
            DayCount::Working.add(date!(2026 - 02 - 10), 10, &c),
            date!(2026 - 03 - 02)
        );
        // Weekends alone would give 02-24 for the same ten days: the table matters.
        assert_eq!(
            DayCount::Working.add(date!(2026 - 02 - 10), 10, &Calendar::default()),
            date!(2026 - 02 - 24)
        );
        assert_eq!(
            DayCount::Calendar.add(date!(2026 - 02 - 10), 10, &c),
            date!(2026 - 02 - 20)
        );
        // A start on a day off counts from the next working day.
        assert_eq!(
            DayCount::Working.add(date!(2026 - 02 - 15), 0, &c),
            date!(2026 - 02 - 24)
        );
    }

    #[test]
    fn a_bad_holiday_table_names_every_bad_line() {
        let e = Calendar::parse("2026-10-01,休\n2026-13-01,休\n2026-10-11,上班\n").unwrap_err();
        assert_eq!(e.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 3]);
        assert!(e[1].message.contains("上班"));
    }

    #[test]
    fn lights_turn_yellow_within_the_warning_days_and_red_after_the_day() {
        let due = date!(2026 - 12 - 05);
        assert_eq!(light(due, false, date!(2026 - 12 - 01), 3), Light::Green);
        assert_eq!(light(due, false, date!(2026 - 12 - 02), 3), Light::Yellow);
        assert_eq!(light(due, false, date!(2026 - 12 - 05), 3), Light::Yellow);
        assert_eq!(light(due, false, date!(2026 - 12 - 06), 3), Light::Red);
        assert_eq!(light(due, true, date!(2026 - 12 - 09), 3), Light::Done);
    }

    #[test]
    fn reminders_fall_before_on_and_every_two_days_after() {
        let rule = ReminderRule::default();
        let due = date!(2026 - 12 - 05);
        let on = |d| rule.reminder_on(due, d);
        assert_eq!(on(date!(2026 - 12 - 01)), None);
        assert_eq!(
            on(date!(2026 - 12 - 02)),
            Some(Reminder::Ahead(date!(2026 - 12 - 02)))
        );
        assert_eq!(on(date!(2026 - 12 - 03)), None);
        assert_eq!(
            on(date!(2026 - 12 - 05)),
            Some(Reminder::Due(date!(2026 - 12 - 05)))
        );
        assert_eq!(on(date!(2026 - 12 - 06)), None);
        assert_eq!(
            on(date!(2026 - 12 - 07)),
            Some(Reminder::Overdue(date!(2026 - 12 - 07)))
        );
        // A day in between belongs to the latest overdue slot: sent at most once.
        assert_eq!(
            on(date!(2026 - 12 - 08)),
            Some(Reminder::Overdue(date!(2026 - 12 - 07)))
        );
        assert_eq!(
            on(date!(2026 - 12 - 09)).unwrap().slot(),
            "overdue:2026-12-09"
        );
        assert!(on(date!(2026 - 12 - 09)).unwrap().is_overdue());
    }

    #[test]
    fn a_round_is_for_the_month_just_ended_and_due_on_the_fifth() {
        assert_eq!(
            month_just_ended(date!(2026 - 12 - 06)),
            Period::parse("2026-11").unwrap()
        );
        assert_eq!(
            month_just_ended(date!(2027 - 01 - 03)),
            Period::parse("2026-12").unwrap()
        );
        let nov = Period::parse("2026-11").unwrap();
        assert_eq!(round_deadline(nov, 5), date!(2026 - 12 - 05));
        assert_eq!(
            round_deadline(Period::parse("2026-12").unwrap(), 5),
            date!(2027 - 01 - 05)
        );
        assert_eq!(
            round_deadline(Period::parse("2027-01").unwrap(), 31),
            date!(2027 - 02 - 28)
        );
    }
}
