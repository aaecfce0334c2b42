//! Fund arrival (资金到位): periods, review states and plausibility checks (domain §4).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    month: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("期间应为“YYYY-MM”格式的年月（2000年至2100年），实际为“{0}”")]
pub struct InvalidPeriod(pub String);

impl Period {
    pub fn new(year: i32, month: u8) -> Option<Self> {
        ((2000..=2100).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    pub fn parse(s: &str) -> Result<Self, InvalidPeriod> {
        let t = s.trim();
        let (y, m) = t
            .split_once(['-', '/', '.'])
            .ok_or_else(|| InvalidPeriod(t.to_owned()))?;
        let year = y.parse().map_err(|_| InvalidPeriod(t.to_owned()))?;
        let month = m.parse().map_err(|_| InvalidPeriod(t.to_owned()))?;
        Self::new(year, month).ok_or_else(|| InvalidPeriod(t.to_owned()))
    }

    pub fn of_date(d: time::Date) -> Self {
        Self {
            year: d.year(),
            month: d.month() as u8,
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// 1–4.
    pub fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }

    /// Refuses a month after the month of `today`: money cannot have arrived in it yet.
    pub fn not_after_month_of(self, today: time::Date) -> Result<Self, String> {
        let now = Self::of_date(today);
        if self <= now {
            Ok(self)
        } else {
            Err(format!(
                "到位期间{self}晚于本月（{now}），不能填报尚未到来的月份"
            ))
        }
    }

    /// The same month a year earlier (for 同比).
    pub fn year_before(self) -> Self {
        Self {
            year: self.year - 1,
            month: self.month,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Period {
    type Error = InvalidPeriod;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// Where a fund record is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundStatus {
    /// 填报: waiting for review by the level above.
    Entered,
    /// 确认: counts in rates, bulletins and assessment.
    Confirmed,
    /// 退回: sent back with a reason.
    Returned,
    /// 已更正: replaced by a confirmed correction; no longer counts.
    Superseded,
}

impl FundStatus {
    pub const ALL: [FundStatus; 4] = [
        Self::Entered,
        Self::Confirmed,
        Self::Returned,
        Self::Superseded,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Entered => "entered",
            Self::Confirmed => "confirmed",
            Self::Returned => "returned",
            Self::Superseded => "superseded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Entered => "待审核",
            Self::Confirmed => "已确认",
            Self::Returned => "已退回",
            Self::Superseded => "已更正",
        }
    }
}

/// A reason to look twice at an entry; the clerk must give a reason to go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Warning {
    /// Cumulative arrival would exceed the contract amount.
    AboveContract,
    /// Far above anything this project has reported before.
    Jump,
    /// Entered in the last days of a quarter and larger than everything before it.
    QuarterEndBurst,
}

impl Warning {
    pub fn message(&self) -> &'static str {
        match self {
            Self::AboveContract => "累计到位资金将超过合同金额",
            Self::Jump => "本次金额远高于该项目以往各月的到位资金",
            Self::QuarterEndBurst => "季度截止前集中填报，且金额超过此前累计到位资金",
        }
    }
}

/// What the checks look at, all in one currency's minor units.
pub struct Entry<'a> {
    pub amount: i64,
    pub period: Period,
    /// Confirmed and pending amounts already on record for the project, by period.
    pub history: &'a [(Period, i64)],
    /// The contract amount in the entry's currency (0 when none).
    pub contract: i64,
    pub today: time::Date,
}

/// A new entry is a "jump" above this multiple of the largest earlier monthly amount.
const JUMP_FACTOR: i64 = 5;
/// …and only when it is also at least this large (10万元 in 分), so small projects' normal
/// variation is left alone.
const JUMP_FLOOR: i64 = 100_000 * 100;
/// Days before a quarter's end that count as "just before the deadline".
const QUARTER_END_DAYS: u8 = 5;

pub fn plausibility(entry: &Entry) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let before: i64 = entry.history.iter().map(|(_, a)| a).sum();
    if entry.contract > 0 && before + entry.amount > entry.contract {
        warnings.push(Warning::AboveContract);
    }
    let largest = entry.history.iter().map(|(_, a)| *a).max().unwrap_or(0);
    if largest > 0 && entry.amount >= JUMP_FLOOR && entry.amount > largest * JUMP_FACTOR {
        warnings.push(Warning::Jump);
    }
    let today = entry.today;
    let quarter_end_month = (today.month() as u8).is_multiple_of(3);
    let days_left = today.month().length(today.year()) - today.day();
    if quarter_end_month && days_left < QUARTER_END_DAYS && entry.amount > before && before > 0 {
        warnings.push(Warning::QuarterEndBurst);
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn periods() {
        assert_eq!(p("2026-03").to_string(), "2026-03");
        assert_eq!(p("2026/3").to_string(), "2026-03");
        assert_eq!(p("2026-11").quarter(), 4);
        assert_eq!(p("2026-11").year_before(), p("2025-11"));
        for bad in ["2026", "2026-13", "2026-00", "1999-01", "abc", "2026-1a"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert!(p("2025-12") < p("2026-01"));
    }

    #[test]
    fn flags_arrival_above_the_contract() {
        let history = [(p("2026-01"), 600)];
        let e = Entry {
            amount: 500,
            period: p("2026-02"),
            history: &history,
            contract: 1000,
            today: date!(2026 - 02 - 10),
        };
        assert_eq!(plausibility(&e), [Warning::AboveContract]);
        let e = Entry { amount: 400, ..e };
        assert!(
            plausibility(&e).is_empty(),
            "exactly the contract amount is fine"
        );
    }

    #[test]
    fn flags_jumps_but_not_small_projects() {
        let history = [
            (p("2026-01"), JUMP_FLOOR / 10),
            (p("2026-02"), JUMP_FLOOR / 8),
        ];
        let e = Entry {
            amount: JUMP_FLOOR,
            period: p("2026-03"),
            history: &history,
            contract: 0,
            today: date!(2026 - 03 - 10),
        };
        assert_eq!(plausibility(&e), [Warning::Jump]);
        let small = [(p("2026-01"), 100)];
        let e = Entry {
            amount: 10_000,
            history: &small,
            ..e
        };
        assert!(plausibility(&e).is_empty());
    }

    #[test]
    fn flags_bursts_before_quarter_deadlines() {
        let history = [(p("2026-01"), 1000)];
        let e = Entry {
            amount: 2000,
            period: p("2026-03"),
            history: &history,
            contract: 0,
            today: date!(2026 - 03 - 29),
        };
        assert_eq!(plausibility(&e), [Warning::QuarterEndBurst]);
        let e = Entry {
            today: date!(2026 - 03 - 20),
            ..e
        };
        assert!(plausibility(&e).is_empty());
    }

    #[test]
    fn money_cannot_arrive_in_a_month_to_come() {
        let today = date!(2026 - 12 - 06);
        assert_eq!(p("2026-12").not_after_month_of(today), Ok(p("2026-12")));
        assert_eq!(p("2019-01").not_after_month_of(today), Ok(p("2019-01")));
        let e = p("2027-01").not_after_month_of(today).unwrap_err();
        assert!(e.contains("2027-01") && e.contains("2026-12"), "{e}");
    }
}

/// The currency of a fund record or amount: 元 and US dollars are never added together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Currency {
    /// 人民币, in 分.
    #[serde(rename = "CNY")]
    Cny,
    /// 美元, in cents.
    #[serde(rename = "USD")]
    Usd,
}

impl Currency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cny => "CNY",
            Self::Usd => "USD",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Cny => "人民币",
            Self::Usd => "美元",
        }
    }
}

/// What kind of money a record is (domain §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundKind {
    /// 固定资产投资
    FixedAsset,
    /// 注册资本实缴
    RegisteredCapital,
    /// 其他
    Other,
}

impl FundKind {
    pub const ALL: [FundKind; 3] = [Self::FixedAsset, Self::RegisteredCapital, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FixedAsset => "fixed_asset",
            Self::RegisteredCapital => "registered_capital",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::FixedAsset => "固定资产投资",
            Self::RegisteredCapital => "注册资本实缴",
            Self::Other => "其他",
        }
    }

    /// The code or the Chinese name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }
}

/// A reviewer's decision on an entered fund record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// 确认: the record counts from now on.
    Confirm,
    /// 退回: sent back to the one who entered it, with a reason.
    Return,
}

impl ReviewDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Return => "return",
        }
    }
}
