//! Campaigns (专项行动, domain §6): a named action over the projects its rule selects, with
//! goals, its own classification thresholds and dated phases. E.g. Hunan's 2020
//! "签约项目资金到位倍增行动" [000]: province-level projects signed at the 2018–2019 events plus
//! the 三类500强 projects newly brought in those years; 资金到位率 ≥ 20% of contract; phases
//! 梳理摸底 (5/25–5/29), 分片督导 (June), 集中督导 (mid/late September), 回头看 (mid-November to
//! December). Nothing here reads a clock: `today` is always given.

use crate::rates::{Rate, Thresholds};
use crate::region::RegionLevel;
use crate::targets::from_basis_points;
use crate::tiers::Origin;
use serde::{Deserialize, Serialize};
use time::Date;

/// Years a rule may name: those the ledger's dates may hold.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// One way a project enters a campaign: every condition given must hold (an empty list or
/// `None` leaves that condition out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CampaignSelection {
    /// Signed at an event of one of these levels (省级 / 市州 / 县市区).
    #[serde(default)]
    pub event_levels: Vec<RegionLevel>,
    /// Signed at an event held in these years (first, last), inclusive.
    #[schema(value_type = Option<Vec<i32>>, min_items = 2, max_items = 2)]
    pub event_years: Option<(i32, i32)>,
    /// Signed in these years (first, last), inclusive.
    #[schema(value_type = Option<Vec<i32>>, min_items = 2, max_items = 2)]
    pub signed_years: Option<(i32, i32)>,
    /// The investor is one of the 三类500强 (世界500强, 中国企业500强 or 中国民营企业500强).
    #[serde(default)]
    pub fortune500: bool,
    /// Contract amount (人民币) at least this many 分.
    pub min_contract_fen: Option<i64>,
    /// Money from one of these origins.
    #[serde(default)]
    pub origins: Vec<Origin>,
}

impl CampaignSelection {
    /// Whether the clause asks for a signing event at all.
    pub fn needs_event(&self) -> bool {
        !self.event_levels.is_empty() || self.event_years.is_some()
    }

    fn is_empty(&self) -> bool {
        !self.needs_event()
            && self.signed_years.is_none()
            && !self.fortune500
            && self.min_contract_fen.is_none()
            && self.origins.is_empty()
    }

    fn selects(&self, p: &ProjectFacts) -> bool {
        let within = |range: Option<(i32, i32)>, year: Option<i32>| match range {
            None => true,
            Some((first, last)) => year.is_some_and(|y| (first..=last).contains(&y)),
        };
        let event_ok = !self.needs_event()
            || p.event.is_some_and(|(level, year)| {
                (self.event_levels.is_empty() || self.event_levels.contains(&level))
                    && within(self.event_years, Some(year))
            });
        event_ok
            && within(self.signed_years, p.signed_on.map(Date::year))
            && (!self.fortune500 || p.fortune500)
            && self
                .min_contract_fen
                .is_none_or(|min| p.contract_fen >= min)
            && (self.origins.is_empty() || self.origins.contains(&p.origin))
    }
}

/// A campaign's rule: a signed project belongs to it when any of the selections takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CampaignRule {
    pub any_of: Vec<CampaignSelection>,
}

/// What the rule needs to know of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectFacts {
    /// Whether the project is signed (已签约 or a later stage, not terminated).
    pub signed: bool,
    pub signed_on: Option<Date>,
    /// Its signing event's level and the year the event was held.
    pub event: Option<(RegionLevel, i32)>,
    /// Any of the three 500强 flags.
    pub fortune500: bool,
    pub contract_fen: i64,
    pub origin: Origin,
}

impl CampaignRule {
    /// Hunan's 2020 action [000]: "2018年以来省级签约项目和新引进'三类500强'项目" — the
    /// projects signed at province-level events held in 2018–2019, and the 三类500强 projects
    /// signed in those years.
    pub fn hunan_2020() -> Self {
        Self {
            any_of: vec![
                CampaignSelection {
                    event_levels: vec![RegionLevel::Province],
                    event_years: Some((2018, 2019)),
                    ..CampaignSelection::default()
                },
                CampaignSelection {
                    signed_years: Some((2018, 2019)),
                    fortune500: true,
                    ..CampaignSelection::default()
                },
            ],
        }
    }

    /// Whether the campaign takes the project: only signed projects are ever taken.
    pub fn selects(&self, project: &ProjectFacts) -> bool {
        project.signed && self.any_of.iter().any(|s| s.selects(project))
    }

    /// Every fault of the rule, as (field, Chinese message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.any_of.is_empty() {
            out.push(("rule".into(), "请至少设置一条项目选取条件".into()));
        }
        if self.any_of.len() > 10 {
            out.push(("rule".into(), "项目选取条件不超过10条".into()));
        }
        for (i, s) in self.any_of.iter().enumerate() {
            let field = |name: &str| format!("rule.any_of[{i}].{name}");
            if s.is_empty() {
                out.push((
                    format!("rule.any_of[{i}]"),
                    format!("第{}条选取条件未设置任何条件", i + 1),
                ));
            }
            for (name, label, range) in [
                ("event_years", "签约活动年份", s.event_years),
                ("signed_years", "签约年份", s.signed_years),
            ] {
                if let Some((first, last)) = range {
                    if !YEARS.contains(&first) || !YEARS.contains(&last) {
                        out.push((field(name), format!("{label}应在2000年至2100年之间")));
                    } else if first > last {
                        out.push((field(name), format!("{label}的起始年份不能晚于结束年份")));
                    }
                }
            }
            if s.min_contract_fen.is_some_and(|m| m < 0) {
                out.push((field("min_contract_fen"), "合同金额下限不能为负数".into()));
            }
        }
        out
    }
}

/// What a campaign's goals are set on (domain §5's 三率).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalIndicator {
    /// 资金到位率 (人民币): Σ arrival ÷ Σ contract over the campaign's projects.
    ArrivalRate,
    /// 履约率
    FulfilmentRate,
    /// 开工率
    StartRate,
}

impl GoalIndicator {
    pub const ALL: [GoalIndicator; 3] = [
        GoalIndicator::ArrivalRate,
        GoalIndicator::FulfilmentRate,
        GoalIndicator::StartRate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArrivalRate => "arrival_rate",
            Self::FulfilmentRate => "fulfilment_rate",
            Self::StartRate => "start_rate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ArrivalRate => "资金到位率",
            Self::FulfilmentRate => "履约率",
            Self::StartRate => "开工率",
        }
    }
}

/// A goal to reach: the indicator at least `target_bp` basis points (2000 = 20%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Goal {
    pub indicator: GoalIndicator,
    pub target_bp: i64,
}

impl Goal {
    /// Whether `actual` reaches the goal; unknown without an actual figure.
    pub fn reached(&self, actual: Option<Rate>) -> Option<bool> {
        actual.map(|a| a >= from_basis_points(self.target_bp))
    }
}

/// Faults of a campaign's goals and thresholds, as (field, Chinese message).
pub fn check_goals(goals: &[Goal], excellent_bp: i64, good_bp: i64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, g) in goals.iter().enumerate() {
        if !(1..=10_000).contains(&g.target_bp) {
            out.push((
                format!("goals[{i}].target_bp"),
                format!("{}目标应在0.01%至100%之间", g.indicator.label()),
            ));
        }
        if goals[..i].iter().any(|o| o.indicator == g.indicator) {
            out.push((
                format!("goals[{i}].indicator"),
                format!("{}目标重复", g.indicator.label()),
            ));
        }
    }
    if !(1..=10_000).contains(&good_bp) {
        out.push(("good_bp".into(), "良好的下限应在0.01%至100%之间".into()));
    }
    if !(1..=10_000).contains(&excellent_bp) {
        out.push((
            "excellent_bp".into(),
            "优秀的界限应在0.01%至100%之间".into(),
        ));
    } else if good_bp > excellent_bp {
        out.push(("good_bp".into(), "良好的下限不能高于优秀的界限".into()));
    }
    out
}

/// The thresholds a campaign classifies its projects by.
pub fn thresholds(excellent_bp: i64, good_bp: i64) -> Thresholds {
    Thresholds {
        excellent_above: from_basis_points(excellent_bp),
        good_from: from_basis_points(good_bp),
    }
}

/// A dated phase of a campaign (e.g. 梳理摸底 5/25–5/29) and what it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseDates {
    pub starts_on: Date,
    pub ends_on: Date,
}

/// Faults of a campaign's phases, in order: each ends on or after its start and begins after
/// the one before has ended.
pub fn check_phases(phases: &[PhaseDates]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, p) in phases.iter().enumerate() {
        if p.ends_on < p.starts_on {
            out.push((
                format!("phases[{i}].ends_on"),
                "阶段结束日期不能早于开始日期".into(),
            ));
        }
        if i > 0 && p.starts_on <= phases[i - 1].ends_on {
            out.push((
                format!("phases[{i}].starts_on"),
                "阶段开始日期应晚于上一阶段的结束日期".into(),
            ));
        }
    }
    out
}

/// The phase a campaign is in on `today`: the one whose dates hold it, else the next to come;
/// `None` once the last has ended. Phases are in date order.
pub fn current_phase(phases: &[PhaseDates], today: Date) -> Option<usize> {
    phases.iter().position(|p| today <= p.ends_on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// 1亿元 in 分.
    const ONE_YI: i64 = 100_000_000 * 100;

    fn signed(on: Date) -> ProjectFacts {
        ProjectFacts {
            signed: true,
            signed_on: Some(on),
            event: None,
            fortune500: false,
            contract_fen: ONE_YI,
            origin: Origin::OutOfProvince,
        }
    }

    #[test]
    fn the_hunan_2020_rule_takes_province_events_of_2018_and_2019_and_new_fortune500() {
        let rule = CampaignRule::hunan_2020();
        assert!(rule.problems().is_empty());
        // 2019湖南—粤港澳大湾区投资贸易洽谈周 (province level, 2019)
        let at_bay_area_week = ProjectFacts {
            event: Some((RegionLevel::Province, 2019)),
            ..signed(date!(2019 - 05 - 28))
        };
        assert!(rule.selects(&at_bay_area_week));
        // the 2018 全国知名民营企业携手湖南助推中部崛起大会
        assert!(rule.selects(&ProjectFacts {
            event: Some((RegionLevel::Province, 2018)),
            ..signed(date!(2018 - 09 - 10))
        }));
        // a city's own event of 2019 is the city's to supervise, not the province's
        assert!(!rule.selects(&ProjectFacts {
            event: Some((RegionLevel::Prefecture, 2019)),
            ..signed(date!(2019 - 06 - 01))
        }));
        // a province event of 2017 or 2020 lies outside the years
        for year in [2017, 2020] {
            assert!(!rule.selects(&ProjectFacts {
                event: Some((RegionLevel::Province, year)),
                ..signed(date!(2019 - 06 - 01))
            }));
        }
        // 三类500强 brought in during 2018–2019, at no event at all
        assert!(rule.selects(&ProjectFacts {
            fortune500: true,
            ..signed(date!(2018 - 01 - 01))
        }));
        assert!(rule.selects(&ProjectFacts {
            fortune500: true,
            ..signed(date!(2019 - 12 - 31))
        }));
        assert!(!rule.selects(&ProjectFacts {
            fortune500: true,
            ..signed(date!(2020 - 01 - 01))
        }));
        // an ordinary project signed in 2019 at no event is not the province's
        assert!(!rule.selects(&signed(date!(2019 - 03 - 01))));
        // only signed projects: one still negotiating at the 2019 week is not counted
        assert!(!rule.selects(&ProjectFacts {
            signed: false,
            ..at_bay_area_week
        }));
    }

    #[test]
    fn amount_and_origin_conditions_hold_together() {
        let rule = CampaignRule {
            any_of: vec![CampaignSelection {
                min_contract_fen: Some(ONE_YI),
                origins: vec![Origin::Foreign, Origin::OutOfProvince],
                ..CampaignSelection::default()
            }],
        };
        let p = signed(date!(2020 - 01 - 01));
        assert!(rule.selects(&p), "exactly 1亿元 is at least 1亿元");
        assert!(!rule.selects(&ProjectFacts {
            contract_fen: ONE_YI - 1,
            ..p
        }));
        assert!(!rule.selects(&ProjectFacts {
            origin: Origin::InProvince,
            ..p
        }));
    }

    #[test]
    fn a_rule_without_conditions_or_with_reversed_years_is_refused() {
        assert!(!CampaignRule { any_of: vec![] }.problems().is_empty());
        let empty = CampaignRule {
            any_of: vec![CampaignSelection::default()],
        };
        assert_eq!(empty.problems()[0].0, "rule.any_of[0]");
        let reversed = CampaignRule {
            any_of: vec![CampaignSelection {
                signed_years: Some((2020, 2018)),
                ..CampaignSelection::default()
            }],
        };
        assert_eq!(reversed.problems()[0].0, "rule.any_of[0].signed_years");
    }

    #[test]
    fn goals_are_reached_exactly_at_their_value() {
        let goal = Goal {
            indicator: GoalIndicator::ArrivalRate,
            target_bp: 2000,
        };
        assert_eq!(goal.reached(Rate::of(20, 100)), Some(true));
        assert_eq!(goal.reached(Rate::of(1999, 10_000)), Some(false));
        assert_eq!(goal.reached(None), None);
        assert!(check_goals(&[goal, goal], 5000, 2000)[0].1.contains("重复"));
        assert!(!check_goals(&[goal], 2000, 5000).is_empty());
        let t = thresholds(5000, 2000);
        assert_eq!(t, Thresholds::default());
    }

    #[test]
    fn the_current_phase_is_the_one_holding_today_else_the_next() {
        // 000's phases of 2020
        let phases = [
            PhaseDates {
                starts_on: date!(2020 - 05 - 25),
                ends_on: date!(2020 - 05 - 29),
            },
            PhaseDates {
                starts_on: date!(2020 - 06 - 01),
                ends_on: date!(2020 - 06 - 30),
            },
            PhaseDates {
                starts_on: date!(2020 - 09 - 14),
                ends_on: date!(2020 - 09 - 30),
            },
            PhaseDates {
                starts_on: date!(2020 - 11 - 16),
                ends_on: date!(2020 - 12 - 31),
            },
        ];
        assert!(check_phases(&phases).is_empty());
        assert_eq!(current_phase(&phases, date!(2020 - 05 - 01)), Some(0));
        assert_eq!(current_phase(&phases, date!(2020 - 05 - 29)), Some(0));
        assert_eq!(current_phase(&phases, date!(2020 - 05 - 30)), Some(1));
        assert_eq!(current_phase(&phases, date!(2020 - 08 - 01)), Some(2));
        assert_eq!(current_phase(&phases, date!(2021 - 01 - 01)), None);
        let overlapping = [phases[1].clone(), phases[1].clone()];
        assert_eq!(check_phases(&overlapping)[0].0, "phases[1].starts_on");
    }
}
