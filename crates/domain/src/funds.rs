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
    /// Cumulative arrival in the entry's currency would exceed that currency's part of the
    /// contract (a climb that passes the contract in steps is caught at the step that passes).
    AboveContract,
    /// The month's total (every record of the month, so splitting it hides nothing) is far
    /// above the project's median month.
    Jump,
    /// The month's total at a quarter's end (by the period, whenever it is entered) exceeds
    /// everything that arrived before it and several times the project's median month.
    QuarterEndBurst,
    /// The project's first entry is already most of the contract.
    FirstEntryLarge,
    /// Money in a currency the contract does not have (元 on a USD-only project, or USD on a
    /// 元-only one).
    CurrencyNotInContract,
}

impl Warning {
    pub fn message(&self) -> &'static str {
        match self {
            Self::AboveContract => "累计到位资金将超过合同金额",
            Self::Jump => "本月到位资金合计远高于该项目各月到位资金的中位数",
            Self::QuarterEndBurst => "季度末月份到位资金合计超过此前累计到位资金",
            Self::FirstEntryLarge => "该项目首次填报的到位资金已占合同金额的大部分",
            Self::CurrencyNotInContract => "合同中没有该币种的金额，到位资金币种与合同不符",
        }
    }
}

/// The thresholds of the plausibility checks, kept in the rule settings; `default()` is the
/// seeds' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FundChecks {
    /// A month's total above this multiple of the project's median month is a jump.
    pub jump_factor: i64,
    /// …and only when the month's total is at least this (minor units: 10万元 = 10,000,000
    /// 分), so small projects' normal variation is left alone; the quarter-end burst uses it too.
    pub jump_floor: i64,
    /// A first entry above this share of the contract (basis points: 5000 = 50%) is warned.
    pub first_entry_share_bp: i64,
    /// A quarter's last month is a burst when its total exceeds everything before it and this
    /// multiple of the project's median month.
    #[serde(default = "default_burst_factor")]
    pub burst_factor: i64,
    /// An override reason needs at least this many letters or characters (digits and
    /// punctuation do not count): a sentence, not "1" or ".".
    pub reason_min_chars: i64,
}

impl Default for FundChecks {
    fn default() -> Self {
        Self {
            jump_factor: 5,
            jump_floor: 100_000 * 100,
            first_entry_share_bp: 5_000,
            burst_factor: default_burst_factor(),
            reason_min_chars: 8,
        }
    }
}

fn default_burst_factor() -> i64 {
    3
}

impl FundChecks {
    /// The field and message of the first value out of range, if any.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if !(2..=100).contains(&self.jump_factor) {
            return Some(("jump_factor", "跳增倍数应在2至100之间"));
        }
        if self.jump_floor < 0 {
            return Some(("jump_floor", "跳增起点金额不能为负"));
        }
        if !(1..=10_000).contains(&self.first_entry_share_bp) {
            return Some((
                "first_entry_share_bp",
                "首次填报占合同比例应在0.01%至100%之间",
            ));
        }
        if !(2..=100).contains(&self.burst_factor) {
            return Some(("burst_factor", "季末集中倍数应在2至100之间"));
        }
        if !(1..=100).contains(&self.reason_min_chars) {
            return Some(("reason_min_chars", "情况说明最少字数应在1至100之间"));
        }
        None
    }

    /// Whether an override reason says something (`reason::says_something`, the rule every
    /// reason follows), in the fund form's words.
    pub fn reason_problem(&self, reason: &str) -> Option<String> {
        let min = self.reason_min_chars;
        (!crate::reason::says_something(reason, min)).then(|| {
            format!(
                "情况说明须用一句话说明金额为何属实（至少{min}个汉字或字母，如“设备款按合同一次性支付，附银行回单”）"
            )
        })
    }
}

/// What the checks look at, all in one currency's minor units.
pub struct Entry<'a> {
    pub amount: i64,
    pub period: Period,
    /// Confirmed and pending amounts already on record for the project in this currency, by
    /// period (several records may share a period).
    pub history: &'a [(Period, i64)],
    /// The contract amount in the entry's currency (0 when none).
    pub contract: i64,
    /// The contract amount in the other currency (0 when none).
    pub other_contract: i64,
}

/// The lower median (the smaller middle value of an even count), so that one large month
/// among few does not lift the yardstick.
fn lower_median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[(values.len() - 1) / 2])
}

pub fn plausibility(entry: &Entry, checks: &FundChecks) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let before: i64 = entry.history.iter().map(|(_, a)| a).sum();
    if entry.contract == 0 && entry.other_contract > 0 {
        warnings.push(Warning::CurrencyNotInContract);
    }
    if entry.contract > 0 && before + entry.amount > entry.contract {
        warnings.push(Warning::AboveContract);
    }
    if entry.history.is_empty()
        && entry.contract > 0
        && i128::from(entry.amount) * i128::from(crate::rules::BASIS_POINTS)
            > i128::from(entry.contract) * i128::from(checks.first_entry_share_bp)
    {
        warnings.push(Warning::FirstEntryLarge);
    }
    let mut months: std::collections::BTreeMap<Period, i64> = std::collections::BTreeMap::new();
    for (p, a) in entry.history {
        *months.entry(*p).or_default() += a;
    }
    let month_total = months.remove(&entry.period).unwrap_or(0) + entry.amount;
    let others: Vec<i64> = months.values().copied().filter(|a| *a > 0).collect();
    let median = lower_median(others);
    let above_median = |factor: i64| {
        median.is_some_and(|m| i128::from(month_total) > i128::from(m) * i128::from(factor))
    };
    if month_total >= checks.jump_floor && above_median(checks.jump_factor) {
        warnings.push(Warning::Jump);
    }
    let before_month: i64 = months
        .iter()
        .filter(|(p, _)| **p < entry.period)
        .map(|(_, a)| a)
        .sum();
    if entry.period.month().is_multiple_of(3)
        && before_month > 0
        && month_total >= checks.jump_floor
        && month_total > before_month
        && above_median(checks.burst_factor)
    {
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

    const WAN: i64 = 10_000 * 100;

    fn entry<'a>(
        amount: i64,
        period: &str,
        history: &'a [(Period, i64)],
        contract: i64,
    ) -> Entry<'a> {
        Entry {
            amount,
            period: p(period),
            history,
            contract,
            other_contract: 0,
        }
    }

    fn warned(e: &Entry) -> Vec<Warning> {
        plausibility(e, &FundChecks::default())
    }

    #[test]
    fn flags_arrival_above_the_contract() {
        let history = [(p("2026-01"), 600)];
        let e = entry(500, "2026-02", &history, 1000);
        assert_eq!(warned(&e), [Warning::AboveContract]);
        let e = Entry { amount: 400, ..e };
        assert!(warned(&e).is_empty(), "exactly the contract amount is fine");
    }

    #[test]
    fn a_climb_in_steps_below_the_jump_factor_is_caught_by_the_median_and_the_contract() {
        // Each month 4.9× the one before: never 5× the largest earlier month, but soon far
        // above the project's median month, and the step that passes the contract says so.
        let contract = 5_000 * WAN;
        let mut history: Vec<(Period, i64)> = Vec::new();
        let mut amount = 10 * WAN;
        let mut caught = Vec::new();
        for month in 1..=5u8 {
            let period = format!("2025-{month:02}");
            let w = warned(&entry(amount, &period, &history, contract));
            caught.push(w.clone());
            history.push((p(&period), amount));
            amount = amount * 49 / 10;
        }
        assert!(caught[0].is_empty() && caught[1].is_empty(), "{caught:?}");
        assert!(caught[2].contains(&Warning::Jump), "{caught:?}");
        assert!(caught[4].contains(&Warning::AboveContract), "{caught:?}");
    }

    #[test]
    fn a_month_split_into_records_is_judged_by_its_total() {
        let usual = [
            (p("2026-01"), 100 * WAN),
            (p("2026-02"), 100 * WAN),
            (p("2026-03"), 120 * WAN),
        ];
        // 20× the usual month in five records of 4×: the second already makes the month 8×.
        let mut history = usual.to_vec();
        let first = warned(&entry(400 * WAN, "2026-04", &history, 0));
        assert!(first.is_empty(), "{first:?}");
        history.push((p("2026-04"), 400 * WAN));
        assert_eq!(
            warned(&entry(400 * WAN, "2026-04", &history, 0)),
            [Warning::Jump]
        );
        // Boundary: exactly 5× the median month is not a jump; one 分 more is.
        let e = entry(500 * WAN, "2026-05", &usual, 0);
        assert!(warned(&e).is_empty(), "{:?}", warned(&e));
        let e = entry(500 * WAN + 1, "2026-05", &usual, 0);
        assert_eq!(warned(&e), [Warning::Jump]);
        // Small projects: below the floor nothing is a jump.
        let small = [(p("2026-01"), 100)];
        assert!(warned(&entry(10_000, "2026-02", &small, 0)).is_empty());
    }

    #[test]
    fn a_first_entry_above_the_set_share_of_the_contract_is_warned() {
        let contract = 1_000 * WAN;
        assert!(
            warned(&entry(500 * WAN, "2026-02", &[], contract)).is_empty(),
            "exactly 50%"
        );
        assert_eq!(
            warned(&entry(500 * WAN + 1, "2026-02", &[], contract)),
            [Warning::FirstEntryLarge]
        );
        assert_eq!(
            warned(&entry(950 * WAN, "2026-02", &[], contract)),
            [Warning::FirstEntryLarge],
            "95% of the contract as a first entry"
        );
        let stricter = FundChecks {
            first_entry_share_bp: 3_000,
            ..FundChecks::default()
        };
        assert_eq!(
            plausibility(&entry(400 * WAN, "2026-02", &[], contract), &stricter),
            [Warning::FirstEntryLarge]
        );
    }

    #[test]
    fn money_in_a_currency_the_contract_lacks_or_above_its_part_is_warned() {
        // USD on a 元-only project.
        let e = Entry {
            other_contract: 1_000 * WAN,
            ..entry(10 * WAN, "2026-02", &[], 0)
        };
        assert_eq!(warned(&e), [Warning::CurrencyNotInContract]);
        // Both currencies in the contract: USD above the USD part.
        let history = [(p("2026-01"), 80 * WAN)];
        let e = Entry {
            other_contract: 1_000 * WAN,
            ..entry(30 * WAN, "2026-02", &history, 100 * WAN)
        };
        assert_eq!(warned(&e), [Warning::AboveContract]);
        // No contract at all: nothing to compare with.
        assert!(warned(&entry(10 * WAN, "2026-02", &[], 0)).is_empty());
    }

    #[test]
    fn a_quarter_end_burst_is_keyed_on_the_period_whenever_entered() {
        let history = [(p("2026-01"), 100 * WAN), (p("2026-02"), 100 * WAN)];
        // March's total above everything before and 3× the median month, whatever day it is
        // entered (the period says which quarter it props up).
        assert_eq!(
            warned(&entry(301 * WAN, "2026-03", &history, 0)),
            [Warning::QuarterEndBurst]
        );
        assert!(
            warned(&entry(300 * WAN, "2026-03", &history, 0)).is_empty(),
            "exactly 3×"
        );
        // Growth that is not a burst: above all before, but not 3× the usual month.
        let growing = [(p("2026-02"), 100 * WAN)];
        assert!(warned(&entry(200 * WAN, "2026-03", &growing, 0)).is_empty());
        // The same amount in a month that ends no quarter.
        assert!(warned(&entry(301 * WAN, "2026-04", &history, 0)).is_empty());
        // A burst split over two records of the quarter's last month.
        let split = [
            (p("2026-01"), 100 * WAN),
            (p("2026-02"), 100 * WAN),
            (p("2026-03"), 250 * WAN),
        ];
        assert_eq!(
            warned(&entry(60 * WAN, "2026-03", &split, 0)),
            [Warning::QuarterEndBurst]
        );
    }

    #[test]
    fn an_override_reason_is_a_sentence_not_a_character() {
        let checks = FundChecks::default();
        for bad in [
            "1",
            ".",
            "。。。。。。。。",
            "12345678901",
            "好好好好好好好好",
            "ok",
        ] {
            assert!(checks.reason_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "设备款按合同一次性支付",
            "一次性支付设备款，合同约定",
            "Equipment paid in full",
        ] {
            assert!(checks.reason_problem(good).is_none(), "{good}");
        }
        assert!(
            checks.reason_problem("设备款一次付清").is_some(),
            "7 characters, one short"
        );
        assert!(
            checks.reason_problem("设备款一次性付清").is_none(),
            "exactly 8"
        );
    }

    #[test]
    fn the_thresholds_are_checked() {
        assert_eq!(FundChecks::default().problem(), None);
        let bad = FundChecks {
            jump_factor: 1,
            ..FundChecks::default()
        };
        assert_eq!(bad.problem().map(|p| p.0), Some("jump_factor"));
        let bad = FundChecks {
            first_entry_share_bp: 0,
            ..FundChecks::default()
        };
        assert_eq!(bad.problem().map(|p| p.0), Some("first_entry_share_bp"));
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
