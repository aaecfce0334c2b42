//! Meetings (调度会 / 联席会议, domain §8): a bureau records a meeting it held — kind, date,
//! chair, attendees, minutes, attachments — and its decisions (议定事项). Each decision is
//! assigned to a unit or a subordinate bureau with a deadline and becomes a task on the
//! deadline engine: in the 我的待办 of the unit's accounts, or of its county bureau when the
//! unit has no account of its own; reminded before, on and after its day; done when the one
//! answering for it reports the result, which the organiser may send back.
//!
//! Who sees what: the organiser's scope sees its meetings in full; an assignee sees the
//! meeting's heading and only the decisions it answers for — never another county's.

use crate::audit::{self, Change};
use crate::funds::evidence::{Attachment, EvidenceFile};
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::kit::objects::ObjectStore;
use crate::kit::text::opt;
use crate::tasks::{self, NewTask};
use luodi_domain::deadlines::{light, Light};
use luodi_domain::meetings::{check_decision_due, check_held_on, MeetingKind};
use luodi_domain::{parse_date, Permission, RegionCode, Role, Scope};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// Meetings and their decisions, as the actor may use them.
    Meetings, meetings
);

/// A meeting's own fields as its audit entries record them (before and after an edit).
#[derive(Serialize)]
struct MeetingFields<'a> {
    kind: &'a str,
    title: &'a str,
    held_on: &'a str,
    place: Option<&'a str>,
    chair: Option<&'a str>,
    attendees: Option<&'a str>,
    minutes: Option<&'a str>,
}

impl MeetingFields<'_> {
    fn json(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }
}

/// A decision's status and result as its audit entries record them (办结, 退回).
fn outcome(status: &str, result: Option<&str>) -> Option<serde_json::Value> {
    Some(serde_json::json!({ "status": status, "result": result }))
}

/// The task kind of a decision; its source is the meeting.
pub const DECISION_TASK: &str = "meeting_decision";
/// Days before its deadline a decision turns yellow.
pub const WARN_DAYS: i64 = 3;
/// Decisions one meeting may hold.
const MAX_DECISIONS: usize = 100;
/// Meetings a list shows (the latest).
const LIST_LIMIT: i64 = 500;

/// A meeting as its organiser records it. When editing, `version` is the one read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MeetingInput {
    pub kind: MeetingKind,
    pub title: String,
    /// YYYY-MM-DD
    pub held_on: String,
    pub place: Option<String>,
    /// 主持人
    pub chair: Option<String>,
    /// 参会单位及人员
    pub attendees: Option<String>,
    /// 会议纪要
    pub minutes: Option<String>,
    /// The decisions, when the meeting is created; added one by one afterwards.
    #[serde(default)]
    pub decisions: Vec<DecisionInput>,
    /// Required when editing: the version that was read.
    pub version: Option<i64>,
}

/// A decision (议定事项): what is to be done, by whom, by when. Exactly one of `unit_id` and
/// `region_code` names who answers for it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DecisionInput {
    pub content: String,
    /// 承办单位 (a unit of the organiser's scope).
    pub unit_id: Option<i64>,
    /// 承办地区: the bureau of a region of the organiser's scope.
    pub region_code: Option<String>,
    /// The project it concerns, if any.
    pub project_id: Option<i64>,
    /// 办理时限, YYYY-MM-DD
    pub due_on: String,
}

/// What the one answering for a decision reports, or why the organiser sends it back.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DecisionReport {
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MeetingSummary {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    #[schema(value_type = MeetingKind)]
    pub kind: String,
    #[sqlx(skip)]
    pub kind_label: String,
    pub title: String,
    pub held_on: String,
    pub chair: Option<String>,
    pub created_by_name: String,
    /// Decisions the user sees, open ones among them, and those overdue.
    #[sqlx(skip)]
    pub decision_count: i64,
    #[sqlx(skip)]
    pub open_count: i64,
    #[sqlx(skip)]
    pub overdue_count: i64,
    /// The user's scope held the meeting (sees it in full; may edit it as its organiser).
    #[sqlx(skip)]
    pub full: bool,
    /// The user's own bureau organised it (may edit, add decisions, send results back).
    #[sqlx(skip)]
    pub organised_by_me: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Meeting {
    #[serde(flatten)]
    pub summary: MeetingSummary,
    /// Shown to the organiser's scope only, like the minutes and attachments.
    pub place: Option<String>,
    pub attendees: Option<String>,
    pub minutes: Option<String>,
    pub version: i64,
    pub decisions: Vec<Decision>,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Decision {
    pub id: i64,
    pub meeting_id: i64,
    /// 1, 2, 3… in the minutes.
    pub seq: i64,
    pub content: String,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub due_on: String,
    /// `open` or `done`.
    pub status: String,
    /// 办理结果, or the reason it was sent back while open.
    pub result: Option<String>,
    pub done_by_name: Option<String>,
    pub done_at: Option<String>,
    #[sqlx(skip)]
    pub status_label: String,
    /// 承办: the unit's name, or the region's bureau.
    #[sqlx(skip)]
    pub assignee_name: String,
    #[sqlx(skip)]
    pub light: Option<Light>,
    #[sqlx(skip)]
    pub days_left: i64,
    /// The user answers for it (may report its result).
    #[sqlx(skip)]
    pub mine: bool,
}

const MEETING_SELECT: &str = "SELECT m.id, m.region_code, rg.name AS region_name, m.kind, \
    m.title, m.held_on, m.chair, u.display_name AS created_by_name \
    FROM meetings m JOIN regions rg ON rg.code = m.region_code \
    JOIN users u ON u.id = m.created_by WHERE 1 = 1";

const DECISION_SELECT: &str = "SELECT d.id, d.meeting_id, d.seq, d.content, d.project_id, \
    p.name AS project_name, d.region_code, rg.name AS region_name, d.unit_id, \
    un.name AS unit_name, d.due_on, d.status, d.result, du.display_name AS done_by_name, \
    d.done_at FROM meeting_decisions d JOIN meetings m ON m.id = d.meeting_id \
    JOIN regions rg ON rg.code = d.region_code LEFT JOIN units un ON un.id = d.unit_id \
    LEFT JOIN projects p ON p.id = d.project_id LEFT JOIN users du ON du.id = d.done_by \
    WHERE 1 = 1";

/// A decision checked and resolved: who answers for it, and whose task it becomes.
struct CheckedDecision {
    content: String,
    region: RegionCode,
    unit_id: Option<i64>,
    assignee_name: String,
    project_id: Option<i64>,
    due_on: time::Date,
}

impl Meetings<'_> {
    /// The organiser's region: a bureau (or an administrator) of a region records meetings.
    fn organiser_root(&self) -> Result<RegionCode, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        match &self.actor.scope {
            Scope::Region(root) => Ok(root.clone()),
            Scope::Nationwide | Scope::Regions(_) => Err(StoreError::forbidden(
                "会议由省、市、县商务主管部门在本级录入",
            )),
        }
    }

    /// `column` (a meeting's region) lies in the actor's scope: the meetings it sees in full.
    /// A unit account holds no meeting.
    fn organiser_clause(&self, f: &mut Filter, column: &str) -> String {
        match (self.actor.role, &self.actor.scope) {
            (Role::Unit, _) => "1 = 0".into(),
            (_, Scope::Nationwide) => "1 = 1".into(),
            (_, Scope::Region(root)) => {
                let (lo, hi) = root.subtree_range();
                let lo = f.bind(Bind::Text(lo));
                let hi = f.bind(Bind::Text(hi));
                format!("({column} >= {lo} AND {column} < {hi})")
            }
            (_, Scope::Regions(roots)) => {
                let mut ranges = vec!["1 = 0".to_owned()];
                for root in roots {
                    let (lo, hi) = root.subtree_range();
                    let lo = f.bind(Bind::Text(lo));
                    let hi = f.bind(Bind::Text(hi));
                    ranges.push(format!("({column} >= {lo} AND {column} < {hi})"));
                }
                format!("({})", ranges.join(" OR "))
            }
        }
    }

    /// Decision `d` is one the actor answers for or oversees as the assignee's superior: a
    /// unit account its unit's, a bureau those assigned within its scope.
    fn assignee_clause(&self, f: &mut Filter) -> String {
        match (self.actor.role, self.actor.unit_id) {
            (Role::Unit, Some(unit)) => format!("d.unit_id = {}", f.bind(Bind::Int(unit))),
            (Role::Unit, None) => "1 = 0".into(),
            _ => self.organiser_clause(f, "d.region_code"),
        }
    }

    /// Whether the actor answers for a decision assigned to `region` / `unit`: the unit's
    /// accounts, and the bureau of its region (which holds the task when the unit has no
    /// account).
    fn answers_for(&self, region: &str, unit: Option<i64>) -> bool {
        match self.actor.role {
            Role::Unit => self.actor.unit_id.is_some() && self.actor.unit_id == unit,
            Role::Bureau | Role::Admin => {
                self.actor.region_code.as_ref().map(RegionCode::as_str) == Some(region)
            }
            _ => false,
        }
    }

    fn organised_by_me(&self, region: &str) -> bool {
        self.actor
            .role
            .can_at(Permission::ManageDispatch, &self.actor.scope)
            && self.actor.scope.root().map(RegionCode::as_str) == Some(region)
    }

    /// The decisions the actor sees, of one meeting or of all.
    async fn visible_decisions(&self, meeting: Option<i64>) -> Result<Vec<Decision>, StoreError> {
        let mut f = Filter::new(DECISION_SELECT);
        if let Some(id) = meeting {
            let p = f.bind(Bind::Int(id));
            f.and(&format!("d.meeting_id = {p}"));
        }
        let organiser = self.organiser_clause(&mut f, "m.region_code");
        let assignee = self.assignee_clause(&mut f);
        f.and(&format!("({organiser} OR {assignee})"));
        let sql = format!("{} ORDER BY d.meeting_id DESC, d.seq", f.sql);
        let rows: Vec<Decision> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let today = clock::today();
        Ok(rows
            .into_iter()
            .map(|mut d| {
                d.status_label = match d.status.as_str() {
                    "done" => "已办结",
                    _ if d.result.is_some() => "退回重办",
                    _ => "办理中",
                }
                .into();
                d.assignee_name = match &d.unit_name {
                    Some(unit) => unit.clone(),
                    None => format!("{}商务主管部门", d.region_name),
                };
                if let Ok(due) = parse_date(&d.due_on) {
                    d.light = Some(light(due, d.status == "done", today, WARN_DAYS));
                    d.days_left = (due - today).whole_days();
                }
                d.mine = self.answers_for(&d.region_code, d.unit_id);
                d
            })
            .collect())
    }

    /// The meetings the actor sees: those its scope held, and those that gave it decisions.
    pub async fn list(&self) -> Result<Vec<MeetingSummary>, StoreError> {
        self.summaries(None).await
    }

    async fn summaries(&self, only: Option<i64>) -> Result<Vec<MeetingSummary>, StoreError> {
        let decisions = self.visible_decisions(only).await?;
        let mut f = Filter::new(MEETING_SELECT);
        if let Some(id) = only {
            let p = f.bind(Bind::Int(id));
            f.and(&format!("m.id = {p}"));
        }
        let organiser = self.organiser_clause(&mut f, "m.region_code");
        let assigned: Vec<i64> = decisions
            .iter()
            .map(|d| d.meeting_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let held = if assigned.is_empty() {
            organiser.clone()
        } else {
            let ids: Vec<String> = assigned.iter().map(|id| f.bind(Bind::Int(*id))).collect();
            format!("({organiser} OR m.id IN ({}))", ids.join(", "))
        };
        f.and(&held);
        let limit = f.bind(Bind::Int(LIST_LIMIT));
        let sql = format!("{} ORDER BY m.held_on DESC, m.id DESC LIMIT {limit}", f.sql);
        let rows: Vec<MeetingSummary> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let mut counts: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
        for d in &decisions {
            let c = counts.entry(d.meeting_id).or_default();
            c.0 += 1;
            if d.status == "open" {
                c.1 += 1;
                if d.days_left < 0 {
                    c.2 += 1;
                }
            }
        }
        Ok(rows
            .into_iter()
            .map(|mut m| {
                (m.decision_count, m.open_count, m.overdue_count) =
                    counts.get(&m.id).copied().unwrap_or_default();
                m.kind_label = MeetingKind::parse(&m.kind)
                    .map(MeetingKind::label)
                    .unwrap_or_default()
                    .into();
                m.full = self.actor.role != Role::Unit
                    && (self.actor.scope.is_nationwide()
                        || RegionCode::parse(&m.region_code)
                            .is_ok_and(|r| self.actor.scope.covers(&r)));
                m.organised_by_me = self.organised_by_me(&m.region_code);
                m
            })
            .collect())
    }

    /// One meeting: in full for the organiser's scope; the heading and the actor's own
    /// decisions for an assignee.
    pub async fn get(&self, id: i64) -> Result<Meeting, StoreError> {
        let summary = self
            .summaries(Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound("该会议"))?;
        let decisions = self.visible_decisions(Some(id)).await?;
        let (place, attendees, minutes, version): (
            Option<String>,
            Option<String>,
            Option<String>,
            i64,
        ) = sqlx::query_as("SELECT place, attendees, minutes, version FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db.pool)
            .await?;
        let attachments = if summary.full {
            self.attachments(id).await?
        } else {
            Vec::new()
        };
        let full = summary.full;
        Ok(Meeting {
            summary,
            place: place.filter(|_| full),
            attendees: attendees.filter(|_| full),
            minutes: minutes.filter(|_| full),
            version,
            decisions,
            attachments,
        })
    }

    /// A meeting the actor's own bureau organised, for a change.
    async fn own_meeting(&self, id: i64) -> Result<(Meeting, RegionCode), StoreError> {
        let root = self.organiser_root()?;
        let meeting = self.get(id).await?;
        if meeting.summary.region_code != root.as_str() {
            return Err(StoreError::forbidden(
                "只有组织会议的本级商务主管部门可以修改会议及其议定事项",
            ));
        }
        Ok((meeting, root))
    }

    /// Checks a meeting's own fields, naming every one at fault.
    fn check_fields(
        &self,
        checks: &mut Checks,
        input: &MeetingInput,
    ) -> (Option<time::Date>, String) {
        let today = clock::today();
        let title = input.title.trim().to_owned();
        if title.is_empty() {
            checks.add("title", "请填写会议名称");
        }
        checks.max_chars("title", Some(&title), 100);
        checks.printable("title", &title);
        let held_on = checks
            .take("held_on", parse_date(&input.held_on))
            .and_then(|d| checks.take("held_on", check_held_on(d, today).map(|_| d)));
        checks.max_chars("place", input.place.as_deref(), 100);
        checks.max_chars("chair", input.chair.as_deref(), 100);
        checks.max_chars("attendees", input.attendees.as_deref(), 2000);
        checks.max_chars("minutes", input.minutes.as_deref(), 20_000);
        (held_on, title)
    }

    /// Checks decisions against the meeting's date and the organiser's scope; errors are named
    /// `decisions[i].field` (i from 0), every one at once.
    async fn check_decisions(
        &self,
        checks: &mut Checks,
        root: &RegionCode,
        held_on: Option<time::Date>,
        inputs: &[DecisionInput],
        first: usize,
    ) -> Result<Vec<CheckedDecision>, StoreError> {
        let today = clock::today();
        let mut out = Vec::new();
        for (i, d) in inputs.iter().enumerate() {
            let at = |field: &str| format!("decisions[{}].{field}", first + i);
            let content = d.content.trim().to_owned();
            if content.is_empty() {
                checks.add(&at("content"), "请填写议定事项");
            }
            checks.max_chars(&at("content"), Some(&content), 2000);
            let due_on = checks.take(&at("due_on"), parse_date(&d.due_on));
            if let (Some(held), Some(due)) = (held_on, due_on) {
                checks.take(&at("due_on"), check_decision_due(held, due, today));
            }
            let assignee = match (d.unit_id, opt(&d.region_code)) {
                (Some(_), Some(_)) | (None, None) => {
                    checks.add(&at("unit_id"), "请选择承办单位或承办地区之一");
                    None
                }
                (Some(unit), None) => {
                    let row: Option<(String, String, Flag)> =
                        sqlx::query_as("SELECT region_code, name, active FROM units WHERE id = $1")
                            .bind(unit)
                            .fetch_optional(&self.db.pool)
                            .await?;
                    match row.and_then(|(code, name, active)| {
                        let code = RegionCode::parse(&code).ok()?;
                        (active.0 && root.contains(&code)).then_some((code, name))
                    }) {
                        Some((code, name)) => Some((code, Some(unit), name)),
                        None => {
                            checks.add(&at("unit_id"), "承办单位不存在、已停用或不在本级范围内");
                            None
                        }
                    }
                }
                (None, Some(code)) => match self.regions().region_in_scope(&code).await {
                    Ok(region) => {
                        let name = crate::regions::Regions::new(&self.db)
                            .get(&region)
                            .await?
                            .map(|r| r.name)
                            .unwrap_or_default();
                        Some((region, None, format!("{name}商务主管部门")))
                    }
                    Err(m) => {
                        checks.add(&at("region_code"), m);
                        None
                    }
                },
            };
            let project_id = match d.project_id {
                None => None,
                Some(pid) => match self.ledger().find_project(pid).await {
                    Ok(p) if RegionCode::parse(&p.region_code).is_ok_and(|r| root.contains(&r)) => {
                        Some(pid)
                    }
                    _ => {
                        checks.add(&at("project_id"), "所选项目不存在或不在本级范围内");
                        None
                    }
                },
            };
            if let (Some((region, unit_id, assignee_name)), Some(due_on)) = (assignee, due_on) {
                out.push(CheckedDecision {
                    content,
                    region,
                    unit_id,
                    assignee_name,
                    project_id,
                    due_on,
                });
            }
        }
        Ok(out)
    }

    /// Records a meeting and its decisions; each decision becomes a task of the one answering
    /// for it, who is told at once.
    pub async fn create(&self, input: MeetingInput) -> Result<Meeting, StoreError> {
        let root = self.organiser_root()?;
        let mut checks = Checks::default();
        let (held_on, title) = self.check_fields(&mut checks, &input);
        if input.decisions.len() > MAX_DECISIONS {
            checks.add(
                "decisions",
                format!("一次会议最多{MAX_DECISIONS}项议定事项"),
            );
        }
        let decisions = self
            .check_decisions(&mut checks, &root, held_on, &input.decisions, 0)
            .await?;
        checks.finish()?;
        let held_on = held_on.expect("checked");
        let kind = input.kind;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (region_code, kind, title, held_on, place, chair, attendees, \
             minutes, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(root.as_str())
        .bind(kind.as_str())
        .bind(&title)
        .bind(held_on.to_string())
        .bind(opt(&input.place))
        .bind(opt(&input.chair))
        .bind(opt(&input.attendees))
        .bind(opt(&input.minutes))
        .bind(self.actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let unit_accounts = tasks::units_with_accounts(&self.db.pool).await?;
        for (i, d) in decisions.iter().enumerate() {
            insert_decision(&mut tx, id, i as i64 + 1, &title, d, &unit_accounts, &now).await?;
        }
        self.commit_audited(
            tx,
            Change {
                entity: "meeting",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!(
                    "录入{}“{title}”（{held_on}），议定事项{}项",
                    kind.label(),
                    decisions.len()
                ),
                region: Some(&root),
                before: None,
                after: Some(serde_json::json!({
                    "kind": kind.as_str(), "title": title, "held_on": held_on.to_string(),
                    "decisions": decisions.iter().map(|d| serde_json::json!({
                        "content": d.content, "assignee": d.assignee_name,
                        "due_on": d.due_on.to_string(),
                    })).collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
        self.get(id).await
    }

    /// Edits a meeting's own fields (not its decisions), on the version read.
    pub async fn update(&self, id: i64, input: MeetingInput) -> Result<Meeting, StoreError> {
        let (before, root) = self.own_meeting(id).await?;
        let mut checks = Checks::default();
        let (held_on, title) = self.check_fields(&mut checks, &input);
        let version = checks.take(
            "version",
            input.version.ok_or("修改会议时须提交读取时的版本号"),
        );
        if !input.decisions.is_empty() {
            checks.add("decisions", "议定事项请逐项添加，不随会议信息修改");
        }
        if let Some(held) = held_on {
            if before
                .decisions
                .iter()
                .any(|d| parse_date(&d.due_on).is_ok_and(|due| due < held))
            {
                checks.add("held_on", "已有议定事项的办理时限早于该会议日期");
            }
        }
        checks.finish()?;
        let (held_on, version) = (held_on.expect("checked"), version.expect("checked"));
        let mut tx = self.db.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE meetings SET kind = $1, title = $2, held_on = $3, place = $4, chair = $5, \
             attendees = $6, minutes = $7, updated_at = $8, version = version + 1 \
             WHERE id = $9 AND version = $10",
        )
        .bind(input.kind.as_str())
        .bind(&title)
        .bind(held_on.to_string())
        .bind(opt(&input.place))
        .bind(opt(&input.chair))
        .bind(opt(&input.attendees))
        .bind(opt(&input.minutes))
        .bind(clock::now())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        let after = MeetingFields {
            kind: input.kind.as_str(),
            title: &title,
            held_on: &held_on.to_string(),
            place: opt(&input.place).as_deref(),
            chair: opt(&input.chair).as_deref(),
            attendees: opt(&input.attendees).as_deref(),
            minutes: opt(&input.minutes).as_deref(),
        }
        .json();
        let before = MeetingFields {
            kind: &before.summary.kind,
            title: &before.summary.title,
            held_on: &before.summary.held_on,
            place: before.place.as_deref(),
            chair: before.summary.chair.as_deref(),
            attendees: before.attendees.as_deref(),
            minutes: before.minutes.as_deref(),
        }
        .json();
        self.commit_audited(
            tx,
            Change {
                entity: "meeting",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: format!("修改会议“{title}”"),
                region: Some(&root),
                before,
                after,
            },
        )
        .await?;
        self.get(id).await
    }

    /// Adds a decision to a meeting the actor's bureau held.
    pub async fn add_decision(&self, id: i64, input: DecisionInput) -> Result<Meeting, StoreError> {
        let (meeting, root) = self.own_meeting(id).await?;
        if meeting.decisions.len() >= MAX_DECISIONS {
            return Err(StoreError::field(
                "decisions",
                format!("一次会议最多{MAX_DECISIONS}项议定事项"),
            ));
        }
        let held_on = parse_date(&meeting.summary.held_on).ok();
        let mut checks = Checks::default();
        let mut checked = self
            .check_decisions(&mut checks, &root, held_on, std::slice::from_ref(&input), 0)
            .await?;
        checks.finish()?;
        let d = checked.pop().expect("checked");
        let unit_accounts = tasks::units_with_accounts(&self.db.pool).await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM meeting_decisions WHERE meeting_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let decision = insert_decision(
            &mut tx,
            id,
            seq,
            &meeting.summary.title,
            &d,
            &unit_accounts,
            &now,
        )
        .await?;
        self.commit_audited(
            tx,
            Change {
                entity: "meeting_decision",
                entity_id: Some(decision.to_string()),
                action: "create",
                summary: format!(
                    "为会议“{}”增加议定事项：{}（{}，{}前）",
                    meeting.summary.title, d.content, d.assignee_name, d.due_on
                ),
                region: Some(&root),
                before: None,
                after: Some(serde_json::json!({
                    "meeting_id": id, "seq": seq, "content": d.content,
                    "assignee": d.assignee_name, "due_on": d.due_on.to_string(),
                })),
            },
        )
        .await?;
        self.get(id).await
    }

    /// One decision the actor sees, with its task.
    async fn decision(&self, id: i64) -> Result<(Decision, Option<i64>, String), StoreError> {
        let (meeting_id, task, meeting_region): (i64, Option<i64>, String) = sqlx::query_as(
            "SELECT d.meeting_id, d.task_id, m.region_code FROM meeting_decisions d \
             JOIN meetings m ON m.id = d.meeting_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or(StoreError::NotFound("该议定事项"))?;
        let d = self
            .visible_decisions(Some(meeting_id))
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(StoreError::NotFound("该议定事项"))?;
        Ok((d, task, meeting_region))
    }

    /// The one answering for a decision reports its result (办结); the organiser is told.
    pub async fn complete(&self, id: i64, report: DecisionReport) -> Result<Decision, StoreError> {
        self.actor.require(Permission::ReportProgress)?;
        let (d, task, meeting_region) = self.decision(id).await?;
        if !d.mine {
            return Err(StoreError::forbidden(format!(
                "该事项由{}承办，只有承办方可以报送办理结果",
                d.assignee_name
            )));
        }
        if d.status == "done" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "该事项已办结".into(),
            });
        }
        let text = report.text.trim().to_owned();
        let mut checks = Checks::default();
        if text.is_empty() {
            checks.add("text", "请填写办理结果");
        }
        checks.max_chars("text", Some(&text), 2000);
        checks.finish()?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE meeting_decisions SET status = 'done', result = $1, done_by = $2, \
             done_at = $3 WHERE id = $4 AND status = 'open'",
        )
        .bind(&text)
        .bind(self.actor.user_id)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if let Some(task) = task {
            tasks::set_status_by_id(&mut tx, task, "done").await?;
        }
        tasks::notify_reporter(
            &mut tx,
            &meeting_region,
            None,
            None,
            &format!("{}已办结议定事项：{}", d.assignee_name, short(&d.content)),
            &now,
        )
        .await?;
        let region = crate::regions::stored_code(&d.region_code)?;
        self.commit_audited(
            tx,
            Change {
                entity: "meeting_decision",
                entity_id: Some(id.to_string()),
                action: "complete",
                summary: format!("报送议定事项办理结果：{}", short(&d.content)),
                region: Some(&region),
                before: outcome(&d.status, d.result.as_deref()),
                after: outcome("done", Some(&text)),
            },
        )
        .await?;
        self.decided(id).await
    }

    /// The organiser sends a reported result back (退回重办) with a reason: the task is open
    /// again, on its deadline.
    pub async fn send_back(&self, id: i64, report: DecisionReport) -> Result<Decision, StoreError> {
        let (d, task, _) = self.decision(id).await?;
        let (_, root) = self.own_meeting(d.meeting_id).await?;
        if d.status != "done" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "该事项尚未办结，无需退回".into(),
            });
        }
        let reason = report.text.trim().to_owned();
        let mut checks = Checks::default();
        if reason.is_empty() {
            checks.add("text", "请填写退回原因");
        }
        checks.max_chars("text", Some(&reason), 500);
        checks.finish()?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let note = format!("退回：{reason}");
        sqlx::query(
            "UPDATE meeting_decisions SET status = 'open', result = $1, done_by = NULL, \
             done_at = NULL WHERE id = $2 AND status = 'done'",
        )
        .bind(&note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(task) = task {
            tasks::set_status_by_id(&mut tx, task, "open").await?;
        }
        let (region, unit): (String, Option<i64>) = match task {
            Some(t) => {
                sqlx::query_as("SELECT region_code, unit_id FROM tasks WHERE id = $1")
                    .bind(t)
                    .fetch_one(&mut *tx)
                    .await?
            }
            None => (d.region_code.clone(), d.unit_id),
        };
        tasks::notify_reporter(
            &mut tx,
            &region,
            unit,
            task,
            &format!("议定事项被退回重办：{}（{note}）", short(&d.content)),
            &now,
        )
        .await?;
        self.commit_audited(
            tx,
            Change {
                entity: "meeting_decision",
                entity_id: Some(id.to_string()),
                action: "return",
                summary: format!("退回议定事项：{}（{reason}）", short(&d.content)),
                region: Some(&root),
                before: outcome("done", d.result.as_deref()),
                after: outcome("open", Some(&note)),
            },
        )
        .await?;
        self.decided(id).await
    }

    /// Writes a change's audit entry on its transaction and commits both.
    async fn commit_audited(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        change: Change<'_>,
    ) -> Result<(), StoreError> {
        audit::record(&mut tx, (&self.actor).into(), change).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn decided(&self, id: i64) -> Result<Decision, StoreError> {
        Ok(self.decision(id).await?.0)
    }

    /// Attaches a file (the signed minutes, a presentation) to a meeting the actor's bureau
    /// held: PDF, OFD, images and office files, as evidence is.
    pub async fn attach(
        &self,
        files: &dyn ObjectStore,
        id: i64,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<Attachment, StoreError> {
        let (meeting, root) = self.own_meeting(id).await?;
        let file =
            EvidenceFile::check(file_name, &bytes).map_err(|m| StoreError::field("file", m))?;
        file.store(files, bytes).await?;
        let mut tx = self.db.pool.begin().await?;
        let attachment = file
            .insert_for(&mut tx, "meeting", id, root.as_str(), self.actor.user_id)
            .await?;
        self.commit_audited(
            tx,
            Change {
                entity: "meeting",
                entity_id: Some(id.to_string()),
                action: "attach",
                summary: format!(
                    "为会议“{}”上传附件 {}",
                    meeting.summary.title, file.file_name
                ),
                region: Some(&root),
                before: None,
                after: Some(file.audit_json()),
            },
        )
        .await?;
        self.attachments(id)
            .await?
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(StoreError::NotFound("该附件"))
    }

    async fn attachments(&self, id: i64) -> Result<Vec<Attachment>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.file_name, a.content_type, a.size, a.sha256, \
             u.display_name AS uploaded_by_name, a.uploaded_at, a.storage_key \
             FROM attachments a JOIN users u ON u.id = a.uploaded_by \
             WHERE a.owner_kind = 'meeting' AND a.owner_id = $1 ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?)
    }

    /// An attachment's contents, for the organiser's scope only.
    pub async fn attachment_bytes(
        &self,
        files: &dyn ObjectStore,
        id: i64,
        attachment: i64,
    ) -> Result<(Attachment, Vec<u8>), StoreError> {
        let meeting = self.get(id).await?;
        let a = meeting
            .attachments
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(StoreError::NotFound("该附件"))?;
        let bytes = files.get(&a.storage_key).await.map_err(|e| {
            StoreError::Internal(format!("reading attachment {}: {e}", a.storage_key))
        })?;
        Ok((a, bytes))
    }
}

/// The first 30 characters of a text, for messages.
fn short(text: &str) -> String {
    let mut s: String = text.chars().take(30).collect();
    if text.chars().count() > 30 {
        s.push('…');
    }
    s
}

/// Inserts a decision, its task (the unit's when it has an account, else its region's
/// bureau's) and the message telling them.
async fn insert_decision(
    tx: &mut sqlx::AnyConnection,
    meeting_id: i64,
    seq: i64,
    meeting_title: &str,
    d: &CheckedDecision,
    unit_accounts: &HashSet<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    let task_unit = d.unit_id.filter(|u| unit_accounts.contains(u));
    let task = tasks::insert(
        tx,
        NewTask {
            kind: DECISION_TASK,
            source_id: meeting_id,
            region_code: d.region.as_str(),
            unit_id: task_unit,
            title: &format!("{meeting_title}交办：{}", short(&d.content)),
            due_on: d.due_on,
        },
    )
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meeting_decisions (meeting_id, seq, content, project_id, region_code, \
         unit_id, due_on, status, task_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) RETURNING id",
    )
    .bind(meeting_id)
    .bind(seq)
    .bind(&d.content)
    .bind(d.project_id)
    .bind(d.region.as_str())
    .bind(d.unit_id)
    .bind(d.due_on.to_string())
    .bind(task)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let on_behalf = match (d.unit_id, task_unit) {
        (Some(_), None) => format!("（由贵单位督促{}办理）", d.assignee_name),
        _ => String::new(),
    };
    tasks::notify_reporter(
        tx,
        d.region.as_str(),
        task_unit,
        Some(task),
        &format!(
            "{meeting_title}交办：{}，{}前办结{on_behalf}",
            short(&d.content),
            d.due_on
        ),
        now,
    )
    .await?;
    Ok(id)
}
