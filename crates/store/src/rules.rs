//! The ledger's editable rules — classification thresholds (domain §5), the tier table (§7),
//! the fund review and checks, and the automatic close (自动月结) — stored as one row for the
//! whole installation, with the seed defaults in force until an administrator saves a change
//! (or the start-up adopts luodi.toml's `auto_close_days`).

use crate::audit::{self, Author, Change};
use crate::kit::cache::FreshCache;
use crate::kit::clock;
use crate::kit::db::{Db, Flag};
use crate::kit::error::{FieldErrors, StoreError};
use luodi_domain::funds::FundChecks;
use luodi_domain::rules::{ConditionDraft, LedgerRules, RulesDraft, ThresholdsDraft};
use luodi_domain::tiers::{Condition, Obligation};
use luodi_domain::{DateLimit, Permission, RegionCode, RegionLevel, ReviewBy, Scope, Thresholds};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// The ledger rules (classification and tier rules) that apply to the actor.
    Rules, rules
);

/// The rules in force, as the rules page shows and edits them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulesView {
    pub thresholds: ThresholdsDraft,
    pub tiers: Vec<TierRuleView>,
    /// Who confirms fund records.
    pub review_by: ReviewBy,
    /// Days after today a signing, milestone or stage-change date may lie (0 to 7).
    pub date_grace_days: i64,
    /// Thresholds of the fund records' plausibility checks.
    pub fund_checks: FundChecks,
    /// The automatic close (自动月结): days after a dispatch round's deadline its month is
    /// closed over the round organiser's region (0 to 31); `null`: by hand only.
    pub auto_close_days: Option<i64>,
    pub review_by_choices: Vec<ReviewByChoice>,
    /// How each class is defined under these thresholds, to print beside the figures.
    pub definitions: Vec<String>,
    /// 0 while the seed defaults apply (nothing stored yet); send it back with a change.
    pub version: i64,
    /// Whether these are the seed defaults (nothing stored yet).
    pub is_default: bool,
    pub updated_at: Option<String>,
    pub updated_by_name: Option<String>,
    /// Whether the signed-in user may change the rules.
    pub editable: bool,
    /// Why not, when `editable` is false.
    pub not_editable_reason: Option<String>,
    /// The seed defaults (seed 000 and seed 002), for "恢复默认".
    pub defaults: RulesDraft,
    pub obligation_choices: Vec<ObligationChoice>,
    pub condition_kinds: Vec<ConditionKind>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierRuleView {
    pub any_of: Vec<ConditionDraft>,
    pub obligation: String,
    pub obligation_label: String,
    /// The conditions as people read them: "合同金额 ≥ 1亿元，或…".
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewByChoice {
    pub code: ReviewBy,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObligationChoice {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConditionKind {
    pub code: String,
    pub label: String,
    /// `yi_yuan` (amount typed in 亿元, sent in 分) or `wan_usd` (typed in 万美元, sent in
    /// US cents).
    pub unit: String,
}

/// A change to the rules: the whole set, and the version it was edited from.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RulesUpdate {
    pub thresholds: ThresholdsDraft,
    pub tiers: Vec<luodi_domain::rules::TierRuleDraft>,
    pub review_by: ReviewBy,
    pub date_grace_days: i64,
    /// The fund checks' thresholds; unchanged when left out.
    #[serde(default)]
    pub fund_checks: Option<FundChecks>,
    /// The automatic close's days after a round's deadline (0 to 31), `null` to close months
    /// by hand only; unchanged when left out.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub auto_close_days: Option<Option<i64>>,
    pub version: i64,
}

/// A field given in the body, even as `null`, is `Some`; one left out stays `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

#[derive(Clone, sqlx::FromRow)]
pub(crate) struct StoredRules {
    excellent_above_bp: i64,
    good_from_bp: i64,
    tiers: String,
    review_by: String,
    date_grace_days: i64,
    fund_checks: Option<String>,
    auto_close_days: Option<i64>,
    /// Whether the automatic close was ever chosen (on the page, or adopted from luodi.toml).
    auto_close_set: Flag,
    version: i64,
    updated_at: String,
    updated_by_name: Option<String>,
}

impl StoredRules {
    fn draft(&self) -> Result<RulesDraft, StoreError> {
        Ok(RulesDraft {
            thresholds: ThresholdsDraft {
                excellent_above_bp: self.excellent_above_bp,
                good_from_bp: self.good_from_bp,
            },
            tiers: serde_json::from_str(&self.tiers)
                .map_err(|e| StoreError::Internal(format!("stored tier rules: {e}")))?,
            review_by: ReviewBy::parse(&self.review_by).ok_or_else(|| {
                StoreError::Internal(format!("stored review rule: {}", self.review_by))
            })?,
            date_grace_days: self.date_grace_days,
            fund_checks: match &self.fund_checks {
                Some(json) => serde_json::from_str(json)
                    .map_err(|e| StoreError::Internal(format!("stored fund checks: {e}")))?,
                None => FundChecks::default(),
            },
            auto_close_days: self.auto_close_days,
        })
    }

    fn parse(&self) -> Result<LedgerRules, StoreError> {
        self.draft()?.parse().map_err(|errors| {
            StoreError::Internal(format!("stored ledger rules do not parse: {errors:?}"))
        })
    }
}

/// The thresholds (分类标准) in force, read for work done outside any user's request (the
/// automatic close).
pub(crate) async fn thresholds_in_force(db: &Db) -> Result<Thresholds, StoreError> {
    Ok(match read_stored(db).await? {
        Some(stored) => stored.parse()?.thresholds,
        None => LedgerRules::default().thresholds,
    })
}

async fn read_stored(db: &Db) -> Result<Option<StoredRules>, StoreError> {
    // A change written by no user is the start-up adopting luodi.toml's auto_close_days.
    Ok(sqlx::query_as(
        "SELECT r.excellent_above_bp, r.good_from_bp, r.tiers, r.review_by, r.date_grace_days, \
         r.fund_checks, r.auto_close_days, r.auto_close_set, r.version, r.updated_at, \
         CASE WHEN r.updated_by IS NULL THEN '系统' ELSE u.display_name END AS updated_by_name \
         FROM ledger_rules r LEFT JOIN users u ON u.id = r.updated_by WHERE r.id = 1",
    )
    .fetch_optional(&db.pool)
    .await?)
}

fn view(
    rules: &LedgerRules,
    stored: Option<&StoredRules>,
    editable: Result<(), StoreError>,
) -> RulesView {
    let draft = rules.draft();
    RulesView {
        thresholds: draft.thresholds,
        tiers: rules
            .tiers
            .iter()
            .zip(draft.tiers)
            .map(|(rule, d)| TierRuleView {
                any_of: d.any_of,
                obligation: d.obligation,
                obligation_label: rule.obligation.label().to_owned(),
                description: rule.describe(),
            })
            .collect(),
        review_by: rules.review_by,
        date_grace_days: rules.date_grace_days,
        fund_checks: rules.fund_checks,
        auto_close_days: draft.auto_close_days,
        review_by_choices: ReviewBy::ALL
            .into_iter()
            .map(|r| ReviewByChoice {
                code: r,
                label: r.label().to_owned(),
            })
            .collect(),
        definitions: rules.thresholds.definitions(),
        version: stored.map_or(0, |s| s.version),
        is_default: stored.is_none(),
        updated_at: stored.map(|s| s.updated_at.clone()),
        updated_by_name: stored.and_then(|s| s.updated_by_name.clone()),
        editable: editable.is_ok(),
        not_editable_reason: editable.err().map(|e| e.to_string()),
        defaults: LedgerRules::default().draft(),
        obligation_choices: Obligation::ALL
            .into_iter()
            .map(|o| ObligationChoice {
                code: o.as_str().to_owned(),
                label: o.label().to_owned(),
            })
            .collect(),
        condition_kinds: Condition::KINDS
            .into_iter()
            .map(|k| ConditionKind {
                code: k.to_owned(),
                label: Condition::kind_label(k).unwrap_or(k).to_owned(),
                unit: Condition::unit_of(k)
                    .map(|u| u.as_str())
                    .unwrap_or_default()
                    .to_owned(),
            })
            .collect(),
    }
}

impl Rules<'_> {
    /// The stored rules for computing with: this instance's copy when it is fresh (see
    /// `cache.rs`; every project page, list and rate report needs them).
    async fn stored_rules(&self) -> Result<Option<StoredRules>, StoreError> {
        let miss = match self
            .db
            .memo
            .get::<FreshCache<Option<StoredRules>>>()
            .get("")
        {
            Ok(stored) => return Ok(stored),
            Err(miss) => miss,
        };
        let stored = self.read_stored_rules().await?;
        self.db
            .memo
            .get::<FreshCache<Option<StoredRules>>>()
            .put(miss, "", stored.clone());
        Ok(stored)
    }

    /// The stored rules as the database holds them now (for the rules page and its version
    /// check).
    async fn read_stored_rules(&self) -> Result<Option<StoredRules>, StoreError> {
        read_stored(&self.db).await
    }

    /// The rules in force: the stored ones, or the seed defaults when none are stored.
    pub async fn ledger_rules(&self) -> Result<LedgerRules, StoreError> {
        match self.stored_rules().await? {
            Some(stored) => stored.parse(),
            None => Ok(LedgerRules::default()),
        }
    }

    /// The latest date a signing, milestone or stage change may carry today.
    pub async fn date_limit(&self) -> Result<DateLimit, StoreError> {
        Ok(self.ledger_rules().await?.date_limit(clock::today()))
    }

    /// The classification thresholds in force (优秀 / 良好 / 一般 / 未履约).
    pub async fn thresholds(&self) -> Result<Thresholds, StoreError> {
        Ok(self.ledger_rules().await?.thresholds)
    }

    /// The rules govern every project of the installation, so changing them takes the
    /// permission and a scope that covers every project: nationwide, or a province while the
    /// installation holds no project outside it (a one-province install). A city or county
    /// administrator — or a province's, on a multi-province install — would otherwise
    /// reclassify projects of regions that are not theirs.
    async fn may_change_rules(&self) -> Result<(), StoreError> {
        self.actor.require(Permission::ManageRules)?;
        let root = match &self.actor.scope {
            Scope::Nationwide => return Ok(()),
            Scope::Region(root) if root.level() == RegionLevel::Province => root,
            Scope::Region(_) | Scope::Regions(_) => {
                return Err(StoreError::forbidden(
                    "台账规则适用于全部项目，只有省级及以上的系统管理员可以修改",
                ))
            }
        };
        let (lo, hi) = root.subtree_range();
        let elsewhere: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM projects WHERE region_code < $1 \
             UNION ALL SELECT id FROM projects WHERE region_code >= $2 LIMIT 1",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_optional(&self.db.pool)
        .await?;
        match elsewhere {
            None => Ok(()),
            Some(_) => Err(StoreError::forbidden(
                "本系统还管理其他省份的项目，台账规则适用于全部项目，只能由全国系统管理员修改",
            )),
        }
    }

    /// The rules for the rules page; every signed-in user may read them.
    pub async fn get(&self) -> Result<RulesView, StoreError> {
        let stored = self.read_stored_rules().await?;
        let rules = match &stored {
            Some(s) => s.parse()?,
            None => LedgerRules::default(),
        };
        // Only a refusal makes the page read-only; any other failure is an error.
        let editable = match self.may_change_rules().await {
            Ok(()) => Ok(()),
            Err(e @ StoreError::Forbidden(_)) => Err(e),
            Err(e) => return Err(e),
        };
        Ok(view(&rules, stored.as_ref(), editable))
    }

    /// Replaces the rules, checked as a whole, if nobody changed them since `version`.
    pub async fn update(&self, update: RulesUpdate) -> Result<RulesView, StoreError> {
        self.may_change_rules().await?;
        // Read outside the transaction: the version check of the write below makes sure that
        // what is recorded as "before", and kept for the fields left out, is what the write
        // replaced.
        let before = self.read_stored_rules().await?;
        let before_draft = match &before {
            Some(stored) => stored.draft()?,
            None => LedgerRules::default().draft(),
        };
        let draft = RulesDraft {
            thresholds: update.thresholds,
            tiers: update.tiers,
            review_by: update.review_by,
            date_grace_days: update.date_grace_days,
            fund_checks: update.fund_checks.unwrap_or(before_draft.fund_checks),
            auto_close_days: update
                .auto_close_days
                .unwrap_or(before_draft.auto_close_days),
        };
        let auto_close_set = update.auto_close_days.is_some();
        let rules = draft.parse().map_err(|errors| {
            let mut fields = FieldErrors::new();
            for e in errors {
                fields.entry(e.field).or_default().push(e.message);
            }
            StoreError::Validation(fields)
        })?;
        // Stored in canonical form (codes trimmed), exactly what parses back.
        let canonical = rules.draft();
        let tiers_json = serde_json::to_string(&canonical.tiers)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let checks_json = serde_json::to_string(&canonical.fund_checks)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let now = clock::now();
        if before.as_ref().map_or(0, |b| b.version) != update.version {
            return Err(StoreError::Stale);
        }
        let mut tx = self.db.pool.begin().await?;
        let written = if before.is_none() {
            sqlx::query(
                "INSERT INTO ledger_rules (id, excellent_above_bp, good_from_bp, tiers, version, \
                 updated_by, updated_at, review_by, date_grace_days, fund_checks, \
                 auto_close_days, auto_close_set) \
                 VALUES (1, $1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(canonical.thresholds.excellent_above_bp)
            .bind(canonical.thresholds.good_from_bp)
            .bind(&tiers_json)
            .bind(self.actor.user_id)
            .bind(&now)
            .bind(canonical.review_by.as_str())
            .bind(canonical.date_grace_days)
            .bind(&checks_json)
            .bind(canonical.auto_close_days)
            .bind(auto_close_set)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE ledger_rules SET excellent_above_bp = $1, good_from_bp = $2, tiers = $3, \
                 version = version + 1, updated_by = $4, updated_at = $5, review_by = $7, \
                 date_grace_days = $8, fund_checks = $9, auto_close_days = $10, \
                 auto_close_set = (auto_close_set OR $11) WHERE id = 1 AND version = $6",
            )
            .bind(canonical.thresholds.excellent_above_bp)
            .bind(canonical.thresholds.good_from_bp)
            .bind(&tiers_json)
            .bind(self.actor.user_id)
            .bind(&now)
            .bind(update.version)
            .bind(canonical.review_by.as_str())
            .bind(canonical.date_grace_days)
            .bind(&checks_json)
            .bind(canonical.auto_close_days)
            .bind(auto_close_set)
            .execute(&mut *tx)
            .await?
        };
        if written.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "ledger_rules",
                entity_id: None,
                action: "update",
                summary: summary(&before_draft, &canonical),
                // Filed under the editor's own region so that they (and the levels above)
                // find the entry in their audit log.
                region: self.actor.scope.root(),
                before: serde_json::to_value(&before_draft).ok(),
                after: serde_json::to_value(&canonical).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        self.db
            .memo
            .get::<FreshCache<Option<StoredRules>>>()
            .clear();
        self.get().await
    }
}

/// "修改台账规则：良好线 20% → 30%；分级责任规则 5 条 → 4 条".
fn summary(b: &RulesDraft, a: &RulesDraft) -> String {
    let pct = |bp: i64| {
        let frac = format!("{:02}", bp % 100);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            format!("{}%", bp / 100)
        } else {
            format!("{}.{frac}%", bp / 100)
        }
    };
    let mut parts = Vec::new();
    if b.thresholds.excellent_above_bp != a.thresholds.excellent_above_bp {
        parts.push(format!(
            "优秀线 {} → {}",
            pct(b.thresholds.excellent_above_bp),
            pct(a.thresholds.excellent_above_bp)
        ));
    }
    if b.thresholds.good_from_bp != a.thresholds.good_from_bp {
        parts.push(format!(
            "良好线 {} → {}",
            pct(b.thresholds.good_from_bp),
            pct(a.thresholds.good_from_bp)
        ));
    }
    if b.tiers != a.tiers {
        parts.push(format!(
            "分级责任规则（{} 条 → {} 条）",
            b.tiers.len(),
            a.tiers.len()
        ));
    }
    if b.review_by != a.review_by {
        parts.push(format!(
            "资金审核：{} → {}",
            b.review_by.label(),
            a.review_by.label()
        ));
    }
    if b.date_grace_days != a.date_grace_days {
        parts.push(format!(
            "日期宽限 {} 天 → {} 天",
            b.date_grace_days, a.date_grace_days
        ));
    }
    if b.fund_checks != a.fund_checks {
        let (x, y) = (b.fund_checks, a.fund_checks);
        parts.push(format!(
            "资金合理性检查：跳增倍数 {} → {}，首次填报比例 {} → {}，说明最少字数 {} → {}",
            x.jump_factor,
            y.jump_factor,
            pct(x.first_entry_share_bp),
            pct(y.first_entry_share_bp),
            x.reason_min_chars,
            y.reason_min_chars
        ));
    }
    if b.auto_close_days != a.auto_close_days {
        parts.push(format!(
            "自动月结 {} → {}",
            auto_close_label(b.auto_close_days),
            auto_close_label(a.auto_close_days)
        ));
    }
    if parts.is_empty() {
        "保存台账规则（无变化）".to_owned()
    } else {
        format!("修改台账规则：{}", parts.join("；"))
    }
}

/// "截止后5天", or "未设置" when months are closed by hand only.
fn auto_close_label(days: Option<i64>) -> String {
    match days {
        Some(n) => format!("截止后{n}天"),
        None => "未设置".to_owned(),
    }
}

/// The automatic close's days as the rules set them now (`None`: months are closed by hand),
/// read from the database at every call, not from this instance's copy: the hourly worker of
/// every instance follows a change made through any of them.
pub(crate) async fn auto_close_days(db: &Db) -> Result<Option<u32>, StoreError> {
    let days: Option<Option<i64>> =
        sqlx::query_scalar("SELECT auto_close_days FROM ledger_rules WHERE id = 1")
            .fetch_optional(&db.pool)
            .await?;
    days.flatten()
        .map(|d| {
            u32::try_from(d)
                .map_err(|_| StoreError::Internal(format!("stored auto_close_days: {d}")))
        })
        .transpose()
}

/// Adopts luodi.toml's `auto_close_days` as the rules' automatic close, once: only while the
/// rules never recorded a choice of their own (on the rules page, or an earlier adoption).
/// After that the rules page decides, even when it says "by hand only". Written by no user,
/// audited as the system's, under the province holding every project and account (where its
/// administrators, who may change the rules, read it; with no such province, nationwide).
/// Returns whether it was adopted; when several instances start at once, one adopts.
pub(crate) async fn adopt_configured_auto_close(db: &Db, days: u32) -> Result<bool, StoreError> {
    let before = read_stored(db).await?;
    if before.as_ref().is_some_and(|b| b.auto_close_set.0) {
        return Ok(false);
    }
    let before_draft = match &before {
        Some(stored) => stored.draft()?,
        None => LedgerRules::default().draft(),
    };
    let after = RulesDraft {
        auto_close_days: Some(i64::from(days)),
        ..before_draft.clone()
    };
    let rules = after.parse().map_err(|errors| {
        StoreError::Internal(format!("configured auto_close_days {days}: {errors:?}"))
    })?;
    let canonical = rules.draft();
    let now = clock::now();
    let mut tx = db.pool.begin().await?;
    let written = match &before {
        None => {
            let tiers_json = serde_json::to_string(&canonical.tiers)
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            sqlx::query(
                "INSERT INTO ledger_rules (id, excellent_above_bp, good_from_bp, tiers, version, \
                 updated_by, updated_at, review_by, date_grace_days, auto_close_days, \
                 auto_close_set) VALUES (1, $1, $2, $3, 1, NULL, $4, $5, $6, $7, TRUE) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(canonical.thresholds.excellent_above_bp)
            .bind(canonical.thresholds.good_from_bp)
            .bind(&tiers_json)
            .bind(&now)
            .bind(canonical.review_by.as_str())
            .bind(canonical.date_grace_days)
            .bind(canonical.auto_close_days)
            .execute(&mut *tx)
            .await?
        }
        Some(stored) => {
            sqlx::query(
                "UPDATE ledger_rules SET auto_close_days = $1, auto_close_set = TRUE, \
                 version = version + 1, updated_by = NULL, updated_at = $2 \
                 WHERE id = 1 AND version = $3 AND auto_close_set = FALSE",
            )
            .bind(canonical.auto_close_days)
            .bind(&now)
            .bind(stored.version)
            .execute(&mut *tx)
            .await?
        }
    };
    if written.rows_affected() == 0 {
        return Ok(false);
    }
    // The installation's province, when every project and account lies in one.
    let (lo, hi): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT MIN(code), MAX(code) FROM (SELECT MIN(region_code) AS code FROM projects \
         UNION ALL SELECT MAX(region_code) FROM projects \
         UNION ALL SELECT MIN(region_code) FROM users \
         UNION ALL SELECT MAX(region_code) FROM users) ends",
    )
    .fetch_one(&mut *tx)
    .await?;
    let province = match (lo, hi) {
        (Some(lo), Some(hi)) if lo.get(..2).is_some() && lo.get(..2) == hi.get(..2) => {
            RegionCode::parse(&format!("{}0000", &lo[..2])).ok()
        }
        _ => None,
    };
    audit::record(
        &mut tx,
        Author {
            id: None,
            name: "系统（配置文件）",
            request_id: None,
        },
        Change {
            entity: "ledger_rules",
            entity_id: None,
            action: "update",
            summary: format!(
                "{}（沿用配置文件 auto_close_days，此后以台账规则页面的设置为准）",
                summary(&before_draft, &canonical)
            ),
            region: province.as_ref(),
            before: serde_json::to_value(&before_draft).ok(),
            after: serde_json::to_value(&canonical).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    db.memo.get::<FreshCache<Option<StoredRules>>>().clear();
    Ok(true)
}
