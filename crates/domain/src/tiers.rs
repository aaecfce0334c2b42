//! Who follows a project, decided by its amount and origin (seed 002, domain §7).

use crate::money::{Fen, UsdCents};
use serde::{Deserialize, Serialize};

/// Where the money comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl Condition {
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
