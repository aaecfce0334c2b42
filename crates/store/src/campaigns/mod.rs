//! Campaigns (专项行动, domain §6): a bureau's named action over the signed projects its rule
//! selects, with goals, classification thresholds and dated phases whose deadlines are tasks
//! of the organising bureau on the deadline engine.
//!
//! Who sees what: a campaign belongs to its organiser's region. Readers within that region,
//! and the regions above it, see the campaign; each reads only the campaign's projects within
//! its own reach (`Filter::projects`), so a county reads the province's action over its own
//! projects only. The figures and the project list are the 三率 report and the ledger's list
//! (with their classification) over the campaign's cohort, not computations of their own.

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::{on_constraint, Checks, StoreError};
use crate::kit::filter::{Bind, Cohort, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::ledger::{Project, ProjectFilter};
use crate::rates::{RateRow, RatesQuery, RatesReport};
use crate::tasks::{self, NewTask};
use luodi_domain::campaigns::{
    check_goals, check_phases, current_phase, thresholds, CampaignRule, Goal, GoalIndicator,
    PhaseDates,
};
use luodi_domain::deadlines::{light, Light};
use luodi_domain::rates::Rate;
use luodi_domain::{parse_date, Permission, RegionCode, Scope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// Campaigns (专项行动) as the actor may read and run them.
    Campaigns, campaigns
);

/// The task kind of a campaign phase; its source is the phase.
pub const PHASE_TASK: &str = "campaign_phase";
/// Days before its last day a phase turns yellow.
const WARN_DAYS: i64 = 3;
/// Phases a campaign may hold.
const MAX_PHASES: usize = 12;

/// A campaign as its organiser sets it up.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CampaignInput {
    pub name: String,
    /// Which signed projects it takes: any one of the selections.
    pub rule: CampaignRule,
    #[serde(default)]
    pub goals: Vec<Goal>,
    /// 优秀: arrival rate strictly above this (basis points; 5000 = 50% when omitted).
    pub excellent_bp: Option<i64>,
    /// 良好: arrival rate from this (basis points; 2000 = 20% when omitted).
    pub good_bp: Option<i64>,
    #[serde(default)]
    pub phases: Vec<PhaseInput>,
}

/// A campaign as its organiser corrects it, at the version it read. A phase given with the
/// `seq` of a stored phase keeps that phase (its status, report and task); one without is new;
/// a stored phase not given is removed, which a phase reported done may not be.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CampaignUpdate {
    #[serde(flatten)]
    pub campaign: CampaignInput,
    pub version: i64,
}

/// A dated phase and what it requires (e.g. 梳理摸底 5/25–5/29: 按资金到位率分成四类).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PhaseInput {
    /// On an edit, the number of the stored phase this one keeps; absent for a new phase.
    #[serde(default)]
    pub seq: Option<i64>,
    pub name: String,
    /// YYYY-MM-DD
    pub starts_on: String,
    /// YYYY-MM-DD: the phase's deadline.
    pub ends_on: String,
    /// 工作要求
    pub requirements: String,
}

/// What the organiser reports when a phase's work is done.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PhaseReport {
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CampaignSummary {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    pub name: String,
    pub excellent_bp: i64,
    pub good_bp: i64,
    pub version: i64,
    pub created_at: String,
    /// The phase it is in today (or the next to come), by name; null once all have ended.
    #[sqlx(skip)]
    pub current_phase: Option<String>,
    /// The user's own bureau organised it (may report its phases done).
    #[sqlx(skip)]
    pub organised_by_me: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CampaignPhase {
    #[serde(skip)]
    pub campaign_id: i64,
    pub seq: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub requirements: String,
    /// `open` or `done`.
    pub status: String,
    pub summary: Option<String>,
    pub done_at: Option<String>,
    #[serde(skip)]
    pub task_id: Option<i64>,
    #[sqlx(skip)]
    pub light: Option<Light>,
    #[sqlx(skip)]
    pub light_label: String,
    /// Days until its last day (negative: overdue by that many).
    #[sqlx(skip)]
    pub days_left: i64,
    /// Today lies within its dates.
    #[sqlx(skip)]
    pub current: bool,
}

/// A goal with the campaign's actual figure against it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalProgress {
    pub indicator: GoalIndicator,
    pub label: String,
    pub target_bp: i64,
    /// e.g. "20.00%"
    pub target: String,
    /// The campaign's figure over the reader's projects, e.g. "23.50%"; null without a
    /// denominator.
    pub actual: Option<String>,
    /// null when there is no actual figure yet.
    pub reached: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campaign {
    #[serde(flatten)]
    pub summary: CampaignSummary,
    pub rule: CampaignRule,
    /// The rule in words, one line per selection.
    pub rule_text: Vec<String>,
    pub goals: Vec<GoalProgress>,
    pub phases: Vec<CampaignPhase>,
    /// The 三率 and classification counts of the campaign's projects within the reader's
    /// reach, by the next level of regions, classified by the campaign's thresholds.
    pub report: RatesReport,
}

const SUMMARY: &str = "SELECT c.id, c.region_code, r.name AS region_name, c.name, c.excellent_bp, \
    c.good_bp, c.version, c.created_at FROM campaigns c JOIN regions r ON r.code = c.region_code \
    WHERE 1 = 1";

/// Appends the rule's conditions on projects (alias `p`) to `f`: signed projects taken by any
/// of its selections. Codes written into the text are the domain's own (`as_str`); every value
/// a user typed is bound.
fn select_sql(rule: &CampaignRule, f: &mut Filter) {
    f.and(&format!(
        "p.stage IN ({})",
        crate::ledger::signed_stages_sql()
    ));
    let mut any = Vec::with_capacity(rule.any_of.len());
    for s in &rule.any_of {
        let mut all: Vec<String> = Vec::new();
        if s.needs_event() {
            let mut event = "SELECT e.id FROM signing_events e WHERE 1 = 1".to_owned();
            if !s.event_levels.is_empty() {
                let levels: Vec<String> = s
                    .event_levels
                    .iter()
                    .map(|l| format!("'{}'", l.as_str()))
                    .collect();
                event.push_str(&format!(" AND e.level IN ({})", levels.join(", ")));
            }
            if let Some((first, last)) = s.event_years {
                let from = f.bind(Bind::Text(format!("{first:04}-01-01")));
                let to = f.bind(Bind::Text(format!("{last:04}-12-31")));
                event.push_str(&format!(" AND e.held_on >= {from} AND e.held_on <= {to}"));
            }
            all.push(format!("p.event_id IN ({event})"));
        }
        if let Some((first, last)) = s.signed_years {
            let from = f.bind(Bind::Text(format!("{first:04}-01-01")));
            let to = f.bind(Bind::Text(format!("{last:04}-12-31")));
            all.push(format!("p.signed_on >= {from} AND p.signed_on <= {to}"));
        }
        if s.fortune500 {
            all.push("(p.global500 = TRUE OR p.china500 = TRUE OR p.private500 = TRUE)".to_owned());
        }
        if let Some(min) = s.min_contract_fen {
            let min = f.bind(Bind::Int(min));
            all.push(format!("p.contract_fen >= {min}"));
        }
        if !s.origins.is_empty() {
            let origins: Vec<String> = s
                .origins
                .iter()
                .map(|o| format!("'{}'", o.as_str()))
                .collect();
            all.push(format!("p.origin IN ({})", origins.join(", ")));
        }
        any.push(format!("({})", all.join(" AND ")));
    }
    f.and(&format!("({})", any.join(" OR ")));
}

/// The rule in words, one line per selection.
fn rule_text(rule: &CampaignRule) -> Vec<String> {
    rule.any_of
        .iter()
        .map(|s| {
            let mut parts = Vec::new();
            if s.needs_event() {
                let levels: Vec<&str> = s.event_levels.iter().map(|l| l.label()).collect();
                let years = s
                    .event_years
                    .map(|(a, b)| format!("{a}—{b}年"))
                    .unwrap_or_default();
                let level = levels.join("、");
                parts.push(format!("{years}{level}签约活动签约"));
            }
            if let Some((a, b)) = s.signed_years {
                parts.push(format!("{a}—{b}年签约"));
            }
            if s.fortune500 {
                parts.push("“三类500强”投资".to_owned());
            }
            if let Some(min) = s.min_contract_fen {
                parts.push(format!(
                    "合同金额不低于{}万元",
                    luodi_domain::Fen(min).display_wan_yuan()
                ));
            }
            if !s.origins.is_empty() {
                let o: Vec<&str> = s.origins.iter().map(|o| o.label()).collect();
                parts.push(format!("资金来源为{}", o.join("、")));
            }
            format!("{}的已签约项目", parts.join("、"))
        })
        .collect()
}

/// The campaign's actual figure for a goal, from the report's total row.
fn actual(indicator: GoalIndicator, total: &RateRow) -> Option<Rate> {
    match indicator {
        GoalIndicator::ArrivalRate => Rate::of(total.arrived_fen, total.contract_fen),
        GoalIndicator::FulfilmentRate => Rate::of(total.fulfilling, total.projects),
        GoalIndicator::StartRate => Rate::of(total.started, total.projects),
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(format!("stored {what}: {e}")))
}

/// A campaign input that passed its checks, as it is stored.
struct Checked {
    name: String,
    rule: String,
    goals: String,
    excellent_bp: i64,
    good_bp: i64,
    phases: Vec<CheckedPhase>,
}

impl Checked {
    /// The campaign as it will stand, for the audit trail (`audit_view`).
    fn audit_view(&self, input: &CampaignInput) -> serde_json::Value {
        audit_view(
            &self.name,
            &input.rule,
            &input.goals,
            (self.excellent_bp, self.good_bp),
            self.phases.iter().map(|p| {
                (
                    p.name.clone(),
                    p.dates.starts_on.to_string(),
                    p.dates.ends_on.to_string(),
                )
            }),
        )
    }
}

struct CheckedPhase {
    seq: Option<i64>,
    name: String,
    dates: PhaseDates,
    requirements: String,
}

/// Checks a campaign as its organiser gives it, every fault as a field error in Chinese.
fn check(input: &CampaignInput) -> Result<Checked, StoreError> {
    let name = input.name.trim().to_owned();
    let mut checks = Checks::default();
    if name.is_empty() {
        checks.add("name", "请填写专项行动名称");
    }
    checks.max_chars("name", Some(&name), 100);
    checks.printable("name", &name);
    for (field, message) in input.rule.problems() {
        checks.add(&field, message);
    }
    let excellent_bp = input.excellent_bp.unwrap_or(5000);
    let good_bp = input.good_bp.unwrap_or(2000);
    for (field, message) in check_goals(&input.goals, excellent_bp, good_bp) {
        checks.add(&field, message);
    }
    if input.phases.len() > MAX_PHASES {
        checks.add("phases", format!("阶段不超过{MAX_PHASES}个"));
    }
    let mut phases = Vec::with_capacity(input.phases.len());
    for (i, p) in input.phases.iter().enumerate() {
        if p.name.trim().is_empty() {
            checks.add(&format!("phases[{i}].name"), "请填写阶段名称");
        }
        checks.max_chars(&format!("phases[{i}].name"), Some(p.name.trim()), 50);
        checks.max_chars(
            &format!("phases[{i}].requirements"),
            Some(p.requirements.trim()),
            2000,
        );
        let starts = checks.take(&format!("phases[{i}].starts_on"), parse_date(&p.starts_on));
        let ends = checks.take(&format!("phases[{i}].ends_on"), parse_date(&p.ends_on));
        if let (Some(starts_on), Some(ends_on)) = (starts, ends) {
            phases.push(CheckedPhase {
                seq: p.seq,
                name: p.name.trim().to_owned(),
                dates: PhaseDates { starts_on, ends_on },
                requirements: p.requirements.trim().to_owned(),
            });
        }
    }
    if phases.len() == input.phases.len() {
        let dates: Vec<PhaseDates> = phases.iter().map(|p| p.dates.clone()).collect();
        for (field, message) in check_phases(&dates) {
            checks.add(&field, message);
        }
    }
    checks.finish()?;
    Ok(Checked {
        name,
        rule: serde_json::to_string(&input.rule)
            .map_err(|e| StoreError::Internal(format!("campaign rule: {e}")))?,
        goals: serde_json::to_string(&input.goals)
            .map_err(|e| StoreError::Internal(format!("campaign goals: {e}")))?,
        excellent_bp,
        good_bp,
        phases,
    })
}

/// The campaign as the audit trail records it, before or after a change.
fn audit_view(
    name: &str,
    rule: &CampaignRule,
    goals: &[Goal],
    (excellent_bp, good_bp): (i64, i64),
    phases: impl Iterator<Item = (String, String, String)>,
) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "rule": rule,
        "goals": goals,
        "excellent_bp": excellent_bp,
        "good_bp": good_bp,
        "phases": phases.map(|(name, starts_on, ends_on)| serde_json::json!({
            "name": name, "starts_on": starts_on, "ends_on": ends_on,
        })).collect::<Vec<_>>(),
    })
}

/// The title of a phase's task.
fn phase_title(campaign: &str, phase: &str) -> String {
    format!("专项行动“{campaign}”：{phase}阶段")
}

/// Adds phase `seq` of a campaign with its task, due on the phase's last day.
async fn insert_phase(
    tx: &mut sqlx::AnyConnection,
    (id, seq, campaign): (i64, i64, &str),
    region: &RegionCode,
    p: &CheckedPhase,
) -> Result<(), StoreError> {
    let phase_id: i64 = sqlx::query_scalar(
        "INSERT INTO campaign_phases (campaign_id, seq, name, starts_on, ends_on, \
         requirements, status) VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id",
    )
    .bind(id)
    .bind(seq)
    .bind(&p.name)
    .bind(p.dates.starts_on.to_string())
    .bind(p.dates.ends_on.to_string())
    .bind(&p.requirements)
    .fetch_one(&mut *tx)
    .await?;
    let task = tasks::insert(
        tx,
        NewTask {
            kind: PHASE_TASK,
            source_id: phase_id,
            region_code: region.as_str(),
            unit_id: None,
            title: &phase_title(campaign, &p.name),
            due_on: p.dates.ends_on,
        },
    )
    .await?;
    sqlx::query("UPDATE campaign_phases SET task_id = $1 WHERE id = $2")
        .bind(task)
        .bind(phase_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A stored phase as an edit finds it.
#[derive(sqlx::FromRow)]
struct StoredPhase {
    id: i64,
    seq: i64,
    name: String,
    starts_on: String,
    ends_on: String,
    status: String,
    task_id: Option<i64>,
}

const NAME_TAKEN: &str = "本地区已有同名的专项行动";

impl Campaigns<'_> {
    /// Today by the store's clock, which tests move forward.
    fn today(&self) -> time::Date {
        crate::auth::two_factor::clock(&self.db).today()
    }

    /// The regions whose campaigns the actor reads: its subtree, and the regions above it.
    fn visible(&self, f: &mut Filter) {
        match &self.actor.scope {
            Scope::Nationwide => {}
            // A supervision group's member: the campaigns of its groups' regions and above.
            Scope::Regions(roots) => {
                let clause = f.subtree_or_ancestors("c.region_code", roots);
                f.and(&clause);
            }
            Scope::Region(root) => {
                let (lo, hi) = root.subtree_range();
                let (lo, hi) = (f.bind(Bind::Text(lo)), f.bind(Bind::Text(hi)));
                let mut above = Vec::new();
                let mut at = root.implied_parent();
                while let Some(parent) = at {
                    above.push(f.bind(Bind::Text(parent.to_string())));
                    at = parent.implied_parent();
                }
                let above = if above.is_empty() {
                    String::new()
                } else {
                    format!(" OR c.region_code IN ({})", above.join(", "))
                };
                f.and(&format!(
                    "((c.region_code >= {lo} AND c.region_code < {hi}){above})"
                ));
            }
        }
    }

    fn finish(&self, mut s: CampaignSummary, phases: &[CampaignPhase]) -> CampaignSummary {
        s.organised_by_me = self.actor.region_code.as_ref().map(RegionCode::as_str)
            == Some(s.region_code.as_str())
            && self
                .actor
                .role
                .can_at(Permission::ManageDispatch, &self.actor.scope);
        s.current_phase = phases.iter().find(|p| p.current).map(|p| p.name.clone());
        s
    }

    async fn phases_of(&self, ids: &[i64]) -> Result<Vec<CampaignPhase>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut f = Filter::new(
            "SELECT campaign_id, seq, name, starts_on, ends_on, requirements, status, summary, \
             done_at, task_id FROM campaign_phases WHERE 1 = 1",
        );
        let list: Vec<String> = ids.iter().map(|id| f.bind(Bind::Int(*id))).collect();
        f.and(&format!("campaign_id IN ({})", list.join(", ")));
        let sql = format!("{} ORDER BY campaign_id, seq", f.sql);
        let mut phases: Vec<CampaignPhase> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let today = self.today();
        for id in ids {
            let own: Vec<usize> = (0..phases.len())
                .filter(|&i| phases[i].campaign_id == *id)
                .collect();
            let dates: Vec<PhaseDates> = own
                .iter()
                .filter_map(|&i| {
                    Some(PhaseDates {
                        starts_on: parse_date(&phases[i].starts_on).ok()?,
                        ends_on: parse_date(&phases[i].ends_on).ok()?,
                    })
                })
                .collect();
            let current = (dates.len() == own.len())
                .then(|| current_phase(&dates, today))
                .flatten();
            for (n, &i) in own.iter().enumerate() {
                let p = &mut phases[i];
                let Ok(due) = parse_date(&p.ends_on) else {
                    continue;
                };
                let l = light(due, p.status == "done", today, WARN_DAYS);
                p.light = Some(l);
                p.light_label = l.label().to_owned();
                p.days_left = (due - today).whole_days();
                p.current = current == Some(n);
            }
        }
        Ok(phases)
    }

    /// The campaigns the user reads, newest first.
    pub async fn list(&self) -> Result<Vec<CampaignSummary>, StoreError> {
        let mut f = Filter::new(SUMMARY);
        self.visible(&mut f);
        let sql = format!("{} ORDER BY c.id DESC LIMIT 200", f.sql);
        let rows: Vec<CampaignSummary> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let phases = self.phases_of(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let own: Vec<CampaignPhase> = phases
                    .iter()
                    .filter(|p| p.campaign_id == r.id)
                    .cloned()
                    .collect();
                self.finish(r, &own)
            })
            .collect())
    }

    /// A campaign the user reads, with its stored rule and goals.
    async fn find(
        &self,
        id: i64,
    ) -> Result<(CampaignSummary, CampaignRule, Vec<Goal>), StoreError> {
        let mut f = Filter::new(SUMMARY);
        self.visible(&mut f);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("c.id = {p}"));
        let summary: CampaignSummary = f
            .query_as(&f.sql)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or(StoreError::NotFound("该专项行动"))?;
        let (rule, goals): (String, String) =
            sqlx::query_as("SELECT rule, goals FROM campaigns WHERE id = $1")
                .bind(id)
                .fetch_one(&self.db.pool)
                .await?;
        Ok((
            summary,
            parse_json("campaign rule", &rule)?,
            parse_json("campaign goals", &goals)?,
        ))
    }

    /// The region a reader's view of the campaign covers: the campaign's, or the reader's own
    /// when the campaign is organised above it.
    fn reach(&self, campaign_region: &str) -> Result<String, StoreError> {
        let region = crate::regions::stored_code(campaign_region)?;
        Ok(match &self.actor.scope {
            Scope::Region(root) if !root.contains(&region) => root.to_string(),
            _ => region.to_string(),
        })
    }

    /// One campaign: its rule, goals against its figures, phases with their lights, and the
    /// 三率 of its projects within the reader's reach.
    pub async fn get(&self, id: i64) -> Result<Campaign, StoreError> {
        let (summary, rule, goals) = self.find(id).await?;
        let select = |f: &mut Filter| select_sql(&rule, f);
        let cohort = Cohort {
            key: format!("campaign{id}v{}", summary.version),
            thresholds: thresholds(summary.excellent_bp, summary.good_bp),
            select: &select,
        };
        let query = RatesQuery {
            region: Some(self.reach(&summary.region_code)?),
            ..RatesQuery::default()
        };
        let mut report = self.rates().report_for(&query, Some(&cohort)).await?;
        report
            .definitions
            .push(format!("项目范围：{}", rule_text(&rule).join("；或")));
        let goals = goals
            .iter()
            .map(|g| {
                let a = actual(g.indicator, &report.total);
                GoalProgress {
                    indicator: g.indicator,
                    label: g.indicator.label().to_owned(),
                    target_bp: g.target_bp,
                    target: luodi_domain::targets::from_basis_points(g.target_bp)
                        .display_percent(2),
                    actual: a.map(|r| r.display_percent(2)),
                    reached: g.reached(a),
                }
            })
            .collect();
        let phases = self.phases_of(&[id]).await?;
        Ok(Campaign {
            summary: self.finish(summary, &phases),
            rule_text: rule_text(&rule),
            rule,
            goals,
            phases,
            report,
        })
    }

    /// A page of the campaign's projects within the reader's reach, with the ledger's
    /// filters, each classified by the campaign's thresholds.
    pub async fn projects(
        &self,
        id: i64,
        filter: &ProjectFilter,
        page: PageRequest,
    ) -> Result<Page<Project>, StoreError> {
        let (summary, rule, _) = self.find(id).await?;
        let select = |f: &mut Filter| select_sql(&rule, f);
        let cohort = Cohort {
            key: format!("campaign{id}v{}", summary.version),
            thresholds: thresholds(summary.excellent_bp, summary.good_bp),
            select: &select,
        };
        let mut filter = filter.clone();
        let reach = self.reach(&summary.region_code)?;
        filter.region = match filter.region.as_deref().map(str::trim) {
            None | Some("") => Some(reach),
            Some(asked) => {
                let asked = RegionCode::parse(asked)
                    .map_err(|e| StoreError::field("region", e.to_string()))?;
                let reach = crate::regions::stored_code(&reach)?;
                if !reach.contains(&asked) {
                    return Err(StoreError::NotFound("该行政区划"));
                }
                Some(asked.to_string())
            }
        };
        self.ledger().list_for(&filter, page, Some(&cohort)).await
    }

    /// Sets up a campaign over the user's own region, its phases each a task of the region's
    /// bureau due on the phase's last day.
    pub async fn create(&self, input: CampaignInput) -> Result<Campaign, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let Some(region) = self.actor.region_code.clone() else {
            return Err(StoreError::forbidden(
                "专项行动由地区商务主管部门组织，当前账号未关联行政区划",
            ));
        };
        let c = check(&input)?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaigns (region_code, name, rule, goals, excellent_bp, good_bp, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             RETURNING id",
        )
        .bind(region.as_str())
        .bind(&c.name)
        .bind(&c.rule)
        .bind(&c.goals)
        .bind(c.excellent_bp)
        .bind(c.good_bp)
        .bind(self.actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_constraint(e, "campaigns_name_key", "name", NAME_TAKEN))?;
        for (i, p) in c.phases.iter().enumerate() {
            insert_phase(&mut tx, (id, i as i64 + 1, &c.name), &region, p).await?;
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "campaign",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("组织专项行动：{}", c.name),
                region: Some(&region),
                before: None,
                after: Some(c.audit_view(&input)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// The organising bureau corrects its campaign (name, rule, goals, thresholds, phases) at
    /// the version it read. A phase kept keeps its status and its task, renamed and due on the
    /// phase's new last day; a phase added gets a task; a phase removed (only one not yet
    /// reported done) has its task cancelled.
    pub async fn update(&self, id: i64, update: CampaignUpdate) -> Result<Campaign, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let (summary, rule, goals) = self.find(id).await?;
        let summary = self.finish(summary, &[]);
        if !summary.organised_by_me {
            return Err(StoreError::forbidden(format!(
                "该专项行动由{}组织，只有组织单位可以修改",
                summary.region_name
            )));
        }
        let input = &update.campaign;
        let c = check(input)?;
        let stored: Vec<StoredPhase> = sqlx::query_as(
            "SELECT id, seq, name, starts_on, ends_on, status, task_id FROM campaign_phases \
             WHERE campaign_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut checks = Checks::default();
        let mut kept: Vec<Option<&StoredPhase>> = Vec::with_capacity(c.phases.len());
        for (i, p) in c.phases.iter().enumerate() {
            let old = p.seq.and_then(|seq| stored.iter().find(|o| o.seq == seq));
            if p.seq.is_some() && old.is_none() {
                checks.add(&format!("phases[{i}].seq"), "该阶段不存在，请刷新后重试");
            }
            if old.is_some() && c.phases[..i].iter().any(|q| q.seq == p.seq) {
                checks.add(&format!("phases[{i}].seq"), "同一阶段不能出现两次");
            }
            kept.push(old);
        }
        let removed: Vec<&StoredPhase> = stored
            .iter()
            .filter(|o| !c.phases.iter().any(|p| p.seq == Some(o.seq)))
            .collect();
        for o in &removed {
            if o.status == "done" {
                checks.add("phases", format!("“{}”阶段已报告完成，不能删除", o.name));
            }
        }
        checks.finish()?;
        let region = crate::regions::stored_code(&summary.region_code)?;
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE campaigns SET name = $1, rule = $2, goals = $3, excellent_bp = $4, \
             good_bp = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
        )
        .bind(&c.name)
        .bind(&c.rule)
        .bind(&c.goals)
        .bind(c.excellent_bp)
        .bind(c.good_bp)
        .bind(clock::now())
        .bind(id)
        .bind(update.version)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_constraint(e, "campaigns_name_key", "name", NAME_TAKEN))?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        for old in &removed {
            sqlx::query("DELETE FROM campaign_phases WHERE id = $1")
                .bind(old.id)
                .execute(&mut *tx)
                .await?;
            if let Some(task) = old.task_id {
                tasks::set_status_by_id(&mut tx, task, "cancelled").await?;
            }
        }
        // Phases are numbered anew in date order; their numbers are first moved out of the
        // way so that the (campaign, seq) key holds at every step.
        sqlx::query("UPDATE campaign_phases SET seq = -seq WHERE campaign_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for (i, (p, old)) in c.phases.iter().zip(&kept).enumerate() {
            let seq = i as i64 + 1;
            let Some(old) = old else {
                insert_phase(&mut tx, (id, seq, &c.name), &region, p).await?;
                continue;
            };
            sqlx::query(
                "UPDATE campaign_phases SET seq = $1, name = $2, starts_on = $3, ends_on = $4, \
                 requirements = $5 WHERE id = $6",
            )
            .bind(seq)
            .bind(&p.name)
            .bind(p.dates.starts_on.to_string())
            .bind(p.dates.ends_on.to_string())
            .bind(&p.requirements)
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
            if let Some(task) = old.task_id {
                tasks::reschedule(
                    &mut tx,
                    task,
                    &phase_title(&c.name, &p.name),
                    p.dates.ends_on,
                )
                .await?;
            }
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "campaign",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: format!("修改专项行动：{}", c.name),
                region: Some(&region),
                before: Some(audit_view(
                    &summary.name,
                    &rule,
                    &goals,
                    (summary.excellent_bp, summary.good_bp),
                    stored
                        .iter()
                        .map(|p| (p.name.clone(), p.starts_on.clone(), p.ends_on.clone())),
                )),
                after: Some(c.audit_view(input)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// The organising bureau reports a phase's work done: its task is closed.
    pub async fn complete_phase(
        &self,
        id: i64,
        seq: i64,
        report: PhaseReport,
    ) -> Result<Campaign, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let (summary, _, _) = self.find(id).await?;
        let summary = self.finish(summary, &[]);
        if !summary.organised_by_me {
            return Err(StoreError::forbidden(format!(
                "该专项行动由{}组织，只有组织单位可以报告阶段完成",
                summary.region_name
            )));
        }
        let text = report.summary.trim().to_owned();
        let mut checks = Checks::default();
        if text.is_empty() {
            checks.add("summary", "请填写阶段工作小结");
        }
        checks.max_chars("summary", Some(&text), 2000);
        checks.finish()?;
        let phase: Option<(String, String, Option<i64>)> = sqlx::query_as(
            "SELECT name, status, task_id FROM campaign_phases WHERE campaign_id = $1 AND seq = $2",
        )
        .bind(id)
        .bind(seq)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some((name, status, task)) = phase else {
            return Err(StoreError::NotFound("该阶段"));
        };
        if status == "done" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "该阶段已完成".into(),
            });
        }
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE campaign_phases SET status = 'done', summary = $1, done_at = $2 \
             WHERE campaign_id = $3 AND seq = $4 AND status = 'open'",
        )
        .bind(&text)
        .bind(&now)
        .bind(id)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if let Some(task) = task {
            tasks::set_status_by_id(&mut tx, task, "done").await?;
        }
        let region = crate::regions::stored_code(&summary.region_code)?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "campaign",
                entity_id: Some(id.to_string()),
                action: "complete_phase",
                summary: format!("专项行动“{}”{}阶段完成", summary.name, name),
                region: Some(&region),
                before: Some(serde_json::json!({ "seq": seq, "status": status })),
                after: Some(serde_json::json!({ "seq": seq, "status": "done", "summary": text })),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }
}
