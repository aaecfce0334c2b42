//! Supervision groups (督导组, domain §9, seed [000]): a bureau forms a group over its region —
//! a leader and members, inspector accounts — and assigns it regions (分片负责、长期包干). The
//! members' whole scope is the union of their groups' regions (`Scope::Regions`, computed at
//! every request in `auth`), so they read the projects, problems and visits of those regions
//! and nothing else. Each group owes each of its regions a number of visits per quarter (the
//! quota, one by default); the compliance view says which regions were visited and which not.
//! Visits and their problem lists are in `visits.rs`.
//!
//! Who sees what: the organising bureau's scope (and the levels above) sees its groups; a
//! member sees the groups it belongs to; a unit account none.

pub mod visits;

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::regions::Regions;
use luodi_domain::supervision::{
    check_problem_list_days, check_visits_per_quarter, compliance, Quarter,
    DEFAULT_PROBLEM_LIST_DAYS, DEFAULT_VISITS_PER_QUARTER,
};
use luodi_domain::{parse_date, Permission, RegionCode, Role, Scope};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// Supervision groups and their quota, as the actor may see and manage them.
    Supervision, supervision
);

/// The `settings` key of the days a visit's problem list is due in.
const PROBLEM_LIST_DAYS_KEY: &str = "visit_problem_list_days";
/// Members and regions one group may hold.
const MAX_MEMBERS: usize = 50;
const MAX_REGIONS: usize = 200;

/// A group as its bureau forms it. When editing, `version` is the one read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SupervisionGroupInput {
    pub name: String,
    /// 组长: one of the members (added to them when missing).
    pub leader_id: i64,
    /// 成员: inspector accounts of the bureau's scope.
    #[serde(default)]
    pub member_ids: Vec<i64>,
    /// 分片负责的地区 (codes within the bureau's scope).
    #[serde(default)]
    pub region_codes: Vec<String>,
    /// 每季度对每个片区的督导次数 (default 1).
    pub visits_per_quarter: Option<i64>,
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct GroupMember {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    #[sqlx(skip)]
    pub leader: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct GroupRegion {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct SupervisionGroup {
    pub id: i64,
    /// The organising bureau's region.
    pub region_code: String,
    pub region_name: String,
    pub name: String,
    pub leader_id: i64,
    pub leader_name: String,
    pub visits_per_quarter: i64,
    pub created_at: String,
    pub version: i64,
    #[sqlx(skip)]
    pub members: Vec<GroupMember>,
    #[sqlx(skip)]
    pub regions: Vec<GroupRegion>,
    /// Whether the user may change the group (its organising bureau).
    #[sqlx(skip)]
    pub can_manage: bool,
    /// Whether the user is a member, who records its visits.
    #[sqlx(skip)]
    pub is_member: bool,
}

/// One assigned region's standing against the quota.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionStanding {
    pub code: String,
    pub name: String,
    pub visits: i64,
    pub required: i64,
    pub met: bool,
    pub last_visit: Option<String>,
}

/// A group's compliance with its quota in a quarter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupCompliance {
    pub group_id: i64,
    pub group_name: String,
    pub leader_name: String,
    /// `2026-Q4`
    pub quarter: String,
    /// 2026年第四季度
    pub quarter_label: String,
    pub required: i64,
    pub regions: Vec<RegionStanding>,
    /// Assigned regions that met the quota, and all of them.
    pub met: i64,
    pub total: i64,
    /// Visits of the quarter whose problem list is overdue.
    pub overdue_lists: i64,
}

/// The quarter a compliance view is asked for (`2026-Q4`; default the current one).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    pub quarter: Option<String>,
}

/// The visit rules (a rule setting of the installation).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitRules {
    /// Days after a visit its problem list is due in (default 10).
    pub problem_list_days: i64,
}

const GROUP_SELECT: &str = "SELECT g.id, g.region_code, rg.name AS region_name, g.name, \
    g.leader_id, lu.display_name AS leader_name, g.visits_per_quarter, g.created_at, g.version \
    FROM supervision_groups g JOIN regions rg ON rg.code = g.region_code \
    JOIN users lu ON lu.id = g.leader_id WHERE 1 = 1";

impl Supervision<'_> {
    /// Today as the store's clock tells it (tests move it).
    pub(crate) fn today(&self) -> time::Date {
        crate::auth::two_factor::clock(&self.db).today()
    }

    /// Restricts rows of a group (its id in `group_column`, the organising region in
    /// `region_column`) to those the actor sees: a member its own groups, a unit none, others
    /// those organised within their scope.
    pub(crate) fn group_reach(&self, f: &mut Filter, group_column: &str, region_column: &str) {
        match self.actor.role {
            Role::Inspector => {
                let me = f.bind(Bind::Int(self.actor.user_id));
                f.and(&format!(
                    "{group_column} IN (SELECT group_id FROM supervision_group_members \
                     WHERE user_id = {me})"
                ));
            }
            Role::Unit => f.and("1 = 0"),
            _ => f.scope(region_column, &self.actor.scope),
        }
    }

    /// The groups the actor sees, by organising region and name.
    pub async fn list(&self) -> Result<Vec<SupervisionGroup>, StoreError> {
        let mut f = Filter::new(GROUP_SELECT);
        self.group_reach(&mut f, "g.id", "g.region_code");
        let sql = format!("{} ORDER BY g.region_code, g.name LIMIT 500", f.sql);
        let groups: Vec<SupervisionGroup> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        self.complete(groups).await
    }

    /// One group the actor sees.
    pub async fn get(&self, id: i64) -> Result<SupervisionGroup, StoreError> {
        let mut f = Filter::new(GROUP_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("g.id = {p}"));
        self.group_reach(&mut f, "g.id", "g.region_code");
        let group: Option<SupervisionGroup> =
            f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        let group = group.ok_or(StoreError::NotFound("该督导组"))?;
        Ok(self.complete(vec![group]).await?.remove(0))
    }

    /// Adds members and regions, and what the actor may do, to groups read.
    async fn complete(
        &self,
        mut groups: Vec<SupervisionGroup>,
    ) -> Result<Vec<SupervisionGroup>, StoreError> {
        if groups.is_empty() {
            return Ok(groups);
        }
        let ids: Vec<String> = groups.iter().map(|g| g.id.to_string()).collect();
        let ids = ids.join(", ");
        let members: Vec<(i64, i64, String, String)> = sqlx::query_as(&format!(
            "SELECT m.group_id, u.id, u.username, u.display_name FROM supervision_group_members m \
             JOIN users u ON u.id = m.user_id WHERE m.group_id IN ({ids}) ORDER BY u.username"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        let regions: Vec<(i64, String, String)> = sqlx::query_as(&format!(
            "SELECT r.group_id, r.region_code, rg.name FROM supervision_group_regions r \
             JOIN regions rg ON rg.code = r.region_code WHERE r.group_id IN ({ids}) \
             ORDER BY r.region_code"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        let mut by_group: BTreeMap<i64, (Vec<GroupMember>, Vec<GroupRegion>)> = BTreeMap::new();
        for (group, user_id, username, display_name) in members {
            by_group.entry(group).or_default().0.push(GroupMember {
                user_id,
                username,
                display_name,
                leader: false,
            });
        }
        for (group, code, name) in regions {
            by_group
                .entry(group)
                .or_default()
                .1
                .push(GroupRegion { code, name });
        }
        for g in &mut groups {
            let (mut members, regions) = by_group.remove(&g.id).unwrap_or_default();
            for m in &mut members {
                m.leader = m.user_id == g.leader_id;
            }
            g.is_member = members.iter().any(|m| m.user_id == self.actor.user_id);
            g.can_manage = self.manages(&g.region_code);
            (g.members, g.regions) = (members, regions);
        }
        Ok(groups)
    }

    /// Whether the actor's bureau organised groups of `region` (or stands above it).
    fn manages(&self, region: &str) -> bool {
        self.actor
            .role
            .can_at(Permission::ManageSupervision, &self.actor.scope)
            && RegionCode::parse(region).is_ok_and(|r| self.actor.scope.covers(&r))
    }

    /// The organising bureau's region: a bureau of a region forms groups.
    fn organiser_root(&self) -> Result<RegionCode, StoreError> {
        self.actor.require(Permission::ManageSupervision)?;
        match &self.actor.scope {
            Scope::Region(root) => Ok(root.clone()),
            Scope::Nationwide | Scope::Regions(_) => Err(StoreError::forbidden(
                "督导组由省、市、县商务主管部门在本级组建",
            )),
        }
    }

    /// Checks a group's fields, naming every one at fault: members are active inspector
    /// accounts of the organiser's scope, regions lie in it.
    async fn check(
        &self,
        root: &RegionCode,
        input: &SupervisionGroupInput,
    ) -> Result<(String, Vec<i64>, Vec<RegionCode>, i64), StoreError> {
        let mut checks = Checks::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            checks.add("name", "请填写督导组名称");
        }
        checks.max_chars("name", Some(&name), 50);
        checks.printable("name", &name);
        let mut members: BTreeSet<i64> = input.member_ids.iter().copied().collect();
        members.insert(input.leader_id);
        if members.len() > MAX_MEMBERS {
            checks.add("member_ids", format!("督导组成员不超过{MAX_MEMBERS}人"));
        }
        let ids: Vec<i64> = members.iter().copied().collect();
        let found: Vec<(i64, String, String, Option<String>, crate::kit::db::Flag)> =
            if ids.is_empty() {
                Vec::new()
            } else {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                sqlx::query_as(&format!(
                    "SELECT id, display_name, role, region_code, active FROM users \
                     WHERE id IN ({})",
                    list.join(", ")
                ))
                .fetch_all(&self.db.pool)
                .await?
            };
        for id in &ids {
            let field = if *id == input.leader_id {
                "leader_id"
            } else {
                "member_ids"
            };
            let within = |region: &Option<String>| {
                region
                    .as_deref()
                    .and_then(|r| RegionCode::parse(r).ok())
                    .is_some_and(|r| root.contains(&r))
            };
            match found.iter().find(|u| u.0 == *id) {
                Some((_, _, role, region, active))
                    if role == "inspector" && active.0 && within(region) => {}
                Some((_, name, role, region, _)) if role != "inspector" && within(region) => checks
                    .add(
                        field,
                        format!("{name}不是督导组成员账号，请选择角色为“督导组成员”的账号"),
                    ),
                _ => checks.add(field, "所选账号不存在、已停用或不在本级范围内"),
            }
        }
        let mut regions = Vec::new();
        if input.region_codes.is_empty() {
            checks.add("region_codes", "请选择督导组分片负责的地区");
        }
        if input.region_codes.len() > MAX_REGIONS {
            checks.add("region_codes", format!("分片地区不超过{MAX_REGIONS}个"));
        }
        for code in &input.region_codes {
            match self.regions().region_in_scope(code.trim()).await {
                Ok(r) if &r == root && root.level() == luodi_domain::RegionLevel::Province => {
                    checks.add(
                        "region_codes",
                        "请按市州、县市区分片，不能把全省作为一个片区",
                    );
                }
                Ok(r) => regions.push(r),
                Err(m) => checks.add("region_codes", m),
            }
        }
        regions.sort();
        regions.dedup();
        let quota = input
            .visits_per_quarter
            .unwrap_or(DEFAULT_VISITS_PER_QUARTER);
        checks.take("visits_per_quarter", check_visits_per_quarter(quota));
        checks.finish()?;
        Ok((name, ids, regions, quota))
    }

    /// Forms a group over the actor's region.
    pub async fn create(
        &self,
        input: SupervisionGroupInput,
    ) -> Result<SupervisionGroup, StoreError> {
        let root = self.organiser_root()?;
        let (name, members, regions, quota) = self.check(&root, &input).await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO supervision_groups (region_code, name, leader_id, visits_per_quarter, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(root.as_str())
        .bind(&name)
        .bind(input.leader_id)
        .bind(quota)
        .bind(self.actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(name_taken)?;
        write_members_and_regions(&mut tx, id, &members, &regions).await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "supervision_group",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("组建督导组“{name}”，分片负责{}个地区", regions.len()),
                region: Some(&root),
                before: None,
                after: Some(group_json(input.leader_id, &members, &regions, quota)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Changes a group: name, leader, members, regions and quota replaced as a whole.
    pub async fn update(
        &self,
        id: i64,
        input: SupervisionGroupInput,
    ) -> Result<SupervisionGroup, StoreError> {
        self.organiser_root()?;
        let before = self.get(id).await?;
        if !self.manages(&before.region_code) {
            return Err(StoreError::forbidden(
                "只有组建该督导组的商务主管部门（或其上级）可以修改",
            ));
        }
        let version = input
            .version
            .ok_or_else(|| StoreError::field("version", "缺少版本号，请刷新后重试"))?;
        let group_root = crate::regions::stored_code(&before.region_code)?;
        let (name, members, regions, quota) = self.check(&group_root, &input).await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE supervision_groups SET name = $1, leader_id = $2, visits_per_quarter = $3, \
             updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6",
        )
        .bind(&name)
        .bind(input.leader_id)
        .bind(quota)
        .bind(&now)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(name_taken)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        sqlx::query("DELETE FROM supervision_group_members WHERE group_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM supervision_group_regions WHERE group_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        write_members_and_regions(&mut tx, id, &members, &regions).await?;
        let old_members: Vec<i64> = before.members.iter().map(|m| m.user_id).collect();
        let old_regions: Vec<RegionCode> = before
            .regions
            .iter()
            .filter_map(|r| RegionCode::parse(&r.code).ok())
            .collect();
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "supervision_group",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: format!("修改督导组“{name}”"),
                region: Some(&group_root),
                before: Some(group_json(
                    before.leader_id,
                    &old_members,
                    &old_regions,
                    before.visits_per_quarter,
                )),
                after: Some(group_json(input.leader_id, &members, &regions, quota)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// How a group stands against its quota in `quarter` (default the current one).
    pub async fn compliance(
        &self,
        id: i64,
        quarter: Option<&str>,
    ) -> Result<GroupCompliance, StoreError> {
        let group = self.get(id).await?;
        let quarter = self.quarter(quarter)?;
        Ok(self
            .compliance_of(vec![group], quarter)
            .await?
            .pop()
            .expect("one group in, one out"))
    }

    /// Every group the actor sees, against its quota in `quarter`.
    pub async fn compliance_all(
        &self,
        quarter: Option<&str>,
    ) -> Result<Vec<GroupCompliance>, StoreError> {
        let quarter = self.quarter(quarter)?;
        let groups = self.list().await?;
        self.compliance_of(groups, quarter).await
    }

    fn quarter(&self, quarter: Option<&str>) -> Result<Quarter, StoreError> {
        match quarter.map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => Quarter::parse(q).map_err(|m| StoreError::field("quarter", m)),
            None => Ok(Quarter::of(self.today())),
        }
    }

    /// The groups' visits of the quarter (one statement for all groups), counted against each
    /// group's regions by the domain's rule.
    async fn compliance_of(
        &self,
        groups: Vec<SupervisionGroup>,
        quarter: Quarter,
    ) -> Result<Vec<GroupCompliance>, StoreError> {
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = groups.iter().map(|g| g.id.to_string()).collect();
        let rows: Vec<(i64, i64, String, String, String, Option<String>)> =
            sqlx::query_as(&format!(
                "SELECT v.group_id, v.id, v.visited_on, p.region_code, v.problem_list_due, \
                 v.problem_list_at FROM visits v JOIN visit_places p ON p.visit_id = v.id \
                 WHERE v.group_id IN ({}) AND v.visited_on >= $1 AND v.visited_on <= $2 \
                 ORDER BY v.id",
                ids.join(", ")
            ))
            .bind(quarter.first_day().to_string())
            .bind(quarter.last_day().to_string())
            .fetch_all(&self.db.pool)
            .await?;
        let today = self.today();
        let mut visits: BTreeMap<i64, BTreeMap<i64, QuarterVisit>> = BTreeMap::new();
        for (group, visit, day, place, due, listed) in rows {
            let (Ok(day), Ok(place)) = (parse_date(&day), RegionCode::parse(&place)) else {
                continue;
            };
            let overdue = listed.is_none() && parse_date(&due).is_ok_and(|d| today > d);
            visits
                .entry(group)
                .or_default()
                .entry(visit)
                .or_insert((day, Vec::new(), overdue))
                .1
                .push(place);
        }
        Ok(groups
            .into_iter()
            .map(|g| {
                let of_group = visits.remove(&g.id).unwrap_or_default();
                let overdue_lists = of_group.values().filter(|v| v.2).count() as i64;
                let list: Vec<(time::Date, Vec<RegionCode>)> =
                    of_group.into_values().map(|(d, p, _)| (d, p)).collect();
                let assigned: Vec<RegionCode> = g
                    .regions
                    .iter()
                    .filter_map(|r| RegionCode::parse(&r.code).ok())
                    .collect();
                let standings = compliance(&assigned, &list, quarter, g.visits_per_quarter);
                let regions: Vec<RegionStanding> = standings
                    .into_iter()
                    .zip(&g.regions)
                    .map(|(s, r)| RegionStanding {
                        code: r.code.clone(),
                        name: r.name.clone(),
                        visits: s.visits,
                        required: s.required,
                        met: s.met(),
                        last_visit: s.last_visit.map(|d| d.to_string()),
                    })
                    .collect();
                GroupCompliance {
                    group_id: g.id,
                    group_name: g.name,
                    leader_name: g.leader_name,
                    quarter: quarter.to_string(),
                    quarter_label: quarter.label(),
                    required: g.visits_per_quarter,
                    met: regions.iter().filter(|r| r.met).count() as i64,
                    total: regions.len() as i64,
                    regions,
                    overdue_lists,
                }
            })
            .collect())
    }

    /// The visit rules in force.
    pub async fn visit_rules(&self) -> Result<VisitRules, StoreError> {
        Ok(VisitRules {
            problem_list_days: problem_list_days(&self.db.pool).await?,
        })
    }

    /// Changes the visit rules: an installation-wide setting, so a province's or the nation's
    /// administrator changes it.
    pub async fn set_visit_rules(&self, input: VisitRules) -> Result<VisitRules, StoreError> {
        self.actor.require(Permission::ManageRules)?;
        if !matches!(&self.actor.scope, Scope::Nationwide)
            && !self
                .actor
                .scope
                .root()
                .is_some_and(|r| r.level() == luodi_domain::RegionLevel::Province)
        {
            return Err(StoreError::forbidden(
                "督导规则适用于全部地区，只有省级及以上的系统管理员可以修改",
            ));
        }
        let days = check_problem_list_days(input.problem_list_days)
            .map_err(|m| StoreError::field("problem_list_days", m))?;
        let before = self.visit_rules().await?;
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(PROBLEM_LIST_DAYS_KEY)
        .bind(days.to_string())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "settings",
                entity_id: Some(PROBLEM_LIST_DAYS_KEY.into()),
                action: "update",
                summary: format!("督导问题清单报送时限改为督导后{days}日内"),
                region: self.actor.scope.root(),
                before: Some(serde_json::json!({ "problem_list_days": before.problem_list_days })),
                after: Some(serde_json::json!({ "problem_list_days": days })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(VisitRules {
            problem_list_days: days,
        })
    }
}

/// A visit of the quarter as the compliance view counts it: its day, its places, and whether
/// its problem list is overdue.
type QuarterVisit = (time::Date, Vec<RegionCode>, bool);

/// The days a visit's problem list is due in: the setting, or the seed's ten.
pub(crate) async fn problem_list_days(pool: &sqlx::AnyPool) -> Result<i64, StoreError> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(PROBLEM_LIST_DAYS_KEY)
        .fetch_optional(pool)
        .await?;
    Ok(value
        .and_then(|v| v.parse().ok())
        .and_then(|d| check_problem_list_days(d).ok())
        .unwrap_or(DEFAULT_PROBLEM_LIST_DAYS))
}

fn name_taken(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict {
            field: "name".into(),
            message: "本级已有同名督导组".into(),
        },
        e => e.into(),
    }
}

fn group_json(
    leader: i64,
    members: &[i64],
    regions: &[RegionCode],
    quota: i64,
) -> serde_json::Value {
    let regions: Vec<&str> = regions.iter().map(RegionCode::as_str).collect();
    serde_json::json!({
        "leader_id": leader, "member_ids": members, "region_codes": regions,
        "visits_per_quarter": quota,
    })
}

async fn write_members_and_regions(
    tx: &mut sqlx::AnyConnection,
    group: i64,
    members: &[i64],
    regions: &[RegionCode],
) -> Result<(), StoreError> {
    for user in members {
        sqlx::query("INSERT INTO supervision_group_members (group_id, user_id) VALUES ($1, $2)")
            .bind(group)
            .bind(user)
            .execute(&mut *tx)
            .await?;
    }
    for region in regions {
        sqlx::query(
            "INSERT INTO supervision_group_regions (group_id, region_code) VALUES ($1, $2)",
        )
        .bind(group)
        .bind(region.as_str())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The names of regions, for a visit's places.
pub(crate) async fn region_names(
    db: &crate::kit::db::Db,
    codes: &[RegionCode],
) -> Result<Vec<GroupRegion>, StoreError> {
    let regions = Regions::new(db);
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        out.push(GroupRegion {
            code: code.to_string(),
            name: regions.get(code).await?.map(|r| r.name).unwrap_or_default(),
        });
    }
    Ok(out)
}
