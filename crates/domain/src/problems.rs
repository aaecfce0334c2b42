//! Problems (问题清单, domain §9, §14): a difficulty a project meets, or one many projects share
//! (共性), registered from a monthly update, a visit or directly; routed by the rule of seed
//! [000]; assigned (交办) with a numbered letter to a responsible unit with a deadline; answered;
//! closed — never without an answer ("事事有回音，件件有落实"). Overdue or poorly handled
//! problems are supervised (督办) with a second numbered letter. Nothing here reads a clock:
//! `today` is always given.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// 问题类别 (seed [000] and the monthly update's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCategory {
    /// 用地
    Land,
    /// 规划
    Planning,
    /// 环评
    Environment,
    /// 融资
    Financing,
    /// 审批
    Approval,
    /// 政策兑现
    Policy,
    /// 要素保障
    Factors,
    /// 其他
    Other,
}

impl ProblemCategory {
    pub const ALL: [ProblemCategory; 8] = [
        Self::Land,
        Self::Planning,
        Self::Environment,
        Self::Financing,
        Self::Approval,
        Self::Policy,
        Self::Factors,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Land => "land",
            Self::Planning => "planning",
            Self::Environment => "environment",
            Self::Financing => "financing",
            Self::Approval => "approval",
            Self::Policy => "policy",
            Self::Factors => "factors",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Land => "用地",
            Self::Planning => "规划",
            Self::Environment => "环评",
            Self::Financing => "融资",
            Self::Approval => "审批",
            Self::Policy => "政策兑现",
            Self::Factors => "要素保障",
            Self::Other => "其他",
        }
    }

    /// Reads the stored code or the Chinese name (as a monthly update writes it).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

/// Where a problem goes (seed [000]): a project's own problem to its locality; one within the
/// bureau's remit answered on the spot; one involving other departments, or common to many
/// projects, to the leading group office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// 属地办理
    Locality,
    /// 当场答复
    OnTheSpot,
    /// 提交领导小组办公室
    LeadingGroup,
}

impl Routing {
    pub const ALL: [Routing; 3] = [Self::Locality, Self::OnTheSpot, Self::LeadingGroup];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Locality => "locality",
            Self::OnTheSpot => "on_the_spot",
            Self::LeadingGroup => "leading_group",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Locality => "属地办理",
            Self::OnTheSpot => "当场答复",
            Self::LeadingGroup => "提交领导小组办公室",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What the one registering a problem says of it, from which its route follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteFacts {
    /// 共性问题: shared by several projects.
    pub common: bool,
    /// Its solution needs departments other than the bureau (自然资源、生态环境、金融…).
    pub other_departments: bool,
    /// The bureau itself can answer it (policy explanations, its own procedures).
    pub within_bureau_remit: bool,
}

/// The routing rule of seed [000] ("属地问题交属地解决，职责范围内的当场答复，涉及其他部门
/// 的或共性问题提交领导小组办公室协调"). Common or cross-department outranks the bureau's
/// remit: a common problem is never closed by one answer on the spot.
pub fn route(facts: RouteFacts) -> Routing {
    if facts.common || facts.other_departments {
        Routing::LeadingGroup
    } else if facts.within_bureau_remit {
        Routing::OnTheSpot
    } else {
        Routing::Locality
    }
}

/// 登记 → 交办 → 办理中 → 已答复 → 办结.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemStatus {
    /// 已登记
    Registered,
    /// 已交办
    Assigned,
    /// 办理中
    InProgress,
    /// 已答复
    Answered,
    /// 已办结
    Closed,
}

impl ProblemStatus {
    pub const ALL: [ProblemStatus; 5] = [
        Self::Registered,
        Self::Assigned,
        Self::InProgress,
        Self::Answered,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Registered => "已登记",
            Self::Assigned => "已交办",
            Self::InProgress => "办理中",
            Self::Answered => "已答复",
            Self::Closed => "已办结",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Assigned and not yet answered: the deadline runs.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Assigned | Self::InProgress)
    }
}

/// What may happen to a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemAction {
    /// 交办 (with a 交办函)
    Assign,
    /// 签收: the unit starts on it
    Accept,
    /// 答复 (by the unit, or on the spot by the bureau)
    Answer,
    /// 退办: the answer is sent back with a reason
    SendBack,
    /// 办结
    Close,
    /// 延期申请
    RequestExtension,
    /// 延期审批 (approved or refused)
    DecideExtension,
    /// 督办 (with a 督办函)
    Supervise,
}

/// What a transition needs to know beyond the status.
#[derive(Debug, Clone, Copy)]
pub struct ProblemState<'a> {
    pub status: ProblemStatus,
    pub routing: Routing,
    pub due_on: Option<Date>,
    /// The answer on record, if any.
    pub answer: Option<&'a str>,
    /// An extension request awaiting a decision.
    pub extension_pending: bool,
    /// Times the answer was sent back (退办).
    pub returned: i64,
}

impl ProblemState<'_> {
    /// Overdue: pending past its deadline.
    pub fn overdue(&self, today: Date) -> bool {
        self.status.is_pending() && self.due_on.is_some_and(|d| d < today)
    }

    fn has_answer(&self) -> bool {
        self.answer.is_some_and(|a| !a.trim().is_empty())
    }
}

/// The status after `action`, or why it may not happen. The closure rule lives here: nothing is
/// closed without an answer on record, whatever the path.
pub fn transition(
    state: &ProblemState<'_>,
    action: ProblemAction,
    today: Date,
) -> Result<ProblemStatus, String> {
    use ProblemAction as A;
    use ProblemStatus as S;
    let s = state.status;
    if s == S::Closed {
        return Err("该问题已办结".into());
    }
    match action {
        A::Assign => match (s, state.routing) {
            (S::Registered, Routing::OnTheSpot) => {
                Err("该问题属本部门职责范围，应当场答复，无需交办".into())
            }
            (S::Registered, _) => Ok(S::Assigned),
            _ => Err(format!("问题{}，不能再次交办", s.label())),
        },
        A::Accept => match s {
            S::Assigned => Ok(S::InProgress),
            _ => Err(format!("问题{}，无需签收", s.label())),
        },
        A::Answer => match (s, state.routing) {
            (S::Assigned | S::InProgress, _) => Ok(S::Answered),
            (S::Registered, Routing::OnTheSpot) => Ok(S::Answered),
            (S::Registered, _) => Err("问题尚未交办，请先交办".into()),
            _ => Err("问题已答复，如答复不满意请退办".into()),
        },
        A::SendBack => match s {
            S::Answered => Ok(S::InProgress),
            _ => Err("只能退办已答复的问题".into()),
        },
        A::Close => {
            if s != S::Answered || !state.has_answer() {
                return Err("问题尚无答复，不能办结（事事有回音）".into());
            }
            Ok(S::Closed)
        }
        A::RequestExtension => {
            if !s.is_pending() {
                return Err("只有已交办、办理中的问题可以申请延期".into());
            }
            if state.extension_pending {
                return Err("已有延期申请待审批".into());
            }
            Ok(s)
        }
        A::DecideExtension => {
            if !state.extension_pending {
                return Err("没有待审批的延期申请".into());
            }
            Ok(s)
        }
        A::Supervise => {
            if !s.is_pending() {
                return Err("只能督办已交办、办理中的问题".into());
            }
            if !state.overdue(today) && state.returned == 0 {
                return Err("问题未逾期且未被退办，暂不需督办".into());
            }
            Ok(s)
        }
    }
}

/// The longest a deadline may be set: 180 days from today (default). Anything longer is a
/// plan, not a 交办 item.
pub const MAX_DEADLINE_DAYS: i64 = 180;

/// A deadline given when assigning, extending or supervising: from today on, at most
/// [`MAX_DEADLINE_DAYS`] ahead.
pub fn check_deadline(due_on: Date, today: Date) -> Result<(), String> {
    if due_on < today {
        return Err("办理时限不能早于今天".into());
    }
    if due_on > today + Duration::days(MAX_DEADLINE_DAYS) {
        return Err(format!("办理时限不能超过{MAX_DEADLINE_DAYS}天"));
    }
    Ok(())
}

/// An extension moves the deadline later, never earlier.
pub fn check_extension(current: Date, requested: Date, today: Date) -> Result<(), String> {
    if requested <= current {
        return Err(format!("延期后的时限应晚于原时限（{current}）"));
    }
    check_deadline(requested, today)
}

/// Whether an answer came in time: on or before the deadline in force when it was given.
pub fn answered_on_time(due_on: Date, answered_on: Date) -> bool {
    answered_on <= due_on
}

/// A letter's number in the official form: `南县商交〔2026〕3号` for the third 交办函 of 南县's
/// bureau in 2026, `南县商督〔2026〕1号` for its first 督办函.
pub fn letter_number(issuer: &str, supervise: bool, year: i32, seq: i64) -> String {
    let kind = if supervise { "督" } else { "交" };
    format!("{issuer}商{kind}〔{year}〕{seq}号")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn state(status: ProblemStatus) -> ProblemState<'static> {
        ProblemState {
            status,
            routing: Routing::Locality,
            due_on: Some(date!(2026 - 12 - 10)),
            answer: None,
            extension_pending: false,
            returned: 0,
        }
    }

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn categories_read_code_or_chinese_name() {
        assert_eq!(ProblemCategory::parse("用地"), Some(ProblemCategory::Land));
        assert_eq!(
            ProblemCategory::parse(" policy "),
            Some(ProblemCategory::Policy)
        );
        assert_eq!(ProblemCategory::parse("税收"), None);
        for c in ProblemCategory::ALL {
            assert_eq!(ProblemCategory::parse(c.label()), Some(c));
        }
    }

    #[test]
    fn routing_follows_the_seed_rule() {
        let own = RouteFacts::default();
        assert_eq!(route(own), Routing::Locality);
        let remit = RouteFacts {
            within_bureau_remit: true,
            ..own
        };
        assert_eq!(route(remit), Routing::OnTheSpot);
        let departments = RouteFacts {
            other_departments: true,
            ..own
        };
        assert_eq!(route(departments), Routing::LeadingGroup);
        // Common outranks the bureau's remit: never closed by one answer on the spot.
        let common = RouteFacts {
            common: true,
            within_bureau_remit: true,
            ..own
        };
        assert_eq!(route(common), Routing::LeadingGroup);
        let both = RouteFacts {
            other_departments: true,
            within_bureau_remit: true,
            ..own
        };
        assert_eq!(route(both), Routing::LeadingGroup);
    }

    #[test]
    fn the_main_path_runs_from_registration_to_closure() {
        use ProblemAction as A;
        use ProblemStatus as S;
        let mut s = state(S::Registered);
        s.status = transition(&s, A::Assign, TODAY).unwrap();
        assert_eq!(s.status, S::Assigned);
        s.status = transition(&s, A::Accept, TODAY).unwrap();
        assert_eq!(s.status, S::InProgress);
        s.status = transition(&s, A::Answer, TODAY).unwrap();
        assert_eq!(s.status, S::Answered);
        s.answer = Some("已协调自然资源局于12月底前完成供地");
        s.status = transition(&s, A::Close, TODAY).unwrap();
        assert_eq!(s.status, S::Closed);
        for a in [A::Assign, A::Answer, A::Close, A::SendBack, A::Supervise] {
            assert!(transition(&s, a, TODAY).unwrap_err().contains("已办结"));
        }
    }

    #[test]
    fn nothing_is_closed_without_an_answer_on_any_path() {
        use ProblemAction as A;
        use ProblemStatus as S;
        for status in [S::Registered, S::Assigned, S::InProgress] {
            for routing in Routing::ALL {
                let s = ProblemState {
                    routing,
                    ..state(status)
                };
                assert!(transition(&s, A::Close, TODAY)
                    .unwrap_err()
                    .contains("事事有回音"));
            }
        }
        // Answered in status but with an empty answer on record (e.g. data from elsewhere).
        let mut s = state(S::Answered);
        s.answer = Some("   ");
        assert!(transition(&s, A::Close, TODAY).is_err());
        s.answer = None;
        assert!(transition(&s, A::Close, TODAY).is_err());
    }

    #[test]
    fn on_the_spot_problems_are_answered_not_assigned() {
        use ProblemAction as A;
        use ProblemStatus as S;
        let s = ProblemState {
            routing: Routing::OnTheSpot,
            ..state(S::Registered)
        };
        assert!(transition(&s, A::Assign, TODAY)
            .unwrap_err()
            .contains("当场答复"));
        assert_eq!(transition(&s, A::Answer, TODAY), Ok(S::Answered));
        // Others must be assigned before anyone answers them.
        assert!(transition(&state(S::Registered), A::Answer, TODAY)
            .unwrap_err()
            .contains("先交办"));
    }

    #[test]
    fn a_sent_back_answer_reopens_the_problem() {
        use ProblemAction as A;
        use ProblemStatus as S;
        let mut s = state(S::Answered);
        s.answer = Some("正在研究");
        assert_eq!(transition(&s, A::SendBack, TODAY), Ok(S::InProgress));
        assert!(transition(&state(S::InProgress), A::SendBack, TODAY).is_err());
    }

    #[test]
    fn extensions_are_asked_while_pending_once_at_a_time() {
        use ProblemAction as A;
        use ProblemStatus as S;
        let mut s = state(S::InProgress);
        assert_eq!(
            transition(&s, A::RequestExtension, TODAY),
            Ok(S::InProgress)
        );
        assert!(transition(&s, A::DecideExtension, TODAY).is_err());
        s.extension_pending = true;
        assert!(transition(&s, A::RequestExtension, TODAY)
            .unwrap_err()
            .contains("待审批"));
        assert_eq!(transition(&s, A::DecideExtension, TODAY), Ok(S::InProgress));
        assert!(transition(&state(S::Registered), A::RequestExtension, TODAY).is_err());
        assert!(transition(&state(S::Answered), A::RequestExtension, TODAY).is_err());

        let due = date!(2026 - 12 - 10);
        assert!(check_extension(due, date!(2026 - 12 - 20), TODAY).is_ok());
        assert!(check_extension(due, due, TODAY)
            .unwrap_err()
            .contains("晚于原时限"));
        assert!(check_extension(due, TODAY + Duration::days(181), TODAY).is_err());
    }

    #[test]
    fn supervision_needs_an_overdue_or_returned_problem() {
        use ProblemAction as A;
        use ProblemStatus as S;
        let s = state(S::InProgress);
        // Due 12-10: on the day itself it is not overdue, the day after it is.
        assert!(transition(&s, A::Supervise, date!(2026 - 12 - 10))
            .unwrap_err()
            .contains("未逾期"));
        assert_eq!(
            transition(&s, A::Supervise, date!(2026 - 12 - 11)),
            Ok(S::InProgress)
        );
        let returned = ProblemState {
            returned: 1,
            ..state(S::Assigned)
        };
        assert_eq!(transition(&returned, A::Supervise, TODAY), Ok(S::Assigned));
        // An answered problem awaits closure or 退办, not 督办.
        let answered = ProblemState {
            due_on: Some(date!(2026 - 12 - 01)),
            ..state(S::Answered)
        };
        assert!(transition(&answered, A::Supervise, TODAY).is_err());
        assert!(!answered.overdue(TODAY));
    }

    #[test]
    fn deadlines_and_timeliness() {
        assert!(check_deadline(TODAY, TODAY).is_ok());
        assert!(check_deadline(date!(2026 - 12 - 06), TODAY)
            .unwrap_err()
            .contains("不能早于今天"));
        assert!(check_deadline(TODAY + Duration::days(180), TODAY).is_ok());
        assert!(check_deadline(TODAY + Duration::days(181), TODAY).is_err());
        let due = date!(2026 - 12 - 10);
        assert!(answered_on_time(due, due));
        assert!(!answered_on_time(due, date!(2026 - 12 - 11)));
    }

    #[test]
    fn letters_are_numbered_in_the_official_form() {
        assert_eq!(letter_number("南县", false, 2026, 3), "南县商交〔2026〕3号");
        assert_eq!(
            letter_number("益阳市", true, 2026, 1),
            "益阳市商督〔2026〕1号"
        );
    }
}
