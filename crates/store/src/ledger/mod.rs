//! The project ledger (项目台账): one record per project from lead to production (domain §3),
//! with its stage history, the "四即" milestone chain and its tier obligations (§7).

pub mod sheet;
pub mod stages;

use crate::audit::{self, AuditEntry, AuditRow, Change, AUDIT_COLUMNS};
use crate::duplicates::{self, match_in_order, AbortOnDrop, Entry, Index, Matching};
use crate::kit::bulk;
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{contains_pattern, Bind, Cohort, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::kit::text::opt;
use crate::scoped::ProjectReach;
use luodi_domain::ledger::{
    credit_code_problem, days_between, milestone_conflicts, milestone_order_errors, name_key,
    Stage, MILESTONES,
};
use luodi_domain::rates::ProjectFunds;
use luodi_domain::rules::LedgerRules;
use luodi_domain::tiers::{obligations, Obligation, Origin, TierInput};
use luodi_domain::{parse_date, DateLimit};
use luodi_domain::{CreditCode, Fen, Permission, RegionCode, RegionLevel, UsdCents};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use utoipa::{IntoParams, ToSchema};

crate::scoped::area_handle!(
    /// The project ledger as the actor may read and change it.
    Ledger, ledger
);

/// The stages counted as signed (签约项目), as an SQL list: `'signed', 'land_supplied', …`.
pub(crate) fn signed_stages_sql() -> String {
    Stage::ALL
        .into_iter()
        .filter(|s| s.is_signed())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A project as entered in the form (or one row of the import sheet, once parsed).
/// Amounts are integer minor units: 分 for 元 amounts, US cents for foreign capital.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ProjectInput {
    pub name: String,
    pub investor_name: String,
    pub investor_credit_code: Option<String>,
    /// Why a project signed or further along has no credit code (无统一社会信用代码的原因),
    /// a sentence; kept only while the code is blank.
    #[serde(default)]
    pub credit_code_missing_reason: Option<String>,
    /// Country or province the investor comes from.
    pub investor_home: Option<String>,
    pub origin: Origin,
    #[serde(default)]
    pub global500: bool,
    #[serde(default)]
    pub china500: bool,
    #[serde(default)]
    pub private500: bool,
    /// GB/T 4754 division code, e.g. "39".
    pub industry_code: Option<String>,
    /// Local 主导产业 tag.
    pub leading_industry: Option<String>,
    #[serde(default)]
    pub strategic_emerging: bool,
    #[serde(default)]
    pub total_investment_fen: i64,
    #[serde(default)]
    pub contract_fen: i64,
    #[serde(default)]
    pub contract_cents: i64,
    pub signed_on: Option<String>,
    pub event_id: Option<i64>,
    /// County-level region the project lands in.
    pub region_code: String,
    pub zone_id: Option<i64>,
    pub attracting_unit_id: Option<i64>,
    pub responsible_leader: Option<String>,
    pub responsible_unit_id: Option<i64>,
    pub responsible_person: Option<String>,
    pub service_plan: Option<String>,
    pub stage: Stage,
    pub land_supplied_on: Option<String>,
    pub certificate_on: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    pub producing_on: Option<String>,
    #[serde(default)]
    pub case_by_case: bool,
    #[serde(default)]
    pub key_project: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub investor_name: String,
    pub investor_credit_code: Option<String>,
    /// 无统一社会信用代码的原因 (blank while the code is given).
    pub credit_code_missing_reason: Option<String>,
    pub investor_home: Option<String>,
    #[schema(value_type = Origin)]
    pub origin: String,
    #[schema(value_type = bool)]
    pub global500: Flag,
    #[schema(value_type = bool)]
    pub china500: Flag,
    #[schema(value_type = bool)]
    pub private500: Flag,
    pub industry_code: Option<String>,
    pub industry_name: Option<String>,
    pub leading_industry: Option<String>,
    #[schema(value_type = bool)]
    pub strategic_emerging: Flag,
    pub total_investment_fen: i64,
    pub contract_fen: i64,
    pub contract_cents: i64,
    pub signed_on: Option<String>,
    pub event_id: Option<i64>,
    pub event_name: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub attracting_unit_id: Option<i64>,
    pub attracting_unit_name: Option<String>,
    pub responsible_leader: Option<String>,
    pub responsible_unit_id: Option<i64>,
    pub responsible_unit_name: Option<String>,
    pub responsible_person: Option<String>,
    pub service_plan: Option<String>,
    #[schema(value_type = Stage)]
    pub stage: String,
    pub land_supplied_on: Option<String>,
    pub certificate_on: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    pub producing_on: Option<String>,
    #[schema(value_type = bool)]
    pub case_by_case: Flag,
    #[schema(value_type = bool)]
    pub key_project: Flag,
    /// Confirmed arrival so far, 分.
    pub arrived_fen: i64,
    /// Confirmed foreign arrival so far, US cents.
    pub arrived_cents: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// The earlier project this one was confirmed to copy (确认重复): it is kept, but no rate,
    /// total or export of figures counts it.
    pub duplicate_of: Option<i64>,
    /// Whether a pair holding this project waits in the duplicate pool (待核查): its fund
    /// records cannot be confirmed until the pair is decided.
    #[schema(value_type = bool)]
    pub in_duplicate_pool: Flag,
    /// Whether the project, imported with a large sheet, still waits for its look-alike
    /// matching (seconds to a minute after the import): its fund records cannot be confirmed
    /// until then.
    #[schema(value_type = bool)]
    pub look_alike_pending: Flag,
    /// Whether a revisit form (回访登记表) is on file: what meets the tier rule's obligation.
    #[schema(value_type = bool)]
    pub has_revisit_form: Flag,
    #[sqlx(skip)]
    pub derived: Derived,
}

/// Figures computed from the stored fields, never stored themselves.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Derived {
    pub stage_label: String,
    pub origin_label: String,
    /// 资金到位率 as a percentage with two decimals ("23.50%"), or null without a contract amount.
    pub arrival_rate: Option<String>,
    /// 优秀 / 良好 / 一般 / 未履约 / 合同金额未填.
    pub classification: String,
    pub classification_label: String,
    /// Obligations under the tier rules, and which of them are not met.
    pub obligations: Vec<ObligationState>,
    /// Days between the steps of the 四即 chain, where both dates are known.
    pub chain_days: ChainDays,
    /// A signed project with neither a 合同金额 nor a 合同外资: it counts in the 三率 as 0 until
    /// the amount is filled in (合同金额未填).
    pub missing_contract: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObligationState {
    #[schema(value_type = String)]
    pub obligation: Obligation,
    pub label: String,
    pub met: bool,
    /// Why it is not met, when it is not.
    pub gap: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ChainDays {
    /// 签约 → 供地
    pub signed_to_land: Option<i64>,
    /// 供地 → 交证
    pub land_to_certificate: Option<i64>,
    /// 交证 → 开工
    pub certificate_to_start: Option<i64>,
    /// 竣工 → 投产
    pub completed_to_producing: Option<i64>,
}

fn date_of(s: &Option<String>) -> Option<time::Date> {
    s.as_deref().and_then(|d| parse_date(d).ok())
}

/// The origin of a stored or submitted code (labels are for sheets, not the API).
fn origin_of(s: &str) -> Option<Origin> {
    Origin::ALL.into_iter().find(|o| o.as_str() == s)
}

impl Project {
    /// Computes the derived figures under the rules in force.
    fn finish(mut self, rules: &LedgerRules) -> Self {
        let stage = Stage::parse(&self.stage);
        let funds = ProjectFunds {
            contract: Fen(self.contract_fen),
            arrival: Fen(self.arrived_fen),
            contract_usd: UsdCents(self.contract_cents),
            arrival_usd: UsdCents(self.arrived_cents),
        };
        let class = funds.classify(&rules.thresholds);
        let origin = origin_of(&self.origin).unwrap_or(Origin::InProvince);
        let carried = obligations(
            &TierInput {
                contract: funds.contract,
                contract_usd: funds.contract_usd,
                origin,
            },
            &rules.tiers,
        );
        let obligations = carried
            .into_iter()
            .map(|o| {
                let gap = match o {
                    Obligation::CityLeaderWithTeam
                        if self.responsible_leader.as_deref().unwrap_or("").is_empty() =>
                    {
                        Some("尚未明确牵头的市级领导".to_owned())
                    }
                    Obligation::CityLedger | Obligation::CountySupervision
                        if self.responsible_unit_id.is_none() =>
                    {
                        Some("尚未明确责任单位".to_owned())
                    }
                    Obligation::RevisitForm if !self.has_revisit_form.0 => {
                        Some("尚未填写回访登记表".to_owned())
                    }
                    _ => None,
                };
                ObligationState {
                    obligation: o,
                    label: o.label().to_owned(),
                    met: gap.is_none(),
                    gap,
                }
            })
            .collect();
        let between = |a: &Option<String>, b: &Option<String>| match (date_of(a), date_of(b)) {
            (Some(a), Some(b)) => Some(days_between(a, b)),
            _ => None,
        };
        self.derived = Derived {
            stage_label: stage.map(Stage::label).unwrap_or("").to_owned(),
            origin_label: origin.label().to_owned(),
            arrival_rate: funds.arrival_rate().map(|r| r.display_percent(2)),
            classification: class.as_str().to_owned(),
            classification_label: class.label().to_owned(),
            obligations,
            missing_contract: stage.is_some_and(Stage::is_signed)
                && self.contract_fen == 0
                && self.contract_cents == 0,
            chain_days: ChainDays {
                signed_to_land: between(&self.signed_on, &self.land_supplied_on),
                land_to_certificate: between(&self.land_supplied_on, &self.certificate_on),
                certificate_to_start: between(&self.certificate_on, &self.started_on),
                completed_to_producing: between(&self.completed_on, &self.producing_on),
            },
        };
        self
    }
}

impl Project {
    /// The project as the form would submit it: what an edit's audit entry compares.
    fn as_input(&self) -> ProjectInput {
        ProjectInput {
            name: self.name.clone(),
            investor_name: self.investor_name.clone(),
            investor_credit_code: self.investor_credit_code.clone(),
            credit_code_missing_reason: self.credit_code_missing_reason.clone(),
            investor_home: self.investor_home.clone(),
            origin: origin_of(&self.origin).unwrap_or(Origin::InProvince),
            global500: self.global500.0,
            china500: self.china500.0,
            private500: self.private500.0,
            industry_code: self.industry_code.clone(),
            leading_industry: self.leading_industry.clone(),
            strategic_emerging: self.strategic_emerging.0,
            total_investment_fen: self.total_investment_fen,
            contract_fen: self.contract_fen,
            contract_cents: self.contract_cents,
            signed_on: self.signed_on.clone(),
            event_id: self.event_id,
            region_code: self.region_code.clone(),
            zone_id: self.zone_id,
            attracting_unit_id: self.attracting_unit_id,
            responsible_leader: self.responsible_leader.clone(),
            responsible_unit_id: self.responsible_unit_id,
            responsible_person: self.responsible_person.clone(),
            service_plan: self.service_plan.clone(),
            stage: Stage::parse(&self.stage).unwrap_or(Stage::Lead),
            land_supplied_on: self.land_supplied_on.clone(),
            certificate_on: self.certificate_on.clone(),
            started_on: self.started_on.clone(),
            completed_on: self.completed_on.clone(),
            producing_on: self.producing_on.clone(),
            case_by_case: self.case_by_case.0,
            key_project: self.key_project.0,
        }
    }
}

/// The columns of a [`Project`] row, with the names its joins read.
macro_rules! project_columns {
    () => {
        "SELECT p.id, p.name, p.investor_name, p.investor_credit_code, \
        p.credit_code_missing_reason, p.investor_home, p.origin, p.global500, p.china500, p.private500, p.industry_code, \
        i.name AS industry_name, p.leading_industry, p.strategic_emerging, p.total_investment_fen, \
        p.contract_fen, p.contract_cents, p.signed_on, p.event_id, e.name AS event_name, \
        p.region_code, r.name AS region_name, p.zone_id, z.name AS zone_name, p.attracting_unit_id, \
        au.name AS attracting_unit_name, p.responsible_leader, p.responsible_unit_id, \
        ru.name AS responsible_unit_name, p.responsible_person, p.service_plan, p.stage, \
        p.land_supplied_on, p.certificate_on, p.started_on, p.completed_on, p.producing_on, \
        p.case_by_case, p.key_project, p.arrived_fen, p.arrived_cents, p.version, p.created_at, \
        p.updated_at, p.duplicate_of, \
        CASE WHEN EXISTS (SELECT 1 FROM duplicate_candidates dp WHERE dp.project_id = p.id \
        AND dp.status = 'pending') OR EXISTS (SELECT 1 FROM duplicate_candidates dp \
        WHERE dp.other_project_id = p.id AND dp.status = 'pending') THEN 1 ELSE 0 END \
        AS in_duplicate_pool, \
        CASE WHEN EXISTS (SELECT 1 FROM look_alike_queue lq WHERE lq.project_id = p.id) \
        THEN 1 ELSE 0 END AS look_alike_pending, \
        CASE WHEN EXISTS (SELECT 1 FROM revisit_forms rf WHERE rf.project_id = p.id) \
        THEN 1 ELSE 0 END AS has_revisit_form "
    };
}

/// The joins that name a project's region, industry, event, zone and units.
macro_rules! project_names {
    () => {
        "JOIN regions r ON r.code = p.region_code \
        LEFT JOIN industries i ON i.code = p.industry_code \
        LEFT JOIN signing_events e ON e.id = p.event_id \
        LEFT JOIN zones z ON z.id = p.zone_id \
        LEFT JOIN units au ON au.id = p.attracting_unit_id \
        LEFT JOIN units ru ON ru.id = p.responsible_unit_id "
    };
}

const PROJECT_SELECT: &str = concat!(
    project_columns!(),
    "FROM projects p ",
    project_names!(),
    "WHERE 1 = 1"
);

/// The count behind a ledger page: the same conditions as [`PROJECT_SELECT`]'s, which only
/// ever refer to `p`, and to `i` for an industry-section filter.
const PROJECT_COUNT: &str = "SELECT COUNT(*) FROM projects p WHERE 1 = 1";
const PROJECT_COUNT_BY_SECTION: &str = "SELECT COUNT(*) FROM projects p \
    LEFT JOIN industries i ON i.code = p.industry_code WHERE 1 = 1";

/// A ledger page's projects are picked by id under the same conditions (see
/// `Filter::fetch_page_by_keys`), then read in full and named: twenty rows joined instead of
/// every matching one.
const PROJECT_KEYS: &str = "SELECT p.id FROM projects p WHERE 1 = 1";
const PROJECT_KEYS_BY_SECTION: &str = "SELECT p.id FROM projects p \
    LEFT JOIN industries i ON i.code = p.industry_code WHERE 1 = 1";
const PROJECT_PAGE: &str = concat!(
    project_columns!(),
    "FROM ({keys}) k JOIN projects p ON p.id = k.id ",
    project_names!()
);

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
pub struct ProjectFilter {
    /// Part of the project or investor name, or the credit code.
    pub q: Option<String>,
    /// Region subtree.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
    #[param(
        pattern = r"^(|lead|intent|negotiating|signed|land_supplied|started|completed|producing|terminated|defaulted)$"
    )]
    pub stage: Option<String>,
    pub origin: Option<String>,
    /// GB/T 4754 section letter or division code.
    pub industry: Option<String>,
    pub event_id: Option<i64>,
    /// Signed on or after (YYYY-MM-DD).
    #[param(schema_with = crate::kit::params::day_or_blank)]
    pub signed_from: Option<String>,
    /// Signed on or before (YYYY-MM-DD).
    #[param(schema_with = crate::kit::params::day_or_blank)]
    pub signed_to: Option<String>,
    /// Contract amount at least (分).
    pub min_contract_fen: Option<i64>,
    /// Contract amount at most (分).
    pub max_contract_fen: Option<i64>,
    pub key_project: Option<bool>,
    /// 落户园区/乡镇.
    pub zone_id: Option<i64>,
    /// 招商单位.
    pub attracting_unit_id: Option<i64>,
    /// 责任单位.
    pub responsible_unit_id: Option<i64>,
    /// Part of the responsible leader's name (责任领导).
    pub responsible_leader: Option<String>,
    /// 世界500强 investor.
    pub global500: Option<bool>,
    /// 中国500强 investor.
    pub china500: Option<bool>,
    /// 民营500强 investor.
    pub private500: Option<bool>,
    /// 战略性新兴产业.
    pub strategic_emerging: Option<bool>,
    /// Local 主导产业 tag, exactly.
    pub leading_industry: Option<String>,
    /// `CNY`: with a contract amount in 元; `USD`: with contract foreign capital in US dollars.
    #[param(pattern = r"^(|CNY|USD)$")]
    pub currency: Option<String>,
    /// 一事一议.
    pub case_by_case: Option<bool>,
    /// true: signed projects whose contract amount is not filled in (合同金额未填).
    pub missing_contract: Option<bool>,
    /// true: signed projects not yet fulfilling (未履约): no confirmed arrival and no start
    /// (with `signed_to`, the lagging ones signed long ago).
    pub not_fulfilled: Option<bool>,
    /// Confirmed copies (确认重复) leave the ledger's lists, counts and exports like every other
    /// figure: `include` shows them beside the rest, `only` lists just them; `pool`: only
    /// projects waiting in the duplicate pool.
    #[param(pattern = r"^(|include|only|pool)$")]
    pub duplicates: Option<String>,
    /// Sort column: signed_on, contract_fen, arrived_fen, name, updated_at (default signed_on);
    /// prefix with `-` for descending.
    #[param(
        pattern = r"^-?(signed_on|contract_fen|arrived_fen|name|updated_at|total_investment_fen)$"
    )]
    pub sort: Option<String>,
}

/// One stage change in a project's history.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StageChange {
    #[schema(value_type = Stage)]
    pub stage: String,
    #[sqlx(skip)]
    pub stage_label: String,
    pub changed_on: String,
    pub note: Option<String>,
    pub actor_name: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectDetail {
    pub project: Project,
    pub stages: Vec<StageChange>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProjectUpdate {
    #[serde(flatten)]
    pub project: ProjectInput,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StageChangeInput {
    pub stage: Stage,
    /// YYYY-MM-DD; the milestone date for stages that have one.
    pub changed_on: String,
    pub note: Option<String>,
    /// The investor's 统一社会信用代码, filled in with the change: a project becoming a signed
    /// one must have it or say why not (`credit_code_missing_reason`).
    #[serde(default)]
    pub investor_credit_code: Option<String>,
    /// Why the investor has no code, given with the change instead of one.
    #[serde(default)]
    pub credit_code_missing_reason: Option<String>,
    pub version: i64,
}

/// The checked values of a project input, ready to write.
pub(crate) struct Checked {
    region: RegionCode,
    stage: Stage,
    name: String,
    credit_code: Option<String>,
    /// Kept only while the code is blank.
    missing_reason: Option<String>,
    dates: [Option<String>; 6],
}

/// The rule settings a project is checked with: the latest date it may carry, and the
/// shortest reason that says something (the same as a fund record's 超常说明).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProjectRules {
    pub(crate) limit: DateLimit,
    pub(crate) reason_min_chars: i64,
}

/// What a project's fields may point at, as far as the actor may use it: county-level
/// regions, zones (with their county), industries, signing events and units. Loaded for the
/// one project of a form, or once for the whole scope when a sheet is imported.
#[derive(Debug, Default)]
pub(crate) struct Refs {
    counties: HashSet<String>,
    zones: HashMap<i64, String>,
    industries: HashSet<String>,
    /// Events the actor may pick, with the region organising each.
    events: HashMap<i64, RegionCode>,
    units: HashSet<i64>,
}

/// An event and its organising region, as `Refs` holds them (a stored code always parses).
fn organised(event: i64, region: &str) -> Option<(i64, RegionCode)> {
    RegionCode::parse(region).ok().map(|r| (event, r))
}

impl Ledger<'_> {
    /// The references of one project input, looked up one by one.
    pub(crate) async fn refs_for(&self, input: &ProjectInput) -> Result<Refs, StoreError> {
        let mut refs = Refs::default();
        if let Ok(code) = RegionCode::parse(&input.region_code) {
            if crate::regions::Regions::new(&self.db).exists(&code).await? {
                refs.counties.insert(code.to_string());
            }
        }
        if let Some(zone) = input.zone_id {
            let county: Option<String> =
                sqlx::query_scalar("SELECT county_code FROM zones WHERE id = $1")
                    .bind(zone)
                    .fetch_optional(&self.db.pool)
                    .await?;
            refs.zones.extend(county.map(|c| (zone, c)));
        }
        if let Some(code) = opt(&input.industry_code) {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM industries WHERE code = $1")
                .bind(&code)
                .fetch_one(&self.db.pool)
                .await?;
            if n > 0 {
                refs.industries.insert(code);
            }
        }
        if let Some(event) = input.event_id {
            if let Ok(e) = self.events().visible_event(event).await {
                refs.events.extend(organised(event, &e.region_code));
            }
        }
        for unit in [input.attracting_unit_id, input.responsible_unit_id]
            .into_iter()
            .flatten()
        {
            if self.units().get(unit).await.is_ok() {
                refs.units.insert(unit);
            }
        }
        Ok(refs)
    }

    /// Every reference the actor may use, for checking a whole sheet without a query per row.
    pub(crate) async fn refs_in_scope(&self) -> Result<Refs, StoreError> {
        let (lo, hi) = self.actor.scope.entry_range();
        let pool = &self.db.pool;
        let counties: Vec<String> = sqlx::query_scalar(
            "SELECT code FROM regions WHERE level = 'county' AND code >= $1 AND code < $2",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(pool)
        .await?;
        let zones: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, county_code FROM zones WHERE county_code >= $1 AND county_code < $2",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(pool)
        .await?;
        let industries: Vec<String> = sqlx::query_scalar("SELECT code FROM industries")
            .fetch_all(pool)
            .await?;
        let mut f = Filter::new("SELECT e.id, e.region_code FROM signing_events e WHERE 1 = 1");
        self.events().event_visibility(&mut f);
        let events: Vec<(i64, String)> = f.query_as(&f.sql).fetch_all(pool).await?;
        let units: Vec<i64> = if self.actor.role.can(Permission::ReadUnits) {
            sqlx::query_scalar("SELECT id FROM units WHERE region_code >= $1 AND region_code < $2")
                .bind(&lo)
                .bind(&hi)
                .fetch_all(pool)
                .await?
        } else {
            Vec::new()
        };
        Ok(Refs {
            counties: counties.into_iter().collect(),
            zones: zones.into_iter().collect(),
            industries: industries.into_iter().collect(),
            events: events
                .iter()
                .filter_map(|(id, region)| organised(*id, region))
                .collect(),
            units: units.into_iter().collect(),
        })
    }

    pub(crate) async fn check_project(&self, input: &ProjectInput) -> Result<Checked, StoreError> {
        let refs = self.refs_for(input).await?;
        let rules = self.project_rules().await?;
        self.check_project_with(&refs, rules, input)
    }

    /// The checks of an edit of `before`: the edit may keep the event and units the project
    /// already refers to even when they lie outside the editor's scope (a province unit that
    /// brought a county's project), but may not pick new ones from there.
    async fn check_project_edit(
        &self,
        input: &ProjectInput,
        before: &Project,
    ) -> Result<Checked, StoreError> {
        let mut refs = self.refs_for(input).await?;
        // Kept though not visible: its organiser is read directly (still checked against
        // the project's county below).
        if let Some(event) = before
            .event_id
            .filter(|e| input.event_id == Some(*e) && !refs.events.contains_key(e))
        {
            let organiser: Option<String> =
                sqlx::query_scalar("SELECT region_code FROM signing_events WHERE id = $1")
                    .bind(event)
                    .fetch_optional(&self.db.pool)
                    .await?;
            refs.events
                .extend(organiser.and_then(|r| organised(event, &r)));
        }
        let units = [
            (before.attracting_unit_id, input.attracting_unit_id),
            (before.responsible_unit_id, input.responsible_unit_id),
        ];
        for unit in units.iter().filter_map(|(_, now)| *now) {
            // Kept only where every field naming it named it before.
            if units
                .iter()
                .all(|(was, now)| *now != Some(unit) || *was == Some(unit))
            {
                refs.units.insert(unit);
            }
        }
        let rules = self.project_rules().await?;
        self.check_project_with(&refs, rules, input)
    }

    /// The rule settings a project input is checked with.
    pub(crate) async fn project_rules(&self) -> Result<ProjectRules, StoreError> {
        let rules = self.rules().ledger_rules().await?;
        Ok(ProjectRules {
            limit: rules.date_limit(clock::today()),
            reason_min_chars: rules.fund_checks.reason_min_chars,
        })
    }

    /// Checks a project input against the rules of domain §3 and the references in `refs`.
    pub(crate) fn check_project_with(
        &self,
        refs: &Refs,
        rules: ProjectRules,
        input: &ProjectInput,
    ) -> Result<Checked, StoreError> {
        let limit = rules.limit;
        let mut checks = Checks::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            checks.add("name", "项目名称不能为空，且不超过200个字");
        }
        if input.investor_name.trim().is_empty() {
            checks.add("investor_name", "投资方名称不能为空");
        }
        checks.printable("name", &name);
        checks.printable("investor_name", &input.investor_name);
        checks.max_chars("investor_name", Some(&input.investor_name), 200);
        for (field, value, max) in [
            ("investor_home", &input.investor_home, 50),
            ("leading_industry", &input.leading_industry, 50),
            ("responsible_leader", &input.responsible_leader, 50),
            ("responsible_person", &input.responsible_person, 50),
            ("service_plan", &input.service_plan, 2000),
        ] {
            checks.max_chars(field, value.as_deref(), max);
        }
        let code_given = opt(&input.investor_credit_code);
        let credit_code = match &code_given {
            Some(c) => checks
                .take("investor_credit_code", CreditCode::parse(c))
                .map(|c| c.to_string()),
            None => None,
        };
        checks.max_chars(
            "credit_code_missing_reason",
            input.credit_code_missing_reason.as_deref(),
            200,
        );
        let missing_reason =
            opt(&input.credit_code_missing_reason).filter(|_| code_given.is_none());
        if let Some(reason) = &missing_reason {
            checks.printable("credit_code_missing_reason", reason);
        }
        // An invalid code is refused above; a signed project without one needs the reason.
        if let Some((field, message)) = credit_code_problem(
            input.stage,
            code_given.is_some(),
            missing_reason.as_deref(),
            rules.reason_min_chars,
        ) {
            checks.add(field, message);
        }
        for (field, value) in [
            ("total_investment_fen", input.total_investment_fen),
            ("contract_fen", input.contract_fen),
            ("contract_cents", input.contract_cents),
        ] {
            if value < 0 {
                checks.add(field, "金额不能为负数");
            }
        }
        let stage = input.stage;
        // The milestone dates as given (trimmed, blank as none), in the order of MILESTONES.
        let given = [
            &input.signed_on,
            &input.land_supplied_on,
            &input.certificate_on,
            &input.started_on,
            &input.completed_on,
            &input.producing_on,
        ]
        .map(opt);
        let mut dates: [Option<String>; 6] = Default::default();
        for ((date, (field, _, _)), value) in dates.iter_mut().zip(&MILESTONES).zip(&given) {
            if let Some(v) = value {
                *date = checks.take(field, limit.parse(v)).map(|d| d.to_string());
            }
        }
        // Each step of the chain comes on or after the one before it.
        for (field, message) in milestone_order_errors(&dates.each_ref().map(|d| d.as_deref())) {
            checks.add(field, message);
        }
        // The stage and the dates tell one story (the 开工率 counts 开工 dates).
        for (field, message) in milestone_conflicts(stage, &given.each_ref().map(|v| v.as_deref()))
        {
            checks.add(field, message);
        }
        let region = match RegionCode::parse(&input.region_code) {
            Err(e) => {
                checks.add("region_code", e.to_string());
                None
            }
            Ok(code) if !self.actor.scope.covers(&code) => {
                checks.add("region_code", format!("行政区划 {code} 不在您的管辖范围内"));
                None
            }
            Ok(code) if code.level() != RegionLevel::County => {
                checks.add("region_code", "项目落户地须为县级行政区划");
                None
            }
            Ok(code) if !refs.counties.contains(code.as_str()) => {
                checks.add("region_code", format!("行政区划代码 {code} 不存在"));
                None
            }
            Ok(code) => Some(code),
        };
        if let (Some(zone), Some(region)) = (input.zone_id, &region) {
            if refs.zones.get(&zone).map(String::as_str) != Some(region.as_str()) {
                checks.add("zone_id", "园区/乡镇不属于所选落户地");
            }
        }
        if let Some(code) = opt(&input.industry_code) {
            if !refs.industries.contains(&code) {
                checks.add(
                    "industry_code",
                    format!("行业代码“{code}”不在国民经济行业分类中"),
                );
            }
        }
        if let Some(event) = input.event_id {
            match refs.events.get(&event) {
                None => checks.add("event_id", "签约活动不存在或不在您的管辖范围内"),
                // An event's projects settle within the region organising it: a county's
                // fair signs that county's projects, a city's fair its counties'.
                Some(organiser) if region.as_ref().is_some_and(|r| !organiser.contains(r)) => {
                    checks.add(
                        "event_id",
                        format!("签约活动由行政区划 {organiser} 组织，项目落户地须在其范围内"),
                    )
                }
                Some(_) => {}
            }
        }
        for (field, unit) in [
            ("attracting_unit_id", input.attracting_unit_id),
            ("responsible_unit_id", input.responsible_unit_id),
        ] {
            if let Some(id) = unit {
                if !refs.units.contains(&id) {
                    checks.add(field, "单位不存在或不在您的管辖范围内");
                }
            }
        }
        checks.finish()?;
        Ok(Checked {
            region: region.expect("checked"),
            stage,
            name,
            credit_code,
            missing_reason,
            dates,
        })
    }

    /// One page of the ledger. A page is computed once per change of the data (and per day)
    /// for everyone who reads the same projects, then kept (`Scoped::kept`): a province's
    /// name search counts and sorts its whole province only when something changed.
    pub async fn list(
        &self,
        filter: &ProjectFilter,
        page: PageRequest,
    ) -> Result<Page<Project>, StoreError> {
        self.list_for(filter, page, None).await
    }

    /// A page of a cohort's projects only (a campaign's), classified by its thresholds.
    pub(crate) async fn list_for(
        &self,
        filter: &ProjectFilter,
        page: PageRequest,
        cohort: Option<&Cohort<'_>>,
    ) -> Result<Page<Project>, StoreError> {
        let what = match cohort {
            Some(c) => format!("ledger.list|{}", c.key),
            None => "ledger.list".to_owned(),
        };
        self.kept(&what, &(filter, page), || {
            self.compute_list(filter, page, cohort)
        })
        .await
    }

    async fn compute_list(
        &self,
        filter: &ProjectFilter,
        page: PageRequest,
        cohort: Option<&Cohort<'_>>,
    ) -> Result<Page<Project>, StoreError> {
        let (mut f, order) = self.project_filter(filter)?;
        if let Some(c) = cohort {
            (c.select)(&mut f);
        }
        // Counted and paged without the joins that only name things (regions, events, zones,
        // units, industries), except the industries one that a section filter reads.
        let (count, keys) = match opt(&filter.industry) {
            Some(section) if section.len() == 1 => {
                (PROJECT_COUNT_BY_SECTION, PROJECT_KEYS_BY_SECTION)
            }
            _ => (PROJECT_COUNT, PROJECT_KEYS),
        };
        let page: Page<Project> = f
            .fetch_page_by_keys(&self.db.pool, count, keys, PROJECT_PAGE, &order, page)
            .await?;
        let mut rules = self.rules().ledger_rules().await?;
        if let Some(c) = cohort {
            rules.thresholds = c.thresholds;
        }
        Ok(Page {
            items: page.items.into_iter().map(|p| p.finish(&rules)).collect(),
            total: page.total,
        })
    }

    /// Every project matching the filter (for export), at most `limit` — not capped at a
    /// page's size.
    pub async fn list_all(
        &self,
        filter: &ProjectFilter,
        limit: i64,
    ) -> Result<Vec<Project>, StoreError> {
        let (mut f, order) = self.project_filter(filter)?;
        let limit = f.bind(Bind::Int(limit));
        let sql = format!("{} ORDER BY {order} LIMIT {limit}", f.sql);
        let rows: Vec<Project> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let rules = self.rules().ledger_rules().await?;
        Ok(rows.into_iter().map(|p| p.finish(&rules)).collect())
    }

    fn project_filter(&self, filter: &ProjectFilter) -> Result<(Filter, String), StoreError> {
        let mut f = Filter::new(PROJECT_SELECT);
        let region = opt(&filter.region)
            .map(|r| RegionCode::parse(&r))
            .transpose()
            .map_err(|e| StoreError::field("region", e.to_string()))?;
        f.projects(&self.actor, "p", "p.region_code", region.as_ref());
        match opt(&filter.duplicates).as_deref() {
            None => f.and("p.duplicate_of IS NULL"),
            Some("include") => {}
            Some("only") => f.and("p.duplicate_of IS NOT NULL"),
            Some("pool") => f.and(
                "(EXISTS (SELECT 1 FROM duplicate_candidates dp WHERE dp.project_id = p.id \
                 AND dp.status = 'pending') OR EXISTS (SELECT 1 FROM duplicate_candidates dp \
                 WHERE dp.other_project_id = p.id AND dp.status = 'pending'))",
            ),
            Some(_) => return Err(StoreError::field(
                "duplicates",
                "重复项目筛选应为 include（含已确认重复）、only（仅已确认重复）或 pool（仅待核查）",
            )),
        }
        if let Some(q) = opt(&filter.q) {
            let p = f.bind(Bind::Text(contains_pattern(&q)));
            let exact = f.bind(Bind::Text(q.to_uppercase()));
            f.and(&format!(
                "(p.name LIKE {p} ESCAPE '\\' OR p.investor_name LIKE {p} ESCAPE '\\' OR p.investor_credit_code = {exact})"
            ));
        }
        if let Some(stage) = opt(&filter.stage) {
            let stage =
                Stage::parse(&stage).ok_or_else(|| StoreError::field("stage", "项目阶段无效"))?;
            let p = f.bind(Bind::Text(stage.as_str().to_owned()));
            f.and(&format!("p.stage = {p}"));
        }
        if let Some(origin) = opt(&filter.origin) {
            let p = f.bind(Bind::Text(origin));
            f.and(&format!("p.origin = {p}"));
        }
        if let Some(industry) = opt(&filter.industry) {
            if industry.len() == 1 {
                let p = f.bind(Bind::Text(industry));
                f.and(&format!("(i.parent_code = {p} OR p.industry_code = {p})"));
            } else {
                let p = f.bind(Bind::Text(industry));
                f.and(&format!("p.industry_code = {p}"));
            }
        }
        if let Some(event) = filter.event_id {
            let p = f.bind(Bind::Int(event));
            f.and(&format!("p.event_id = {p}"));
        }
        for (field, value, op) in [
            ("signed_from", &filter.signed_from, ">="),
            ("signed_to", &filter.signed_to, "<="),
        ] {
            if let Some(v) = opt(value) {
                let d = parse_date(&v).map_err(|m| StoreError::field(field, m))?;
                let p = f.bind(Bind::Text(d.to_string()));
                f.and(&format!("p.signed_on {op} {p}"));
            }
        }
        if let Some(min) = filter.min_contract_fen {
            let p = f.bind(Bind::Int(min));
            f.and(&format!("p.contract_fen >= {p}"));
        }
        if let Some(max) = filter.max_contract_fen {
            let p = f.bind(Bind::Int(max));
            f.and(&format!("p.contract_fen <= {p}"));
        }
        for (column, flag) in [
            ("key_project", filter.key_project),
            ("global500", filter.global500),
            ("china500", filter.china500),
            ("private500", filter.private500),
            ("strategic_emerging", filter.strategic_emerging),
            ("case_by_case", filter.case_by_case),
        ] {
            if let Some(flag) = flag {
                let value = if flag { "TRUE" } else { "FALSE" };
                f.and(&format!("p.{column} = {value}"));
            }
        }
        match filter.missing_contract {
            Some(true) => f.and(&format!(
                "p.stage IN ({}) AND p.contract_fen = 0 AND p.contract_cents = 0",
                signed_stages_sql()
            )),
            Some(false) => f.and("(p.contract_fen > 0 OR p.contract_cents > 0)"),
            None => {}
        }
        if filter.not_fulfilled == Some(true) {
            f.and(&format!(
                "p.stage IN ({}) AND p.arrived_fen = 0 AND p.arrived_cents = 0 \
                 AND p.started_on IS NULL",
                signed_stages_sql()
            ));
        }
        for (column, id) in [
            ("zone_id", filter.zone_id),
            ("attracting_unit_id", filter.attracting_unit_id),
            ("responsible_unit_id", filter.responsible_unit_id),
        ] {
            if let Some(id) = id {
                let p = f.bind(Bind::Int(id));
                f.and(&format!("p.{column} = {p}"));
            }
        }
        if let Some(leader) = opt(&filter.responsible_leader) {
            let p = f.bind(Bind::Text(contains_pattern(&leader)));
            f.and(&format!("p.responsible_leader LIKE {p} ESCAPE '\\'"));
        }
        if let Some(tag) = opt(&filter.leading_industry) {
            let p = f.bind(Bind::Text(tag));
            f.and(&format!("p.leading_industry = {p}"));
        }
        match opt(&filter.currency).as_deref() {
            None => {}
            Some("CNY") => f.and("p.contract_fen > 0"),
            Some("USD") => f.and("p.contract_cents > 0"),
            Some(_) => return Err(StoreError::field("currency", "币种应为 CNY 或 USD")),
        }
        let sort = filter.sort.as_deref().unwrap_or("-signed_on");
        let (column, descending) = match sort.strip_prefix('-') {
            Some(c) => (c, true),
            None => (sort, false),
        };
        let column = match column {
            "signed_on"
            | "contract_fen"
            | "arrived_fen"
            | "name"
            | "updated_at"
            | "total_investment_fen" => column,
            _ => return Err(StoreError::field("sort", "不支持按该列排序")),
        };
        let direction = if descending { "DESC" } else { "ASC" };
        Ok((f, format!("p.{column} {direction}, p.id {direction}")))
    }

    pub async fn get(&self, id: i64) -> Result<ProjectDetail, StoreError> {
        let project = self.find_project(id).await?;
        let mut stages: Vec<StageChange> = sqlx::query_as(
            "SELECT s.stage, s.changed_on, s.note, u.display_name AS actor_name, s.at \
             FROM project_stages s LEFT JOIN users u ON u.id = s.actor_id \
             WHERE s.project_id = $1 ORDER BY s.changed_on, s.id",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?;
        for s in &mut stages {
            s.stage_label = Stage::parse(&s.stage)
                .map(Stage::label)
                .unwrap_or("")
                .to_owned();
        }
        Ok(ProjectDetail { project, stages })
    }

    /// What was done to a project, newest first: its entry, edits and stage changes, its fund
    /// records (entry, review, evidence) and the decisions on its look-alike pairs — for
    /// whoever may see the project, not only holders of the audit log.
    pub async fn history(&self, id: i64) -> Result<Vec<AuditEntry>, StoreError> {
        self.find_project(id).await?;
        // Decisions on look-alike pairs name both projects: only the pairs whose other project
        // the reader may also see (another county's project is not shown to a county).
        let mut pairs = Filter::new(
            "SELECT CAST(d.id AS TEXT) FROM duplicate_candidates d \
             JOIN projects p ON p.id = d.project_id JOIN projects o ON o.id = d.other_project_id \
             WHERE 1 = 1",
        );
        let (a, b) = (pairs.bind(Bind::Int(id)), pairs.bind(Bind::Int(id)));
        pairs.and(&format!("(d.project_id = {a} OR d.other_project_id = {b})"));
        pairs.projects(&self.actor, "p", "p.region_code", None);
        pairs.projects(&self.actor, "o", "o.region_code", None);
        let pair_ids: Vec<(String,)> = pairs.query_as(&pairs.sql).fetch_all(&self.db.pool).await?;
        let mut f = Filter::new("");
        let key = f.bind(Bind::Text(id.to_string()));
        let project = f.bind(Bind::Int(id));
        let mut sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE entity = 'project' AND entity_id = {key} \
             UNION ALL SELECT {AUDIT_COLUMNS} FROM audit_log WHERE entity = 'fund_arrival' \
             AND entity_id IN (SELECT CAST(id AS TEXT) FROM fund_arrivals WHERE project_id = {project})"
        );
        if !pair_ids.is_empty() {
            let list: Vec<String> = pair_ids
                .into_iter()
                .map(|(pair,)| f.bind(Bind::Text(pair)))
                .collect();
            sql.push_str(&format!(
                " UNION ALL SELECT {AUDIT_COLUMNS} FROM audit_log \
                 WHERE entity = 'duplicate_candidate' AND entity_id IN ({})",
                list.join(", ")
            ));
        }
        sql.push_str(" ORDER BY at DESC, id DESC LIMIT 500");
        let rows: Vec<AuditRow> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }

    pub(crate) async fn find_project(&self, id: i64) -> Result<Project, StoreError> {
        let mut f = Filter::new(PROJECT_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("p.id = {p}"));
        f.projects(&self.actor, "p", "p.region_code", None);
        let project: Option<Project> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        // A unit account is told why, without learning whether the project exists.
        let project = project.ok_or(StoreError::NotFound(match self.actor.project_reach() {
            ProjectReach::Region => "该项目",
            ProjectReach::Unit(_) => {
                "该项目（责任单位只能查看和填报本单位负责、招引或落户本单位的项目）"
            }
            ProjectReach::Nothing => "该项目（账号未指定所属单位，不能查看和填报项目）",
        }))?;
        Ok(project.finish(&self.rules().ledger_rules().await?))
    }

    /// The projects among `ids` that the actor reaches, by id (500 to a query); ids it does
    /// not reach are absent.
    pub(crate) async fn find_projects(
        &self,
        ids: &BTreeSet<i64>,
    ) -> Result<HashMap<i64, Project>, StoreError> {
        let rules = self.rules().ledger_rules().await?;
        let ids: Vec<i64> = ids.iter().copied().collect();
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut f = Filter::new(PROJECT_SELECT);
            let list: Vec<String> = chunk.iter().map(|id| f.bind(Bind::Int(*id))).collect();
            f.and(&format!("p.id IN ({})", list.join(", ")));
            f.projects(&self.actor, "p", "p.region_code", None);
            let projects: Vec<Project> = f.query_as(&f.sql).fetch_all(&self.db.pool).await?;
            found.extend(projects.into_iter().map(|p| (p.id, p.finish(&rules))));
        }
        Ok(found)
    }

    /// Whether a ledger sheet of `rows` rows is matched for look-alikes after its import
    /// commits, in the background (`[auth] look_alike_background_rows`).
    pub fn matched_after_import(&self, rows: usize) -> bool {
        duplicates::in_background(&self.settings, rows)
    }

    pub async fn create(&self, input: ProjectInput) -> Result<ProjectDetail, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let c = self.check_project(&input).await?;
        let mut tx = self.db.pool.begin().await?;
        let id = self.insert_project(&mut tx, &c, &input, "录入台账").await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Writes a checked project, its first stage entry, its duplicate candidates and its audit
    /// entry on `conn` (the caller's transaction).
    pub(crate) async fn insert_project(
        &self,
        conn: &mut sqlx::AnyConnection,
        c: &Checked,
        input: &ProjectInput,
        how: &str,
    ) -> Result<i64, StoreError> {
        let ids = self
            .insert_projects(conn, &[(c, input, how.to_owned())])
            .await?;
        Ok(ids[0])
    }

    /// Writes checked projects (each with how it came: "录入台账", "Excel导入（第5行）") in
    /// multi-row statements: the projects, their first stage entries, the look-alike pairs
    /// for the duplicate pool and one audit entry each. Returns the new ids in input order.
    pub(crate) async fn insert_projects(
        &self,
        conn: &mut sqlx::AnyConnection,
        items: &[(&Checked, &ProjectInput, String)],
    ) -> Result<Vec<i64>, StoreError> {
        let backend = self.db.backend();
        let now = clock::now();
        let t0 = std::time::Instant::now();
        // A sheet is written by county and name key rather than in sheet order: the indexes
        // led by the county (rates, ledger sort, look-alikes) and the name key then fill from
        // left to right instead of at random places, which makes a province-wide sheet's
        // insert about a third cheaper. Ids follow this order (each audit entry still names its
        // sheet row); they are returned in the caller's order.
        let mut order: Vec<(String, String, usize)> = items
            .iter()
            .enumerate()
            .map(|(i, (c, _, _))| (c.region.to_string(), name_key(&c.name), i))
            .collect();
        order.sort_unstable();
        let sorted: Vec<&(&Checked, &ProjectInput, String)> =
            order.iter().map(|(_, _, i)| &items[*i]).collect();
        let items = sorted;
        let ids = bulk::reserve_ids(conn, backend, "projects", items.len()).await?;
        let entries: Vec<Entry> = items
            .iter()
            .zip(&ids)
            .zip(order.iter_mut())
            .map(|(((c, input, _), &id), (_, key, _))| Entry {
                id,
                name: c.name.clone(),
                name_key: std::mem::take(key),
                investor_name: input.investor_name.trim().to_owned(),
                investor_credit_code: c.credit_code.clone(),
                region_code: c.region.to_string(),
                zone_id: input.zone_id,
                event_id: input.event_id,
                industry_code: opt(&input.industry_code),
                contract_fen: input.contract_fen,
                contract_cents: input.contract_cents,
                signed_on: c.dates[0].clone(),
            })
            .collect();
        let book = duplicates::place_book(&self.db).await?;
        // A large sheet is matched after it commits, in the background (`duplicates::queue`).
        let background = entries.len() > 1 && self.matched_after_import(entries.len());
        // Look-alikes among the projects already stored, and among the new ones in order. One
        // project is looked up in this transaction. A sheet's look-ups and matching run beside
        // the writes, reading on a connection of their own: the stored projects they compare
        // with are the same either way (on SQLite this transaction holds the write lock, so
        // nobody else adds any; the new ones are matched with each other in memory).
        let matching = match entries.as_slice() {
            _ if background => Matching::Ready(Vec::new()),
            [one] => {
                let waiting = duplicates::take_turn(conn).await?;
                let index = Index::around(conn, book.clone(), one, waiting).await?;
                Matching::Ready(index.matches(one))
            }
            _ => {
                let entries = entries.clone();
                let book = book.clone();
                let none = HashSet::new();
                // A connection of its own only when one is free right now: waiting for one
                // while holding this transaction's could deadlock imports running at once.
                let task = match self.db.pool.try_acquire() {
                    Some(mut reader) => tokio::spawn(async move {
                        let index =
                            Index::for_batch(&mut reader, backend, book, &entries, &none).await?;
                        drop(reader);
                        match_in_order(index, entries).await
                    }),
                    None => {
                        let index = Index::for_batch(conn, backend, book, &entries, &none).await?;
                        tokio::spawn(match_in_order(index, entries))
                    }
                };
                Matching::Beside(AbortOnDrop(task))
            }
        };
        let t_index = t0.elapsed();
        // The audit entries are built on another core while the projects are written.
        let owned: Vec<(i64, String, String, ProjectInput, String)> = items
            .iter()
            .zip(&ids)
            .map(|((c, input, how), &id)| {
                let (name, region) = (c.name.clone(), c.region.to_string());
                (id, name, region, (*input).clone(), how.clone())
            })
            .collect();
        let audit_entries = tokio::task::spawn_blocking(move || {
            owned
                .into_iter()
                .map(|(id, name, region, input, how)| audit::OwnedEntry {
                    region: Some(region),
                    entity: "project",
                    entity_id: Some(id.to_string()),
                    action: "create",
                    summary: format!("新增项目 {name}（{how}）"),
                    before: None,
                    after: audit::compact_json(&input),
                })
                .collect::<Vec<_>>()
        });
        let mut projects = Vec::with_capacity(items.len());
        let mut stages = Vec::with_capacity(items.len());
        // The new projects' gram index rows, worked out on another core too.
        let grams = (!background).then(|| {
            let (book, entries) = (book.clone(), entries.clone());
            tokio::task::spawn_blocking(move || duplicates::gram_rows(&book, &entries))
        });
        for (((c, input, how), e), &id) in items.iter().zip(entries).zip(&ids) {
            let text = |s: &Option<String>| Bind::OptText(opt(s));
            let date = |i: usize| Bind::OptText(c.dates[i].clone());
            projects.push(vec![
                Bind::Int(id),
                Bind::Text(c.name.clone()),
                Bind::Text(e.name_key),
                Bind::Text(input.investor_name.trim().to_owned()),
                Bind::OptText(c.credit_code.clone()),
                Bind::OptText(c.missing_reason.clone()),
                text(&input.investor_home),
                Bind::Text(input.origin.as_str().to_owned()),
                Bind::Bool(input.global500),
                Bind::Bool(input.china500),
                Bind::Bool(input.private500),
                text(&input.industry_code),
                text(&input.leading_industry),
                Bind::Bool(input.strategic_emerging),
                Bind::Int(input.total_investment_fen),
                Bind::Int(input.contract_fen),
                Bind::Int(input.contract_cents),
                date(0),
                Bind::OptInt(input.event_id),
                Bind::Text(c.region.to_string()),
                Bind::OptInt(input.zone_id),
                Bind::OptInt(input.attracting_unit_id),
                text(&input.responsible_leader),
                Bind::OptInt(input.responsible_unit_id),
                text(&input.responsible_person),
                text(&input.service_plan),
                Bind::Text(c.stage.as_str().to_owned()),
                date(1),
                date(2),
                date(3),
                date(4),
                date(5),
                Bind::Bool(input.case_by_case),
                Bind::Bool(input.key_project),
                Bind::Int(self.actor.user_id),
                Bind::Text(now.clone()),
                Bind::Text(now.clone()),
            ]);
            stages.push(vec![
                Bind::Int(id),
                Bind::Text(c.stage.as_str().to_owned()),
                Bind::Text(c.dates[0].clone().unwrap_or_else(|| now[..10].to_owned())),
                Bind::Text(how.clone()),
                Bind::Int(self.actor.user_id),
                Bind::Text(now.clone()),
            ]);
        }
        let t_build = t0.elapsed();
        bulk::insert_rows(conn, backend, "projects", &PROJECT_COLUMNS, projects).await?;
        let t_rows = t0.elapsed();
        if let Some(grams) = grams {
            let grams = grams
                .await
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            duplicates::write_grams(conn, backend, grams).await?;
        } else {
            duplicates::enqueue(conn, &ids, self.actor.user_id, &now).await?;
        }
        let t_projects = t0.elapsed();
        bulk::insert_rows(
            conn,
            backend,
            "project_stages",
            &[
                "project_id",
                "stage",
                "changed_on",
                "note",
                "actor_id",
                "at",
            ],
            stages,
        )
        .await?;
        let t_stages = t0.elapsed();
        // The creations are audited while the matching may still run beside (for a large
        // sheet it ends about when the writes do); the signals of its pairs follow them.
        let audit_entries = audit_entries
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let t_audit_built = t0.elapsed();
        audit::record_many(conn, backend, (&self.actor).into(), audit_entries).await?;
        let t_audited = t0.elapsed();
        let pairs = match matching {
            Matching::Ready(pairs) => pairs,
            Matching::Beside(task) => task.join().await??,
        };
        let t_matched = t0.elapsed();
        duplicates::write_pairs(conn, backend, &pairs, &now).await?;
        let t_pairs_written = t0.elapsed();
        let signals = duplicates::signal_entries(conn, &self.actor, &self.settings, &pairs).await?;
        audit::record_many(conn, backend, (&self.actor).into(), signals).await?;
        let t_pairs = t0.elapsed();
        // Phases of a sheet's import (single entries are not worth a log line).
        if ids.len() > 1 {
            tracing::info!(
                rows = ids.len(),
                keys_ms = t_index.as_millis() as u64,
                build_ms = (t_build - t_index).as_millis() as u64,
                projects_ms = (t_rows - t_build).as_millis() as u64,
                // the candidate index (project_name_grams) of the new rows
                grams_ms = (t_projects - t_rows).as_millis() as u64,
                stages_ms = (t_stages - t_projects).as_millis() as u64,
                audit_wait_ms = (t_audit_built - t_stages).as_millis() as u64,
                audit_ms = (t_audited - t_audit_built).as_millis() as u64,
                // waiting for the look-alike matching that ran beside the writes, writing its
                // pairs, and the signals of those beyond the account's reach
                pairs_wait_ms = (t_matched - t_audited).as_millis() as u64,
                pairs_write_ms = (t_pairs_written - t_matched).as_millis() as u64,
                signals_ms = (t_pairs - t_pairs_written).as_millis() as u64,
                "projects written"
            );
        }
        let mut in_caller_order = vec![0; ids.len()];
        for (id, (_, _, i)) in ids.into_iter().zip(order) {
            in_caller_order[i] = id;
        }
        Ok(in_caller_order)
    }

    /// Moves a project to another stage on a given date, keeping the history and setting the
    /// matching milestone date.
    pub async fn change_stage(
        &self,
        id: i64,
        input: StageChangeInput,
    ) -> Result<ProjectDetail, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let before = self.find_project(id).await?;
        let mut checks = Checks::default();
        checks.max_chars("note", input.note.as_deref(), 500);
        let rules = self.project_rules().await?;
        // The investor's code or the reason for its absence, given with the change: checked
        // as an edit of the project would check them, and written in the same transaction.
        let code = opt(&input.investor_credit_code);
        let reason = opt(&input.credit_code_missing_reason).filter(|_| code.is_none());
        let identity = match (&code, &reason) {
            (None, None) => None,
            _ => {
                let mut edit = before.as_input();
                edit.investor_credit_code = code.clone();
                edit.credit_code_missing_reason = reason.clone();
                match self.check_project_edit(&edit, &before).await {
                    Ok(checked) => Some((checked, edit)),
                    Err(StoreError::Validation(errors)) => {
                        for (field, messages) in errors {
                            messages.into_iter().for_each(|m| checks.add(&field, m));
                        }
                        None
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        // The code's and the reason's problems for the new stage, on their own fields (the
        // plan would name them under the stage).
        let given = code.is_some() || reason.is_some();
        if given {
            if let Some((field, message)) = credit_code_problem(
                input.stage,
                code.is_some(),
                reason.as_deref(),
                rules.reason_min_chars,
            ) {
                checks.add(field, message);
            }
        }
        let mut planned_on = before.clone();
        if let Some((checked, _)) = &identity {
            planned_on.investor_credit_code = checked.credit_code.clone();
            planned_on.credit_code_missing_reason = checked.missing_reason.clone();
            // the stage is written after the edit, on the version the edit makes
            planned_on.version += 1;
        }
        let planned = stages::plan(
            &planned_on,
            input.stage,
            &input.changed_on,
            opt(&input.note),
            rules,
        );
        // Every problem at once: the note's, the date's, the story the dates would tell, or
        // the investor's code.
        if let Err((field, messages)) = &planned {
            for m in messages {
                if !(given && m.ends_with(stages::CREDIT_CODE_FIRST)) {
                    checks.add(field, m.clone());
                }
            }
        }
        checks.finish()?;
        let change = planned.map_err(|_| StoreError::Internal("checked above".into()))?;
        if before.version != input.version {
            return Err(StoreError::Stale);
        }
        let mut tx = self.db.pool.begin().await?;
        if let Some((checked, edit)) = identity {
            self.write_update(&mut tx, &before, checked, edit, input.version)
                .await?;
        }
        stages::apply(&mut tx, &self.actor, &change, "").await?;
        tx.commit().await?;
        self.get(id).await
    }
}

/// Editing a project never moves it to another stage: stage changes are dated and kept in the
/// history, which only the stage endpoint writes.
const STAGE_NOT_EDITABLE: &str = "项目阶段请通过“阶段变更”修改，编辑项目时不能改变阶段";

impl Ledger<'_> {
    /// Changes a project's fields (not its stage) if nobody changed it since `version`.
    ///
    /// When the landing place moves, the records that copy the project's region for scope
    /// filtering (fund records, their evidence files, the duplicate candidates it raised) move
    /// with it in the same transaction. When the name, credit code or landing place changes,
    /// duplicate detection runs again; pairs already in the pool, in either direction and
    /// whatever their review outcome, are not raised twice.
    pub async fn update(
        &self,
        id: i64,
        update: ProjectUpdate,
    ) -> Result<ProjectDetail, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let before = self.find_project(id).await?;
        if before.version != update.version {
            return Err(StoreError::Stale);
        }
        let input = update.project;
        let stage_moved = input.stage.as_str() != before.stage.as_str();
        let c = match (self.check_project_edit(&input, &before).await, stage_moved) {
            (Ok(c), false) => c,
            (Ok(_), true) => return Err(StoreError::field("stage", STAGE_NOT_EDITABLE)),
            (Err(StoreError::Validation(mut errors)), true) => {
                errors
                    .entry("stage".to_owned())
                    .or_default()
                    .push(STAGE_NOT_EDITABLE.to_owned());
                return Err(StoreError::Validation(errors));
            }
            (Err(e), _) => return Err(e),
        };
        let mut tx = self.db.pool.begin().await?;
        self.write_update(&mut tx, &before, c, input, update.version)
            .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Writes a checked edit of `before` (at `version`) on the caller's transaction: the
    /// project's fields, the records that copy its region, duplicate detection when what it
    /// compares changed, and the audit entry.
    async fn write_update(
        &self,
        conn: &mut sqlx::AnyConnection,
        before: &Project,
        c: Checked,
        input: ProjectInput,
        version: i64,
    ) -> Result<(), StoreError> {
        let id = before.id;
        let after = normalized(&c, &input);
        let now = clock::now();
        let updated = sqlx::query(
            "UPDATE projects SET name = $1, name_key = $2, investor_name = $3,              investor_credit_code = $4, credit_code_missing_reason = $5, investor_home = $6, origin = $7, global500 = $8,              china500 = $9, private500 = $10, industry_code = $11, leading_industry = $12,              strategic_emerging = $13, total_investment_fen = $14, contract_fen = $15,              contract_cents = $16, signed_on = $17, event_id = $18, region_code = $19,              zone_id = $20, attracting_unit_id = $21, responsible_leader = $22,              responsible_unit_id = $23, responsible_person = $24, service_plan = $25,              land_supplied_on = $26, certificate_on = $27, started_on = $28, completed_on = $29,              producing_on = $30, case_by_case = $31, key_project = $32, updated_at = $33,              version = version + 1 WHERE id = $34 AND version = $35",
        )
        .bind(&after.name)
        .bind(name_key(&after.name))
        .bind(&after.investor_name)
        .bind(&after.investor_credit_code)
        .bind(&after.credit_code_missing_reason)
        .bind(&after.investor_home)
        .bind(after.origin.as_str())
        .bind(after.global500)
        .bind(after.china500)
        .bind(after.private500)
        .bind(&after.industry_code)
        .bind(&after.leading_industry)
        .bind(after.strategic_emerging)
        .bind(after.total_investment_fen)
        .bind(after.contract_fen)
        .bind(after.contract_cents)
        .bind(&after.signed_on)
        .bind(after.event_id)
        .bind(&after.region_code)
        .bind(after.zone_id)
        .bind(after.attracting_unit_id)
        .bind(&after.responsible_leader)
        .bind(after.responsible_unit_id)
        .bind(&after.responsible_person)
        .bind(&after.service_plan)
        .bind(&after.land_supplied_on)
        .bind(&after.certificate_on)
        .bind(&after.started_on)
        .bind(&after.completed_on)
        .bind(&after.producing_on)
        .bind(after.case_by_case)
        .bind(after.key_project)
        .bind(&now)
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        let moved = before.region_code != after.region_code;
        if moved {
            for sql in [
                "UPDATE fund_arrivals SET region_code = $1 WHERE project_id = $2",
                "UPDATE attachments SET region_code = $1 WHERE owner_kind = 'fund_arrival' \
                 AND owner_id IN (SELECT id FROM fund_arrivals WHERE project_id = $2)",
                // A candidate is filed under the region of the project that raised it.
                "UPDATE duplicate_candidates SET region_code = $1 WHERE project_id = $2",
                // the assistance list (帮办清单) is read by the project's county
                "UPDATE assistance_items SET region_code = $1 WHERE project_id = $2",
            ] {
                sqlx::query(sql)
                    .bind(c.region.as_str())
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        if moved
            || name_key(&before.name) != name_key(&after.name)
            || before.investor_credit_code != after.investor_credit_code
            || before.name != after.name
            || before.investor_name.trim() != after.investor_name.trim()
        {
            let entry = Entry {
                id,
                name: c.name.clone(),
                name_key: name_key(&c.name),
                investor_name: after.investor_name.trim().to_owned(),
                investor_credit_code: c.credit_code.clone(),
                region_code: c.region.to_string(),
                zone_id: after.zone_id,
                event_id: after.event_id,
                industry_code: opt(&after.industry_code),
                contract_fen: after.contract_fen,
                contract_cents: after.contract_cents,
                signed_on: c.dates[0].clone(),
            };
            let book = duplicates::place_book(&self.db).await?;
            let pairs =
                duplicates::record(&mut *conn, self.db.backend(), book, entry, &now).await?;
            let signals =
                duplicates::signal_entries(&mut *conn, &self.actor, &self.settings, &pairs).await?;
            audit::record_many(&mut *conn, self.db.backend(), (&self.actor).into(), signals)
                .await?;
        }
        let (changed_before, changed_after) = changed_fields(&before.as_input(), &after);
        let mut summary = format!("修改项目 {}", after.name);
        if moved {
            let to = crate::regions::directory(&self.db)
                .await?
                .get(c.region.as_str())
                .map_or_else(|| c.region.to_string(), |r| r.name.clone());
            summary.push_str(&format!("，落户地 {} → {to}", before.region_name));
        }
        audit::record(
            &mut *conn,
            (&self.actor).into(),
            Change {
                entity: "project",
                entity_id: Some(id.to_string()),
                action: "update",
                summary,
                region: Some(&c.region),
                before: Some(changed_before),
                after: Some(changed_after),
            },
        )
        .await
    }
}

/// The input as it is stored: text trimmed and empty text as null, codes and dates in their
/// canonical form.
fn normalized(c: &Checked, input: &ProjectInput) -> ProjectInput {
    let [signed_on, land_supplied_on, certificate_on, started_on, completed_on, producing_on] =
        c.dates.clone();
    ProjectInput {
        name: c.name.clone(),
        investor_name: input.investor_name.trim().to_owned(),
        investor_credit_code: c.credit_code.clone(),
        credit_code_missing_reason: c.missing_reason.clone(),
        investor_home: opt(&input.investor_home),
        origin: input.origin,
        industry_code: opt(&input.industry_code),
        leading_industry: opt(&input.leading_industry),
        signed_on,
        region_code: c.region.to_string(),
        responsible_leader: opt(&input.responsible_leader),
        responsible_person: opt(&input.responsible_person),
        service_plan: opt(&input.service_plan),
        stage: c.stage,
        land_supplied_on,
        certificate_on,
        started_on,
        completed_on,
        producing_on,
        ..input.clone()
    }
}

/// The fields that differ between two versions of a project, as two JSON objects.
fn changed_fields(
    before: &ProjectInput,
    after: &ProjectInput,
) -> (serde_json::Value, serde_json::Value) {
    let as_map = |p: &ProjectInput| match serde_json::to_value(p) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (b, a) = (as_map(before), as_map(after));
    let mut old = serde_json::Map::new();
    let mut new = serde_json::Map::new();
    for (key, value) in &a {
        let previous = b.get(key).cloned().unwrap_or(serde_json::Value::Null);
        if &previous != value {
            old.insert(key.clone(), previous);
            new.insert(key.clone(), value.clone());
        }
    }
    (old.into(), new.into())
}

/// A project's stage and milestone dates as recorded before and after a stage change.
fn stage_snapshot(stage: &str, dates: &[Option<String>; 6]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("stage".into(), stage.into());
    for ((field, _, _), date) in MILESTONES.iter().zip(dates) {
        map.insert((*field).into(), date.clone().into());
    }
    serde_json::Value::Object(map)
}

/// The columns of a project row as [`Scoped::insert_projects`] writes them.
const PROJECT_COLUMNS: [&str; 37] = [
    "id",
    "name",
    "name_key",
    "investor_name",
    "investor_credit_code",
    "credit_code_missing_reason",
    "investor_home",
    "origin",
    "global500",
    "china500",
    "private500",
    "industry_code",
    "leading_industry",
    "strategic_emerging",
    "total_investment_fen",
    "contract_fen",
    "contract_cents",
    "signed_on",
    "event_id",
    "region_code",
    "zone_id",
    "attracting_unit_id",
    "responsible_leader",
    "responsible_unit_id",
    "responsible_person",
    "service_plan",
    "stage",
    "land_supplied_on",
    "certificate_on",
    "started_on",
    "completed_on",
    "producing_on",
    "case_by_case",
    "key_project",
    "created_by",
    "created_at",
    "updated_at",
];
