//! Problems (问题清单, domain §9): registered by a bureau directly or from its projects' monthly
//! updates; routed by the rule of seed [000]; assigned (交办) to a unit with a numbered 交办函
//! and a deadline on the deadline engine; accepted, answered, sent back (退办) or closed — never
//! without an answer; extended on request (延期申请, approved or refused); supervised (督办)
//! with a numbered 督办函 when overdue or poorly handled. Per-unit handling figures feed the
//! assessment.
//!
//! Who sees what: a bureau its region's problems (a county its own, a city its counties'); a
//! unit account only the problems given to its unit. The bureau that registered a problem (or
//! one above it) handles it; the assigned unit (or that bureau for it) answers.

pub mod summary;

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{contains_pattern, Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::kit::text::opt;
use crate::tasks::{self, NewTask};
use luodi_domain::deadlines::{light, Light};
use luodi_domain::problems::{
    answered_on_time, check_deadline, check_extension, letter_number, route, transition,
    ProblemAction, ProblemCategory, ProblemState, ProblemStatus, RouteFacts, Routing,
};
use luodi_domain::{parse_date, Permission, RegionCode, Role, Scope};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// Problems, as the actor may see and handle them.
    Problems, problems
);

/// The task kind of an assigned problem; its source is the problem.
pub const PROBLEM_TASK: &str = "problem";
/// Days before its deadline a problem turns yellow.
pub const WARN_DAYS: i64 = 3;

/// A problem as a bureau registers it. The three facts decide its route (seed [000]).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProblemRegistration {
    pub description: String,
    pub category: ProblemCategory,
    /// The project it concerns; none for a common (共性) problem.
    pub project_id: Option<i64>,
    /// 共性问题: shared by several projects.
    #[serde(default)]
    pub common: bool,
    /// Its solution needs other departments.
    #[serde(default)]
    pub other_departments: bool,
    /// The bureau itself can answer it on the spot.
    #[serde(default)]
    pub within_bureau_remit: bool,
}

/// 交办: to whom, under which leader, by when.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssignInput {
    /// 责任单位 (a unit of the handling bureau's scope)
    pub unit_id: Option<i64>,
    /// 责任领导
    pub leader: Option<String>,
    /// 责任人
    pub person: Option<String>,
    /// 办理时限, YYYY-MM-DD
    pub due_on: String,
}

/// An answer, a reason for sending it back, a note.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProblemText {
    pub text: String,
}

/// 延期申请: the later deadline asked for and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ExtensionInput {
    /// YYYY-MM-DD
    pub due_on: String,
    pub reason: String,
}

/// The handling bureau's decision on an extension request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ExtensionDecision {
    pub approve: bool,
    pub note: Option<String>,
}

/// 督办: why, and the new deadline the 督办函 sets.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SuperviseInput {
    pub reason: String,
    /// YYYY-MM-DD
    pub due_on: String,
}

/// What a list may be narrowed to.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemFilter {
    pub status: Option<ProblemStatus>,
    pub category: Option<ProblemCategory>,
    /// Only those past their deadline, not yet answered.
    pub overdue: Option<bool>,
    /// Only those without an answer (事事有回音).
    pub unanswered: Option<bool>,
    pub project_id: Option<i64>,
    /// Only those registered from this supervision visit.
    pub visit_id: Option<i64>,
    /// Only those registered from this revisit form (回访登记表).
    pub revisit_id: Option<i64>,
    /// Words of the description, the project or the unit.
    pub q: Option<String>,
    /// Only those not closed yet (未办结).
    pub open: Option<bool>,
    /// Only those closed (办结) in this year.
    pub closed_year: Option<i32>,
    /// Only those answered by their deadline (`on_time`) or after it (`late`).
    #[param(inline)]
    pub answered: Option<AnswerTiming>,
    /// Only those of this region (within the reader's scope).
    pub region: Option<String>,
}

/// When an answer came, against the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerTiming {
    OnTime,
    Late,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProblemSummary {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    pub handler_region: String,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    #[schema(value_type = bool)]
    pub common: Flag,
    /// `direct`, `update` (a monthly update), `visit` or `revisit` (a revisit form).
    pub source: String,
    #[schema(value_type = ProblemCategory)]
    pub category: String,
    pub description: String,
    #[schema(value_type = Routing)]
    pub routing: String,
    #[schema(value_type = ProblemStatus)]
    pub status: String,
    pub leader: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub person: Option<String>,
    pub due_on: Option<String>,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    #[schema(value_type = Option<bool>)]
    pub answered_late: Option<Flag>,
    /// A pending extension request's deadline.
    pub extension_due_on: Option<String>,
    pub extension_reason: Option<String>,
    pub returned_count: i64,
    pub supervised_count: i64,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub version: i64,
    #[sqlx(skip)]
    pub category_label: String,
    #[sqlx(skip)]
    pub status_label: String,
    #[sqlx(skip)]
    pub routing_label: String,
    #[sqlx(skip)]
    pub light: Option<Light>,
    #[sqlx(skip)]
    pub overdue: bool,
    /// What the user may do now: `assign`, `accept`, `answer`, `send_back`, `close`,
    /// `request_extension`, `decide_extension`, `supervise`.
    #[sqlx(skip)]
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProblemEvent {
    pub id: i64,
    pub action: String,
    pub note: Option<String>,
    pub due_on: Option<String>,
    pub user_name: String,
    pub at: String,
    #[sqlx(skip)]
    pub action_label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProblemLetter {
    pub id: i64,
    /// `assign` (交办函) or `supervise` (督办函).
    pub kind: String,
    pub number: String,
    pub issuer_region: String,
    pub issuer_name: String,
    pub due_on: String,
    pub reason: Option<String>,
    pub issued_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(flatten)]
    pub summary: ProblemSummary,
    pub events: Vec<ProblemEvent>,
    pub letters: Vec<ProblemLetter>,
}

/// A unit's handling record (for the assessment): problems given to it, answered on time or
/// late, sent back, supervised, and open past their deadline.
#[derive(Debug, Clone, Default, Serialize, ToSchema, sqlx::FromRow)]
pub struct UnitFigures {
    pub unit_id: i64,
    pub unit_name: String,
    pub assigned: i64,
    pub answered_on_time: i64,
    pub answered_late: i64,
    pub overdue: i64,
    pub returned: i64,
    pub supervised: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Imported {
    /// Problems registered from the monthly updates.
    pub created: i64,
}

const SELECT: &str = "SELECT p.id, p.region_code, rg.name AS region_name, p.handler_region, \
    p.project_id, pr.name AS project_name, p.common, p.source, p.category, p.description, \
    p.routing, p.status, p.leader, p.unit_id, un.name AS unit_name, p.person, p.due_on, \
    p.answer, p.answered_at, p.answered_late, p.extension_due_on, p.extension_reason, \
    p.returned_count, p.supervised_count, p.created_at, p.closed_at, p.version \
    FROM problems p JOIN regions rg ON rg.code = p.region_code \
    LEFT JOIN projects pr ON pr.id = p.project_id LEFT JOIN units un ON un.id = p.unit_id \
    WHERE 1 = 1";

/// A list page is counted and its ids picked on `problems` alone (see
/// `Filter::fetch_page_by_keys`), then its twenty rows are read and named.
const LIST_COUNT: &str = "SELECT COUNT(*) FROM problems p WHERE 1 = 1";
const LIST_KEYS: &str = "SELECT p.id FROM problems p WHERE 1 = 1";
const LIST_PAGE: &str = "SELECT p.id, p.region_code, rg.name AS region_name, p.handler_region, \
    p.project_id, pr.name AS project_name, p.common, p.source, p.category, p.description, \
    p.routing, p.status, p.leader, p.unit_id, un.name AS unit_name, p.person, p.due_on, \
    p.answer, p.answered_at, p.answered_late, p.extension_due_on, p.extension_reason, \
    p.returned_count, p.supervised_count, p.created_at, p.closed_at, p.version \
    FROM ({keys}) k JOIN problems p ON p.id = k.id JOIN regions rg ON rg.code = p.region_code \
    LEFT JOIN projects pr ON pr.id = p.project_id LEFT JOIN units un ON un.id = p.unit_id";
const ORDER: &str = "p.id DESC";

/// Each unit's figures, grouped by `unit_figures` (`{today}` is bound there).
const UNIT_FIGURES: &str = "SELECT p.unit_id, CAST(COUNT(*) AS BIGINT) AS assigned, \
    CAST(SUM(CASE WHEN p.answered_late IS NOT NULL AND NOT p.answered_late THEN 1 ELSE 0 END) AS BIGINT) \
    AS answered_on_time, \
    CAST(SUM(CASE WHEN p.answered_late THEN 1 ELSE 0 END) AS BIGINT) AS answered_late, \
    CAST(SUM(CASE WHEN p.status IN ('assigned', 'in_progress') AND p.due_on < {today} \
    THEN 1 ELSE 0 END) AS BIGINT) AS overdue, \
    CAST(SUM(p.returned_count) AS BIGINT) AS returned, \
    CAST(SUM(p.supervised_count) AS BIGINT) AS supervised \
    FROM problems p WHERE 1 = 1";

fn action_label(action: &str) -> &'static str {
    match action {
        "register" => "登记",
        "assign" => "交办",
        "accept" => "签收",
        "answer" => "答复",
        "send_back" => "退办",
        "close" => "办结",
        "request_extension" => "申请延期",
        "approve_extension" => "同意延期",
        "refuse_extension" => "不同意延期",
        "supervise" => "督办",
        _ => "",
    }
}

/// The first 30 characters of a text, for titles and messages.
fn short(text: &str) -> String {
    let mut s: String = text.chars().take(30).collect();
    if text.chars().count() > 30 {
        s.push('…');
    }
    s
}

impl ProblemSummary {
    fn state(&self) -> ProblemState<'_> {
        ProblemState {
            status: ProblemStatus::parse(&self.status).unwrap_or(ProblemStatus::Registered),
            routing: Routing::parse(&self.routing).unwrap_or(Routing::Locality),
            due_on: self.due_on.as_deref().and_then(|d| parse_date(d).ok()),
            answer: self.answer.as_deref(),
            extension_pending: self.extension_due_on.is_some(),
            returned: self.returned_count,
        }
    }
}

impl Problems<'_> {
    /// Today as the store's clock tells it (tests move it).
    fn today(&self) -> Date {
        crate::auth::two_factor::clock(&self.db).today()
    }

    /// The problems the actor reaches: a unit account its unit's, others their region's.
    fn reach(&self, f: &mut Filter) {
        match (self.actor.role, self.actor.unit_id, &self.actor.scope) {
            (Role::Unit, Some(unit), _) => {
                let p = f.bind(Bind::Int(unit));
                f.and(&format!("p.unit_id = {p}"));
            }
            (Role::Unit, None, _) => f.and("1 = 0"),
            (_, _, scope) => f.scope("p.region_code", scope),
        }
    }

    /// Whether the actor handles the problem: a bureau over the one that registered it.
    fn handles(&self, p: &ProblemSummary) -> bool {
        self.actor
            .role
            .can_at(Permission::ManageDispatch, &self.actor.scope)
            && RegionCode::parse(&p.handler_region).is_ok_and(|r| self.actor.scope.covers(&r))
    }

    /// Whether the actor answers for the problem: its unit's accounts, or the handling bureau.
    fn answers(&self, p: &ProblemSummary) -> bool {
        match self.actor.role {
            Role::Unit => self.actor.unit_id.is_some() && self.actor.unit_id == p.unit_id,
            _ => self.handles(p),
        }
    }

    fn finish(&self, mut p: ProblemSummary, today: Date) -> ProblemSummary {
        let handles = self.handles(&p);
        let answers = self.answers(&p);
        let state = p.state();
        use ProblemAction as A;
        let mine = [
            (A::Assign, "assign", handles),
            (
                A::Accept,
                "accept",
                answers && self.actor.role == Role::Unit,
            ),
            (A::Answer, "answer", answers),
            (A::SendBack, "send_back", handles),
            (A::Close, "close", handles),
            (A::RequestExtension, "request_extension", answers),
            (A::DecideExtension, "decide_extension", handles),
            (A::Supervise, "supervise", handles),
        ];
        let actions = mine
            .into_iter()
            .filter(|(a, _, allowed)| *allowed && transition(&state, *a, today).is_ok())
            .map(|(_, name, _)| name.to_owned())
            .collect();
        let status_label = state.status.label().into();
        let routing_label = state.routing.label().into();
        let overdue = state.overdue(today);
        let light = match (state.due_on, state.status.is_pending()) {
            (Some(due), true) => Some(light(due, false, today, WARN_DAYS)),
            _ => None,
        };
        p.category_label = ProblemCategory::parse(&p.category)
            .map(ProblemCategory::label)
            .unwrap_or_default()
            .into();
        (
            p.actions,
            p.status_label,
            p.routing_label,
            p.overdue,
            p.light,
        ) = (actions, status_label, routing_label, overdue, light);
        p
    }

    /// One page of the problems the actor reaches, narrowed by `filter`, latest first, with
    /// the number of those matching over all pages.
    pub async fn list(
        &self,
        filter: &ProblemFilter,
        page: PageRequest,
    ) -> Result<Page<ProblemSummary>, StoreError> {
        let today = self.today();
        let f = self.filtered(filter, today, LIST_KEYS)?;
        let page: Page<ProblemSummary> = f
            .fetch_page_by_keys(&self.db.pool, LIST_COUNT, LIST_KEYS, LIST_PAGE, ORDER, page)
            .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|p| self.finish(p, today))
                .collect(),
            total: page.total,
        })
    }

    /// Every problem matching `filter` (for export), at most `limit`, latest first.
    pub async fn list_all(
        &self,
        filter: &ProblemFilter,
        limit: i64,
    ) -> Result<Vec<ProblemSummary>, StoreError> {
        let today = self.today();
        let mut f = self.filtered(filter, today, SELECT)?;
        let limit = f.bind(Bind::Int(limit));
        let sql = format!("{} ORDER BY {ORDER} LIMIT {limit}", f.sql);
        let rows: Vec<ProblemSummary> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows.into_iter().map(|p| self.finish(p, today)).collect())
    }

    /// `base` (ending in `WHERE 1 = 1`) restricted to the actor's reach and the filter. The
    /// conditions name only `problems p`, so a page is counted and picked without the joins
    /// that name things; the text search looks into projects and units by sub-select.
    fn filtered(
        &self,
        filter: &ProblemFilter,
        today: Date,
        base: &str,
    ) -> Result<Filter, StoreError> {
        let mut f = Filter::new(base);
        self.reach(&mut f);
        if let Some(region) = opt(&filter.region) {
            let code = RegionCode::parse(&region)
                .map_err(|e| StoreError::field("region", e.to_string()))?;
            f.scope_within("p.region_code", &self.actor.scope, Some(&code));
        }
        if filter.open == Some(true) {
            f.and("p.status <> 'closed'");
        }
        if let Some(year) = filter.closed_year {
            let from = f.bind(Bind::Text(format!("{year}-01-01")));
            let to = f.bind(Bind::Text(format!("{}-01-01", year + 1)));
            f.and(&format!(
                "p.status = 'closed' AND p.closed_at >= {from} AND p.closed_at < {to}"
            ));
        }
        match filter.answered {
            Some(AnswerTiming::OnTime) => f.and(summary::ON_TIME),
            Some(AnswerTiming::Late) => f.and(summary::LATE),
            None => {}
        }
        if let Some(s) = filter.status {
            let p = f.bind(Bind::Text(s.as_str().into()));
            f.and(&format!("p.status = {p}"));
        }
        if let Some(c) = filter.category {
            let p = f.bind(Bind::Text(c.as_str().into()));
            f.and(&format!("p.category = {p}"));
        }
        if let Some(id) = filter.project_id {
            let p = f.bind(Bind::Int(id));
            f.and(&format!("p.project_id = {p}"));
        }
        if let Some(id) = filter.visit_id {
            let p = f.bind(Bind::Int(id));
            f.and(&format!("p.source = 'visit' AND p.source_id = {p}"));
        }
        if let Some(id) = filter.revisit_id {
            let p = f.bind(Bind::Int(id));
            f.and(&format!("p.source = 'revisit' AND p.source_id = {p}"));
        }
        if filter.unanswered == Some(true) {
            f.and("p.answer IS NULL");
        }
        if filter.overdue == Some(true) {
            let p = f.bind(Bind::Text(today.to_string()));
            f.and(&format!(
                "p.status IN ('assigned', 'in_progress') AND p.due_on < {p}"
            ));
        }
        if let Some(q) = opt(&filter.q) {
            let p = f.bind(Bind::Text(contains_pattern(&q)));
            f.and(&format!(
                "(p.description LIKE {p} ESCAPE '\\' \
                 OR p.project_id IN (SELECT id FROM projects WHERE name LIKE {p} ESCAPE '\\') \
                 OR p.unit_id IN (SELECT id FROM units WHERE name LIKE {p} ESCAPE '\\'))"
            ));
        }
        Ok(f)
    }

    async fn summary(&self, id: i64) -> Result<ProblemSummary, StoreError> {
        let mut f = Filter::new(SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("p.id = {p}"));
        self.reach(&mut f);
        let row: Option<ProblemSummary> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        let row = row.ok_or(StoreError::NotFound("该问题"))?;
        Ok(self.finish(row, self.today()))
    }

    /// One problem with its timeline and letters.
    pub async fn get(&self, id: i64) -> Result<Problem, StoreError> {
        let summary = self.summary(id).await?;
        let mut events: Vec<ProblemEvent> = sqlx::query_as(
            "SELECT e.id, e.action, e.note, e.due_on, u.display_name AS user_name, e.at \
             FROM problem_events e JOIN users u ON u.id = e.user_id \
             WHERE e.problem_id = $1 ORDER BY e.id",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?;
        for e in &mut events {
            e.action_label = action_label(&e.action).into();
        }
        let letters = sqlx::query_as(
            "SELECT l.id, l.kind, l.number, l.issuer_region, rg.name AS issuer_name, l.due_on, \
             l.reason, l.issued_at FROM problem_letters l \
             JOIN regions rg ON rg.code = l.issuer_region WHERE l.problem_id = $1 ORDER BY l.id",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(Problem {
            summary,
            events,
            letters,
        })
    }

    /// One letter of a problem the actor reaches (for the .docx).
    pub async fn letter(
        &self,
        id: i64,
        letter: i64,
    ) -> Result<(Problem, ProblemLetter), StoreError> {
        let problem = self.get(id).await?;
        let l = problem
            .letters
            .iter()
            .find(|l| l.id == letter)
            .cloned()
            .ok_or(StoreError::NotFound("该函件"))?;
        Ok((problem, l))
    }

    /// The registering bureau's region.
    fn handler_root(&self) -> Result<RegionCode, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        match &self.actor.scope {
            Scope::Region(root) => Ok(root.clone()),
            Scope::Nationwide | Scope::Regions(_) => Err(StoreError::forbidden(
                "问题由省、市、县商务主管部门在本级登记",
            )),
        }
    }

    /// Registers a problem; its route follows from the facts given.
    pub async fn create(&self, input: ProblemRegistration) -> Result<Problem, StoreError> {
        let root = self.handler_root()?;
        let (description, region) = self.check_registration(&input, &root, None).await?;
        self.register(&input, &description, &region, &root, ("direct", None, None))
            .await
    }

    /// Registers a problem found on revisit form `form_id` (`source = 'revisit'`, numbered
    /// within the form): the bureau's, about the form's project `project_id`. The caller has
    /// checked that the actor reads the form.
    pub(crate) async fn register_from_revisit(
        &self,
        form_id: i64,
        project_id: i64,
        input: ProblemRegistration,
    ) -> Result<Problem, StoreError> {
        let root = self.handler_root()?;
        let input = ProblemRegistration {
            project_id: Some(project_id),
            common: false,
            ..input
        };
        let (description, region) = self.check_registration(&input, &root, None).await?;
        let seq = self.next_in_list("revisit", form_id).await?;
        self.register(
            &input,
            &description,
            &region,
            &root,
            ("revisit", Some(form_id), Some(seq)),
        )
        .await
    }

    /// The number of the next problem listed from `source` (a visit or a revisit form) `id`.
    async fn next_in_list(&self, source: &str, id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX(source_seq), 0) + 1 FROM problems \
             WHERE source = $1 AND source_id = $2",
        )
        .bind(source)
        .bind(id)
        .fetch_one(&self.db.pool)
        .await?)
    }

    /// Registers a problem found on supervision visit `visit_id` (`source = 'visit'`, numbered
    /// within the visit's list), handled by `handler`, the bureau that formed the group. A
    /// project's problem must concern a project of the visit's `places`; a common one is filed
    /// under `common_region`. The caller has checked the visit and the actor's place in it.
    pub(crate) async fn register_from_visit(
        &self,
        visit_id: i64,
        handler: &RegionCode,
        common_region: &RegionCode,
        places: &[RegionCode],
        input: ProblemRegistration,
    ) -> Result<Problem, StoreError> {
        let (description, region) = self
            .check_registration(&input, common_region, Some(places))
            .await?;
        let seq = self.next_in_list("visit", visit_id).await?;
        self.register(
            &input,
            &description,
            &region,
            handler,
            ("visit", Some(visit_id), Some(seq)),
        )
        .await
    }

    /// Checks a registration, naming every field at fault; answers the description and the
    /// region the problem is filed under (its project's county, or `common_region`). With
    /// `places`, the project must lie in one of them.
    async fn check_registration(
        &self,
        input: &ProblemRegistration,
        common_region: &RegionCode,
        places: Option<&[RegionCode]>,
    ) -> Result<(String, RegionCode), StoreError> {
        let mut checks = Checks::default();
        let description = input.description.trim().to_owned();
        if description.is_empty() {
            checks.add("description", "请填写问题描述");
        }
        checks.max_chars("description", Some(&description), 2000);
        let region = match (input.project_id, input.common) {
            (Some(pid), _) => match self.ledger().find_project(pid).await {
                Ok(p) => match (RegionCode::parse(&p.region_code).ok(), places) {
                    (Some(r), Some(places)) if !places.iter().any(|place| place.contains(&r)) => {
                        checks.add("project_id", "所选项目不在本次督导的地点范围内");
                        None
                    }
                    (r, _) => r,
                },
                Err(StoreError::NotFound(_)) => {
                    checks.add("project_id", "所选项目不存在或不在本级范围内");
                    None
                }
                Err(e) => return Err(e),
            },
            (None, true) => Some(common_region.clone()),
            (None, false) => {
                checks.add("project_id", "请选择问题涉及的项目，或勾选“共性问题”");
                None
            }
        };
        checks.finish()?;
        Ok((description, region.expect("checked")))
    }

    /// Writes a checked registration with its first event and audit entry.
    async fn register(
        &self,
        input: &ProblemRegistration,
        description: &str,
        region: &RegionCode,
        handler: &RegionCode,
        source: (&'static str, Option<i64>, Option<i64>),
    ) -> Result<Problem, StoreError> {
        let routing = route(RouteFacts {
            common: input.common,
            other_departments: input.other_departments,
            within_bureau_remit: input.within_bureau_remit,
        });
        let mut tx = self.db.pool.begin().await?;
        let id = insert_problem(
            &mut tx,
            &NewProblem {
                region,
                handler,
                project_id: input.project_id,
                common: input.common,
                source,
                category: input.category,
                description,
                routing,
            },
            self.actor.user_id,
        )
        .await
        .map_err(|e| match e {
            // Two members numbering the same visit's list at once: one of them tries again.
            StoreError::Database(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                StoreError::Stale
            }
            e => e,
        })?;
        self.commit_audited(
            tx,
            Change {
                entity: "problem",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!(
                    "登记问题（{}，{}）：{}",
                    input.category.label(),
                    routing.label(),
                    short(description)
                ),
                region: Some(region),
                before: None,
                after: Some(serde_json::json!({
                    "description": description, "category": input.category.as_str(),
                    "project_id": input.project_id, "common": input.common,
                    "routing": routing.as_str(), "source": source.0, "source_id": source.1,
                })),
            },
        )
        .await?;
        self.get(id).await
    }

    /// Registers the problems of the submitted monthly updates in the bureau's scope that are
    /// not registered yet: each becomes a tracked problem of the project's county, handled by
    /// this bureau; one for which help was asked goes to the leading group office.
    pub async fn import_updates(&self) -> Result<Imported, StoreError> {
        let root = self.handler_root()?;
        let mut f = Filter::new(
            "SELECT m.id, m.project_id, m.region_code, m.problems FROM monthly_updates m \
             WHERE m.status = 'submitted' AND m.problems IS NOT NULL",
        );
        f.region_subtree("m.region_code", &root);
        let updates: Vec<(i64, i64, String, String)> =
            f.query_as(&f.sql).fetch_all(&self.db.pool).await?;
        let done: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT source_id, source_seq FROM problems WHERE source = 'update' \
             AND source_id IS NOT NULL AND source_seq IS NOT NULL",
        )
        .fetch_all(&self.db.pool)
        .await?;
        let done: std::collections::HashSet<(i64, i64)> = done.into_iter().collect();
        let mut tx = self.db.pool.begin().await?;
        let mut created = 0;
        for (update, project, region, json) in updates {
            let Ok(region) = RegionCode::parse(&region) else {
                continue;
            };
            let listed: Vec<crate::dispatch::ProblemInput> =
                serde_json::from_str(&json).unwrap_or_default();
            for (seq, reported) in listed.iter().enumerate() {
                let seq = seq as i64 + 1;
                let text = reported.text.trim();
                if done.contains(&(update, seq)) || text.is_empty() {
                    continue;
                }
                let category =
                    ProblemCategory::parse(&reported.category).unwrap_or(ProblemCategory::Other);
                let routing = route(RouteFacts {
                    other_departments: reported.help_asked,
                    ..RouteFacts::default()
                });
                insert_problem(
                    &mut tx,
                    &NewProblem {
                        region: &region,
                        handler: &root,
                        project_id: Some(project),
                        common: false,
                        source: ("update", Some(update), Some(seq)),
                        category,
                        description: text,
                        routing,
                    },
                    self.actor.user_id,
                )
                .await?;
                created += 1;
            }
        }
        if created == 0 {
            return Ok(Imported { created });
        }
        self.commit_audited(
            tx,
            Change {
                entity: "problem",
                entity_id: None,
                action: "import",
                summary: format!("从月度调度登记问题{created}个"),
                region: Some(&root),
                before: None,
                after: Some(serde_json::json!({ "created": created })),
            },
        )
        .await?;
        Ok(Imported { created })
    }

    /// A problem the actor may act on by `action`, with the status it moves to.
    async fn for_action(
        &self,
        id: i64,
        action: ProblemAction,
        allowed: fn(&Self, &ProblemSummary) -> bool,
        who: &str,
    ) -> Result<(ProblemSummary, ProblemStatus), StoreError> {
        let p = self.summary(id).await?;
        if !allowed(self, &p) {
            return Err(StoreError::forbidden(who.to_owned()));
        }
        let next =
            transition(&p.state(), action, self.today()).map_err(|m| StoreError::Conflict {
                field: "status".into(),
                message: m,
            })?;
        Ok((p, next))
    }

    /// 交办: a unit of the handling bureau's scope, a leader, a person and a deadline; writes
    /// the numbered 交办函 and the unit's task.
    pub async fn assign(&self, id: i64, input: AssignInput) -> Result<Problem, StoreError> {
        let (p, next) = self
            .for_action(id, ProblemAction::Assign, Self::handles, HANDLER_ONLY)
            .await?;
        let today = self.today();
        let mut checks = Checks::default();
        let due = checks
            .take("due_on", parse_date(&input.due_on))
            .and_then(|d| checks.take("due_on", check_deadline(d, today).map(|_| d)));
        checks.max_chars("leader", input.leader.as_deref(), 50);
        checks.max_chars("person", input.person.as_deref(), 50);
        let unit = match input.unit_id {
            None => {
                checks.add("unit_id", "请选择责任单位");
                None
            }
            Some(unit) => {
                let row: Option<(String, String, Flag)> =
                    sqlx::query_as("SELECT region_code, name, active FROM units WHERE id = $1")
                        .bind(unit)
                        .fetch_optional(&self.db.pool)
                        .await?;
                let handler = RegionCode::parse(&p.handler_region).ok();
                match row.and_then(|(code, name, active)| {
                    let code = RegionCode::parse(&code).ok()?;
                    (active.0 && handler.as_ref().is_some_and(|h| h.contains(&code)))
                        .then_some(name)
                }) {
                    Some(name) => Some((unit, name)),
                    None => {
                        checks.add("unit_id", "责任单位不存在、已停用或不在本级范围内");
                        None
                    }
                }
            }
        };
        checks.finish()?;
        let (due, (unit, unit_name)) = (due.expect("checked"), unit.expect("checked"));
        let accounts = tasks::units_with_accounts(&self.db.pool).await?;
        let task_unit = accounts.contains(&unit).then_some(unit);
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let task = tasks::insert(
            &mut tx,
            NewTask {
                kind: PROBLEM_TASK,
                source_id: id,
                region_code: &p.region_code,
                unit_id: task_unit,
                title: &format!("问题交办：{}", short(&p.description)),
                due_on: due,
            },
        )
        .await?;
        let changed = sqlx::query(
            "UPDATE problems SET status = $1, unit_id = $2, leader = $3, person = $4, \
             due_on = $5, task_id = $6, updated_at = $7, version = version + 1 \
             WHERE id = $8 AND version = $9",
        )
        .bind(next.as_str())
        .bind(unit)
        .bind(opt(&input.leader))
        .bind(opt(&input.person))
        .bind(due.to_string())
        .bind(task)
        .bind(&now)
        .bind(id)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        let number = self
            .issue_letter(&mut tx, id, &p.handler_region, false, due, None, today)
            .await?;
        event(
            &mut tx,
            id,
            "assign",
            Some(&format!("{number}，交{unit_name}办理")),
            Some(due),
            self.actor.user_id,
        )
        .await?;
        let on_behalf = if task_unit.is_none() {
            format!("（{unit_name}无系统账号，由贵局督促办理）")
        } else {
            String::new()
        };
        tasks::notify_reporter(
            &mut tx,
            &p.region_code,
            task_unit,
            Some(task),
            &format!(
                "{number}交办问题：{}，{due}前答复{on_behalf}",
                short(&p.description)
            ),
            &now,
        )
        .await?;
        self.audited(
            tx,
            &p,
            "assign",
            format!("交办问题（{number}）给{unit_name}，{due}前答复"),
            Some(serde_json::json!({
                "status": next.as_str(), "unit": unit_name, "leader": opt(&input.leader),
                "person": opt(&input.person), "due_on": due.to_string(), "letter": number,
            })),
        )
        .await?;
        self.get(id).await
    }

    /// 签收: the unit starts on an assigned problem.
    pub async fn accept(&self, id: i64) -> Result<Problem, StoreError> {
        let (p, next) = self
            .for_action(id, ProblemAction::Accept, Self::answers, ANSWERER_ONLY)
            .await?;
        let mut tx = self.db.pool.begin().await?;
        self.set_status(&mut tx, &p, next).await?;
        event(&mut tx, id, "accept", None, None, self.actor.user_id).await?;
        self.audited(tx, &p, "accept", "签收交办问题".into(), status_json(next))
            .await?;
        self.get(id).await
    }

    /// 答复: the unit (or the handling bureau, on the spot or for it) answers; the task is
    /// done and the handling bureau is told.
    pub async fn answer(&self, id: i64, input: ProblemText) -> Result<Problem, StoreError> {
        let (p, next) = self
            .for_action(id, ProblemAction::Answer, Self::answers, ANSWERER_ONLY)
            .await?;
        let text = required_text(&input.text, "请填写答复内容", 2000)?;
        let today = self.today();
        let late = p
            .due_on
            .as_deref()
            .and_then(|d| parse_date(d).ok())
            .map(|due| !answered_on_time(due, today));
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE problems SET status = $1, answer = $2, answered_by = $3, answered_at = $4, \
             answered_late = $5, extension_due_on = NULL, extension_reason = NULL, \
             updated_at = $4, version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(next.as_str())
        .bind(&text)
        .bind(self.actor.user_id)
        .bind(&now)
        .bind(late)
        .bind(id)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.close_task(&mut tx, id, "done").await?;
        event(&mut tx, id, "answer", Some(&text), None, self.actor.user_id).await?;
        tasks::notify_reporter(
            &mut tx,
            &p.handler_region,
            None,
            None,
            &format!("问题已答复，请审核办结：{}", short(&p.description)),
            &now,
        )
        .await?;
        self.audited(
            tx,
            &p,
            "answer",
            format!("答复问题：{}", short(&text)),
            Some(serde_json::json!({ "status": next.as_str(), "answer": text, "late": late })),
        )
        .await?;
        self.get(id).await
    }

    /// 退办: the handling bureau sends an answer back with a reason; the task opens again.
    pub async fn send_back(&self, id: i64, input: ProblemText) -> Result<Problem, StoreError> {
        let (p, next) = self
            .for_action(id, ProblemAction::SendBack, Self::handles, HANDLER_ONLY)
            .await?;
        let reason = required_text(&input.text, "请填写退办原因", 500)?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE problems SET status = $1, answer = NULL, answered_by = NULL, \
             answered_at = NULL, answered_late = NULL, returned_count = returned_count + 1, \
             updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(next.as_str())
        .bind(&now)
        .bind(id)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        let task = self.close_task(&mut tx, id, "open").await?;
        event(
            &mut tx,
            id,
            "send_back",
            Some(&reason),
            None,
            self.actor.user_id,
        )
        .await?;
        self.notify_assignee(
            &mut tx,
            &p,
            task,
            &format!("问题答复被退办：{}（{reason}）", short(&p.description)),
            &now,
        )
        .await?;
        self.audited(
            tx,
            &p,
            "send_back",
            format!("退办问题：{reason}"),
            Some(serde_json::json!({ "status": next.as_str(), "reason": reason, "answer_before": p.answer })),
        )
        .await?;
        self.get(id).await
    }

    /// 办结: only an answered problem, by the handling bureau.
    pub async fn close(&self, id: i64) -> Result<Problem, StoreError> {
        let (p, next) = self
            .for_action(id, ProblemAction::Close, Self::handles, HANDLER_ONLY)
            .await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        // The answer is checked again in the statement itself: nothing closes without one.
        let changed = sqlx::query(
            "UPDATE problems SET status = $1, closed_at = $2, updated_at = $2, \
             version = version + 1 WHERE id = $3 AND version = $4 AND status = 'answered' \
             AND answer IS NOT NULL",
        )
        .bind(next.as_str())
        .bind(&now)
        .bind(id)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        event(&mut tx, id, "close", None, None, self.actor.user_id).await?;
        self.audited(tx, &p, "close", "问题办结".into(), status_json(next))
            .await?;
        self.get(id).await
    }

    /// 延期申请: a later deadline asked for, with a reason.
    pub async fn request_extension(
        &self,
        id: i64,
        input: ExtensionInput,
    ) -> Result<Problem, StoreError> {
        let (p, _) = self
            .for_action(
                id,
                ProblemAction::RequestExtension,
                Self::answers,
                ANSWERER_ONLY,
            )
            .await?;
        let today = self.today();
        let mut checks = Checks::default();
        let current = p.state().due_on.unwrap_or(today);
        checks
            .take("due_on", parse_date(&input.due_on))
            .and_then(|d| checks.take("due_on", check_extension(current, d, today).map(|_| d)));
        let reason = input.reason.trim().to_owned();
        if reason.is_empty() {
            checks.add("reason", "请填写延期理由");
        }
        checks.max_chars("reason", Some(&reason), 500);
        checks.finish()?;
        let due = parse_date(&input.due_on).expect("checked");
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE problems SET extension_due_on = $1, extension_reason = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(due.to_string())
        .bind(&reason)
        .bind(&now)
        .bind(id)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        event(
            &mut tx,
            id,
            "request_extension",
            Some(&reason),
            Some(due),
            self.actor.user_id,
        )
        .await?;
        tasks::notify_reporter(
            &mut tx,
            &p.handler_region,
            None,
            None,
            &format!("申请延期至{due}：{}（{reason}）", short(&p.description)),
            &now,
        )
        .await?;
        self.audited(
            tx,
            &p,
            "request_extension",
            format!("申请延期至{due}：{reason}"),
            Some(serde_json::json!({ "extension_due_on": due.to_string(), "reason": reason })),
        )
        .await?;
        self.get(id).await
    }

    /// The handling bureau approves (the deadline and the task move) or refuses an extension.
    pub async fn decide_extension(
        &self,
        id: i64,
        input: ExtensionDecision,
    ) -> Result<Problem, StoreError> {
        let (p, _) = self
            .for_action(
                id,
                ProblemAction::DecideExtension,
                Self::handles,
                HANDLER_ONLY,
            )
            .await?;
        let asked = p.extension_due_on.clone().unwrap_or_default();
        let note = opt(&input.note);
        let mut checks = Checks::default();
        if !input.approve && note.is_none() {
            checks.add("note", "不同意延期时请说明理由");
        }
        checks.max_chars("note", note.as_deref(), 500);
        checks.finish()?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let due = if input.approve {
            Some(asked.clone())
        } else {
            p.due_on.clone()
        };
        let changed = sqlx::query(
            "UPDATE problems SET due_on = $1, extension_due_on = NULL, extension_reason = NULL, \
             updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(&due)
        .bind(&now)
        .bind(id)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        let task = self.task_of(&mut tx, id).await?;
        if let (true, Some(task), Ok(d)) = (input.approve, task, parse_date(&asked)) {
            tasks::set_due(&mut tx, task, d).await?;
        }
        let (action, word) = if input.approve {
            ("approve_extension", "同意")
        } else {
            ("refuse_extension", "不同意")
        };
        event(
            &mut tx,
            id,
            action,
            note.as_deref(),
            input.approve.then(|| parse_date(&asked).ok()).flatten(),
            self.actor.user_id,
        )
        .await?;
        self.notify_assignee(
            &mut tx,
            &p,
            task,
            &format!("{word}延期至{asked}：{}", short(&p.description)),
            &now,
        )
        .await?;
        self.audited(
            tx,
            &p,
            action,
            format!("{word}延期至{asked}"),
            Some(serde_json::json!({ "approve": input.approve, "due_on": due, "note": note })),
        )
        .await?;
        self.get(id).await
    }

    /// 督办: an overdue or poorly handled problem gets a numbered 督办函 and a new deadline;
    /// the unit and the region's leaders are told.
    pub async fn supervise(&self, id: i64, input: SuperviseInput) -> Result<Problem, StoreError> {
        let (p, _) = self
            .for_action(id, ProblemAction::Supervise, Self::handles, HANDLER_ONLY)
            .await?;
        let today = self.today();
        let mut checks = Checks::default();
        let due = checks
            .take("due_on", parse_date(&input.due_on))
            .and_then(|d| checks.take("due_on", check_deadline(d, today).map(|_| d)));
        let reason = input.reason.trim().to_owned();
        if reason.is_empty() {
            checks.add("reason", "请填写督办事由");
        }
        checks.max_chars("reason", Some(&reason), 500);
        checks.finish()?;
        let due = due.expect("checked");
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE problems SET due_on = $1, supervised_count = supervised_count + 1, \
             extension_due_on = NULL, extension_reason = NULL, updated_at = $2, \
             version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(due.to_string())
        .bind(&now)
        .bind(id)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        let number = self
            .issue_letter(
                &mut tx,
                id,
                &p.handler_region,
                true,
                due,
                Some(&reason),
                today,
            )
            .await?;
        let task = self.task_of(&mut tx, id).await?;
        if let Some(task) = task {
            tasks::set_due(&mut tx, task, due).await?;
        }
        event(
            &mut tx,
            id,
            "supervise",
            Some(&format!("{number}：{reason}")),
            Some(due),
            self.actor.user_id,
        )
        .await?;
        self.notify_assignee(
            &mut tx,
            &p,
            task,
            &format!(
                "{number}督办问题：{}，{due}前答复（{reason}）",
                short(&p.description)
            ),
            &now,
        )
        .await?;
        tasks::notify_leaders(
            &mut tx,
            &p.region_code,
            &format!("问题被督办（{number}）：{}", short(&p.description)),
            &now,
        )
        .await?;
        self.audited(
            tx,
            &p,
            "supervise",
            format!("督办问题（{number}）：{reason}"),
            Some(serde_json::json!({ "due_on": due.to_string(), "reason": reason, "letter": number })),
        )
        .await?;
        self.get(id).await
    }

    /// Each unit's handling record over the problems the actor reaches.
    pub async fn unit_figures(&self) -> Result<Vec<UnitFigures>, StoreError> {
        // Counted per unit in the database (a province holds tens of thousands of problems);
        // overdue as `ProblemState::overdue` says: pending and past its deadline.
        let mut f = Filter::new(UNIT_FIGURES);
        let today = f.bind(Bind::Text(self.today().to_string()));
        f.sql = f.sql.replace("{today}", &today);
        f.and("p.unit_id IS NOT NULL");
        self.reach(&mut f);
        let sql = format!(
            "SELECT g.*, un.name AS unit_name FROM ({} GROUP BY p.unit_id) g \
             JOIN units un ON un.id = g.unit_id ORDER BY g.assigned DESC, un.name",
            f.sql
        );
        let rows: Vec<UnitFigures> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows)
    }

    async fn set_status(
        &self,
        tx: &mut sqlx::AnyConnection,
        p: &ProblemSummary,
        next: ProblemStatus,
    ) -> Result<(), StoreError> {
        let changed = sqlx::query(
            "UPDATE problems SET status = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3 AND version = $4",
        )
        .bind(next.as_str())
        .bind(clock::now())
        .bind(p.id)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        Ok(())
    }

    async fn task_of(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: i64,
    ) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT task_id FROM problems WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
        )
    }

    async fn close_task(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: i64,
        status: &str,
    ) -> Result<Option<i64>, StoreError> {
        let task = self.task_of(tx, id).await?;
        if let Some(task) = task {
            tasks::set_status_by_id(tx, task, status).await?;
        }
        Ok(task)
    }

    /// A message to whoever holds the problem's task (the unit's accounts, or the county bureau).
    async fn notify_assignee(
        &self,
        tx: &mut sqlx::AnyConnection,
        p: &ProblemSummary,
        task: Option<i64>,
        body: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let holder: Option<(String, Option<i64>)> = match task {
            Some(t) => {
                sqlx::query_as("SELECT region_code, unit_id FROM tasks WHERE id = $1")
                    .bind(t)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let (region, unit) = holder.unwrap_or((p.region_code.clone(), None));
        tasks::notify_reporter(tx, &region, unit, task, body, now).await?;
        Ok(())
    }

    /// Numbers and records a letter: the next number of the issuing bureau's kind and year.
    #[allow(clippy::too_many_arguments)]
    async fn issue_letter(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: i64,
        issuer: &str,
        supervise: bool,
        due: Date,
        reason: Option<&str>,
        today: Date,
    ) -> Result<String, StoreError> {
        let kind = if supervise { "supervise" } else { "assign" };
        let year = today.year();
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM problem_letters \
             WHERE issuer_region = $1 AND kind = $2 AND year = $3",
        )
        .bind(issuer)
        .bind(kind)
        .bind(i64::from(year))
        .fetch_one(&mut *tx)
        .await?;
        let name = match RegionCode::parse(issuer) {
            Ok(code) => crate::regions::Regions::new(&self.db)
                .get(&code)
                .await?
                .map(|r| r.name)
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        let number = letter_number(&name, supervise, year, seq);
        sqlx::query(
            "INSERT INTO problem_letters (problem_id, kind, issuer_region, year, seq, number, \
             due_on, reason, issued_by, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(kind)
        .bind(issuer)
        .bind(i64::from(year))
        .bind(seq)
        .bind(&number)
        .bind(due.to_string())
        .bind(reason)
        .bind(self.actor.user_id)
        .bind(clock::now())
        .execute(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Stale,
            e => e.into(),
        })?;
        Ok(number)
    }

    /// Writes a change of problem `p` to the trail on its transaction and commits both.
    async fn audited(
        &self,
        tx: sqlx::Transaction<'_, sqlx::Any>,
        p: &ProblemSummary,
        action: &'static str,
        summary: String,
        after: Option<serde_json::Value>,
    ) -> Result<(), StoreError> {
        let region = crate::regions::stored_code(&p.region_code)?;
        self.commit_audited(
            tx,
            Change {
                entity: "problem",
                entity_id: Some(p.id.to_string()),
                action,
                summary: format!("{summary}（问题：{}）", short(&p.description)),
                region: Some(&region),
                before: Some(serde_json::json!({
                    "status": p.status, "due_on": p.due_on, "unit_id": p.unit_id,
                    "answer": p.answer,
                })),
                after,
            },
        )
        .await
    }

    async fn commit_audited(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        change: Change<'_>,
    ) -> Result<(), StoreError> {
        audit::record(&mut tx, (&self.actor).into(), change).await?;
        tx.commit().await?;
        Ok(())
    }
}

const HANDLER_ONLY: &str = "只有登记该问题的商务主管部门（或其上级）可以办理此操作";
const ANSWERER_ONLY: &str = "只有承办该问题的责任单位（或登记该问题的商务主管部门）可以办理此操作";

fn status_json(next: ProblemStatus) -> Option<serde_json::Value> {
    Some(serde_json::json!({ "status": next.as_str() }))
}

fn required_text(text: &str, missing: &str, max: usize) -> Result<String, StoreError> {
    let text = text.trim().to_owned();
    let mut checks = Checks::default();
    if text.is_empty() {
        checks.add("text", missing);
    }
    checks.max_chars("text", Some(&text), max);
    checks.finish()?;
    Ok(text)
}

struct NewProblem<'a> {
    region: &'a RegionCode,
    handler: &'a RegionCode,
    project_id: Option<i64>,
    common: bool,
    source: (&'static str, Option<i64>, Option<i64>),
    category: ProblemCategory,
    description: &'a str,
    routing: Routing,
}

async fn insert_problem(
    tx: &mut sqlx::AnyConnection,
    p: &NewProblem<'_>,
    user: i64,
) -> Result<i64, StoreError> {
    let now = clock::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO problems (region_code, handler_region, project_id, common, source, \
         source_id, source_seq, category, description, routing, status, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'registered', $11, $12, \
         $12) RETURNING id",
    )
    .bind(p.region.as_str())
    .bind(p.handler.as_str())
    .bind(p.project_id)
    .bind(p.common)
    .bind(p.source.0)
    .bind(p.source.1)
    .bind(p.source.2)
    .bind(p.category.as_str())
    .bind(p.description)
    .bind(p.routing.as_str())
    .bind(user)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?;
    let note = format!("{}；{}", p.category.label(), p.routing.label());
    event(tx, id, "register", Some(&note), None, user).await?;
    Ok(id)
}

async fn event(
    tx: &mut sqlx::AnyConnection,
    problem: i64,
    action: &str,
    note: Option<&str>,
    due_on: Option<Date>,
    user: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO problem_events (problem_id, action, note, due_on, user_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(problem)
    .bind(action)
    .bind(note)
    .bind(due_on.map(|d| d.to_string()))
    .bind(user)
    .bind(clock::now())
    .execute(&mut *tx)
    .await?;
    Ok(())
}
