//! The ledger's editable rules: the classification thresholds (domain §5) and the tier table
//! (§7). Seed 000's thresholds and seed 002's table are the defaults; an administrator edits
//! a draft of plain numbers and codes, which is parsed into [`LedgerRules`] or refused with a
//! Chinese message per field.

use crate::access::ReviewBy;
use crate::bulletins::MAX_AUTO_CLOSE_DAYS;
use crate::date::{DateLimit, MAX_GRACE_DAYS};
use crate::funds::FundChecks;
use crate::rates::{Rate, Thresholds};
use crate::tiers::{default_rules, Condition, Obligation, TierRule};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 1 basis point = 0.01%; thresholds are whole basis points.
pub const BASIS_POINTS: i64 = 10_000;
/// More rules than this is a mistake, not a policy.
pub const MAX_TIER_RULES: usize = 50;
pub const MAX_CONDITIONS: usize = 10;

/// Classification thresholds in basis points: 5000 is 50%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThresholdsDraft {
    /// 优秀: arrival rate strictly above this.
    pub excellent_above_bp: i64,
    /// 良好: arrival rate from this (inclusive) up to and including `excellent_above_bp`.
    pub good_from_bp: i64,
}

/// One condition of a tier rule, as typed: its kind code and amount in minor units
/// (分, or US cents for `foreign_at_least`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConditionDraft {
    /// `contract_at_least`, `contract_below`, `foreign_at_least` or
    /// `out_of_province_contract_at_least`.
    pub kind: String,
    pub amount: i64,
}

/// One row of the tier table: the obligation applies when any of the conditions holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TierRuleDraft {
    pub any_of: Vec<ConditionDraft>,
    /// `city_ledger`, `city_leader_with_team`, `county_supervision`, `quarterly_bulletin` or
    /// `revisit_form`.
    pub obligation: String,
}

/// The whole rule set as submitted (and as stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RulesDraft {
    pub thresholds: ThresholdsDraft,
    pub tiers: Vec<TierRuleDraft>,
    /// Who confirms fund records.
    #[serde(default)]
    pub review_by: ReviewBy,
    /// Days after today a signing, milestone or stage-change date may lie (0 to 7).
    #[serde(default)]
    pub date_grace_days: i64,
    /// Thresholds of the fund records' plausibility checks.
    #[serde(default)]
    pub fund_checks: FundChecks,
    /// The automatic close (自动月结): each month a dispatch round asked about is closed over
    /// the round organiser's region this many days after the round's deadline (0 to 31).
    /// `null`: months are closed by hand only.
    #[serde(default)]
    pub auto_close_days: Option<i64>,
}

/// The rules in force, parsed: what classification and obligations are computed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRules {
    pub thresholds: Thresholds,
    pub tiers: Vec<TierRule>,
    pub review_by: ReviewBy,
    pub date_grace_days: i64,
    pub fund_checks: FundChecks,
    /// Days after a dispatch round's deadline its month closes by itself; `None`: by hand.
    pub auto_close_days: Option<u32>,
}

/// A problem with one field of a draft; `field` is a path such as `tiers[2].any_of[0].amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: String,
    pub message: String,
}

impl Default for LedgerRules {
    /// Seed 000's thresholds and seed 002's tier table.
    fn default() -> Self {
        Self {
            thresholds: Thresholds::default(),
            tiers: default_rules(),
            review_by: ReviewBy::default(),
            date_grace_days: 0,
            fund_checks: FundChecks::default(),
            auto_close_days: None,
        }
    }
}

impl LedgerRules {
    /// The draft that parses back into these rules.
    pub fn draft(&self) -> RulesDraft {
        RulesDraft {
            thresholds: ThresholdsDraft {
                excellent_above_bp: self.thresholds.excellent_above.basis_points(),
                good_from_bp: self.thresholds.good_from.basis_points(),
            },
            tiers: self
                .tiers
                .iter()
                .map(|r| TierRuleDraft {
                    any_of: r
                        .any_of
                        .iter()
                        .map(|c| ConditionDraft {
                            kind: c.kind().to_owned(),
                            amount: c.amount(),
                        })
                        .collect(),
                    obligation: r.obligation.as_str().to_owned(),
                })
                .collect(),
            review_by: self.review_by,
            date_grace_days: self.date_grace_days,
            fund_checks: self.fund_checks,
            auto_close_days: self.auto_close_days.map(i64::from),
        }
    }

    /// The latest date a signing, milestone or stage change may carry on `today`.
    pub fn date_limit(&self, today: time::Date) -> DateLimit {
        DateLimit {
            today,
            grace_days: self.date_grace_days,
        }
    }
}

impl Thresholds {
    /// How each class is defined under these thresholds, to print beside the figures.
    pub fn definitions(&self) -> Vec<String> {
        let excellent = short_percent(self.excellent_above);
        let good = short_percent(self.good_from);
        vec![
            format!("优秀：资金到位率高于{excellent}"),
            format!("良好：资金到位率不低于{good}、不高于{excellent}"),
            format!("一般：有确认到位资金，资金到位率低于{good}"),
            "未履约：没有任何确认到位资金".to_owned(),
        ]
    }
}

/// "50%", "12.5%": the percentage without trailing zeros.
fn short_percent(rate: Rate) -> String {
    let shown = rate.display_percent(2);
    let number = shown.trim_end_matches('%');
    let number = if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    };
    format!("{number}%")
}

impl RulesDraft {
    /// Parses the draft, reporting every problem at once.
    pub fn parse(&self) -> Result<LedgerRules, Vec<RuleError>> {
        let mut errors = Vec::new();
        let mut error = |field: String, message: String| errors.push(RuleError { field, message });

        let t = self.thresholds;
        let in_range = |bp: i64| (0..=BASIS_POINTS).contains(&bp);
        if !in_range(t.excellent_above_bp) {
            error("excellent_above_bp".into(), "优秀线应在0%至100%之间".into());
        }
        if !in_range(t.good_from_bp) {
            error("good_from_bp".into(), "良好线应在0%至100%之间".into());
        }
        if in_range(t.excellent_above_bp)
            && in_range(t.good_from_bp)
            && t.good_from_bp >= t.excellent_above_bp
        {
            error(
                "good_from_bp".into(),
                "良好线须低于优秀线（良好：不低于良好线、不高于优秀线）".into(),
            );
        }

        if !(0..=MAX_GRACE_DAYS).contains(&self.date_grace_days) {
            error(
                "date_grace_days".into(),
                format!("日期宽限天数应在0至{MAX_GRACE_DAYS}天之间"),
            );
        }

        let auto_close_days = match self.auto_close_days {
            None => None,
            Some(days) => match u32::try_from(days) {
                Ok(days) if days <= MAX_AUTO_CLOSE_DAYS => Some(days),
                _ => {
                    error(
                        "auto_close_days".into(),
                        format!("自动月结天数应在0至{MAX_AUTO_CLOSE_DAYS}天之间"),
                    );
                    None
                }
            },
        };

        if let Some((field, message)) = self.fund_checks.problem() {
            error(format!("fund_checks.{field}"), message.into());
        }

        if self.tiers.len() > MAX_TIER_RULES {
            error(
                "tiers".into(),
                format!("分级责任规则不能超过{MAX_TIER_RULES}条"),
            );
        }
        let mut tiers = Vec::with_capacity(self.tiers.len());
        let mut seen: Vec<(Obligation, usize)> = Vec::new();
        for (i, rule) in self.tiers.iter().enumerate() {
            let at = |rest: &str| format!("tiers[{i}].{rest}");
            let obligation = Obligation::parse(rule.obligation.trim());
            match obligation {
                None => error(
                    at("obligation"),
                    format!("第{}条规则的责任义务“{}”不存在", i + 1, rule.obligation),
                ),
                Some(o) => {
                    if let Some((_, first)) = seen.iter().find(|(s, _)| *s == o) {
                        error(
                            at("obligation"),
                            format!(
                                "责任义务“{}”已在第{}条规则中，请把条件合并到同一条规则",
                                o.label(),
                                first + 1
                            ),
                        );
                    } else {
                        seen.push((o, i));
                    }
                }
            }
            if rule.any_of.is_empty() {
                error(at("any_of"), format!("第{}条规则至少要有一个条件", i + 1));
            }
            if rule.any_of.len() > MAX_CONDITIONS {
                error(
                    at("any_of"),
                    format!("每条规则的条件不能超过{MAX_CONDITIONS}个"),
                );
            }
            let mut conditions = Vec::with_capacity(rule.any_of.len());
            for (k, c) in rule.any_of.iter().enumerate() {
                let kind = c.kind.trim();
                if Condition::kind_label(kind).is_none() {
                    error(
                        at(&format!("any_of[{k}].kind")),
                        format!("第{}条规则的条件类型“{}”不存在", i + 1, c.kind),
                    );
                    continue;
                }
                if c.amount < 0 {
                    error(
                        at(&format!("any_of[{k}].amount")),
                        format!("第{}条规则的金额不能为负数", i + 1),
                    );
                    continue;
                }
                conditions.extend(Condition::from_parts(kind, c.amount));
            }
            if let Some(obligation) = obligation {
                tiers.push(TierRule {
                    any_of: conditions,
                    obligation,
                });
            }
        }

        if errors.is_empty() {
            Ok(LedgerRules {
                thresholds: Thresholds {
                    excellent_above: Rate::of(t.excellent_above_bp, BASIS_POINTS)
                        .expect("non-zero denominator"),
                    good_from: Rate::of(t.good_from_bp, BASIS_POINTS)
                        .expect("non-zero denominator"),
                },
                tiers,
                review_by: self.review_by,
                date_grace_days: self.date_grace_days,
                fund_checks: self.fund_checks,
                auto_close_days,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Fen, UsdCents};
    use crate::rates::{Classification, ProjectFunds};

    fn draft(excellent: i64, good: i64) -> RulesDraft {
        let mut d = LedgerRules::default().draft();
        d.thresholds = ThresholdsDraft {
            excellent_above_bp: excellent,
            good_from_bp: good,
        };
        d
    }

    fn fields(result: Result<LedgerRules, Vec<RuleError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_defaults_round_trip_through_a_draft() {
        let seed = LedgerRules::default();
        let d = seed.draft();
        assert_eq!(d.thresholds.excellent_above_bp, 5000);
        assert_eq!(d.thresholds.good_from_bp, 2000);
        assert_eq!(d.tiers.len(), 5);
        assert_eq!(d.tiers[4].any_of[0].kind, "foreign_at_least");
        assert_eq!(d.tiers[4].any_of[0].amount, UsdCents::from_wan_usd(1000).0);
        assert_eq!(d.parse(), Ok(seed));
    }

    #[test]
    fn good_must_stay_below_excellent_and_both_within_0_to_100() {
        assert!(draft(5000, 4999).parse().is_ok());
        assert!(
            draft(10_000, 0).parse().is_ok(),
            "the whole range is allowed"
        );
        assert_eq!(fields(draft(5000, 5000).parse()), ["good_from_bp"]);
        assert_eq!(fields(draft(2000, 5000).parse()), ["good_from_bp"]);
        assert_eq!(fields(draft(10_001, 2000).parse()), ["excellent_above_bp"]);
        assert_eq!(fields(draft(5000, -1).parse()), ["good_from_bp"]);
        let e = draft(5000, 5000).parse().unwrap_err();
        assert!(e[0].message.contains("良好线须低于优秀线"), "{e:?}");
    }

    #[test]
    fn edited_thresholds_classify_with_their_own_boundaries() {
        let rules = draft(6000, 3000).parse().unwrap();
        let funds = |arrival_wan: i64| ProjectFunds {
            contract: Fen::from_wan_yuan(100),
            arrival: Fen::from_wan_yuan(arrival_wan),
            ..Default::default()
        };
        assert_eq!(
            funds(60).classify(&rules.thresholds),
            Classification::Good,
            "exactly the excellent line is still 良好"
        );
        assert_eq!(
            funds(61).classify(&rules.thresholds),
            Classification::Excellent
        );
        assert_eq!(funds(30).classify(&rules.thresholds), Classification::Good);
        assert_eq!(funds(29).classify(&rules.thresholds), Classification::Fair);
        assert_eq!(
            draft(1250, 500).parse().unwrap().thresholds.definitions()[0],
            "优秀：资金到位率高于12.5%"
        );
    }

    #[test]
    fn definitions_state_the_seed_boundaries() {
        assert_eq!(
            Thresholds::default().definitions(),
            [
                "优秀：资金到位率高于50%",
                "良好：资金到位率不低于20%、不高于50%",
                "一般：有确认到位资金，资金到位率低于20%",
                "未履约：没有任何确认到位资金",
            ]
        );
    }

    #[test]
    fn tier_rows_need_known_codes_non_negative_amounts_and_a_condition() {
        let mut d = LedgerRules::default().draft();
        d.tiers[0].obligation = "mayor_visit".into();
        d.tiers[1].any_of[0].amount = -1;
        d.tiers[2].any_of.clear();
        d.tiers[3].any_of[0].kind = "contract_above".into();
        d.tiers.push(TierRuleDraft {
            any_of: vec![ConditionDraft {
                kind: "contract_at_least".into(),
                amount: 0,
            }],
            obligation: "revisit_form".into(),
        });
        let errors = d.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "tiers[0].obligation",
                "tiers[1].any_of[0].amount",
                "tiers[2].any_of",
                "tiers[3].any_of[0].kind",
                "tiers[5].obligation",
            ]
        );
        assert!(errors[0].message.contains("mayor_visit"));
        assert!(errors[4].message.contains("第5条规则"), "{:?}", errors[4]);
        assert!(errors.iter().all(|e| e
            .message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));
    }

    #[test]
    fn the_date_grace_stays_within_a_week() {
        let mut d = LedgerRules::default().draft();
        assert_eq!(d.date_grace_days, 0);
        assert_eq!(d.review_by, ReviewBy::Parent);
        d.date_grace_days = 7;
        d.review_by = ReviewBy::AnyAbove;
        let rules = d.parse().unwrap();
        assert_eq!(rules.review_by, ReviewBy::AnyAbove);
        assert_eq!(
            rules
                .date_limit(time::macros::date!(2026 - 12 - 06))
                .latest(),
            time::macros::date!(2026 - 12 - 13)
        );
        for bad in [-1, 8, 365] {
            d.date_grace_days = bad;
            assert_eq!(fields(d.parse()), ["date_grace_days"]);
        }
    }

    #[test]
    fn the_automatic_close_is_off_by_default_and_within_a_month() {
        let mut d = LedgerRules::default().draft();
        assert_eq!(d.auto_close_days, None);
        assert_eq!(d.parse().unwrap().auto_close_days, None);
        for days in [0, 5, 31] {
            d.auto_close_days = Some(days);
            let rules = d.parse().unwrap();
            assert_eq!(rules.auto_close_days, Some(days as u32));
            assert_eq!(rules.draft(), d, "round trip");
        }
        for bad in [-1, 32, i64::from(u32::MAX) + 1] {
            d.auto_close_days = Some(bad);
            let errors = d.parse().unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, "auto_close_days");
            assert_eq!(errors[0].message, "自动月结天数应在0至31天之间");
        }
    }

    #[test]
    fn a_zero_amount_and_an_empty_table_are_allowed() {
        let mut d = LedgerRules::default().draft();
        d.tiers[0].any_of[0].amount = 0;
        assert!(d.parse().is_ok());
        d.tiers.clear();
        assert_eq!(d.parse().unwrap().tiers, []);
    }
}
