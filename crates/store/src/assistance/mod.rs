//! The assistance list (帮办清单, domain §9 [003]): per project, the procedures a bureau helps
//! the investor through, each with a responsible unit, person and time limit. Every item is a
//! task on the deadline engine: in the 我的待办 of the unit's accounts, or of the unit's county
//! bureau when the unit has no account of its own; reminded before, on and after its day;
//! done when the one answering for it reports the result.
//!
//! Who sees what: an item carries its project's county (moved with the project), which region
//! scope reads, and is read through the project's own reach rule (`Filter::projects`). A unit
//! account reads only the items given to its unit.

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::kit::text::opt;
use crate::tasks::{self, NewTask};
use luodi_domain::assistance::{check_due, overdue, AssistanceStep};
use luodi_domain::deadlines::{light, Light};
use luodi_domain::{parse_date, Permission, RegionCode, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

crate::scoped::area_handle!(
    /// The assistance lists (帮办清单) the actor may read and keep.
    Assistance, assistance
);

/// The task kind of an assistance item; its source is the item.
pub const ITEM_TASK: &str = "assistance_item";
/// Days before its time limit an item turns yellow.
const WARN_DAYS: i64 = 3;

/// An item as the bureau lists it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssistanceInput {
    pub step: AssistanceStep,
    /// What is to be done (e.g. 协助办理用地预审与选址意见书).
    pub content: String,
    /// 责任单位 (a unit of the project's county or above it, within the user's scope).
    pub unit_id: i64,
    /// 责任人
    pub person: String,
    /// 办理时限, YYYY-MM-DD
    pub due_on: String,
}

/// What the one answering for an item reports when it is done.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssistanceReport {
    pub result: String,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
pub struct AssistanceFilter {
    /// Only this project's items.
    pub project_id: Option<i64>,
    /// true: only open items past their time limit (逾期).
    pub overdue: Option<bool>,
    /// `open` or `done`.
    #[param(pattern = r"^(|open|done)$")]
    pub status: Option<String>,
    /// Only this region's items (within the reader's scope).
    pub region: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AssistanceItem {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub region_code: String,
    pub region_name: String,
    #[schema(value_type = AssistanceStep)]
    pub step: String,
    #[sqlx(skip)]
    pub step_label: String,
    pub content: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub person: String,
    pub due_on: String,
    /// `open` or `done`.
    pub status: String,
    pub result: Option<String>,
    pub done_at: Option<String>,
    #[serde(skip)]
    pub task_region: Option<String>,
    #[serde(skip)]
    pub task_unit: Option<i64>,
    #[sqlx(skip)]
    pub light: Option<Light>,
    #[sqlx(skip)]
    pub light_label: String,
    /// Days until the time limit (negative: overdue by that many).
    #[sqlx(skip)]
    pub days_left: i64,
    #[sqlx(skip)]
    pub overdue: bool,
    /// The user answers for it (its unit, or the bureau standing in for a unit without an
    /// account): may report it done.
    #[sqlx(skip)]
    pub mine: bool,
}

const ITEM_SELECT: &str = "SELECT i.id, i.project_id, p.name AS project_name, i.region_code, \
    r.name AS region_name, i.step, i.content, i.unit_id, u.name AS unit_name, i.person, \
    i.due_on, i.status, i.result, i.done_at, t.region_code AS task_region, \
    t.unit_id AS task_unit FROM assistance_items i JOIN projects p ON p.id = i.project_id \
    JOIN regions r ON r.code = i.region_code JOIN units u ON u.id = i.unit_id \
    LEFT JOIN tasks t ON t.id = i.task_id WHERE 1 = 1";

/// A page of the list is counted and its keys picked over the items and their projects only
/// (the reach rule names `p`), and only the page's rows are joined to the tables that name
/// things (`Filter::fetch_page_by_keys`). `overdue_count` counts with the same statement, so
/// the dashboard's figure and the overdue list's total agree.
const PAGE_COUNT: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM assistance_items i \
    JOIN projects p ON p.id = i.project_id WHERE 1 = 1";
const PAGE_KEYS: &str = "SELECT i.id FROM assistance_items i \
    JOIN projects p ON p.id = i.project_id WHERE 1 = 1";
const PAGE_ROWS: &str = "SELECT i.id, i.project_id, p.name AS project_name, i.region_code, \
    r.name AS region_name, i.step, i.content, i.unit_id, u.name AS unit_name, i.person, \
    i.due_on, i.status, i.result, i.done_at, t.region_code AS task_region, \
    t.unit_id AS task_unit FROM ({keys}) k JOIN assistance_items i ON i.id = k.id \
    JOIN projects p ON p.id = i.project_id JOIN regions r ON r.code = i.region_code \
    JOIN units u ON u.id = i.unit_id LEFT JOIN tasks t ON t.id = i.task_id";
/// Soonest time limit first.
const ORDER: &str = "i.due_on, i.id";

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(30).collect();
    if text.chars().count() > 30 {
        s.push('…');
    }
    s
}

impl Assistance<'_> {
    /// Today by the store's clock, which tests move forward.
    fn today(&self) -> time::Date {
        crate::auth::two_factor::clock(&self.db).today()
    }

    fn finish(&self, mut item: AssistanceItem) -> AssistanceItem {
        let today = self.today();
        item.step_label = AssistanceStep::parse(&item.step)
            .map(AssistanceStep::label)
            .unwrap_or("")
            .to_owned();
        if let Ok(due) = parse_date(&item.due_on) {
            let done = item.status == "done";
            let l = light(due, done, today, WARN_DAYS);
            item.light = Some(l);
            item.light_label = l.label().to_owned();
            item.days_left = (due - today).whole_days();
            item.overdue = overdue(due, done, today);
        }
        item.mine = match (self.actor.role, self.actor.unit_id, &self.actor.region_code) {
            (Role::Unit, Some(unit), _) => item.task_unit == Some(unit),
            (Role::Bureau, _, Some(region)) => {
                item.task_unit.is_none() && item.task_region.as_deref() == Some(region.as_str())
            }
            _ => false,
        };
        item
    }

    /// Items the actor reads: region scope through the project's reach rule, and for a unit
    /// account only its unit's items.
    fn readable(&self, f: &mut Filter, region: Option<&RegionCode>) {
        match (self.actor.role, self.actor.unit_id) {
            (Role::Unit, Some(unit)) => {
                f.scope_within("i.region_code", &self.actor.scope, region);
                let u = f.bind(Bind::Int(unit));
                f.and(&format!("i.unit_id = {u}"));
            }
            (Role::Unit, None) => f.and("1 = 0"),
            _ => f.projects(&self.actor, "p", "i.region_code", region),
        }
    }

    /// One page of the items the actor reads, soonest time limit first: all of them, a
    /// project's, or the overdue ones (逾期清单), with the total over all pages.
    pub async fn list(
        &self,
        filter: &AssistanceFilter,
        page: PageRequest,
    ) -> Result<Page<AssistanceItem>, StoreError> {
        let f = self.filtered(filter, PAGE_KEYS)?;
        let page: Page<AssistanceItem> = f
            .fetch_page_by_keys(&self.db.pool, PAGE_COUNT, PAGE_KEYS, PAGE_ROWS, ORDER, page)
            .await?;
        Ok(Page {
            items: page.items.into_iter().map(|i| self.finish(i)).collect(),
            total: page.total,
        })
    }

    /// Every item matching `filter` (for export), at most `limit`, soonest time limit first.
    pub async fn list_all(
        &self,
        filter: &AssistanceFilter,
        limit: i64,
    ) -> Result<Vec<AssistanceItem>, StoreError> {
        let mut f = self.filtered(filter, ITEM_SELECT)?;
        let limit = f.bind(Bind::Int(limit));
        let sql = format!("{} ORDER BY {ORDER} LIMIT {limit}", f.sql);
        let rows: Vec<AssistanceItem> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows.into_iter().map(|i| self.finish(i)).collect())
    }

    /// `base` (ending in `WHERE 1 = 1`, naming `assistance_items i` and `projects p`)
    /// restricted to the actor's reach and the filter.
    fn filtered(&self, filter: &AssistanceFilter, base: &str) -> Result<Filter, StoreError> {
        let region = match opt(&filter.region) {
            Some(code) => Some(
                RegionCode::parse(&code).map_err(|e| StoreError::field("region", e.to_string()))?,
            ),
            None => None,
        };
        let mut f = Filter::new(base);
        self.readable(&mut f, region.as_ref());
        if let Some(project) = filter.project_id {
            let p = f.bind(Bind::Int(project));
            f.and(&format!("i.project_id = {p}"));
        }
        match filter.status.as_deref().map(str::trim) {
            None | Some("") => {}
            Some(s @ ("open" | "done")) => {
                let p = f.bind(Bind::Text(s.to_owned()));
                f.and(&format!("i.status = {p}"));
            }
            Some(_) => return Err(StoreError::field("status", "状态应为 open 或 done")),
        }
        if filter.overdue == Some(true) {
            let today = f.bind(Bind::Text(self.today().to_string()));
            f.and(&format!("i.status = 'open' AND i.due_on < {today}"));
        }
        Ok(f)
    }

    /// How many open items the actor reads (within `region` when asked) are past their time
    /// limit: the overdue list's total, as the leaders' dashboard counts it.
    pub async fn overdue_count(&self, region: Option<&RegionCode>) -> Result<i64, StoreError> {
        let mut f = Filter::new(PAGE_COUNT);
        self.readable(&mut f, region);
        let today = f.bind(Bind::Text(self.today().to_string()));
        f.and(&format!("i.status = 'open' AND i.due_on < {today}"));
        let (n,): (i64,) = f.query_as(&f.sql).fetch_one(&self.db.pool).await?;
        Ok(n)
    }

    /// A project's list, for its page: the project must be one the actor reads. Unpaged: a
    /// project's items are the procedures a bureau lists for it by hand, a few dozen at most.
    pub async fn of_project(&self, project_id: i64) -> Result<Vec<AssistanceItem>, StoreError> {
        self.ledger().find_project(project_id).await?;
        let f = self.filtered(
            &AssistanceFilter {
                project_id: Some(project_id),
                ..AssistanceFilter::default()
            },
            ITEM_SELECT,
        )?;
        let sql = format!("{} ORDER BY {ORDER}", f.sql);
        let rows: Vec<AssistanceItem> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows.into_iter().map(|i| self.finish(i)).collect())
    }

    async fn item(&self, id: i64) -> Result<AssistanceItem, StoreError> {
        let mut f = Filter::new(ITEM_SELECT);
        self.readable(&mut f, None);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("i.id = {p}"));
        let item: Option<AssistanceItem> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        Ok(self.finish(item.ok_or(StoreError::NotFound("该帮办事项"))?))
    }

    /// Lists an item on a project the bureau reads; it becomes a task of the unit (or of the
    /// unit's county bureau when the unit has no account), who is told at once.
    pub async fn add(
        &self,
        project_id: i64,
        input: AssistanceInput,
    ) -> Result<AssistanceItem, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let project = self.ledger().find_project(project_id).await?;
        let county = crate::regions::stored_code(&project.region_code)?;
        let content = input.content.trim().to_owned();
        let person = input.person.trim().to_owned();
        let mut checks = Checks::default();
        if content.is_empty() {
            checks.add("content", "请填写帮办事项内容");
        }
        checks.max_chars("content", Some(&content), 500);
        if person.is_empty() {
            checks.add("person", "请填写责任人");
        }
        checks.max_chars("person", Some(&person), 50);
        checks.printable("person", &person);
        let today = self.today();
        if let Some(due) = checks.take("due_on", parse_date(&input.due_on)) {
            if let Some(m) = check_due(due, today) {
                checks.add("due_on", m);
            }
        }
        // The responsible unit: active, within the user's scope, and of the project's county
        // or a region above it (a city's 自然资源和规划局 handles a county project's land).
        let unit: Option<(String, String, Flag)> =
            sqlx::query_as("SELECT region_code, name, active FROM units WHERE id = $1")
                .bind(input.unit_id)
                .fetch_optional(&self.db.pool)
                .await?;
        let unit = unit.and_then(|(code, name, active)| {
            let code = RegionCode::parse(&code).ok()?;
            (active.0 && self.actor.scope.covers(&code) && code.contains(&county))
                .then_some((code, name))
        });
        if unit.is_none() {
            checks.add(
                "unit_id",
                "责任单位不存在、已停用或不在本级范围内（须为项目所在地或其上级的单位）",
            );
        }
        checks.finish()?;
        let (unit_region, unit_name) = unit.expect("checked");
        let due_on = parse_date(&input.due_on).expect("checked");
        let now = clock::now();
        let unit_accounts = tasks::units_with_accounts(&self.db.pool).await?;
        let task_unit = unit_accounts
            .contains(&input.unit_id)
            .then_some(input.unit_id);
        // A unit without an account is answered for by the bureau of the project's county.
        let task_region = if task_unit.is_some() {
            unit_region.clone()
        } else {
            county.clone()
        };
        let title = format!(
            "帮办：{}（{}）{}",
            project.name,
            input.step.label(),
            short(&content)
        );
        let mut tx = self.db.pool.begin().await?;
        let task = tasks::insert(
            &mut tx,
            NewTask {
                kind: ITEM_TASK,
                source_id: 0,
                region_code: task_region.as_str(),
                unit_id: task_unit,
                title: &title,
                due_on,
            },
        )
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assistance_items (project_id, region_code, step, content, unit_id, \
             person, due_on, status, task_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10) RETURNING id",
        )
        .bind(project_id)
        .bind(county.as_str())
        .bind(input.step.as_str())
        .bind(&content)
        .bind(input.unit_id)
        .bind(&person)
        .bind(due_on.to_string())
        .bind(task)
        .bind(self.actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE tasks SET source_id = $1 WHERE id = $2")
            .bind(id)
            .bind(task)
            .execute(&mut *tx)
            .await?;
        let on_behalf = if task_unit.is_none() {
            format!("（{unit_name}暂无账号，由贵局督促办理）")
        } else {
            String::new()
        };
        tasks::notify_reporter(
            &mut tx,
            task_region.as_str(),
            task_unit,
            Some(task),
            &format!("{title}，{due_on}前办结{on_behalf}"),
            &now,
        )
        .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "assistance_item",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!(
                    "列入帮办清单：{}（{}），责任单位{unit_name}，{due_on}前办结",
                    project.name,
                    input.step.label()
                ),
                region: Some(&county),
                before: None,
                after: Some(serde_json::json!({
                    "project_id": project_id, "step": input.step.as_str(), "content": content,
                    "unit_id": input.unit_id, "person": person, "due_on": due_on.to_string(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.item(id).await
    }

    /// The one answering for an item reports it done (办结): its task is closed.
    pub async fn complete(
        &self,
        id: i64,
        report: AssistanceReport,
    ) -> Result<AssistanceItem, StoreError> {
        self.actor.require(Permission::ReportProgress)?;
        let item = self.item(id).await?;
        if !item.mine {
            return Err(StoreError::forbidden(format!(
                "该事项由{}负责，只有责任单位（或代其办理的县级商务主管部门）可以报送办结",
                item.unit_name
            )));
        }
        if item.status == "done" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "该事项已办结".into(),
            });
        }
        let result = report.result.trim().to_owned();
        let mut checks = Checks::default();
        if result.is_empty() {
            checks.add("result", "请填写办理结果");
        }
        checks.max_chars("result", Some(&result), 2000);
        checks.finish()?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE assistance_items SET status = 'done', result = $1, done_by = $2, \
             done_at = $3 WHERE id = $4 AND status = 'open'",
        )
        .bind(&result)
        .bind(self.actor.user_id)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        let task: Option<i64> =
            sqlx::query_scalar("SELECT task_id FROM assistance_items WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if let Some(task) = task {
            tasks::set_status_by_id(&mut tx, task, "done").await?;
        }
        let region = crate::regions::stored_code(&item.region_code)?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "assistance_item",
                entity_id: Some(id.to_string()),
                action: "complete",
                summary: format!("帮办事项办结：{}（{}）", item.project_name, item.step_label),
                region: Some(&region),
                before: Some(serde_json::json!({ "status": item.status })),
                after: Some(serde_json::json!({ "status": "done", "result": result })),
            },
        )
        .await?;
        tx.commit().await?;
        self.item(id).await
    }
}
