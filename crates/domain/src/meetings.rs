//! Meetings (调度会 / 联席会议, domain §8): a bureau records a meeting and its decisions; each
//! decision is assigned to a unit or a subordinate bureau with a deadline, and becomes a task
//! on the deadline engine. Nothing here reads a clock: `today` is always given.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// The kinds of meeting the source documents name: the monthly 调度会 chaired by the deputy
/// in charge [003], the quarterly 联席会议 of the departments [001][004], a 专题调度会 on one
/// grave problem [004], and the 会商 of the departments concerned with one project [001].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// 项目调度会
    Dispatch,
    /// 联席会议
    Joint,
    /// 专题调度会
    Special,
    /// 部门会商
    Consultation,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 4] = [
        MeetingKind::Dispatch,
        MeetingKind::Joint,
        MeetingKind::Special,
        MeetingKind::Consultation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dispatch => "dispatch",
            Self::Joint => "joint",
            Self::Special => "special",
            Self::Consultation => "consultation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Dispatch => "项目调度会",
            Self::Joint => "联席会议",
            Self::Special => "专题调度会",
            Self::Consultation => "部门会商",
        }
    }

    /// Reads the stored code or the Chinese name.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }
}

/// The longest a decision may be given: a year after the meeting. Anything longer is a
/// plan, not a 交办 item.
pub const MAX_DECISION_DAYS: i64 = 366;

/// A meeting is recorded after it is held, and not years later.
pub fn check_held_on(held_on: Date, today: Date) -> Result<(), String> {
    if held_on > today {
        return Err("会议日期不能晚于今天：会议召开后再录入纪要".into());
    }
    if held_on < today - Duration::days(MAX_DECISION_DAYS) {
        return Err("只能录入一年以内召开的会议".into());
    }
    Ok(())
}

/// A decision's deadline: not before the meeting, not in the past when it is given (a task
/// already overdue the day it is created helps no one), at most a year after the meeting.
pub fn check_decision_due(held_on: Date, due_on: Date, today: Date) -> Result<(), String> {
    if due_on < held_on {
        return Err(format!("办理时限不能早于会议日期（{held_on}）"));
    }
    if due_on < today {
        return Err("办理时限不能早于今天".into());
    }
    if due_on > held_on + Duration::days(MAX_DECISION_DAYS) {
        return Err("办理时限不能超过会议日期后一年".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn kinds_read_code_or_chinese_name() {
        assert_eq!(MeetingKind::parse("joint"), Some(MeetingKind::Joint));
        assert_eq!(
            MeetingKind::parse(" 项目调度会 "),
            Some(MeetingKind::Dispatch)
        );
        assert_eq!(MeetingKind::parse("座谈会"), None);
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.label()), Some(k));
        }
    }

    #[test]
    fn meetings_are_recorded_after_they_are_held_and_within_a_year() {
        let today = date!(2026 - 12 - 06);
        assert!(check_held_on(today, today).is_ok());
        assert!(check_held_on(date!(2026 - 12 - 07), today)
            .unwrap_err()
            .contains("不能晚于今天"));
        assert!(check_held_on(date!(2025 - 12 - 05), today).is_ok());
        assert!(check_held_on(date!(2025 - 12 - 04), today).is_err());
    }

    #[test]
    fn a_decision_is_due_after_the_meeting_not_in_the_past_and_within_a_year() {
        let held = date!(2026 - 11 - 20);
        let today = date!(2026 - 12 - 06);
        assert!(check_decision_due(held, date!(2026 - 12 - 06), today).is_ok());
        assert!(check_decision_due(held, date!(2026 - 11 - 19), today)
            .unwrap_err()
            .contains("不能早于会议日期"));
        // Between the meeting and today: already overdue on the day it is given.
        assert!(check_decision_due(held, date!(2026 - 12 - 01), today)
            .unwrap_err()
            .contains("不能早于今天"));
        assert!(check_decision_due(held, date!(2027 - 11 - 21), today).is_ok());
        assert!(check_decision_due(held, date!(2027 - 11 - 22), today)
            .unwrap_err()
            .contains("一年"));
    }
}
