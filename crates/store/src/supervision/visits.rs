//! Visits (督导调研, domain §9): a member records a visit of its group — date, places within
//! the group's regions, projects seen, method, findings, attachments. Its problem list is due
//! a number of days after the visit (a rule setting, 10 by default): a task on the deadline
//! engine addressed to the group's leader, closed when a member submits the list; an overdue
//! list is flagged in the visit lists and the compliance view. The problems themselves are
//! registered in the problems area (`source = 'visit'`), handled by the bureau that formed the
//! group.

use super::{problem_list_days, region_names, GroupRegion, Supervision};
use crate::audit::{self, Change};
use crate::funds::evidence::{Attachment, EvidenceFile};
use crate::kit::clock;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::kit::objects::ObjectStore;
use crate::problems::{Problem, ProblemFilter, ProblemRegistration, ProblemSummary};
use crate::tasks::{self, NewTask};
use luodi_domain::deadlines::{light, Light};
use luodi_domain::supervision::{
    check_visit_date, problem_list_due, ProblemListStatus, VisitMethod,
};
use luodi_domain::{parse_date, Permission, RegionCode};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// The task kind of a visit's problem list; its source is the visit.
pub const PROBLEM_LIST_TASK: &str = "visit_problem_list";
/// Days before its day a problem list turns yellow.
pub const WARN_DAYS: i64 = 3;
const MAX_PLACES: usize = 50;
const MAX_PROJECTS: usize = 200;

/// A visit as a member records it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VisitInput {
    pub group_id: i64,
    /// 督导日期, YYYY-MM-DD
    pub visited_on: String,
    pub method: VisitMethod,
    /// 督导地点: region codes within the group's regions.
    #[serde(default)]
    pub place_codes: Vec<String>,
    /// 查看的项目
    #[serde(default)]
    pub project_ids: Vec<i64>,
    /// 督导发现
    pub findings: String,
}

/// What a visit list may be narrowed to.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitFilter {
    pub group_id: Option<i64>,
    /// Only those whose problem list is overdue (not submitted, past its day).
    pub overdue: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct VisitProject {
    pub id: i64,
    pub name: String,
    pub region_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct VisitSummary {
    pub id: i64,
    pub group_id: i64,
    pub group_name: String,
    pub leader_id: i64,
    pub visited_on: String,
    #[schema(value_type = VisitMethod)]
    pub method: String,
    pub findings: String,
    pub problem_list_due: String,
    pub problem_list_at: Option<String>,
    /// The day it was submitted (Beijing time).
    pub problem_list_on: Option<String>,
    pub problem_count: i64,
    pub created_by_name: String,
    pub created_at: String,
    #[sqlx(skip)]
    pub method_label: String,
    #[sqlx(skip)]
    pub places: Vec<GroupRegion>,
    #[sqlx(skip)]
    pub problem_list_status: Option<ProblemListStatus>,
    #[sqlx(skip)]
    pub problem_list_status_label: String,
    /// The problem list's deadline light while it is not submitted.
    #[sqlx(skip)]
    pub light: Option<Light>,
    /// Whether the user is a member of the group (records its problems, submits the list).
    #[sqlx(skip)]
    pub is_member: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Visit {
    #[serde(flatten)]
    pub summary: VisitSummary,
    pub projects: Vec<VisitProject>,
    pub problems: Vec<ProblemSummary>,
    pub attachments: Vec<Attachment>,
}

const VISIT_SELECT: &str = "SELECT v.id, v.group_id, g.name AS group_name, g.leader_id, \
    v.visited_on, v.method, v.findings, v.problem_list_due, v.problem_list_at, v.problem_list_on, \
    (SELECT COUNT(*) FROM problems p WHERE p.source = 'visit' AND p.source_id = v.id) \
    AS problem_count, u.display_name AS created_by_name, v.created_at \
    FROM visits v JOIN supervision_groups g ON g.id = v.group_id \
    JOIN users u ON u.id = v.created_by WHERE 1 = 1";

impl Supervision<'_> {
    /// The visits the actor sees (a member its groups', a bureau those of the groups formed in
    /// its scope), latest first.
    pub async fn visits(&self, filter: &VisitFilter) -> Result<Vec<VisitSummary>, StoreError> {
        let today = self.today();
        let mut f = Filter::new(VISIT_SELECT);
        self.group_reach(&mut f, "v.group_id", "v.region_code");
        if let Some(group) = filter.group_id {
            let p = f.bind(Bind::Int(group));
            f.and(&format!("v.group_id = {p}"));
        }
        if filter.overdue == Some(true) {
            let p = f.bind(Bind::Text(today.to_string()));
            f.and(&format!(
                "v.problem_list_at IS NULL AND v.problem_list_due < {p}"
            ));
        }
        let sql = format!("{} ORDER BY v.visited_on DESC, v.id DESC LIMIT 500", f.sql);
        let rows: Vec<VisitSummary> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        self.finish_visits(rows).await
    }

    async fn visit_summary(&self, id: i64) -> Result<VisitSummary, StoreError> {
        let mut f = Filter::new(VISIT_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("v.id = {p}"));
        self.group_reach(&mut f, "v.group_id", "v.region_code");
        let row: Option<VisitSummary> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        let row = row.ok_or(StoreError::NotFound("该督导记录"))?;
        Ok(self.finish_visits(vec![row]).await?.remove(0))
    }

    /// Adds places, labels, the problem list's standing and the actor's membership.
    async fn finish_visits(
        &self,
        mut rows: Vec<VisitSummary>,
    ) -> Result<Vec<VisitSummary>, StoreError> {
        if rows.is_empty() {
            return Ok(rows);
        }
        let today = self.today();
        let ids: Vec<String> = rows.iter().map(|v| v.id.to_string()).collect();
        let ids = ids.join(", ");
        let places: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT visit_id, region_code FROM visit_places WHERE visit_id IN ({ids}) \
             ORDER BY region_code"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        let groups: BTreeSet<i64> = rows.iter().map(|v| v.group_id).collect();
        let groups: Vec<String> = groups.iter().map(i64::to_string).collect();
        let mine: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT group_id FROM supervision_group_members WHERE user_id = $1 \
             AND group_id IN ({})",
            groups.join(", ")
        ))
        .bind(self.actor.user_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut by_visit: BTreeMap<i64, Vec<RegionCode>> = BTreeMap::new();
        for (visit, code) in places {
            by_visit
                .entry(visit)
                .or_default()
                .push(crate::regions::stored_code(&code)?);
        }
        for v in &mut rows {
            let codes = by_visit.remove(&v.id).unwrap_or_default();
            v.places = region_names(&self.db, &codes).await?;
            v.method_label = VisitMethod::parse(&v.method)
                .map(VisitMethod::label)
                .unwrap_or_default()
                .into();
            let due = parse_date(&v.problem_list_due).ok();
            let listed = v
                .problem_list_on
                .as_deref()
                .and_then(|d| parse_date(d).ok());
            if let Some(due) = due {
                let status = ProblemListStatus::of(due, listed, today);
                v.problem_list_status = Some(status);
                v.problem_list_status_label = status.label().into();
                v.light = listed
                    .is_none()
                    .then(|| light(due, false, today, WARN_DAYS));
            }
            v.is_member = mine.contains(&v.group_id);
        }
        Ok(rows)
    }

    /// One visit with the projects seen, its problems and its attachments.
    pub async fn visit(&self, id: i64) -> Result<Visit, StoreError> {
        let summary = self.visit_summary(id).await?;
        let projects: Vec<VisitProject> = sqlx::query_as(
            "SELECT pr.id, pr.name, rg.name AS region_name FROM visit_projects vp \
             JOIN projects pr ON pr.id = vp.project_id JOIN regions rg ON rg.code = pr.region_code \
             WHERE vp.visit_id = $1 ORDER BY pr.id",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?;
        let problems = self
            .problems()
            .list_all(
                &ProblemFilter {
                    visit_id: Some(id),
                    ..Default::default()
                },
                500,
            )
            .await?;
        let attachments = self.visit_attachments(id).await?;
        Ok(Visit {
            summary,
            projects,
            problems,
            attachments,
        })
    }

    /// A visit of a group the actor is a member of, for recording something on it.
    async fn own_visit(&self, id: i64) -> Result<VisitSummary, StoreError> {
        self.actor.require(Permission::RecordVisits)?;
        let visit = self.visit_summary(id).await?;
        if !visit.is_member {
            return Err(StoreError::forbidden("只有本督导组成员可以办理此操作"));
        }
        Ok(visit)
    }

    /// Records a visit of one of the actor's groups, and the leader's task of its problem list.
    pub async fn record_visit(&self, input: VisitInput) -> Result<Visit, StoreError> {
        self.actor.require(Permission::RecordVisits)?;
        let group = match self.get(input.group_id).await {
            Ok(g) if g.is_member => g,
            Ok(_) | Err(StoreError::NotFound(_)) => {
                return Err(StoreError::field(
                    "group_id",
                    "所选督导组不存在，或您不是该组成员",
                ))
            }
            Err(e) => return Err(e),
        };
        let today = self.today();
        let mut checks = Checks::default();
        let visited_on = checks
            .take("visited_on", parse_date(&input.visited_on))
            .and_then(|d| checks.take("visited_on", check_visit_date(d, today)));
        let findings = input.findings.trim().to_owned();
        if findings.is_empty() {
            checks.add("findings", "请填写督导发现的情况");
        }
        checks.max_chars("findings", Some(&findings), 20_000);
        let assigned: Vec<RegionCode> = group
            .regions
            .iter()
            .filter_map(|r| RegionCode::parse(&r.code).ok())
            .collect();
        let mut places = Vec::new();
        if input.place_codes.is_empty() {
            checks.add("place_codes", "请选择督导地点");
        }
        if input.place_codes.len() > MAX_PLACES {
            checks.add("place_codes", format!("督导地点不超过{MAX_PLACES}个"));
        }
        for code in &input.place_codes {
            match RegionCode::parse(code.trim()) {
                Ok(r) if assigned.iter().any(|a| a.contains(&r)) => {
                    if crate::regions::Regions::new(&self.db).exists(&r).await? {
                        places.push(r);
                    } else {
                        checks.add("place_codes", format!("行政区划代码 {r} 不存在"));
                    }
                }
                Ok(r) => checks.add("place_codes", format!("{r} 不在本督导组分片负责的地区内")),
                Err(e) => checks.add("place_codes", e.to_string()),
            }
        }
        places.sort();
        places.dedup();
        let projects: BTreeSet<i64> = input.project_ids.iter().copied().collect();
        if projects.len() > MAX_PROJECTS {
            checks.add("project_ids", format!("查看的项目不超过{MAX_PROJECTS}个"));
        }
        for pid in &projects {
            match self.ledger().find_project(*pid).await {
                Ok(p)
                    if RegionCode::parse(&p.region_code)
                        .is_ok_and(|r| places.iter().any(|place| place.contains(&r))) => {}
                Ok(p) => checks.add("project_ids", format!("项目“{}”不在所选督导地点内", p.name)),
                Err(StoreError::NotFound(_)) => {
                    checks.add("project_ids", "所选项目不存在或不在本组片区内")
                }
                Err(e) => return Err(e),
            }
        }
        checks.finish()?;
        let visited_on = visited_on.expect("checked");
        let days = problem_list_days(&self.db.pool).await?;
        let due = problem_list_due(visited_on, days);
        let group_region = crate::regions::stored_code(&group.region_code)?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO visits (group_id, region_code, visited_on, method, findings, \
             problem_list_due, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(group.id)
        .bind(group_region.as_str())
        .bind(visited_on.to_string())
        .bind(input.method.as_str())
        .bind(&findings)
        .bind(due.to_string())
        .bind(self.actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        for place in &places {
            sqlx::query("INSERT INTO visit_places (visit_id, region_code) VALUES ($1, $2)")
                .bind(id)
                .bind(place.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for pid in &projects {
            sqlx::query("INSERT INTO visit_projects (visit_id, project_id) VALUES ($1, $2)")
                .bind(id)
                .bind(pid)
                .execute(&mut *tx)
                .await?;
        }
        let place_names: Vec<String> = region_names(&self.db, &places)
            .await?
            .into_iter()
            .map(|r| r.name)
            .collect();
        let title = format!(
            "报送督导问题清单：{}（{} {}）",
            group.name,
            visited_on,
            place_names.join("、")
        );
        let task = tasks::insert_for_user(
            &mut tx,
            NewTask {
                kind: PROBLEM_LIST_TASK,
                source_id: id,
                region_code: group_region.as_str(),
                unit_id: None,
                title: &title,
                due_on: due,
            },
            group.leader_id,
        )
        .await?;
        sqlx::query("UPDATE visits SET task_id = $1 WHERE id = $2")
            .bind(task)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "visit",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!(
                    "{}登记{}督导（{}）：{}",
                    group.name,
                    visited_on,
                    input.method.label(),
                    place_names.join("、")
                ),
                region: Some(&group_region),
                before: None,
                after: Some(serde_json::json!({
                    "group_id": group.id, "visited_on": visited_on.to_string(),
                    "method": input.method.as_str(), "places": places.iter().map(RegionCode::as_str).collect::<Vec<_>>(),
                    "project_ids": projects, "findings": findings,
                    "problem_list_due": due.to_string(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.visit(id).await
    }

    /// Registers a problem of the visit's list in the problems area, while the list is open.
    pub async fn add_problem(
        &self,
        id: i64,
        input: ProblemRegistration,
    ) -> Result<Problem, StoreError> {
        let visit = self.own_visit(id).await?;
        if visit.problem_list_at.is_some() {
            return Err(StoreError::Conflict {
                field: "problem_list_at".into(),
                message: "本次督导的问题清单已报送，不能再添加问题".into(),
            });
        }
        let group_region: String =
            sqlx::query_scalar("SELECT region_code FROM visits WHERE id = $1")
                .bind(id)
                .fetch_one(&self.db.pool)
                .await?;
        let handler = crate::regions::stored_code(&group_region)?;
        let places: Vec<RegionCode> = visit
            .places
            .iter()
            .filter_map(|p| RegionCode::parse(&p.code).ok())
            .collect();
        // A common problem is filed under the smallest region holding every place when the
        // group answers for it, else under the first place, so the group still reads it.
        let common_region = places
            .iter()
            .skip(1)
            .try_fold(places[0].clone(), |acc, p| acc.common_ancestor(p))
            .filter(|r| self.actor.scope.covers(r))
            .unwrap_or_else(|| places[0].clone());
        self.problems()
            .register_from_visit(id, &handler, &common_region, &places, input)
            .await
    }

    /// Submits the visit's problem list (报送问题清单): the leader's task is done; no problem
    /// may be added afterwards.
    pub async fn submit_problem_list(&self, id: i64) -> Result<Visit, StoreError> {
        let visit = self.own_visit(id).await?;
        if visit.problem_list_at.is_some() {
            return Err(StoreError::Conflict {
                field: "problem_list_at".into(),
                message: "本次督导的问题清单已报送".into(),
            });
        }
        let (region, task): (String, Option<i64>) =
            sqlx::query_as("SELECT region_code, task_id FROM visits WHERE id = $1")
                .bind(id)
                .fetch_one(&self.db.pool)
                .await?;
        let region = crate::regions::stored_code(&region)?;
        let clock = crate::auth::two_factor::clock(&self.db);
        let today = clock.today();
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE visits SET problem_list_at = $1, problem_list_on = $2, problem_list_by = $3 \
             WHERE id = $4 AND problem_list_at IS NULL",
        )
        .bind(clock.stamp())
        .bind(today.to_string())
        .bind(self.actor.user_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if let Some(task) = task {
            tasks::set_status_by_id(&mut tx, task, "done").await?;
        }
        let status = ProblemListStatus::of(
            parse_date(&visit.problem_list_due).map_err(StoreError::Internal)?,
            Some(today),
            today,
        );
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "visit",
                entity_id: Some(id.to_string()),
                action: "submit_problem_list",
                summary: format!(
                    "报送{}{}督导的问题清单（{}个问题，{}）",
                    visit.group_name,
                    visit.visited_on,
                    visit.problem_count,
                    status.label()
                ),
                region: Some(&region),
                before: None,
                after: Some(serde_json::json!({
                    "problem_count": visit.problem_count, "status": status,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.visit(id).await
    }

    /// Attaches a file (photos, the meeting record) to a visit of one of the actor's groups.
    pub async fn attach_to_visit(
        &self,
        files: &dyn ObjectStore,
        id: i64,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<Attachment, StoreError> {
        let visit = self.own_visit(id).await?;
        let region: String = sqlx::query_scalar("SELECT region_code FROM visits WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db.pool)
            .await?;
        let region = crate::regions::stored_code(&region)?;
        let file =
            EvidenceFile::check(file_name, &bytes).map_err(|m| StoreError::field("file", m))?;
        file.store(files, bytes).await?;
        let mut tx = self.db.pool.begin().await?;
        let attachment = file
            .insert_for(&mut tx, "visit", id, region.as_str(), self.actor.user_id)
            .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "visit",
                entity_id: Some(id.to_string()),
                action: "attach",
                summary: format!(
                    "为{}{}督导上传附件 {}",
                    visit.group_name, visit.visited_on, file.file_name
                ),
                region: Some(&region),
                before: None,
                after: Some(file.audit_json()),
            },
        )
        .await?;
        tx.commit().await?;
        self.visit_attachments(id)
            .await?
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(StoreError::NotFound("该附件"))
    }

    async fn visit_attachments(&self, id: i64) -> Result<Vec<Attachment>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.file_name, a.content_type, a.size, a.sha256, \
             u.display_name AS uploaded_by_name, a.uploaded_at, a.storage_key \
             FROM attachments a JOIN users u ON u.id = a.uploaded_by \
             WHERE a.owner_kind = 'visit' AND a.owner_id = $1 ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(&self.db.pool)
        .await?)
    }

    /// An attachment's contents, for whoever sees the visit.
    pub async fn visit_attachment_bytes(
        &self,
        files: &dyn ObjectStore,
        id: i64,
        attachment: i64,
    ) -> Result<(Attachment, Vec<u8>), StoreError> {
        self.visit_summary(id).await?;
        let a = self
            .visit_attachments(id)
            .await?
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(StoreError::NotFound("该附件"))?;
        let bytes = files.get(&a.storage_key).await.map_err(|e| {
            StoreError::Internal(format!("reading attachment {}: {e}", a.storage_key))
        })?;
        Ok((a, bytes))
    }
}
