//! Who follows a project, decided by its amount and origin (seed 002, domain §7).

use crate::money::{Fen, UsdCents};
use serde::{Deserialize, Serialize};

/// Where the money comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// 境外
    Foreign,
    /// 省外境内
    OutOfProvince,
    /// 省内
    InProvince,
}

impl Origin {
    pub const ALL: [Origin; 3] = [Origin::Foreign, Origin::OutOfProvince, Origin::InProvince];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Foreign => "foreign",
            Self::OutOfProvince => "out_of_province",
            Self::InProvince => "in_province",
        }
    }

    /// Accepts the code or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s || o.label() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Foreign => "境外",
            Self::OutOfProvince => "省外境内",
            Self::InProvince => "省内",
        }
    }
}

/// An obligation a project carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Obligation {
    /// 列入市级台账，市开放办定期督查
    CityLedger,
    /// 市级领导牵头、专班推进
    CityLeaderWithTeam,
    /// 县级督查
    CountySupervision,
    /// 季度督查通报
    QuarterlyBulletin,
    /// 填写回访登记表
    RevisitForm,
}

impl Obligation {
    pub const ALL: [Obligation; 5] = [
        Self::CityLedger,
        Self::CityLeaderWithTeam,
        Self::CountySupervision,
        Self::QuarterlyBulletin,
        Self::RevisitForm,
    ];

    /// The code used in the API and in stored rules (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CityLedger => "city_ledger",
            Self::CityLeaderWithTeam => "city_leader_with_team",
            Self::CountySupervision => "county_supervision",
            Self::QuarterlyBulletin => "quarterly_bulletin",
            Self::RevisitForm => "revisit_form",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::CityLedger => "列入市级台账、定期督查",
            Self::CityLeaderWithTeam => "市级领导牵头、专班推进",
            Self::CountySupervision => "县级督查",
            Self::QuarterlyBulletin => "季度督查通报",
            Self::RevisitForm => "填写回访登记表",
        }
    }
}

/// One condition on a project; a rule applies when any of its conditions holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "amount")]
pub enum Condition {
    ContractAtLeast(Fen),
    ContractBelow(Fen),
    ForeignAtLeast(UsdCents),
    OutOfProvinceContractAtLeast(Fen),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierRule {
    pub any_of: Vec<Condition>,
    pub obligation: Obligation,
}

/// What the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct TierInput {
    pub contract: Fen,
    pub contract_usd: UsdCents,
    pub origin: Origin,
}

/// The currency a condition's amount is in, which decides the unit it is typed in:
/// 元 amounts in 亿元, foreign capital in 万美元.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountUnit {
    YiYuan,
    WanUsd,
}

impl AmountUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::YiYuan => "yi_yuan",
            Self::WanUsd => "wan_usd",
        }
    }
}

impl Condition {
    /// Every kind of condition, by its code (the serde tag).
    pub const KINDS: [&'static str; 4] = [
        "contract_at_least",
        "contract_below",
        "foreign_at_least",
        "out_of_province_contract_at_least",
    ];

    pub fn kind(self) -> &'static str {
        match self {
            Self::ContractAtLeast(_) => Self::KINDS[0],
            Self::ContractBelow(_) => Self::KINDS[1],
            Self::ForeignAtLeast(_) => Self::KINDS[2],
            Self::OutOfProvinceContractAtLeast(_) => Self::KINDS[3],
        }
    }

    /// The amount in minor units (分, or US cents for foreign capital).
    pub fn amount(self) -> i64 {
        match self {
            Self::ContractAtLeast(a)
            | Self::ContractBelow(a)
            | Self::OutOfProvinceContractAtLeast(a) => a.0,
            Self::ForeignAtLeast(a) => a.0,
        }
    }

    /// Builds a condition from its code and amount in minor units; `None` for an unknown code.
    pub fn from_parts(kind: &str, amount: i64) -> Option<Self> {
        Some(match kind {
            "contract_at_least" => Self::ContractAtLeast(Fen(amount)),
            "contract_below" => Self::ContractBelow(Fen(amount)),
            "foreign_at_least" => Self::ForeignAtLeast(UsdCents(amount)),
            "out_of_province_contract_at_least" => Self::OutOfProvinceContractAtLeast(Fen(amount)),
            _ => return None,
        })
    }

    /// What the condition compares, as the rule table's column reads ("合同金额不低于").
    pub fn kind_label(kind: &str) -> Option<&'static str> {
        Some(match kind {
            "contract_at_least" => "合同金额不低于",
            "contract_below" => "合同金额低于",
            "foreign_at_least" => "境外资金，合同外资不低于",
            "out_of_province_contract_at_least" => "省外境内资金，合同金额不低于",
            _ => return None,
        })
    }

    pub fn unit_of(kind: &str) -> Option<AmountUnit> {
        match kind {
            "foreign_at_least" => Some(AmountUnit::WanUsd),
            k if Self::KINDS.contains(&k) => Some(AmountUnit::YiYuan),
            _ => None,
        }
    }

    /// The condition as people read it: "合同金额 ≥ 1亿元", "境外资金：合同外资 ≥ 1000万美元".
    pub fn describe(self) -> String {
        match self {
            Self::ContractAtLeast(a) => format!("合同金额 ≥ {}亿元", a.exact_yi_yuan()),
            Self::ContractBelow(a) => format!("合同金额 < {}亿元", a.exact_yi_yuan()),
            Self::ForeignAtLeast(a) => {
                format!("境外资金：合同外资 ≥ {}万美元", a.exact_wan_usd())
            }
            Self::OutOfProvinceContractAtLeast(a) => {
                format!("省外境内资金：合同金额 ≥ {}亿元", a.exact_yi_yuan())
            }
        }
    }

    fn holds(self, p: &TierInput) -> bool {
        match self {
            Self::ContractAtLeast(a) => p.contract >= a,
            Self::ContractBelow(a) => p.contract < a,
            Self::ForeignAtLeast(a) => p.origin == Origin::Foreign && p.contract_usd >= a,
            Self::OutOfProvinceContractAtLeast(a) => {
                p.origin == Origin::OutOfProvince && p.contract >= a
            }
        }
    }
}

impl TierRule {
    /// The rule's conditions joined as they are read: "…，或…".
    pub fn describe(&self) -> String {
        self.any_of
            .iter()
            .map(|c| c.describe())
            .collect::<Vec<_>>()
            .join("，或")
    }
}

/// Seed 002's table; installations edit their own copy.
pub fn default_rules() -> Vec<TierRule> {
    use Condition::*;
    vec![
        TierRule {
            any_of: vec![ContractAtLeast(Fen::from_yi_yuan(1))],
            obligation: Obligation::CityLedger,
        },
        TierRule {
            any_of: vec![ContractAtLeast(Fen::from_yi_yuan(5))],
            obligation: Obligation::CityLeaderWithTeam,
        },
        TierRule {
            any_of: vec![ContractBelow(Fen::from_yi_yuan(1))],
            obligation: Obligation::CountySupervision,
        },
        TierRule {
            any_of: vec![ContractAtLeast(Fen::from_yi_yuan(2))],
            obligation: Obligation::QuarterlyBulletin,
        },
        TierRule {
            any_of: vec![
                ForeignAtLeast(UsdCents::from_wan_usd(1000)),
                OutOfProvinceContractAtLeast(Fen::from_yi_yuan(3)),
            ],
            obligation: Obligation::RevisitForm,
        },
    ]
}

/// The obligations a project carries under `rules`, in rule order, without repeats.
pub fn obligations(project: &TierInput, rules: &[TierRule]) -> Vec<Obligation> {
    let mut out = Vec::new();
    for rule in rules {
        if rule.any_of.iter().any(|c| c.holds(project)) && !out.contains(&rule.obligation) {
            out.push(rule.obligation);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Obligation::*;

    fn project(yi_fen: Fen, usd: UsdCents, origin: Origin) -> Vec<Obligation> {
        obligations(
            &TierInput {
                contract: yi_fen,
                contract_usd: usd,
                origin,
            },
            &default_rules(),
        )
    }

    #[test]
    fn seed_002_amount_tiers() {
        let none = UsdCents(0);
        assert_eq!(
            project(Fen::from_yi_yuan(1) - Fen(1), none, Origin::InProvince),
            [CountySupervision]
        );
        assert_eq!(
            project(Fen::from_yi_yuan(1), none, Origin::InProvince),
            [CityLedger]
        );
        assert_eq!(
            project(Fen::from_yi_yuan(2), none, Origin::InProvince),
            [CityLedger, QuarterlyBulletin]
        );
        assert_eq!(
            project(Fen::from_yi_yuan(5), none, Origin::InProvince),
            [CityLedger, CityLeaderWithTeam, QuarterlyBulletin]
        );
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        for o in Obligation::ALL {
            assert_eq!(Obligation::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        assert_eq!(Obligation::parse("mayor_visit"), None);
        for rule in default_rules() {
            for c in rule.any_of {
                assert_eq!(Condition::from_parts(c.kind(), c.amount()), Some(c));
                assert_eq!(serde_json::to_value(c).unwrap()["kind"], c.kind());
                assert!(Condition::kind_label(c.kind()).is_some());
            }
        }
        assert_eq!(Condition::from_parts("contract_above", 1), None);
        assert_eq!(
            Condition::unit_of("foreign_at_least"),
            Some(AmountUnit::WanUsd)
        );
        assert_eq!(
            Condition::unit_of("contract_below"),
            Some(AmountUnit::YiYuan)
        );
    }

    #[test]
    fn rules_describe_themselves_in_the_units_people_use() {
        let rules = default_rules();
        assert_eq!(rules[0].describe(), "合同金额 ≥ 1亿元");
        assert_eq!(
            rules[4].describe(),
            "境外资金：合同外资 ≥ 1000万美元，或省外境内资金：合同金额 ≥ 3亿元"
        );
        assert_eq!(
            Condition::ContractAtLeast(Fen::from_wan_yuan(5_000)).describe(),
            "合同金额 ≥ 0.5亿元"
        );
    }

    #[test]
    fn revisit_form_for_large_foreign_or_out_of_province_money() {
        assert!(
            project(Fen(0), UsdCents::from_wan_usd(1000), Origin::Foreign).contains(&RevisitForm)
        );
        assert!(
            !project(Fen(0), UsdCents::from_wan_usd(999), Origin::Foreign).contains(&RevisitForm)
        );
        assert!(
            project(Fen::from_yi_yuan(3), UsdCents(0), Origin::OutOfProvince)
                .contains(&RevisitForm)
        );
        assert!(
            !project(Fen::from_yi_yuan(3), UsdCents(0), Origin::InProvince).contains(&RevisitForm)
        );
    }
}
