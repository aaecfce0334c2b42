//! Supervision groups and their visits (督导组 / 督导调研, domain §9, seed [000]): each group
//! owns a set of regions (分片负责、长期包干) and visits each of them at least once a quarter
//! (the quota, a group setting); a visit's problem list is due within a number of days after
//! it (10 by default, a rule setting). Nothing here reads a clock: `today` is always given.

use crate::region::RegionCode;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};
use utoipa::ToSchema;

/// Days after a visit within which its problem list is due (seed [000]: "每次督导结束后10日内").
pub const DEFAULT_PROBLEM_LIST_DAYS: i64 = 10;
/// Visits to each assigned region per quarter (seed [000]: "每季度至少到各市州督导1次").
pub const DEFAULT_VISITS_PER_QUARTER: i64 = 1;

/// How a visit was carried out (督导方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitMethod {
    /// 现场调研
    OnSite,
    /// 座谈交流
    Symposium,
    /// 查阅资料
    Documents,
    /// 走访企业
    CompanyVisit,
    /// 暗访暗查
    Unannounced,
}

impl VisitMethod {
    pub const ALL: [Self; 5] = [
        Self::OnSite,
        Self::Symposium,
        Self::Documents,
        Self::CompanyVisit,
        Self::Unannounced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnSite => "on_site",
            Self::Symposium => "symposium",
            Self::Documents => "documents",
            Self::CompanyVisit => "company_visit",
            Self::Unannounced => "unannounced",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::OnSite => "现场调研",
            Self::Symposium => "座谈交流",
            Self::Documents => "查阅资料",
            Self::CompanyVisit => "走访企业",
            Self::Unannounced => "暗访暗查",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s || m.label() == s)
    }
}

/// A calendar quarter, the quota's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1–4
    pub number: u8,
}

impl Quarter {
    pub fn of(day: Date) -> Self {
        Self {
            year: day.year(),
            number: (u8::from(day.month()) - 1) / 3 + 1,
        }
    }

    /// Reads `2026-Q4` (or `2026Q4`, `2026-4`).
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        const MESSAGE: &str = "季度格式应为 2026-Q4";
        let s = s.trim();
        let (year, number) = s
            .split_once(['-', 'Q', 'q'])
            .ok_or(MESSAGE)
            .map(|(y, q)| (y, q.trim_start_matches(['Q', 'q'])))?;
        let year: i32 = year.parse().map_err(|_| MESSAGE)?;
        let number: u8 = number.parse().map_err(|_| MESSAGE)?;
        if !(2000..=2100).contains(&year) || !(1..=4).contains(&number) {
            return Err(MESSAGE);
        }
        Ok(Self { year, number })
    }

    pub fn first_day(self) -> Date {
        let month = Month::try_from(self.number * 3 - 2).expect("1..=4 gives a month");
        Date::from_calendar_date(self.year, month, 1).expect("the first of a month exists")
    }

    pub fn last_day(self) -> Date {
        let next = if self.number == 4 {
            Quarter {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Quarter {
                year: self.year,
                number: self.number + 1,
            }
        };
        next.first_day() - Duration::days(1)
    }

    pub fn contains(self, day: Date) -> bool {
        Self::of(day) == self
    }

    /// 2026年第四季度
    pub fn label(self) -> String {
        let n = ["一", "二", "三", "四"][usize::from(self.number - 1)];
        format!("{}年第{n}季度", self.year)
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

/// The day a visit's problem list is due: `days` calendar days after the visit.
pub fn problem_list_due(visited_on: Date, days: i64) -> Date {
    visited_on + Duration::days(days)
}

/// Checks a problem-list period typed by an administrator (1–60 days).
pub fn check_problem_list_days(days: i64) -> Result<i64, &'static str> {
    if (1..=60).contains(&days) {
        Ok(days)
    } else {
        Err("问题清单报送时限应为1至60天")
    }
}

/// Checks a group's quota (1–12 visits per region and quarter).
pub fn check_visits_per_quarter(n: i64) -> Result<i64, &'static str> {
    if (1..=12).contains(&n) {
        Ok(n)
    } else {
        Err("每季度督导次数应为1至12次")
    }
}

/// Checks a visit's date: a fact, so not after today, and not before 2000.
pub fn check_visit_date(visited_on: Date, today: Date) -> Result<Date, &'static str> {
    if visited_on > today {
        Err("督导日期不能晚于今天")
    } else if visited_on.year() < 2000 {
        Err("督导日期不应早于2000年")
    } else {
        Ok(visited_on)
    }
}

/// Where a visit's problem list stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemListStatus {
    /// 待报送: not yet submitted, still within its days.
    Pending,
    /// 已逾期: not submitted and past its day.
    Overdue,
    /// 已报送 on time.
    Submitted,
    /// 逾期报送: submitted after its day.
    SubmittedLate,
}

impl ProblemListStatus {
    pub fn of(due: Date, submitted_on: Option<Date>, today: Date) -> Self {
        match submitted_on {
            Some(day) if day > due => Self::SubmittedLate,
            Some(_) => Self::Submitted,
            None if today > due => Self::Overdue,
            None => Self::Pending,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "待报送",
            Self::Overdue => "已逾期",
            Self::Submitted => "已报送",
            Self::SubmittedLate => "逾期报送",
        }
    }
}

/// One assigned region's standing against the quota in a quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionCompliance {
    pub region: RegionCode,
    /// Visits of the quarter that went to a place inside the region.
    pub visits: i64,
    pub required: i64,
    pub last_visit: Option<Date>,
}

impl RegionCompliance {
    pub fn met(&self) -> bool {
        self.visits >= self.required
    }
}

/// How each assigned region stands in `quarter`: a visit counts once for every assigned region
/// holding one of its places (a visit to 南县 counts for 益阳市), whatever the number of places
/// it had there; visits outside the quarter do not count.
pub fn compliance(
    assigned: &[RegionCode],
    visits: &[(Date, Vec<RegionCode>)],
    quarter: Quarter,
    required: i64,
) -> Vec<RegionCompliance> {
    assigned
        .iter()
        .map(|region| {
            let days: Vec<Date> = visits
                .iter()
                .filter(|(day, places)| {
                    quarter.contains(*day) && places.iter().any(|p| region.contains(p))
                })
                .map(|(day, _)| *day)
                .collect();
            RegionCompliance {
                region: region.clone(),
                visits: days.len() as i64,
                required,
                last_visit: days.into_iter().max(),
            }
        })
        .collect()
}

/// A group's regions as a reach: nested ones folded into the larger (南县 inside 益阳市 adds
/// nothing), sorted and without repeats, so the same groups always give the same scope.
pub fn reach(regions: impl IntoIterator<Item = RegionCode>) -> Vec<RegionCode> {
    let mut all: Vec<RegionCode> = regions.into_iter().collect();
    all.sort();
    all.dedup();
    let kept: Vec<RegionCode> = all
        .iter()
        .filter(|r| !all.iter().any(|o| o != *r && o.contains(r)))
        .cloned()
        .collect();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn code(c: &str) -> RegionCode {
        RegionCode::parse(c).unwrap()
    }

    #[test]
    fn quarters_from_days_and_text() {
        assert_eq!(
            Quarter::of(date!(2026 - 12 - 07)),
            Quarter {
                year: 2026,
                number: 4
            }
        );
        assert_eq!(Quarter::of(date!(2026 - 03 - 31)).number, 1);
        assert_eq!(Quarter::of(date!(2026 - 04 - 01)).number, 2);
        let q = Quarter::parse("2026-Q4").unwrap();
        assert_eq!(q.first_day(), date!(2026 - 10 - 01));
        assert_eq!(q.last_day(), date!(2026 - 12 - 31));
        assert_eq!(
            Quarter::parse("2026Q1").unwrap().last_day(),
            date!(2026 - 03 - 31)
        );
        assert_eq!(
            Quarter::parse("2026-2").unwrap().last_day(),
            date!(2026 - 06 - 30)
        );
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.label(), "2026年第四季度");
        for bad in ["2026-Q5", "2026-Q0", "2026", "Q4", "1999-Q1", ""] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_problem_list_is_due_ten_days_after_the_visit_by_default() {
        let visited = date!(2026 - 11 - 25);
        let due = problem_list_due(visited, DEFAULT_PROBLEM_LIST_DAYS);
        assert_eq!(due, date!(2026 - 12 - 05));
        use ProblemListStatus::*;
        assert_eq!(
            ProblemListStatus::of(due, None, date!(2026 - 12 - 05)),
            Pending
        );
        assert_eq!(
            ProblemListStatus::of(due, None, date!(2026 - 12 - 06)),
            Overdue
        );
        assert_eq!(
            ProblemListStatus::of(due, Some(date!(2026 - 12 - 05)), date!(2026 - 12 - 20)),
            Submitted
        );
        assert_eq!(
            ProblemListStatus::of(due, Some(date!(2026 - 12 - 06)), date!(2026 - 12 - 06)),
            SubmittedLate
        );
        assert_eq!(check_problem_list_days(10), Ok(10));
        assert!(check_problem_list_days(0).is_err());
        assert!(check_problem_list_days(61).is_err());
    }

    #[test]
    fn visit_dates_are_facts() {
        let today = date!(2026 - 12 - 07);
        assert!(check_visit_date(today, today).is_ok());
        assert!(check_visit_date(date!(2026 - 12 - 08), today).is_err());
        assert!(check_visit_date(date!(1999 - 12 - 31), today).is_err());
    }

    #[test]
    fn the_quota_counts_visits_of_the_quarter_to_places_inside_each_region() {
        let (yiyang, changde, yueyang) = (code("430900"), code("430700"), code("430600"));
        let assigned = vec![yiyang.clone(), changde.clone(), yueyang.clone()];
        let visits = vec![
            // 南县 and 沅江市 on one visit: one visit for 益阳市.
            (date!(2026 - 10 - 12), vec![code("430921"), code("430981")]),
            (date!(2026 - 11 - 30), vec![code("430900")]),
            // 常德市 in the third quarter: does not count for the fourth.
            (date!(2026 - 09 - 30), vec![code("430700")]),
            // A place outside every assigned region counts for none.
            (date!(2026 - 10 - 20), vec![code("430100")]),
            (date!(2026 - 12 - 31), vec![code("430626")]),
        ];
        let q4 = Quarter::parse("2026-Q4").unwrap();
        let c = compliance(&assigned, &visits, q4, 1);
        assert_eq!(c[0].visits, 2);
        assert!(c[0].met());
        assert_eq!(c[0].last_visit, Some(date!(2026 - 11 - 30)));
        assert_eq!(c[1].visits, 0);
        assert!(!c[1].met());
        assert_eq!(c[1].last_visit, None);
        assert_eq!(c[2].visits, 1);
        assert!(c[2].met());
        // A quota of two: one visit is not enough.
        let c = compliance(&assigned, &visits, q4, 2);
        assert!(c[0].met());
        assert!(!c[2].met());
        assert_eq!(
            compliance(&assigned, &visits, Quarter::parse("2026-Q3").unwrap(), 1)[1].visits,
            1
        );
    }

    #[test]
    fn a_reach_folds_nested_regions() {
        let r = reach([
            code("430921"),
            code("430900"),
            code("430700"),
            code("430900"),
        ]);
        assert_eq!(r, vec![code("430700"), code("430900")]);
        assert!(reach([]).is_empty());
    }

    #[test]
    fn methods_round_trip() {
        for m in VisitMethod::ALL {
            assert_eq!(VisitMethod::parse(m.as_str()), Some(m));
            assert_eq!(VisitMethod::parse(m.label()), Some(m));
        }
        assert_eq!(VisitMethod::parse("开会"), None);
    }
}
