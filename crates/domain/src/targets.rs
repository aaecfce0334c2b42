//! Yearly targets (目标任务, domain §6) and whether a region reached them.

use crate::rates::Rate;
use serde::{Deserialize, Serialize};

/// What a target is set on. Values are stored in basis points (2000 = 20%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 资金到位率 of the year's signed projects, e.g. "≥ 20% of contract" [000].
    ArrivalRate,
    /// 省外境内资金（实际到位内资）同比增长, e.g. "+12%" [000], "+10%/年" [004].
    DomesticGrowth,
    /// 实际利用外资同比增长, e.g. "+10%" [000], "+15%/年" [004].
    ForeignGrowth,
}

impl Indicator {
    pub const ALL: [Indicator; 3] = [
        Indicator::ArrivalRate,
        Indicator::DomesticGrowth,
        Indicator::ForeignGrowth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArrivalRate => "arrival_rate",
            Self::DomesticGrowth => "domestic_growth",
            Self::ForeignGrowth => "foreign_growth",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ArrivalRate => "资金到位率",
            Self::DomesticGrowth => "省外境内资金同比增长",
            Self::ForeignGrowth => "实际利用外资同比增长",
        }
    }

    /// How the actual figure is computed, printed next to it.
    pub fn basis(self) -> &'static str {
        match self {
            Self::ArrivalRate => {
                "Σ已确认到位资金（人民币）÷ Σ合同金额（人民币），全部签约项目，截至该年末或本月"
            }
            Self::DomesticGrowth => {
                "省外境内项目当年1月至统计月已确认到位资金（人民币）÷ 上年同期 − 1"
            }
            Self::ForeignGrowth => "境外项目当年1月至统计月已确认到位外资（美元）÷ 上年同期 − 1",
        }
    }
}

/// A target value in basis points as an exact rate (2000 → 20%).
pub fn from_basis_points(bp: i64) -> Rate {
    Rate::of(bp, 10_000).expect("non-zero denominator")
}

/// Whether the actual figure reaches the target; unknown (`None`) without an actual figure
/// (no contract amount, or nothing last year to grow from).
pub fn reached(actual: Option<Rate>, target_bp: i64) -> Option<bool> {
    actual.map(|a| a >= from_basis_points(target_bp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_reached_exactly_at_its_value() {
        // 20% of contract: 2,000万 of 10,000万 reaches it, one 分 less does not.
        assert_eq!(reached(Rate::of(2_000, 10_000), 2000), Some(true));
        assert_eq!(
            reached(Rate::of(2_000_000_000 - 1, 10_000_000_000), 2000),
            Some(false)
        );
        // +12% growth: 112 against 100 reaches it; 111.99 does not.
        assert_eq!(
            reached(crate::rates::growth(11_200, 10_000), 1200),
            Some(true)
        );
        assert_eq!(
            reached(crate::rates::growth(11_199, 10_000), 1200),
            Some(false)
        );
        // nothing last year: growth undefined, so the target is neither met nor missed
        assert_eq!(reached(crate::rates::growth(5_000, 0), 1000), None);
        // a fall is a negative growth
        assert_eq!(
            reached(crate::rates::growth(9_000, 10_000), -1000),
            Some(true)
        );
    }

    #[test]
    fn indicators_round_trip() {
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.as_str()), Some(i));
        }
        assert_eq!(Indicator::parse("export_growth"), None);
    }
}
