//! The "三率" and the classification of projects by funds-arrival rate (domain §5).
//!
//! Rates are exact fractions; they are rounded only when displayed.

use crate::money::{Fen, UsdCents};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// An exact ratio `numerator / denominator` (denominator > 0). May be negative (growth).
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    numerator: i128,
    denominator: i128,
}

impl Rate {
    /// `numerator / denominator`, or `None` when the denominator is zero (a rate of nothing
    /// is not 0%: it is undefined, and screens say so).
    pub fn of(numerator: i64, denominator: i64) -> Option<Rate> {
        match denominator.cmp(&0) {
            Ordering::Equal => None,
            Ordering::Greater => Some(Rate {
                numerator: numerator as i128,
                denominator: denominator as i128,
            }),
            Ordering::Less => Some(Rate {
                numerator: -(numerator as i128),
                denominator: -(denominator as i128),
            }),
        }
    }

    /// A whole percentage, e.g. `Rate::percent(20)` for 20%.
    pub const fn percent(p: i64) -> Rate {
        Rate {
            numerator: p as i128,
            denominator: 100,
        }
    }

    /// `(numerator, denominator)` in lowest terms, for exact comparisons done in SQL as
    /// `a * denominator > b * numerator`.
    pub fn parts(self) -> (i64, i64) {
        let gcd = |mut a: i128, mut b: i128| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a.abs().max(1)
        };
        let g = gcd(self.numerator, self.denominator);
        ((self.numerator / g) as i64, (self.denominator / g) as i64)
    }

    /// The rate in basis points (1 = 0.01%), rounded half away from zero; exact for rates
    /// made from basis points, as stored thresholds are.
    pub fn basis_points(self) -> i64 {
        let scaled = self.numerator * 10_000;
        ((scaled.abs() + self.denominator / 2) / self.denominator * scaled.signum()) as i64
    }

    pub fn is_zero(self) -> bool {
        self.numerator == 0
    }

    /// The percentage rounded half away from zero to `decimals` places: "20.00%".
    pub fn display_percent(self, decimals: u32) -> String {
        let shown = 10i128.pow(decimals);
        let scaled = self.numerator * 100 * shown;
        let rounded = (scaled.abs() + self.denominator / 2) / self.denominator * scaled.signum();
        let whole = rounded.abs() / shown;
        let frac = rounded.abs() % shown;
        let sign = if rounded < 0 { "-" } else { "" };
        if decimals == 0 {
            format!("{sign}{whole}%")
        } else {
            format!("{sign}{whole}.{frac:0width$}%", width = decimals as usize)
        }
    }

    /// For charts only; never for comparisons or sums.
    pub fn to_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }
}

impl PartialEq for Rate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Rate {}
impl PartialOrd for Rate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Rate {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.numerator * other.denominator).cmp(&(other.numerator * self.denominator))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_percent(2))
    }
}

/// 优秀 / 良好 / 一般 / 未履约 (seed 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// 优秀: rate above the excellent threshold (50%).
    Excellent,
    /// 良好: from the good threshold (20%) up to and including the excellent threshold.
    Good,
    /// 一般: some arrival, below the good threshold.
    Fair,
    /// 未履约: no confirmed arrival at all.
    NotFulfilled,
    /// Money arrived but there is no contract amount to measure it against: the amount was not
    /// filled in (合同金额未填).
    NoContractAmount,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Excellent => "excellent",
            Self::Good => "good",
            Self::Fair => "fair",
            Self::NotFulfilled => "not_fulfilled",
            Self::NoContractAmount => "no_contract_amount",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Excellent => "优秀",
            Self::Good => "良好",
            Self::Fair => "一般",
            Self::NotFulfilled => "未履约",
            Self::NoContractAmount => "合同金额未填",
        }
    }
}

/// Thresholds belong to the campaign, not the code; these defaults are seed 000's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Strictly above this rate is 优秀.
    pub excellent_above: Rate,
    /// From this rate (inclusive) is 良好.
    pub good_from: Rate,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            excellent_above: Rate::percent(50),
            good_from: Rate::percent(20),
        }
    }
}

/// A project's confirmed money against its contract, per currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectFunds {
    pub contract: Fen,
    pub arrival: Fen,
    pub contract_usd: UsdCents,
    pub arrival_usd: UsdCents,
}

impl ProjectFunds {
    /// The project's 资金到位率: domestic money when it has a domestic contract amount, else
    /// foreign money against the foreign contract amount (USD-only projects). Currencies are
    /// never mixed.
    pub fn arrival_rate(&self) -> Option<Rate> {
        if self.contract.0 > 0 {
            Rate::of(self.arrival.0, self.contract.0)
        } else {
            Rate::of(self.arrival_usd.0, self.contract_usd.0)
        }
    }

    pub fn has_arrival(&self) -> bool {
        self.arrival.0 > 0 || self.arrival_usd.0 > 0
    }

    pub fn classify(&self, thresholds: &Thresholds) -> Classification {
        if !self.has_arrival() {
            return Classification::NotFulfilled;
        }
        match self.arrival_rate() {
            None => Classification::NoContractAmount,
            Some(r) if r > thresholds.excellent_above => Classification::Excellent,
            Some(r) if r >= thresholds.good_from => Classification::Good,
            Some(_) => Classification::Fair,
        }
    }
}

/// Rates of a group of projects: Σ arrival ÷ Σ contract, separately per currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupRates {
    pub domestic: Option<Rate>,
    pub foreign: Option<Rate>,
}

pub fn group_arrival_rates<'a>(projects: impl IntoIterator<Item = &'a ProjectFunds>) -> GroupRates {
    let (mut c, mut a, mut cu, mut au) = (0i64, 0i64, 0i64, 0i64);
    for p in projects {
        c += p.contract.0;
        a += p.arrival.0;
        cu += p.contract_usd.0;
        au += p.arrival_usd.0;
    }
    GroupRates {
        domestic: Rate::of(a, c),
        foreign: Rate::of(au, cu),
    }
}

/// What the 履约率 and 开工率 need to know of a signed project.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub has_confirmed_arrival: bool,
    pub started: bool,
}

/// 履约率 (default definition): signed projects that have begun to fulfil — any confirmed
/// arrival, or started — over signed projects.
pub fn fulfilment_rate<'a>(signed: impl IntoIterator<Item = &'a Progress>) -> Option<Rate> {
    let (mut n, mut total) = (0, 0);
    for p in signed {
        total += 1;
        if p.has_confirmed_arrival || p.started {
            n += 1;
        }
    }
    Rate::of(n, total)
}

/// 开工率: signed projects with a start date over signed projects.
pub fn start_rate<'a>(signed: impl IntoIterator<Item = &'a Progress>) -> Option<Rate> {
    let (mut n, mut total) = (0, 0);
    for p in signed {
        total += 1;
        if p.started {
            n += 1;
        }
    }
    Rate::of(n, total)
}

/// 同比: this period's amount against the same period last year; `None` without a base.
pub fn growth(this_year: i64, last_year: i64) -> Option<Rate> {
    Rate::of(this_year - last_year, last_year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funds(contract_wan: i64, arrival_fen: i64) -> ProjectFunds {
        ProjectFunds {
            contract: Fen::from_wan_yuan(contract_wan),
            arrival: Fen(arrival_fen),
            ..Default::default()
        }
    }

    #[test]
    fn boundaries_as_seed_000_writes_them() {
        let t = Thresholds::default();
        let contract = Fen::from_wan_yuan(10_000).0; // 1亿元
        assert_eq!(
            funds(10_000, contract / 2 + 1).classify(&t),
            Classification::Excellent
        );
        assert_eq!(
            funds(10_000, contract / 2).classify(&t),
            Classification::Good,
            "exactly 50% is 良好"
        );
        assert_eq!(
            funds(10_000, contract / 5).classify(&t),
            Classification::Good,
            "exactly 20% is 良好"
        );
        assert_eq!(
            funds(10_000, contract / 5 - 1).classify(&t),
            Classification::Fair
        );
        assert_eq!(funds(10_000, 1).classify(&t), Classification::Fair);
        assert_eq!(funds(10_000, 0).classify(&t), Classification::NotFulfilled);
    }

    #[test]
    fn zero_contract_amount_is_not_a_zero_rate() {
        let t = Thresholds::default();
        assert_eq!(funds(0, 0).arrival_rate(), None);
        assert_eq!(funds(0, 0).classify(&t), Classification::NotFulfilled);
        assert_eq!(funds(0, 100).classify(&t), Classification::NoContractAmount);
    }

    #[test]
    fn usd_only_projects_are_measured_in_usd() {
        let p = ProjectFunds {
            contract_usd: UsdCents::from_wan_usd(1000),
            arrival_usd: UsdCents::from_wan_usd(600),
            ..Default::default()
        };
        assert_eq!(p.arrival_rate(), Some(Rate::percent(60)));
        assert_eq!(
            p.classify(&Thresholds::default()),
            Classification::Excellent
        );
    }

    #[test]
    fn classification_codes_match_their_serde_names() {
        for c in [
            Classification::Excellent,
            Classification::Good,
            Classification::Fair,
            Classification::NotFulfilled,
            Classification::NoContractAmount,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }

    #[test]
    fn thresholds_are_configurable() {
        let strict = Thresholds {
            excellent_above: Rate::percent(80),
            good_from: Rate::percent(50),
        };
        let contract = Fen::from_wan_yuan(100).0;
        assert_eq!(
            funds(100, contract * 6 / 10).classify(&strict),
            Classification::Good
        );
        assert_eq!(
            funds(100, contract * 4 / 10).classify(&strict),
            Classification::Fair
        );
    }

    #[test]
    fn group_rate_is_sum_over_sum_not_mean_of_rates() {
        // 90% of a small project and 10% of a large one: the mean of rates would say 50%.
        let small = funds(100, Fen::from_wan_yuan(90).0);
        let large = funds(900, Fen::from_wan_yuan(90).0);
        let rates = group_arrival_rates([&small, &large]);
        assert_eq!(rates.domestic, Some(Rate::percent(18)));
        assert_eq!(
            rates.foreign, None,
            "no foreign contract: undefined, not 0%"
        );
    }

    #[test]
    fn three_rates() {
        let projects = [
            Progress {
                has_confirmed_arrival: true,
                started: true,
            },
            Progress {
                has_confirmed_arrival: true,
                started: false,
            },
            Progress {
                has_confirmed_arrival: false,
                started: true,
            },
            Progress {
                has_confirmed_arrival: false,
                started: false,
            },
        ];
        assert_eq!(fulfilment_rate(&projects), Some(Rate::percent(75)));
        assert_eq!(start_rate(&projects), Some(Rate::percent(50)));
        assert_eq!(fulfilment_rate(&[]), None);
    }

    #[test]
    fn growth_and_display() {
        assert_eq!(growth(112, 100), Some(Rate::percent(12)));
        assert_eq!(growth(90, 100).unwrap().display_percent(1), "-10.0%");
        assert_eq!(growth(5, 0), None);
        assert_eq!(Rate::of(1, 3).unwrap().display_percent(2), "33.33%");
        assert_eq!(Rate::of(2, 3).unwrap().display_percent(2), "66.67%");
        assert_eq!(Rate::of(1, 8).unwrap().display_percent(1), "12.5%");
        assert_eq!(Rate::of(1, 3).unwrap(), Rate::of(2, 6).unwrap());
        assert_eq!(Rate::percent(20).parts(), (1, 5));
        assert_eq!(Rate::percent(50).parts(), (1, 2));
        assert_eq!(Rate::percent(50).basis_points(), 5000);
        assert_eq!(Rate::of(1, 8).unwrap().basis_points(), 1250);
        assert_eq!(Rate::of(1, 3).unwrap().basis_points(), 3333);
        assert_eq!(Rate::of(-1, 3).unwrap().basis_points(), -3333);
    }
}
