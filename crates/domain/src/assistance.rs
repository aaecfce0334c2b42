//! The assistance list (帮办清单, domain §9 [003]): per project, the procedures a bureau helps
//! the investor through — 注册, 立项, 土地预审, 规划许可, 施工许可, … — each with a responsible
//! unit, person and time limit, tracked on the deadline engine; the overdue ones are reported.
//! Nothing here reads a clock: `today` is always given.

use serde::{Deserialize, Serialize};
use time::Date;

/// The procedures an assistance list names, in the order a project usually meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssistanceStep {
    /// 企业注册
    Registration,
    /// 项目立项（备案、核准）
    Approval,
    /// 用地预审与选址
    LandPreReview,
    /// 环境影响评价
    Environment,
    /// 节能审查
    Energy,
    /// 建设用地规划许可、建设工程规划许可
    PlanningPermit,
    /// 施工许可
    ConstructionPermit,
    /// 消防设计审查、验收
    FireSafety,
    /// 水电气等要素接入
    Utilities,
    /// 其他
    Other,
}

impl AssistanceStep {
    pub const ALL: [AssistanceStep; 10] = [
        AssistanceStep::Registration,
        AssistanceStep::Approval,
        AssistanceStep::LandPreReview,
        AssistanceStep::Environment,
        AssistanceStep::Energy,
        AssistanceStep::PlanningPermit,
        AssistanceStep::ConstructionPermit,
        AssistanceStep::FireSafety,
        AssistanceStep::Utilities,
        AssistanceStep::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::Approval => "approval",
            Self::LandPreReview => "land_pre_review",
            Self::Environment => "environment",
            Self::Energy => "energy",
            Self::PlanningPermit => "planning_permit",
            Self::ConstructionPermit => "construction_permit",
            Self::FireSafety => "fire_safety",
            Self::Utilities => "utilities",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Registration => "企业注册",
            Self::Approval => "项目立项",
            Self::LandPreReview => "土地预审",
            Self::Environment => "环境影响评价",
            Self::Energy => "节能审查",
            Self::PlanningPermit => "规划许可",
            Self::ConstructionPermit => "施工许可",
            Self::FireSafety => "消防审验",
            Self::Utilities => "水电气接入",
            Self::Other => "其他事项",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }
}

/// The longest time limit an item may be given, in days after it is listed: a procedure that
/// needs longer is a plan, not an assistance item.
pub const MAX_LIMIT_DAYS: i64 = 366;

/// Why a time limit is refused, in Chinese; `None` when it is acceptable. An item may be due
/// today (listed for a procedure that must be done at once) but not before.
pub fn check_due(due_on: Date, today: Date) -> Option<String> {
    if due_on < today {
        Some("办理时限不能早于今天".into())
    } else if (due_on - today).whole_days() > MAX_LIMIT_DAYS {
        Some(format!("办理时限不能超过{MAX_LIMIT_DAYS}天"))
    } else {
        None
    }
}

/// Whether an open item is overdue on `today`: its day has passed.
pub fn overdue(due_on: Date, done: bool, today: Date) -> bool {
    !done && due_on < today
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn steps_read_codes_and_names() {
        for s in AssistanceStep::ALL {
            assert_eq!(AssistanceStep::parse(s.as_str()), Some(s));
            assert_eq!(AssistanceStep::parse(s.label()), Some(s));
        }
        assert_eq!(AssistanceStep::parse("办证"), None);
    }

    #[test]
    fn a_time_limit_lies_between_today_and_a_year_ahead() {
        let today = date!(2026 - 03 - 10);
        assert_eq!(check_due(today, today), None);
        assert!(check_due(date!(2026 - 03 - 09), today).is_some());
        assert_eq!(check_due(date!(2027 - 03 - 11), today), None);
        assert!(check_due(date!(2027 - 03 - 12), today).is_some());
    }

    #[test]
    fn an_item_is_overdue_the_day_after_its_limit_unless_done() {
        let due = date!(2026 - 03 - 10);
        assert!(!overdue(due, false, due));
        assert!(overdue(due, false, date!(2026 - 03 - 11)));
        assert!(!overdue(due, true, date!(2026 - 03 - 11)));
    }
}
