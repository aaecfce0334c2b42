//! Month-end close (月结) and bulletins (通报), domain §8: which month a late fund record
//! counts in once its own month is closed, the periods a bulletin covers, and the prose
//! paragraphs drafted from a bulletin's figures for its author to edit.

use crate::funds::Period;
use crate::money::{Fen, UsdCents};
use crate::rates::{growth, Rate};
use crate::region::RegionLevel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// The month after `p` (December → January of the next year), or `None` past 2100-12.
pub fn next_month(p: Period) -> Option<Period> {
    if p.month() == 12 {
        Period::new(p.year() + 1, 1)
    } else {
        Period::new(p.year(), p.month() + 1)
    }
}

/// The month in which a fund record of month `record` counts, given the months already
/// closed: its own month while that is open; otherwise the first open month after it — a
/// correction confirmed or withdrawn after the close never rewrites the closed figures, it
/// shows as a change of the next open month.
pub fn landing_period(record: Period, closed: &BTreeSet<Period>) -> Period {
    let mut p = record;
    while closed.contains(&p) {
        match next_month(p) {
            Some(n) => p = n,
            None => break,
        }
    }
    p
}

/// The most days after a round's deadline the automatic close may wait: a month.
pub const MAX_AUTO_CLOSE_DAYS: u32 = 31;

/// The automatic close (自动月结): the month a dispatch round asks about closes by itself on
/// the `days_after`-th day after the round's deadline (`due_on`), and never before the month
/// itself is over. With 0 it closes on the deadline's own day.
pub fn auto_close_due(
    month: Period,
    due_on: time::Date,
    days_after: u32,
    today: time::Date,
) -> bool {
    Period::of_date(today) > month
        && due_on
            .checked_add(time::Duration::days(i64::from(days_after)))
            .is_some_and(|day| today >= day)
}

/// What span a bulletin covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// 月度
    Month,
    /// 季度
    Quarter,
    /// 半年
    HalfYear,
    /// 年度
    Year,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::HalfYear => "half_year",
            Self::Year => "year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Month => "月度",
            Self::Quarter => "季度",
            Self::HalfYear => "半年",
            Self::Year => "年度",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Month, Self::Quarter, Self::HalfYear, Self::Year]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The span of a bulletin: a kind, a year and the number of the month, quarter or half
/// within it (1 for a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulletinPeriod {
    pub kind: PeriodKind,
    pub year: i32,
    pub index: u8,
}

impl BulletinPeriod {
    /// Refuses an index outside the kind (month 1–12, quarter 1–4, half 1–2, year 1).
    pub fn new(kind: PeriodKind, year: i32, index: u8) -> Result<Self, String> {
        let max = match kind {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
            PeriodKind::HalfYear => 2,
            PeriodKind::Year => 1,
        };
        if !(2000..=2100).contains(&year) {
            return Err(format!("年份应在2000年至2100年之间，实际为{year}"));
        }
        if index == 0 || index > max {
            return Err(format!("{}序号应为1至{max}，实际为{index}", kind.label()));
        }
        Ok(Self { kind, year, index })
    }

    /// The last month of the span: the month whose closed figures the bulletin reads.
    pub fn end(self) -> Period {
        let month = match self.kind {
            PeriodKind::Month => self.index,
            PeriodKind::Quarter => self.index * 3,
            PeriodKind::HalfYear => self.index * 6,
            PeriodKind::Year => 12,
        };
        Period::new(self.year, month).expect("checked in new")
    }

    /// The first month of the span.
    pub fn start(self) -> Period {
        let month = match self.kind {
            PeriodKind::Month => self.index,
            PeriodKind::Quarter => self.index * 3 - 2,
            PeriodKind::HalfYear => self.index * 6 - 5,
            PeriodKind::Year => 1,
        };
        Period::new(self.year, month).expect("checked in new")
    }

    /// "2026年第三季度", "2026年9月", "2026年上半年", "2026年".
    pub fn label(self) -> String {
        const CN: [&str; 4] = ["一", "二", "三", "四"];
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.year, self.index),
            PeriodKind::Quarter => format!("{}年第{}季度", self.year, CN[self.index as usize - 1]),
            PeriodKind::HalfYear if self.index == 1 => format!("{}年上半年", self.year),
            PeriodKind::HalfYear => format!("{}年下半年", self.year),
            PeriodKind::Year => format!("{}年", self.year),
        }
    }
}

/// "全省", "全市" or "全县" for a bulletin of a region of that level ("全国" above them).
pub fn whole_of(level: Option<RegionLevel>) -> &'static str {
    match level {
        None => "全国",
        Some(RegionLevel::Province) => "全省",
        Some(RegionLevel::Prefecture) => "全市",
        Some(RegionLevel::County) => "全县",
    }
}

/// The figures the prose is drafted from.
#[derive(Debug, Clone, Default)]
pub struct ProseFigures {
    /// 全市 / 全省 / 全县
    pub whole: &'static str,
    pub end: Option<Period>,
    pub projects: i64,
    pub contract: Fen,
    pub arrived: Fen,
    pub contract_usd: UsdCents,
    pub arrived_usd: UsdCents,
    pub fulfilling: i64,
    pub started: i64,
    pub excellent: i64,
    pub good: i64,
    pub fair: i64,
    pub not_fulfilled: i64,
    /// Confirmed domestic arrival January to the end month, this year and last.
    pub ytd_fen: (i64, i64),
    /// The same for 实际利用外资 in US cents.
    pub ytd_cents: (i64, i64),
    /// Regions below, best first by arrival rate: (name, rate).
    pub ranking: Vec<(String, Option<Rate>)>,
    pub lagging: i64,
    /// Reporters that had not submitted by the round's deadline.
    pub missing_reporters: Vec<String>,
    /// The region's own yearly targets: (indicator, target, figure, reached).
    pub targets: Vec<(String, String, Option<String>, Option<bool>)>,
    /// Problems registered up to the end month: (registered, closed, closing rate, overdue).
    pub problems: Option<(i64, i64, Option<String>, i64)>,
}

fn pct(r: Option<Rate>) -> String {
    r.map(|r| r.display_percent(2))
        .unwrap_or_else(|| "—".into())
}

/// "同比增长14.2%", "同比下降3.0%", "同比持平", or "上年同期无数据".
fn yoy(this_year: i64, last_year: i64) -> String {
    match growth(this_year, last_year) {
        None => "上年同期无到位资金，不计同比".into(),
        Some(g) if g.is_zero() => "同比持平".into(),
        Some(g) if g > Rate::percent(0) => format!("同比增长{}", g.display_percent(1)),
        Some(g) => format!("同比下降{}", g.display_percent(1).trim_start_matches('-')),
    }
}

/// The paragraphs a bulletin is drafted with (domain §14 "prose from numbers"): the
/// headline, year on year, classification, the regions' ranking and who did not report.
/// Every number comes from `f`; the author edits the wording, never the figures.
pub fn draft_prose(f: &ProseFigures) -> Vec<String> {
    let until = f
        .end
        .map(|p| {
            if p.month() == 12 {
                format!("截至{}年底", p.year())
            } else {
                format!("截至{}月底", p.month())
            }
        })
        .unwrap_or_else(|| "截至目前".into());
    let mut headline = format!(
        "{until}，{}签约项目{}个，合同资金{}亿元，到位资金{}亿元，资金到位率{}",
        f.whole,
        f.projects,
        f.contract.display_yi_yuan(),
        f.arrived.display_yi_yuan(),
        pct(Rate::of(f.arrived.0, f.contract.0)),
    );
    if f.contract_usd.0 > 0 || f.arrived_usd.0 > 0 {
        headline.push_str(&format!(
            "；合同外资{}万美元，到位外资{}万美元，外资到位率{}",
            f.contract_usd.display_wan_usd(),
            f.arrived_usd.display_wan_usd(),
            pct(Rate::of(f.arrived_usd.0, f.contract_usd.0)),
        ));
    }
    headline.push_str(&format!(
        "。履约率{}，开工率{}。",
        pct(Rate::of(f.fulfilling, f.projects)),
        pct(Rate::of(f.started, f.projects)),
    ));
    let mut paragraphs = vec![headline];
    let mut year = format!(
        "今年以来，{}实现境内到位资金{}亿元，{}",
        f.whole,
        Fen(f.ytd_fen.0).display_yi_yuan(),
        yoy(f.ytd_fen.0, f.ytd_fen.1)
    );
    if f.ytd_cents.0 > 0 || f.ytd_cents.1 > 0 {
        year.push_str(&format!(
            "；实际利用外资{}万美元，{}",
            UsdCents(f.ytd_cents.0).display_wan_usd(),
            yoy(f.ytd_cents.0, f.ytd_cents.1)
        ));
    }
    year.push('。');
    paragraphs.push(year);
    paragraphs.push(format!(
        "按资金到位率分类，优秀项目{}个、良好项目{}个、一般项目{}个、未履约项目{}个。",
        f.excellent, f.good, f.fair, f.not_fulfilled
    ));
    let rated: Vec<&(String, Option<Rate>)> =
        f.ranking.iter().filter(|(_, r)| r.is_some()).collect();
    if rated.len() >= 2 {
        let first = rated[0];
        let last = rated[rated.len() - 1];
        paragraphs.push(format!(
            "从各地情况看，资金到位率最高的是{}（{}），最低的是{}（{}）。",
            first.0,
            pct(first.1),
            last.0,
            pct(last.1)
        ));
    }
    if f.lagging > 0 {
        paragraphs.push(format!(
            "签约满半年仍未履约或未开工的滞后项目{}个，请相关地区和责任单位加快推进。",
            f.lagging
        ));
    }
    if !f.targets.is_empty() {
        let items: Vec<String> = f
            .targets
            .iter()
            .map(|(label, target, actual, reached)| {
                let state = match reached {
                    Some(true) => "已完成",
                    Some(false) => "尚未完成",
                    None => "暂无法计算",
                };
                format!(
                    "{label}目标{target}，期末为{}，{state}",
                    actual.as_deref().unwrap_or("—")
                )
            })
            .collect();
        paragraphs.push(format!("对照年度目标任务，{}。", items.join("；")));
    }
    if let Some((registered, closed, rate, overdue)) = &f.problems {
        if *registered > 0 {
            let mut text = format!(
                "问题办理方面，{until}累计登记问题{registered}个，已办结{closed}个，办结率{}",
                rate.as_deref().unwrap_or("—")
            );
            if *overdue > 0 {
                text.push_str(&format!(
                    "；逾期未办结{overdue}个，请相关单位抓紧办理、及时答复。"
                ));
            } else {
                text.push_str("，无逾期未办结问题。");
            }
            paragraphs.push(text);
        }
    }
    if f.missing_reporters.is_empty() {
        paragraphs.push("本期调度各报送单位均按时报送。".into());
    } else {
        paragraphs.push(format!(
            "本期调度中，{}未按时报送，予以通报。",
            f.missing_reporters.join("、")
        ));
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn a_month_closes_by_itself_the_configured_days_after_the_rounds_deadline() {
        use time::macros::date;
        // September's round is due on 5 October; closing 3 days after the deadline
        let due = date!(2026 - 10 - 05);
        assert!(!auto_close_due(p("2026-09"), due, 3, date!(2026 - 10 - 07)));
        assert!(auto_close_due(p("2026-09"), due, 3, date!(2026 - 10 - 08)));
        assert!(auto_close_due(p("2026-09"), due, 3, date!(2026 - 12 - 01)));
        assert!(auto_close_due(p("2026-09"), due, 0, date!(2026 - 10 - 05)));
        // a round due inside its own month: the month is not over yet
        assert!(!auto_close_due(
            p("2026-10"),
            date!(2026 - 10 - 20),
            3,
            date!(2026 - 10 - 25)
        ));
        assert!(auto_close_due(
            p("2026-10"),
            date!(2026 - 10 - 20),
            3,
            date!(2026 - 11 - 01)
        ));
    }

    #[test]
    fn a_correction_after_the_close_lands_in_the_next_open_month() {
        let mut closed = BTreeSet::new();
        assert_eq!(landing_period(p("2026-09"), &closed), p("2026-09"));
        closed.insert(p("2026-09"));
        assert_eq!(landing_period(p("2026-09"), &closed), p("2026-10"));
        // two closed months in a row: the first open one after both
        closed.insert(p("2026-10"));
        assert_eq!(landing_period(p("2026-09"), &closed), p("2026-11"));
        // a record of an open month stays in it
        assert_eq!(landing_period(p("2026-11"), &closed), p("2026-11"));
        // across the year's end
        closed.insert(p("2026-12"));
        assert_eq!(landing_period(p("2026-12"), &closed), p("2027-01"));
    }

    #[test]
    fn periods_span_their_months_and_are_named_as_bureaus_write_them() {
        let q3 = BulletinPeriod::new(PeriodKind::Quarter, 2026, 3).unwrap();
        assert_eq!((q3.start(), q3.end()), (p("2026-07"), p("2026-09")));
        assert_eq!(q3.label(), "2026年第三季度");
        let h1 = BulletinPeriod::new(PeriodKind::HalfYear, 2017, 1).unwrap();
        assert_eq!((h1.start(), h1.end()), (p("2017-01"), p("2017-06")));
        assert_eq!(h1.label(), "2017年上半年");
        let y = BulletinPeriod::new(PeriodKind::Year, 2025, 1).unwrap();
        assert_eq!(
            (y.start(), y.end(), y.label()),
            (p("2025-01"), p("2025-12"), "2025年".to_owned())
        );
        assert!(BulletinPeriod::new(PeriodKind::Quarter, 2026, 5).is_err());
        assert!(BulletinPeriod::new(PeriodKind::Month, 2026, 0).is_err());
    }

    /// Seed 001 (湘潭): "全市共签约项目40个，签约内外资金总额达538亿元"; seed 003: "上半年，实现
    /// 境内到位资金265.4亿元，同比增长14.2%……利用外商直接投资2.2亿美元，同比增长6.5%".
    #[test]
    fn prose_is_drafted_from_the_seeds_figures() {
        let yi = |tenths: i64| tenths * 10_000_000 * 100; // 0.1亿元 in 分
        let f = ProseFigures {
            whole: whole_of(Some(RegionLevel::Prefecture)),
            end: Some(p("2017-06")),
            projects: 40,
            contract: Fen(yi(5380)),
            arrived: Fen(yi(2654)),
            fulfilling: 30,
            started: 20,
            excellent: 12,
            good: 10,
            fair: 8,
            not_fulfilled: 10,
            ytd_fen: (yi(2654), yi(2324)),
            // 2.2亿美元 = 22,000万美元; last year 20,657万美元 → +6.5%
            ytd_cents: (22_000 * 1_000_000, 20_657 * 1_000_000),
            ranking: vec![
                ("湘潭县".into(), Rate::of(60, 100)),
                ("韶山市".into(), None),
                ("湘乡市".into(), Rate::of(15, 100)),
            ],
            lagging: 3,
            missing_reporters: vec!["湘乡市商务局".into()],
            ..Default::default()
        };
        let prose = draft_prose(&f);
        assert_eq!(
            prose[0],
            "截至6月底，全市签约项目40个，合同资金538.00亿元，到位资金265.40亿元，资金到位率49.33%。履约率75.00%，开工率50.00%。"
        );
        assert_eq!(
            prose[1],
            "今年以来，全市实现境内到位资金265.40亿元，同比增长14.2%；实际利用外资22,000.00万美元，同比增长6.5%。"
        );
        assert_eq!(
            prose[2],
            "按资金到位率分类，优秀项目12个、良好项目10个、一般项目8个、未履约项目10个。"
        );
        assert_eq!(
            prose[3],
            "从各地情况看，资金到位率最高的是湘潭县（60.00%），最低的是湘乡市（15.00%）。"
        );
        assert!(prose[4].contains("滞后项目3个"));
        assert_eq!(prose[5], "本期调度中，湘乡市商务局未按时报送，予以通报。");
    }

    #[test]
    fn prose_states_the_targets_and_the_problems_handled() {
        let f = ProseFigures {
            whole: "全市",
            end: Some(p("2026-09")),
            targets: vec![
                (
                    "资金到位率".into(),
                    "40.00%".into(),
                    Some("42.15%".into()),
                    Some(true),
                ),
                ("实际利用外资同比增长".into(), "+12.00%".into(), None, None),
            ],
            problems: Some((16, 10, Some("62.50%".into()), 3)),
            ..Default::default()
        };
        let prose = draft_prose(&f);
        assert!(prose.contains(
            &"对照年度目标任务，资金到位率目标40.00%，期末为42.15%，已完成；实际利用外资同比增长目标+12.00%，期末为—，暂无法计算。"
                .to_owned()
        ), "{prose:?}");
        assert!(prose.contains(
            &"问题办理方面，截至9月底累计登记问题16个，已办结10个，办结率62.50%；逾期未办结3个，请相关单位抓紧办理、及时答复。"
                .to_owned()
        ), "{prose:?}");
        let calm = draft_prose(&ProseFigures {
            whole: "全县",
            problems: Some((4, 4, Some("100.00%".into()), 0)),
            ..Default::default()
        });
        assert!(
            calm.iter()
                .any(|p| p.ends_with("办结率100.00%，无逾期未办结问题。")),
            "{calm:?}"
        );
        let none = draft_prose(&ProseFigures {
            whole: "全县",
            problems: Some((0, 0, None, 0)),
            ..Default::default()
        });
        assert!(!none.iter().any(|p| p.contains("问题办理")));
    }

    #[test]
    fn prose_says_a_fall_and_a_missing_base_plainly() {
        let f = ProseFigures {
            whole: "全县",
            end: Some(p("2026-12")),
            ytd_fen: (97, 100),
            ..Default::default()
        };
        let prose = draft_prose(&f);
        assert!(
            prose[0].starts_with("截至2026年底，全县签约项目0个"),
            "{}",
            prose[0]
        );
        assert!(prose[0].contains("资金到位率—"));
        assert!(prose[1].ends_with("同比下降3.0%。"), "{}", prose[1]);
        let none = draft_prose(&ProseFigures {
            whole: "全县",
            ..Default::default()
        });
        assert!(none[1].contains("上年同期无到位资金"));
        assert_eq!(none.last().unwrap(), "本期调度各报送单位均按时报送。");
    }
}
