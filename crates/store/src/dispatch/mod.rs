//! Monthly dispatch (一月一调度, domain §8): a bureau opens a round for a month over its scope;
//! the round asks for an update of each selected project from its reporter (the responsible
//! unit when it has an account, else the county bureau), each reporter gets a task on the
//! deadline engine, and the board shows who has reported. Updates are kept per project and
//! month, not per round: one update counts for every round above it that covers the month,
//! so nothing is typed twice.

use crate::audit::{self, Change};
use crate::funds::{enter_fund, FundArrival, FundInput, NewFund};
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::kit::text::opt;
use crate::ledger::stages::{self, PlannedChange};
use crate::ledger::{Project, ProjectFilter};
use crate::scoped::ProjectReach;
use crate::tasks::{self, NewTask};
use luodi_domain::deadlines::{light, month_just_ended, round_deadline, Light};
use luodi_domain::funds::{Currency, FundKind, Period};
use luodi_domain::ledger::Stage;
use luodi_domain::{parse_date, Permission, RegionCode, Scope};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa::ToSchema;

pub mod sheet;

crate::scoped::area_handle!(
    /// Dispatch rounds, monthly updates and the board, as the actor may use them.
    Dispatch, dispatch
);

/// The task kind of a reporter's part of a round.
pub const REPORT_TASK: &str = "dispatch_report";
/// Day of the next month a round is due by default.
pub const DEFAULT_DUE_DAY: u8 = 5;
/// Days before its deadline a task turns yellow.
pub const WARN_DAYS: i64 = 3;
/// Problems one update may list.
const MAX_PROBLEMS: usize = 20;

/// Opening a round: the month (default the month just ended), its deadline (default the 5th
/// of the next month) and a title; the projects are the ledger's, narrowed by its filters.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RoundInput {
    /// YYYY-MM
    pub period: Option<String>,
    /// YYYY-MM-DD
    pub due_on: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Round {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    /// YYYY-MM
    pub period: String,
    pub due_on: String,
    pub title: String,
    /// `open` or `closed`.
    pub status: String,
    pub created_by_name: String,
    pub created_at: String,
    pub project_count: i64,
    /// Of those, in the user's scope, with an update submitted for the month.
    pub submitted: i64,
    /// The round's projects in the user's scope.
    pub in_scope: i64,
    #[sqlx(skip)]
    pub light: Option<Light>,
    /// Whether the user organised it (may remind, return and close).
    #[sqlx(skip)]
    pub organised_by_me: bool,
}

/// One reporter's part of a round, as the board shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardRow {
    pub region_code: String,
    pub region_name: String,
    pub city_name: Option<String>,
    /// The reporting unit; none when the county bureau reports.
    pub unit_id: Option<i64>,
    pub reporter_name: String,
    pub projects: i64,
    pub submitted: i64,
    pub draft: i64,
    pub returned: i64,
    pub not_started: i64,
    pub late: i64,
    /// 未开始 / 填报中 / 已报 / 逾期 / 退回.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Board {
    pub round: Round,
    pub rows: Vec<BoardRow>,
    /// The same counts rolled up per county.
    pub counties: Vec<BoardRow>,
}

/// A project a round asks about, with the state of its update for the month.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct RoundProject {
    pub project_id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    #[schema(value_type = Stage)]
    pub stage: String,
    #[sqlx(skip)]
    pub stage_label: String,
    pub update_id: Option<i64>,
    /// `draft`, `submitted`, `returned`, or none when not started.
    pub update_status: Option<String>,
    pub update_version: Option<i64>,
    #[schema(value_type = Option<bool>)]
    pub late: Option<Flag>,
}

/// A problem a project reports (存在问题); the supervision area turns them into tracked ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProblemInput {
    pub text: String,
    /// 用地, 规划, 环评, 融资, 审批, 政策兑现, 要素保障, 其他.
    pub category: String,
    /// Help is asked of the level above.
    #[serde(default)]
    pub help_asked: bool,
}

pub const PROBLEM_CATEGORIES: [&str; 8] = [
    "用地",
    "规划",
    "环评",
    "融资",
    "审批",
    "政策兑现",
    "要素保障",
    "其他",
];

/// This month's money, sent with an update: entered for review as one fund record, with the
/// funds entry's checks; the update never confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
pub struct ArrivalInput {
    /// Minor units of `currency`: 分 for CNY, cents for USD.
    pub amount: i64,
    pub currency: Currency,
    pub kind: FundKind,
    pub note: Option<String>,
    /// Required when the plausibility checks warn (超常说明).
    pub override_reason: Option<String>,
}

/// A new stage reached this month, sent with an update: changed by the ledger's stage rules.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
pub struct StageInput {
    pub stage: Stage,
    /// YYYY-MM-DD: the stage's milestone date, not after today.
    pub changed_on: String,
}

/// A monthly update as saved (a draft) or submitted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UpdateInput {
    pub project_id: i64,
    /// YYYY-MM; by default the month of the latest open round asking about the project.
    #[serde(default)]
    pub period: Option<String>,
    /// 本月进展
    pub progress: Option<String>,
    /// 存在问题
    #[serde(default)]
    pub problems: Vec<ProblemInput>,
    /// 下步计划
    pub next_steps: Option<String>,
    /// 本月无变化: last month's progress, problems and plan are carried forward.
    #[serde(default)]
    pub unchanged: bool,
    /// Submit now (else kept as a draft).
    #[serde(default)]
    pub submit: bool,
    /// This month's money, entered for review when the update is saved (draft or submit). An
    /// update enters one record for its month: sent again unchanged it enters nothing; while
    /// that record waits for review or stands confirmed, a different figure is refused (it is
    /// changed or withdrawn in 资金到位).
    #[serde(default)]
    pub arrival: Option<ArrivalInput>,
    /// A new stage reached this month, changed when the update is saved.
    #[serde(default)]
    pub stage: Option<StageInput>,
    /// The version read; 0 for a project without an update this month.
    pub version: i64,
}

/// A stage change made with a month's update (by the form or the month sheet).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpdateStage {
    pub stage: Stage,
    pub stage_label: String,
    /// YYYY-MM-DD
    pub changed_on: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MonthlyUpdate {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub region_code: String,
    pub period: String,
    /// `draft`, `submitted` or `returned`.
    pub status: String,
    #[sqlx(skip)]
    pub status_label: String,
    #[schema(value_type = bool)]
    pub unchanged: Flag,
    pub progress: Option<String>,
    #[sqlx(skip)]
    pub problems: Vec<ProblemInput>,
    #[serde(skip)]
    pub problems_json: Option<String>,
    pub next_steps: Option<String>,
    #[schema(value_type = bool)]
    pub late: Flag,
    pub submitted_by_name: Option<String>,
    pub submitted_at: Option<String>,
    pub return_reason: Option<String>,
    pub returned_at: Option<String>,
    pub updated_at: String,
    pub version: i64,
    /// The fund record entered with this month's update (by the form or the month sheet), as
    /// it stands now; none when no money was entered, or its record was withdrawn.
    #[sqlx(skip)]
    pub arrival: Option<FundArrival>,
    /// The stage change made with this month's update.
    #[sqlx(skip)]
    pub stage_change: Option<UpdateStage>,
}

impl MonthlyUpdate {
    pub(crate) fn finish(mut self) -> Self {
        self.status_label = status_label(&self.status).to_owned();
        self.problems = self
            .problems_json
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default();
        self
    }
}

pub(crate) fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "草稿",
        "submitted" => "已报",
        "returned" => "退回",
        _ => "未开始",
    }
}

/// A project's update for a month, with last month's to carry forward.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpdateView {
    pub current: Option<MonthlyUpdate>,
    pub previous: Option<MonthlyUpdate>,
    pub problem_categories: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReturnInput {
    pub reason: String,
    pub version: i64,
}

const ROUND_SELECT: &str = "SELECT r.id, r.region_code, rg.name AS region_name, r.period, \
    r.due_on, r.title, r.status, u.display_name AS created_by_name, r.created_at, \
    (SELECT COUNT(*) FROM dispatch_round_projects a WHERE a.round_id = r.id) AS project_count";

pub(crate) const UPDATE_SELECT: &str =
    "SELECT m.id, m.project_id, p.name AS project_name, m.region_code, \
    m.period, m.status, m.unchanged, m.progress, m.problems AS problems_json, m.next_steps, \
    m.late, su.display_name AS submitted_by_name, m.submitted_at, m.return_reason, \
    m.returned_at, m.updated_at, m.version FROM monthly_updates m \
    JOIN projects p ON p.id = m.project_id LEFT JOIN users su ON su.id = m.submitted_by \
    WHERE 1 = 1";

/// The month before `period`.
pub(crate) fn previous_month(period: Period) -> Period {
    match period.month() {
        1 => Period::new(period.year() - 1, 12),
        m => Period::new(period.year(), m - 1),
    }
    .unwrap_or(period)
}

/// Whether a project at `stage` is asked about by default: signed and not yet producing (nor
/// ended), or a key project still alive.
fn selected(stage: Stage, key_project: bool) -> bool {
    let alive = !stage.is_exit();
    (stage.is_signed() && stage != Stage::Producing && alive) || (key_project && alive)
}

impl Dispatch<'_> {
    fn organiser_root(&self) -> Result<RegionCode, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        match &self.actor.scope {
            Scope::Region(root) => Ok(root.clone()),
            Scope::Nationwide | Scope::Regions(_) => Err(StoreError::forbidden(
                "调度轮次由省、市、县商务主管部门在本级范围内开启",
            )),
        }
    }

    /// Opens a round over the projects of the actor's scope that the filters select.
    pub async fn open_round(
        &self,
        filter: &ProjectFilter,
        input: RoundInput,
    ) -> Result<Round, StoreError> {
        let root = self.organiser_root()?;
        let today = clock::today();
        let mut checks = Checks::default();
        let period = match opt(&input.period) {
            None => Some(month_just_ended(today)),
            Some(p) => checks.take(
                "period",
                Period::parse(&p)
                    .map_err(|e| e.to_string())
                    .and_then(|p| p.not_after_month_of(today)),
            ),
        };
        let due_on = match (opt(&input.due_on), period) {
            // Opened after the usual day, the round is due today rather than in the past.
            (None, Some(p)) => Some(round_deadline(p, DEFAULT_DUE_DAY).max(today)),
            (None, None) => None,
            (Some(d), _) => checks.take("due_on", parse_date(&d)),
        };
        if due_on.is_some_and(|d| d < today) {
            checks.add("due_on", "截止日期不能早于今天");
        }
        let title = opt(&input.title);
        checks.max_chars("title", title.as_deref(), 100);
        checks.finish()?;
        let (period, due_on) = (period.expect("checked"), due_on.expect("checked"));
        let title =
            title.unwrap_or_else(|| format!("{}年{}月项目调度", period.year(), period.month()));

        let candidates = self.ledger().list_all(filter, 100_000).await?;
        let picked: Vec<_> = candidates
            .into_iter()
            .filter(|p| Stage::parse(&p.stage).is_some_and(|s| selected(s, p.key_project.0)))
            .collect();
        if picked.is_empty() {
            return Err(StoreError::field(
                "filter",
                "筛选范围内没有需要调度的项目（已签约未投产的项目及重点项目）",
            ));
        }
        // Responsible units that have an active unit account report for themselves.
        let with_accounts = tasks::units_with_accounts(&self.db.pool).await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM dispatch_rounds WHERE region_code = $1 AND period = $2",
        )
        .bind(root.as_str())
        .bind(period.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if existing.is_some() {
            return Err(StoreError::Conflict {
                field: "period".into(),
                message: format!("本级已开启{period}的调度轮次"),
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dispatch_rounds (region_code, period, due_on, title, status, \
             created_by, created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
        )
        .bind(root.as_str())
        .bind(period.to_string())
        .bind(due_on.to_string())
        .bind(&title)
        .bind(self.actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let mut reporters: BTreeMap<(String, Option<i64>), usize> = BTreeMap::new();
        for p in &picked {
            let unit = p.responsible_unit_id.filter(|u| with_accounts.contains(u));
            sqlx::query(
                "INSERT INTO dispatch_round_projects (round_id, project_id, region_code, unit_id) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(p.id)
            .bind(&p.region_code)
            .bind(unit)
            .execute(&mut *tx)
            .await?;
            *reporters.entry((p.region_code.clone(), unit)).or_default() += 1;
        }
        for ((region, unit), count) in &reporters {
            tasks::insert(
                &mut tx,
                NewTask {
                    kind: REPORT_TASK,
                    source_id: id,
                    region_code: region,
                    unit_id: *unit,
                    title: &format!("{title}：报送{count}个项目的本月进展"),
                    due_on,
                },
            )
            .await?;
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "dispatch_round",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!(
                    "开启调度轮次“{title}”：{}个项目，{}个报送单位，{due_on}截止",
                    picked.len(),
                    reporters.len()
                ),
                region: Some(&root),
                before: None,
                after: Some(serde_json::json!({
                    "period": period.to_string(), "due_on": due_on.to_string(),
                    "projects": picked.len(), "reporters": reporters.len(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.round(id).await
    }

    /// The rounds the actor sees — those asking about projects within its reach (a round
    /// holds only projects of its organiser's scope, so a bureau sees every round organised
    /// below it) — with how many of those projects each has and how many are reported.
    async fn visible_rounds(&self, only: Option<i64>) -> Result<Vec<Round>, StoreError> {
        let mut f = Filter::new(
            "SELECT a.round_id, COUNT(*) AS in_scope, \
             CAST(SUM(CASE WHEN m.id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS submitted \
             FROM dispatch_round_projects a JOIN projects p ON p.id = a.project_id \
             JOIN dispatch_rounds r ON r.id = a.round_id \
             LEFT JOIN monthly_updates m ON m.project_id = a.project_id AND m.period = r.period \
             AND m.status = 'submitted' WHERE 1 = 1",
        );
        if let Some(id) = only {
            let p = f.bind(Bind::Int(id));
            f.and(&format!("a.round_id = {p}"));
        }
        f.projects(&self.actor, "p", "a.region_code", None);
        let sql = format!("{} GROUP BY a.round_id", f.sql);
        let counts: Vec<(i64, i64, i64)> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        if counts.is_empty() {
            return Ok(Vec::new());
        }
        let by_id: HashMap<i64, (i64, i64)> =
            counts.iter().map(|(id, n, s)| (*id, (*n, *s))).collect();
        let mut f = Filter::new(&format!(
            "{ROUND_SELECT}, 0 AS submitted, 0 AS in_scope FROM dispatch_rounds r \
             JOIN regions rg ON rg.code = r.region_code JOIN users u ON u.id = r.created_by \
             WHERE 1 = 1"
        ));
        let ids: Vec<String> = counts
            .iter()
            .map(|(id, _, _)| f.bind(Bind::Int(*id)))
            .collect();
        f.and(&format!("r.id IN ({})", ids.join(", ")));
        let sql = format!("{} ORDER BY r.period DESC, r.id DESC", f.sql);
        let rows: Vec<Round> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                let (n, s) = by_id.get(&r.id).copied().unwrap_or_default();
                r.in_scope = n;
                r.submitted = s;
                self.finish_round(r)
            })
            .collect())
    }

    pub async fn rounds(&self) -> Result<Vec<Round>, StoreError> {
        let mut rounds = self.visible_rounds(None).await?;
        rounds.truncate(200);
        Ok(rounds)
    }

    pub async fn round(&self, id: i64) -> Result<Round, StoreError> {
        self.visible_rounds(Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound("该调度轮次"))
    }

    fn finish_round(&self, mut r: Round) -> Round {
        let today = clock::today();
        let done = r.status == "closed" || (r.in_scope > 0 && r.submitted >= r.in_scope);
        r.light = parse_date(&r.due_on)
            .ok()
            .map(|due| light(due, done, today, WARN_DAYS));
        r.organised_by_me = self.actor.scope.root().map(RegionCode::as_str)
            == Some(r.region_code.as_str())
            && self
                .actor
                .role
                .can_at(Permission::ManageDispatch, &self.actor.scope);
        r
    }

    /// Who has reported: one row per reporter of the round within the actor's scope.
    ///
    /// One pass over the round's projects, grouped by reporter before any name is joined: a
    /// province round holds ~40,000 projects, and joining names (or projects, which only a unit
    /// account's reach needs) per project cost more than the counting (docs/benchmarks.md). The
    /// round's own figures are the sums of the rows, so the round is not counted again.
    pub async fn board(&self, id: i64) -> Result<Board, StoreError> {
        let mut f = Filter::new(&format!(
            "{ROUND_SELECT}, 0 AS submitted, 0 AS in_scope FROM dispatch_rounds r \
             JOIN regions rg ON rg.code = r.region_code JOIN users u ON u.id = r.created_by \
             WHERE r.id = $1"
        ));
        f.bind(Bind::Int(id));
        let round: Option<Round> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        let mut round = round.ok_or(StoreError::NotFound("该调度轮次"))?;
        let projects = match self.actor.project_reach() {
            ProjectReach::Unit(_) => "JOIN projects p ON p.id = a.project_id",
            ProjectReach::Region | ProjectReach::Nothing => "",
        };
        let mut f = Filter::new(&format!(
            "SELECT g.region_code, c.name AS region_name, ci.name AS city_name, g.unit_id, \
             un.name AS unit_name, g.projects, g.submitted, g.draft, g.returned, g.not_started, \
             g.late FROM (SELECT a.region_code, a.unit_id, COUNT(*) AS projects, \
             CAST(SUM(CASE WHEN m.status = 'submitted' THEN 1 ELSE 0 END) AS BIGINT) AS submitted, \
             CAST(SUM(CASE WHEN m.status = 'draft' THEN 1 ELSE 0 END) AS BIGINT) AS draft, \
             CAST(SUM(CASE WHEN m.status = 'returned' THEN 1 ELSE 0 END) AS BIGINT) AS returned, \
             CAST(SUM(CASE WHEN m.id IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS not_started, \
             CAST(SUM(CASE WHEN m.status = 'submitted' AND m.late = TRUE THEN 1 ELSE 0 END) AS BIGINT) AS late \
             FROM dispatch_round_projects a {projects} \
             LEFT JOIN monthly_updates m ON m.project_id = a.project_id AND m.period = $1 \
             WHERE 1 = 1"
        ));
        f.bind(Bind::Text(round.period.clone()));
        let r = f.bind(Bind::Int(id));
        f.and(&format!("a.round_id = {r}"));
        f.projects(&self.actor, "p", "a.region_code", None);
        let sql = format!(
            "{} GROUP BY a.region_code, a.unit_id) g \
             JOIN regions c ON c.code = g.region_code LEFT JOIN regions ci ON ci.code = c.parent_code \
             LEFT JOIN units un ON un.id = g.unit_id ORDER BY g.region_code, g.unit_id",
            f.sql
        );
        type Row = (
            String,
            String,
            Option<String>,
            Option<i64>,
            Option<String>,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        );
        // Not kept as a prepared statement: PostgreSQL would switch to a generic plan after
        // five runs, guessing a few rows where a province round has 40,000 (a nested loop, 2–3×
        // slower); unprepared, it is planned for the round and scope at hand each time.
        let rows: Vec<Row> = f
            .query_as(&sql)
            .persistent(false)
            .fetch_all(&self.db.pool)
            .await?;
        // A round with none of its projects within reach is not the actor's to see.
        if rows.is_empty() {
            return Err(StoreError::NotFound("该调度轮次"));
        }
        round.in_scope = rows.iter().map(|r| r.5).sum();
        round.submitted = rows.iter().map(|r| r.6).sum();
        let round = self.finish_round(round);
        let overdue = parse_date(&round.due_on).is_ok_and(|d| clock::today() > d);
        let closed = round.status == "closed";
        let status = |b: &BoardRow| -> String {
            if b.submitted == b.projects {
                if b.late > 0 {
                    "已报（逾期）"
                } else {
                    "已报"
                }
            } else if closed {
                "未报（已结束）"
            } else if overdue {
                "逾期"
            } else if b.returned > 0 {
                "退回"
            } else if b.submitted + b.draft > 0 {
                "填报中"
            } else {
                "未开始"
            }
            .to_owned()
        };
        let mut board_rows = Vec::with_capacity(rows.len());
        let mut counties: BTreeMap<String, BoardRow> = BTreeMap::new();
        for (
            region_code,
            region_name,
            city_name,
            unit_id,
            unit_name,
            projects,
            submitted,
            draft,
            returned,
            not_started,
            late,
        ) in rows
        {
            let mut row = BoardRow {
                reporter_name: unit_name.unwrap_or_else(|| format!("{region_name}商务主管部门")),
                region_code: region_code.clone(),
                region_name: region_name.clone(),
                city_name: city_name.clone(),
                unit_id,
                projects,
                submitted,
                draft,
                returned,
                not_started,
                late,
                status: String::new(),
            };
            row.status = status(&row);
            let county = counties
                .entry(region_code.clone())
                .or_insert_with(|| BoardRow {
                    region_code,
                    reporter_name: region_name.clone(),
                    region_name,
                    city_name,
                    unit_id: None,
                    projects: 0,
                    submitted: 0,
                    draft: 0,
                    returned: 0,
                    not_started: 0,
                    late: 0,
                    status: String::new(),
                });
            county.projects += row.projects;
            county.submitted += row.submitted;
            county.draft += row.draft;
            county.returned += row.returned;
            county.not_started += row.not_started;
            county.late += row.late;
            board_rows.push(row);
        }
        let counties = counties
            .into_values()
            .map(|mut c| {
                c.status = status(&c);
                c
            })
            .collect();
        Ok(Board {
            round,
            rows: board_rows,
            counties,
        })
    }

    /// The round's projects within the actor's reach, with their update for the month.
    pub async fn round_projects(&self, id: i64) -> Result<Vec<RoundProject>, StoreError> {
        let round = self.round(id).await?;
        let mut f = Filter::new(
            "SELECT a.project_id, p.name, a.region_code, c.name AS region_name, a.unit_id, \
             un.name AS unit_name, p.stage, m.id AS update_id, m.status AS update_status, \
             m.version AS update_version, m.late FROM dispatch_round_projects a \
             JOIN projects p ON p.id = a.project_id JOIN regions c ON c.code = a.region_code \
             LEFT JOIN units un ON un.id = a.unit_id \
             LEFT JOIN monthly_updates m ON m.project_id = a.project_id AND m.period = $1 \
             WHERE 1 = 1",
        );
        f.bind(Bind::Text(round.period));
        let r = f.bind(Bind::Int(id));
        f.and(&format!("a.round_id = {r}"));
        f.projects(&self.actor, "p", "a.region_code", None);
        let sql = format!("{} ORDER BY a.region_code, p.name, p.id", f.sql);
        let rows: Vec<RoundProject> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                r.stage_label = Stage::parse(&r.stage)
                    .map(Stage::label)
                    .unwrap_or("")
                    .to_owned();
                r
            })
            .collect())
    }

    /// A project's update for a month and the one before it.
    pub async fn update_of(&self, project_id: i64, period: &str) -> Result<UpdateView, StoreError> {
        self.ledger().get(project_id).await?;
        let period =
            Period::parse(period).map_err(|e| StoreError::field("period", e.to_string()))?;
        let previous = previous_month(period);
        Ok(UpdateView {
            current: self.find_update(project_id, period).await?,
            previous: self.find_update(project_id, previous).await?,
            problem_categories: PROBLEM_CATEGORIES.iter().map(|c| (*c).to_owned()).collect(),
        })
    }

    async fn find_update(
        &self,
        project_id: i64,
        period: Period,
    ) -> Result<Option<MonthlyUpdate>, StoreError> {
        let mut f = Filter::new(UPDATE_SELECT);
        let p = f.bind(Bind::Int(project_id));
        let m = f.bind(Bind::Text(period.to_string()));
        f.and(&format!("m.project_id = {p} AND m.period = {m}"));
        f.projects(&self.actor, "p", "m.region_code", None);
        let row: Option<MonthlyUpdate> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        match row {
            Some(update) => Ok(Some(self.with_links(update.finish()).await?)),
            None => Ok(None),
        }
    }

    /// Fills in what the update's saves brought with them — the money entered (as the funds
    /// area holds it now) and the stage change — from what its versions kept (`with`), the
    /// form's and the month sheet's alike; the latest of each counts.
    async fn with_links(&self, mut update: MonthlyUpdate) -> Result<MonthlyUpdate, StoreError> {
        let snapshots: Vec<String> = sqlx::query_scalar(
            "SELECT snapshot FROM monthly_update_versions WHERE update_id = $1 ORDER BY version",
        )
        .bind(update.id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut fund_id = None;
        for snapshot in &snapshots {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(snapshot) else {
                continue;
            };
            let with = &v["with"];
            if let Some(id) = with["fund_id"].as_i64() {
                fund_id = Some(id);
            }
            if let (Some(stage), Some(on)) = (
                with["stage"].as_str().and_then(Stage::parse),
                with["changed_on"].as_str(),
            ) {
                update.stage_change = Some(UpdateStage {
                    stage,
                    stage_label: stage.label().to_owned(),
                    changed_on: on.to_owned(),
                });
            }
        }
        if let Some(id) = fund_id {
            update.arrival = match self.funds().get(id).await {
                Ok(record) => Some(record),
                // Withdrawn by whoever entered it.
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
        }
        Ok(update)
    }

    /// The month of the latest open round asking about a project.
    async fn open_month_of(&self, project_id: i64) -> Result<Option<Period>, StoreError> {
        let period: Option<String> = sqlx::query_scalar(
            "SELECT MAX(r.period) FROM dispatch_rounds r \
             JOIN dispatch_round_projects a ON a.round_id = r.id \
             WHERE a.project_id = $1 AND r.status = 'open'",
        )
        .bind(project_id)
        .fetch_one(&self.db.pool)
        .await?;
        Ok(period.and_then(|p| Period::parse(&p).ok()))
    }

    /// Checks the money sent with an update as the funds entry checks a new record (amount,
    /// note and reason lengths, the plausibility warnings that need a 超常说明), each error on
    /// `arrival.<field>`; answers the record to enter, or none when there is nothing to enter
    /// (refused, or the same as the one the update already entered).
    async fn check_arrival(
        &self,
        project: &Project,
        period: Period,
        input: &ArrivalInput,
        entered: Option<&FundArrival>,
        checks: &mut Checks,
    ) -> Result<Option<(FundInput, Vec<String>)>, StoreError> {
        if self.actor.require(Permission::EnterFunds).is_err() {
            checks.add("arrival.amount", "您的账号无权填报到位资金");
            return Ok(None);
        }
        let note = opt(&input.note);
        let override_reason = opt(&input.override_reason);
        if let Some(record) = entered.filter(|r| r.status != "returned") {
            let same = record.amount == input.amount
                && record.currency == input.currency.as_str()
                && record.kind == input.kind.as_str()
                && record.note == note;
            if !same {
                checks.add(
                    "arrival.amount",
                    format!(
                        "本月到位资金已随进展填报（{}），如需修改或撤回，请在项目的资金到位中办理",
                        record.status_label
                    ),
                );
            }
            return Ok(None);
        }
        let fund = FundInput {
            period: period.to_string(),
            amount: input.amount,
            currency: input.currency,
            kind: input.kind,
            note,
            corrects_id: None,
            override_reason,
        };
        // The funds area's own rules, each error under `arrival.` (the month is the update's).
        match self.funds().check_entry_for(project, &fund, None).await {
            Ok(checked) => Ok(Some((fund, checked.warnings))),
            Err(StoreError::Validation(errors)) => {
                for (field, messages) in errors {
                    let field = if field == "period" {
                        field
                    } else {
                        format!("arrival.{field}")
                    };
                    for message in messages {
                        checks.add(&field, message);
                    }
                }
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Plans the stage change sent with an update by the ledger's stage rules, each error on
    /// `stage.<field>`; none when refused, or when the update already made this very change.
    async fn check_stage(
        &self,
        project: &Project,
        period: Period,
        input: &StageInput,
        made: Option<&UpdateStage>,
        checks: &mut Checks,
    ) -> Result<Option<PlannedChange>, StoreError> {
        if self.actor.require(Permission::ManageLedger).is_err() {
            checks.add(
                "stage.stage",
                "您的账号无权变更项目阶段；请在本月进展中说明，由县（市、区）商务主管部门变更",
            );
            return Ok(None);
        }
        if made.is_some_and(|m| m.stage == input.stage && m.changed_on == input.changed_on.trim())
            && project.stage == input.stage.as_str()
        {
            return Ok(None);
        }
        let rules = self.ledger().project_rules().await?;
        match stages::plan(
            project,
            input.stage,
            input.changed_on.trim(),
            Some(format!("{period}月度调度")),
            rules,
        ) {
            Ok(planned) => Ok(Some(planned)),
            Err((field, messages)) => {
                for m in messages {
                    checks.add(&format!("stage.{field}"), m);
                }
                Ok(None)
            }
        }
    }

    /// Saves a project's update for a month as a draft, or submits it. Only a month that an
    /// open round asks about may be reported; a submission after the earliest deadline of
    /// those rounds is marked late. The month's money and a new stage sent with it are
    /// entered for review and changed by the funds entry's and the ledger's rules, in the
    /// update's transaction: one refused refuses the whole save, and nothing is written.
    pub async fn save_update(&self, input: UpdateInput) -> Result<MonthlyUpdate, StoreError> {
        self.actor.require(Permission::ReportProgress)?;
        let project = self.ledger().get(input.project_id).await?.project;
        let mut checks = Checks::default();
        let period = match opt(&input.period) {
            Some(p) => checks.take("period", Period::parse(&p)),
            None => match self.open_month_of(input.project_id).await? {
                Some(p) => Some(p),
                None => {
                    checks.add("period", "没有进行中的调度轮次要求报送该项目的进展");
                    None
                }
            },
        };
        checks.max_chars("progress", input.progress.as_deref(), 2000);
        checks.max_chars("next_steps", input.next_steps.as_deref(), 2000);
        if input.problems.len() > MAX_PROBLEMS {
            checks.add("problems", format!("存在问题不超过{MAX_PROBLEMS}条"));
        }
        for (i, p) in input.problems.iter().enumerate() {
            let field = format!("problems[{i}]");
            if p.text.trim().is_empty() {
                checks.add(&format!("{field}.text"), "请填写问题内容");
            }
            checks.max_chars(&format!("{field}.text"), Some(&p.text), 500);
            if !PROBLEM_CATEGORIES.contains(&p.category.trim()) {
                checks.add(
                    &format!("{field}.category"),
                    format!("问题类别应为{}之一", PROBLEM_CATEGORIES.join("、")),
                );
            }
        }
        if input.unchanged && (input.arrival.is_some() || input.stage.is_some()) {
            checks.add(
                "unchanged",
                "选择“本月无变化”时不能同时填报到位资金或新阶段",
            );
        }
        let before = match period {
            Some(p) => self.find_update(input.project_id, p).await?,
            None => None,
        };
        let (mut arrival, mut stage) = (None, None);
        if let (Some(p), Some(a)) = (period, &input.arrival) {
            let entered = before.as_ref().and_then(|b| b.arrival.as_ref());
            arrival = self
                .check_arrival(&project, p, a, entered, &mut checks)
                .await?;
        }
        if let (Some(p), Some(s)) = (period, &input.stage) {
            let made = before.as_ref().and_then(|b| b.stage_change.as_ref());
            stage = self.check_stage(&project, p, s, made, &mut checks).await?;
        }
        checks.finish()?;
        let period = period.expect("checked");
        // The open rounds asking about this project for the month.
        let rounds: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT r.id, r.due_on, r.status FROM dispatch_rounds r \
             JOIN dispatch_round_projects a ON a.round_id = r.id \
             WHERE a.project_id = $1 AND r.period = $2",
        )
        .bind(input.project_id)
        .bind(period.to_string())
        .fetch_all(&self.db.pool)
        .await?;
        if rounds.is_empty() {
            return Err(StoreError::field(
                "period",
                format!("{period}没有调度轮次要求报送该项目的进展"),
            ));
        }
        let open_due: Vec<&str> = rounds
            .iter()
            .filter(|(_, _, s)| s == "open")
            .map(|(_, d, _)| d.as_str())
            .collect();
        if open_due.is_empty() {
            return Err(StoreError::Conflict {
                field: "period".into(),
                message: format!("{period}的调度轮次已结束，不能再报送"),
            });
        }
        let earliest_due = open_due
            .iter()
            .min()
            .map(|d| d.to_string())
            .unwrap_or_default();
        let current_version = before.as_ref().map_or(0, |b| b.version);
        if current_version != input.version {
            return Err(StoreError::Stale);
        }
        if before.as_ref().is_some_and(|b| b.status == "submitted") {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "本月进展已报送；如需修改，请联系组织调度的上级退回".into(),
            });
        }
        // 本月无变化: last month's words, carried forward.
        let (progress, problems, next_steps) = if input.unchanged {
            let previous = self
                .update_of(input.project_id, &period.to_string())
                .await?
                .previous;
            match previous {
                Some(p) => (
                    Some(format!("本月无变化。{}", p.progress.unwrap_or_default())),
                    p.problems,
                    p.next_steps,
                ),
                None => (Some("本月无变化。".to_owned()), Vec::new(), None),
            }
        } else {
            (
                opt(&input.progress),
                input
                    .problems
                    .iter()
                    .map(|p| ProblemInput {
                        text: p.text.trim().to_owned(),
                        category: p.category.trim().to_owned(),
                        help_asked: p.help_asked,
                    })
                    .collect(),
                opt(&input.next_steps),
            )
        };
        if input.submit && !input.unchanged && progress.is_none() {
            return Err(StoreError::field(
                "progress",
                "报送前请填写本月进展，或选择“本月无变化”",
            ));
        }
        let today = clock::today().to_string();
        let late = input.submit && today > earliest_due;
        let region = crate::regions::stored_code(&project.region_code)?;
        let source = "（月度进展）";
        let mut tx = self.db.pool.begin().await?;
        let mut with = serde_json::Map::new();
        if let Some(change) = &stage {
            stages::apply(&mut tx, &self.actor, change, source).await?;
            with.insert("stage".into(), change.stage().as_str().into());
            with.insert("changed_on".into(), change.date().into());
        }
        if let Some((fund, warnings)) = &arrival {
            let fund_id = enter_fund(
                &mut tx,
                &self.actor,
                &project.name,
                &region,
                NewFund {
                    project_id: project.id,
                    region: region.as_str(),
                    period,
                    input: fund,
                    warnings,
                    entered_by: self.actor.user_id,
                },
                source,
            )
            .await?;
            with.insert("fund_id".into(), fund_id.into());
            with.insert("amount".into(), fund.amount.into());
            with.insert("currency".into(), fund.currency.as_str().into());
        }
        write_update(
            &mut tx,
            &self.actor,
            UpdateWrite {
                project_id: input.project_id,
                project_name: &project.name,
                region: &region,
                period,
                before: before
                    .as_ref()
                    .map(|b| (b.id, b.version, b.status.clone(), b.progress.clone())),
                submit: input.submit,
                unchanged: input.unchanged,
                progress,
                problems,
                next_steps,
                late,
                extra: (!with.is_empty()).then_some(serde_json::Value::Object(with)),
                source: "",
            },
        )
        .await?;
        if input.submit {
            complete_tasks(&mut tx, &[input.project_id], &period.to_string()).await?;
        }
        tx.commit().await?;
        Ok(self
            .find_update(input.project_id, period)
            .await?
            .expect("just written"))
    }

    /// Returns a submitted update with a reason (退回): the reporter corrects and resubmits it.
    pub async fn return_update(
        &self,
        id: i64,
        input: ReturnInput,
    ) -> Result<MonthlyUpdate, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let mut f = Filter::new(UPDATE_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("m.id = {p}"));
        f.projects(&self.actor, "p", "m.region_code", None);
        let update: MonthlyUpdate = f
            .query_as(&f.sql)
            .fetch_optional(&self.db.pool)
            .await?
            .map(MonthlyUpdate::finish)
            .ok_or(StoreError::NotFound("该月度进展"))?;
        let reason = input.reason.trim();
        if reason.is_empty() {
            return Err(StoreError::field("reason", "退回须说明原因"));
        }
        if reason.chars().count() > 500 {
            return Err(StoreError::field("reason", "内容过长：不超过500个字"));
        }
        if update.status != "submitted" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!(
                    "该进展当前为“{}”，只能退回已报送的进展",
                    update.status_label
                ),
            });
        }
        let now = clock::now();
        let region = crate::regions::stored_code(&update.region_code)?;
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE monthly_updates SET status = 'returned', return_reason = $1, returned_by = $2, \
             returned_at = $3, version = version + 1 WHERE id = $4 AND version = $5 \
             AND status = 'submitted'",
        )
        .bind(reason)
        .bind(self.actor.user_id)
        .bind(&now)
        .bind(id)
        .bind(input.version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        sqlx::query(
            "INSERT INTO monthly_update_versions (update_id, version, status, snapshot, actor_id, at) \
             VALUES ($1, $2, 'returned', $3, $4, $5)",
        )
        .bind(id)
        .bind(input.version + 1)
        .bind(serde_json::json!({ "status": "returned", "reason": reason }).to_string())
        .bind(self.actor.user_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        reopen_tasks(&mut tx, update.project_id, &update.period).await?;
        tasks::notify_reporters_of(
            &mut tx,
            update.project_id,
            &format!(
                "{} {}月度进展被退回：{reason}",
                update.project_name, update.period
            ),
        )
        .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "monthly_update",
                entity_id: Some(id.to_string()),
                action: "return",
                summary: format!("退回项目 {} {}月度进展", update.project_name, update.period),
                region: Some(&region),
                before: Some(serde_json::json!({ "status": "submitted" })),
                after: Some(serde_json::json!({ "status": "returned", "reason": reason })),
            },
        )
        .await?;
        tx.commit().await?;
        self.find_update(
            update.project_id,
            Period::parse(&update.period).map_err(|e| StoreError::Internal(e.to_string()))?,
        )
        .await?
        .ok_or(StoreError::NotFound("该月度进展"))
    }

    /// Closes a round (by its organiser): nothing more can be reported to it, and the tasks
    /// still open for it are withdrawn; the board keeps who reported and who did not.
    pub async fn close_round(&self, id: i64) -> Result<Round, StoreError> {
        let root = self.organiser_root()?;
        let round = self.round(id).await?;
        if round.region_code != root.as_str() {
            return Err(StoreError::forbidden("只有组织本轮调度的单位可以结束调度"));
        }
        if round.status != "open" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!("“{}”已结束", round.title),
            });
        }
        let board = self.board(id).await?;
        let missing: i64 = board.rows.iter().map(|r| r.projects - r.submitted).sum();
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE dispatch_rounds SET status = 'closed', closed_at = $1, version = version + 1 \
             WHERE id = $2 AND status = 'open'",
        )
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        sqlx::query(
            "UPDATE tasks SET status = 'cancelled', done_at = $1 \
             WHERE kind = $2 AND source_id = $3 AND status = 'open'",
        )
        .bind(&now)
        .bind(REPORT_TASK)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "dispatch_round",
                entity_id: Some(id.to_string()),
                action: "close",
                summary: format!(
                    "结束调度轮次“{}”：已报{}个项目，未报{missing}个",
                    round.title, round.submitted
                ),
                region: Some(&root),
                before: Some(serde_json::json!({ "status": "open" })),
                after: Some(serde_json::json!({ "status": "closed", "missing": missing })),
            },
        )
        .await?;
        tx.commit().await?;
        self.round(id).await
    }

    /// Reminds every reporter of the round (within the actor's scope) that has not reported
    /// all its projects (催报); answers how many were reminded.
    pub async fn remind(&self, id: i64) -> Result<usize, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let board = self.board(id).await?;
        let missing: Vec<&BoardRow> = board
            .rows
            .iter()
            .filter(|r| r.submitted < r.projects)
            .collect();
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        for r in &missing {
            let body = format!(
                "催报：“{}”尚有{}个项目未报送本月进展，截止日期{}",
                board.round.title,
                r.projects - r.submitted,
                board.round.due_on
            );
            let task: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM tasks WHERE kind = $1 AND source_id = $2 AND region_code = $3 \
                 AND COALESCE(unit_id, 0) = $4",
            )
            .bind(REPORT_TASK)
            .bind(id)
            .bind(&r.region_code)
            .bind(r.unit_id.unwrap_or(0))
            .fetch_optional(&mut *tx)
            .await?;
            tasks::notify_reporter(&mut tx, &r.region_code, r.unit_id, task, &body, &now).await?;
        }
        let root = self.organiser_root()?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "dispatch_round",
                entity_id: Some(id.to_string()),
                action: "remind",
                summary: format!("催报“{}”：{}个报送单位", board.round.title, missing.len()),
                region: Some(&root),
                before: None,
                after: Some(serde_json::json!({
                    "reporters": missing.iter().map(|r| r.reporter_name.clone()).collect::<Vec<_>>()
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(missing.len())
    }
}

/// An update to write, and the state it is written over.
pub(crate) struct UpdateWrite<'a> {
    pub project_id: i64,
    pub project_name: &'a str,
    pub region: &'a RegionCode,
    pub period: Period,
    /// The update read before (id, version, status, progress); none for a first one.
    pub before: Option<(i64, i64, String, Option<String>)>,
    pub submit: bool,
    pub unchanged: bool,
    pub progress: Option<String>,
    pub problems: Vec<ProblemInput>,
    pub next_steps: Option<String>,
    pub late: bool,
    /// What else came with the update (the month sheet's stage change and money), kept in its
    /// version and audit entry.
    pub extra: Option<serde_json::Value>,
    /// Where it came from, for the audit (e.g. “（月度调度表第3行）”).
    pub source: &'a str,
}

/// Writes an update on the caller's transaction: the row (if still at the version read), a
/// version kept for good, and the audit entry. Answers the update's id.
pub(crate) async fn write_update(
    tx: &mut sqlx::AnyConnection,
    actor: &crate::scoped::Actor,
    w: UpdateWrite<'_>,
) -> Result<i64, StoreError> {
    let now = clock::now();
    let status = if w.submit { "submitted" } else { "draft" };
    let problems_json =
        (!w.problems.is_empty()).then(|| serde_json::to_string(&w.problems).unwrap_or_default());
    let id: i64 = match &w.before {
        None => sqlx::query_scalar(
            "INSERT INTO monthly_updates (project_id, region_code, period, status, unchanged, \
             progress, problems, next_steps, late, submitted_by, submitted_at, updated_by, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             RETURNING id",
        )
        .bind(w.project_id)
        .bind(w.region.as_str())
        .bind(w.period.to_string())
        .bind(status)
        .bind(w.unchanged)
        .bind(&w.progress)
        .bind(&problems_json)
        .bind(&w.next_steps)
        .bind(w.late)
        .bind(w.submit.then_some(actor.user_id))
        .bind(w.submit.then(|| now.clone()))
        .bind(actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Stale,
            e => e.into(),
        })?,
        Some((id, version, _, _)) => {
            let updated = sqlx::query(
                "UPDATE monthly_updates SET status = $1, unchanged = $2, progress = $3, \
                 problems = $4, next_steps = $5, late = $6, submitted_by = $7, \
                 submitted_at = $8, updated_by = $9, updated_at = $10, version = version + 1 \
                 WHERE id = $11 AND version = $12",
            )
            .bind(status)
            .bind(w.unchanged)
            .bind(&w.progress)
            .bind(&problems_json)
            .bind(&w.next_steps)
            .bind(w.late)
            .bind(w.submit.then_some(actor.user_id))
            .bind(w.submit.then(|| now.clone()))
            .bind(actor.user_id)
            .bind(&now)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Stale);
            }
            *id
        }
    };
    let mut snapshot = serde_json::json!({
        "status": status, "unchanged": w.unchanged, "progress": w.progress,
        "problems": w.problems, "next_steps": w.next_steps, "late": w.late,
    });
    if let (Some(extra), Some(map)) = (&w.extra, snapshot.as_object_mut()) {
        map.insert("with".into(), extra.clone());
    }
    sqlx::query(
        "INSERT INTO monthly_update_versions (update_id, version, status, snapshot, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(w.before.as_ref().map_or(0, |b| b.1) + 1)
    .bind(status)
    .bind(snapshot.to_string())
    .bind(actor.user_id)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor.into(),
        Change {
            entity: "monthly_update",
            entity_id: Some(id.to_string()),
            action: if w.submit { "submit" } else { "update" },
            summary: format!(
                "{}项目 {} {}月度进展{}{}",
                if w.submit { "报送" } else { "保存" },
                w.project_name,
                w.period,
                if w.late { "（逾期）" } else { "" },
                w.source,
            ),
            region: Some(w.region),
            before: w
                .before
                .as_ref()
                .map(|b| serde_json::json!({ "status": b.2, "progress": b.3 })),
            after: Some(snapshot),
        },
    )
    .await?;
    Ok(id)
}

/// Marks done every report task whose projects (for the month of its round) are all submitted.
async fn complete_tasks(
    conn: &mut sqlx::AnyConnection,
    project_ids: &[i64],
    period: &str,
) -> Result<(), StoreError> {
    let mut parts: BTreeSet<(i64, String, Option<i64>)> = BTreeSet::new();
    for chunk in project_ids.chunks(500) {
        let mut f = Filter::new(
            "SELECT DISTINCT a.round_id, a.region_code, a.unit_id FROM dispatch_round_projects a \
             JOIN dispatch_rounds r ON r.id = a.round_id WHERE 1 = 1",
        );
        let p = f.bind(Bind::Text(period.to_owned()));
        f.and(&format!("r.period = {p}"));
        let ids: Vec<String> = chunk.iter().map(|id| f.bind(Bind::Int(*id))).collect();
        f.and(&format!("a.project_id IN ({})", ids.join(", ")));
        let rows: Vec<(i64, String, Option<i64>)> =
            f.query_as(&f.sql).fetch_all(&mut *conn).await?;
        parts.extend(rows);
    }
    for (round, region, unit) in parts {
        let missing: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM dispatch_round_projects a LEFT JOIN monthly_updates m \
             ON m.project_id = a.project_id AND m.period = $1 AND m.status = 'submitted' \
             WHERE a.round_id = $2 AND a.region_code = $3 AND COALESCE(a.unit_id, 0) = $4 \
             AND m.id IS NULL",
        )
        .bind(period)
        .bind(round)
        .bind(&region)
        .bind(unit.unwrap_or(0))
        .fetch_one(&mut *conn)
        .await?;
        if missing == 0 {
            tasks::set_status(&mut *conn, REPORT_TASK, round, &region, unit, "done").await?;
        }
    }
    Ok(())
}

/// Opens again the report tasks that a returned update belongs to.
async fn reopen_tasks(
    conn: &mut sqlx::AnyConnection,
    project_id: i64,
    period: &str,
) -> Result<(), StoreError> {
    let parts: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT a.round_id, a.region_code, a.unit_id FROM dispatch_round_projects a \
         JOIN dispatch_rounds r ON r.id = a.round_id WHERE a.project_id = $1 AND r.period = $2",
    )
    .bind(project_id)
    .bind(period)
    .fetch_all(&mut *conn)
    .await?;
    for (round, region, unit) in parts {
        tasks::set_status(&mut *conn, REPORT_TASK, round, &region, unit, "open").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::selected;
    use luodi_domain::ledger::Stage;

    #[test]
    fn a_round_asks_about_signed_projects_not_yet_producing_and_live_key_projects() {
        assert!(selected(Stage::Signed, false));
        assert!(selected(Stage::Started, false));
        assert!(!selected(Stage::Producing, false));
        assert!(!selected(Stage::Negotiating, false));
        assert!(selected(Stage::Negotiating, true), "a key project in talks");
        assert!(selected(Stage::Producing, true), "a key project producing");
        assert!(!selected(Stage::Terminated, true));
        assert!(!selected(Stage::Defaulted, false));
    }
}
