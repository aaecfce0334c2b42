//! The project ledger's rules (domain §3): stages, the "四即" chain, duplicate detection keys.

use serde::{Deserialize, Serialize};

/// Default stages of a project; the dictionary is editable, these are the codes the rules use.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Lead,
    Intent,
    Negotiating,
    Signed,
    LandSupplied,
    Started,
    Completed,
    Producing,
    Terminated,
    Defaulted,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Lead,
        Stage::Intent,
        Stage::Negotiating,
        Stage::Signed,
        Stage::LandSupplied,
        Stage::Started,
        Stage::Completed,
        Stage::Producing,
        Stage::Terminated,
        Stage::Defaulted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Intent => "intent",
            Self::Negotiating => "negotiating",
            Self::Signed => "signed",
            Self::LandSupplied => "land_supplied",
            Self::Started => "started",
            Self::Completed => "completed",
            Self::Producing => "producing",
            Self::Terminated => "terminated",
            Self::Defaulted => "defaulted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Lead => "线索",
            Self::Intent => "意向",
            Self::Negotiating => "在谈",
            Self::Signed => "已签约",
            Self::LandSupplied => "已供地",
            Self::Started => "已开工",
            Self::Completed => "已竣工",
            Self::Producing => "已投产",
            Self::Terminated => "终止",
            // 未履约 is the grade of a project without confirmed money (rates.rs); the stage
            // of a project that broke its contract has a name of its own.
            Self::Defaulted => "违约终止",
        }
    }

    /// Accepts the code or the Chinese label (and 未履约, the stage's name in older sheets).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s == "未履约" {
            return Some(Self::Defaulted);
        }
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s || x.label() == s)
    }

    /// Whether the project has been signed (counts in the 三率 denominators).
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            Self::Signed
                | Self::LandSupplied
                | Self::Started
                | Self::Completed
                | Self::Producing
                | Self::Defaulted
        )
    }

    /// Side exits end the main line.
    pub fn is_exit(self) -> bool {
        matches!(self, Self::Terminated | Self::Defaulted)
    }

    /// Position on the main line (线索 0 … 已投产 7); side exits have none.
    fn rank(self) -> Option<usize> {
        Self::ALL[..8].iter().position(|s| *s == self)
    }
}

/// The milestone dates of the "四即" chain, in order, with the stage each one marks.
pub const MILESTONES: [(&str, &str, Stage); 6] = [
    ("signed_on", "签约日期", Stage::Signed),
    ("land_supplied_on", "供地日期", Stage::LandSupplied),
    // 交地即交证: the certificate comes with the land.
    ("certificate_on", "交证日期", Stage::LandSupplied),
    ("started_on", "开工日期", Stage::Started),
    ("completed_on", "竣工日期", Stage::Completed),
    ("producing_on", "投产日期", Stage::Producing),
];

/// Where a project's stage and its milestone dates disagree, as (field, message): a date of
/// a step the stage has not reached, or a missing date of the step the stage says was
/// reached (and the 开工 date from 已开工 on, which the 开工率 counts). `dates` follow
/// [`MILESTONES`]. Side exits (终止, 未履约) may carry any dates: a project may have
/// started before it defaulted.
pub fn milestone_conflicts(stage: Stage, dates: &[Option<&str>; 6]) -> Vec<(&'static str, String)> {
    let rank = stage.rank();
    let mut out = Vec::new();
    for ((field, label, marks), date) in MILESTONES.iter().zip(dates) {
        let reached = match rank {
            Some(rank) => marks.rank().is_some_and(|r| r <= rank),
            None => true,
        };
        if date.is_some() && !reached {
            out.push((
                *field,
                format!(
                    "项目阶段为“{}”，还不应有{label}；达到该阶段时请用“变更阶段”登记",
                    stage.label()
                ),
            ));
        }
        let required = (*field == "signed_on" && stage.is_signed())
            || (rank.is_some()
                && ((*marks == stage && *field != "certificate_on")
                    || (*field == "started_on" && reached)));
        if date.is_none() && required {
            out.push((
                *field,
                format!("项目阶段为“{}”，须填写{label}", stage.label()),
            ));
        }
    }
    out
}

/// What a signed project without an investor credit code is told (issue 19).
pub const CREDIT_CODE_REQUIRED: &str = "已签约项目须填写统一社会信用代码，或说明未填写的原因";

/// A project signed or further along names its investor: either its 统一社会信用代码 or a
/// sentence saying why there is none (境外投资者无统一社会信用代码, 投资主体尚未注册), judged as
/// every reason is ([`crate::reason::says_something`] with the rule settings' `min_chars`).
/// Without one, re-entering a project under a blank code is how a county pads its figures
/// past duplicate detection. Leads, intents and negotiations need neither; nor do 终止
/// projects, which may have ended before signing. Answers the field and message of the
/// problem, if any: the code's field when neither is given, the reason's when it says nothing.
pub fn credit_code_problem(
    stage: Stage,
    has_code: bool,
    missing_reason: Option<&str>,
    min_chars: i64,
) -> Option<(&'static str, String)> {
    if !stage.is_signed() || has_code {
        return None;
    }
    match missing_reason.map(str::trim).filter(|r| !r.is_empty()) {
        None => Some(("investor_credit_code", CREDIT_CODE_REQUIRED.to_owned())),
        Some(reason) if !crate::reason::says_something(reason, min_chars) => Some((
            "credit_code_missing_reason",
            format!(
                "未填写统一社会信用代码的原因须用一句话说明（至少{min_chars}个汉字或字母，如“境外投资者无统一社会信用代码”）"
            ),
        )),
        Some(_) => None,
    }
}

/// Each step of the chain comes on or after the one before it, as (field, message) for a
/// date earlier than the nearest filled-in one before it. `dates` follow [`MILESTONES`].
pub fn milestone_order_errors(dates: &[Option<&str>; 6]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for i in 1..6 {
        let Some(later) = dates[i] else { continue };
        if let Some(j) = (0..i).rev().find(|&j| dates[j].is_some()) {
            if Some(later) < dates[j] {
                out.push((
                    MILESTONES[i].0,
                    format!("{}不能早于{}", MILESTONES[i].1, MILESTONES[j].1),
                ));
            }
        }
    }
    out
}

/// The milestone dates after a stage change to `stage` on `date`: the stage's own date is
/// set, and on a step back along the main line (a correction) the dates of the steps no
/// longer reached are cleared. Returns the new dates and the labels of those cleared.
pub fn dates_after_stage_change(
    stage: Stage,
    date: &str,
    dates: &[Option<String>; 6],
) -> ([Option<String>; 6], Vec<&'static str>) {
    let mut out = dates.clone();
    let mut cleared = Vec::new();
    for (i, (field, label, marks)) in MILESTONES.iter().enumerate() {
        if *marks == stage && *field != "certificate_on" {
            out[i] = Some(date.to_owned());
        } else if let (Some(rank), Some(marks_rank)) = (stage.rank(), marks.rank()) {
            if marks_rank > rank && out[i].take().is_some() {
                cleared.push(*label);
            }
        }
    }
    (out, cleared)
}

/// Normalises a project or company name for duplicate detection: the same project entered
/// as "湖南某某科技有限公司年产10万吨项目（一期）" and "某某科技年产10万吨" should meet.
pub fn name_key(name: &str) -> String {
    const NOISE: [&str; 14] = [
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "集团",
        "股份",
        "公司",
        "建设项目",
        "项目",
        "工程",
        "一期",
        "二期",
        "三期",
        "湖南省",
        "湖南",
    ];
    let mut s: String = name
        .chars()
        .map(|c| match c {
            // full-width ASCII → half-width
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_lowercase();
    // drop bracketed remarks: (一期) 【】 《》 etc.
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' | '【' | '《' | '〔' => depth += 1,
            ')' | ']' | '】' | '》' | '〕' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    s = out;
    for noise in NOISE {
        if s.contains(noise) {
            s = s.replace(noise, "");
        }
    }
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Days between two steps of the "四即" chain (签约即供地、交地即交证、拿证即开工、竣工即投产).
pub fn days_between(from: time::Date, to: time::Date) -> i64 {
    (to - from).whole_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(set: &[usize]) -> [Option<&'static str>; 6] {
        let mut d = [None; 6];
        for &i in set {
            d[i] = Some("2025-03-01");
        }
        d
    }

    #[test]
    fn a_signed_project_gives_its_credit_code_or_a_reason() {
        let reason = Some("境外投资者无统一社会信用代码");
        for stage in Stage::ALL {
            let signed = !matches!(
                stage,
                Stage::Lead | Stage::Intent | Stage::Negotiating | Stage::Terminated
            );
            assert_eq!(stage.is_signed(), signed, "{stage:?}");
            assert_eq!(credit_code_problem(stage, true, None, 8), None, "{stage:?}");
            assert_eq!(
                credit_code_problem(stage, false, reason, 8),
                None,
                "{stage:?}"
            );
            let blank = credit_code_problem(stage, false, None, 8);
            let spaces = credit_code_problem(stage, false, Some("  "), 8);
            let one = credit_code_problem(stage, false, Some("无"), 8);
            if signed {
                let required = Some(("investor_credit_code", CREDIT_CODE_REQUIRED.to_owned()));
                assert_eq!(blank, required, "{stage:?}");
                assert_eq!(spaces, required, "{stage:?}");
                let (field, message) = one.expect("one character is not a reason");
                assert_eq!(field, "credit_code_missing_reason");
                assert!(message.contains("至少8个"), "{message}");
            } else {
                assert_eq!((blank, spaces, one), (None, None, None), "{stage:?}");
            }
        }
        // Judged as an override reason is: the setting's minimum, no repeated character.
        let short = Some("投资主体未注册");
        assert!(credit_code_problem(Stage::Signed, false, short, 8).is_some());
        assert!(credit_code_problem(Stage::Signed, false, short, 7).is_none());
        let repeated = Some("无无无无无无无无无无");
        assert!(credit_code_problem(Stage::Producing, false, repeated, 8).is_some());
        assert!(credit_code_problem(Stage::Signed, false, Some("投资主体尚未注册"), 8).is_none());
    }

    #[test]
    fn a_stage_and_its_dates_agree() {
        assert!(milestone_conflicts(Stage::Signed, &dates(&[0])).is_empty());
        assert!(milestone_conflicts(Stage::Started, &dates(&[0, 1, 2, 3])).is_empty());
        assert!(milestone_conflicts(Stage::Producing, &dates(&[0, 3, 4, 5])).is_empty());
        assert!(milestone_conflicts(Stage::Negotiating, &dates(&[])).is_empty());
    }

    #[test]
    fn a_date_beyond_the_stage_is_refused() {
        let c = milestone_conflicts(Stage::Signed, &dates(&[0, 3]));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, "started_on");
        assert!(
            c[0].1.contains("已签约") && c[0].1.contains("开工日期"),
            "{c:?}"
        );
        let c = milestone_conflicts(Stage::Intent, &dates(&[0]));
        assert_eq!(c[0].0, "signed_on");
    }

    #[test]
    fn the_stage_s_own_date_and_the_start_date_are_required() {
        let c = milestone_conflicts(Stage::Started, &dates(&[0]));
        assert_eq!(
            c,
            vec![(
                "started_on",
                "项目阶段为“已开工”，须填写开工日期".to_owned()
            )]
        );
        // 已投产 without 开工 would not count in the 开工率.
        let fields: Vec<_> = milestone_conflicts(Stage::Producing, &dates(&[0, 5]))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["started_on"]);
        let fields: Vec<_> = milestone_conflicts(Stage::Signed, &dates(&[]))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["signed_on"]);
    }

    #[test]
    fn dates_keep_the_chain_s_order() {
        let d = [
            Some("2025-03-01"),
            None,
            None,
            Some("2025-02-01"),
            None,
            None,
        ];
        assert_eq!(
            milestone_order_errors(&d),
            vec![("started_on", "开工日期不能早于签约日期".to_owned())]
        );
        let same_day = [
            Some("2025-03-01"),
            Some("2025-03-01"),
            None,
            None,
            None,
            None,
        ];
        assert!(milestone_order_errors(&same_day).is_empty());
    }

    #[test]
    fn a_stage_change_sets_its_date_and_a_step_back_clears_later_ones() {
        let d = |v: &[Option<&str>; 6]| v.map(|x| x.map(str::to_owned));
        let started = d(&[
            Some("2025-01-01"),
            Some("2025-02-01"),
            Some("2025-02-05"),
            Some("2025-03-01"),
            None,
            None,
        ]);
        let (after, cleared) = dates_after_stage_change(Stage::Completed, "2025-09-01", &started);
        assert_eq!(after[4].as_deref(), Some("2025-09-01"));
        assert!(cleared.is_empty());
        // Back from 已开工 to 已签约 (entered by mistake): 供地, 交证 and 开工 go.
        let (after, cleared) = dates_after_stage_change(Stage::Signed, "2025-01-01", &started);
        assert_eq!(
            after,
            d(&[Some("2025-01-01"), None, None, None, None, None])
        );
        assert_eq!(cleared, ["供地日期", "交证日期", "开工日期"]);
        // A side exit keeps every date.
        let (after, cleared) = dates_after_stage_change(Stage::Defaulted, "2025-10-01", &started);
        assert_eq!(after, started);
        assert!(cleared.is_empty());
    }

    #[test]
    fn side_exits_may_carry_any_dates() {
        assert!(milestone_conflicts(Stage::Defaulted, &dates(&[0, 3])).is_empty());
        assert!(milestone_conflicts(Stage::Terminated, &dates(&[])).is_empty());
        // …but a project that was signed keeps its signing date.
        let fields: Vec<_> = milestone_conflicts(Stage::Defaulted, &dates(&[]))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["signed_on"]);
    }

    #[test]
    fn stages_parse_from_code_or_label() {
        assert_eq!(Stage::parse("已开工"), Some(Stage::Started));
        assert_eq!(Stage::parse("land_supplied"), Some(Stage::LandSupplied));
        assert_eq!(Stage::parse("开工"), None);
        assert!(Stage::Producing.is_signed() && !Stage::Negotiating.is_signed());
        assert!(
            !Stage::Terminated.is_signed(),
            "a terminated project left the signed count"
        );
    }

    #[test]
    fn name_keys_strip_company_forms_and_brackets() {
        assert_eq!(
            name_key("湖南某某科技有限公司年产10万吨项目（一期）"),
            name_key("某某科技年产１０万吨")
        );
        assert_eq!(name_key("中联重科（益阳）产业园项目"), "中联重科产业园");
    }

    #[test]
    fn four_immediate_chain_days() {
        use time::macros::date;
        assert_eq!(
            days_between(date!(2026 - 01 - 10), date!(2026 - 03 - 01)),
            50
        );
    }
}

/// A reviewer's verdict on a look-alike pair (重复核查).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateVerdict {
    /// 确认重复
    Duplicate,
    /// 不是重复 (a reason is required)
    NotDuplicate,
}

impl DuplicateVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::NotDuplicate => "not_duplicate",
        }
    }
}
