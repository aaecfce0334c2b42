//! Demo problems (问题清单). The county demo gets a handful in 南县, registered and handled
//! through the problems store as nx_bureau and nx_unit would (letters, tasks, audit and
//! timeline included): some assigned, one answered, one overdue. The province scale gets
//! about 20,000 generated rows in every state, so the list and the per-unit figures can be
//! measured.

use crate::kit::bulk::insert_rows as bulk;
use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::kit::filter::Bind;
use crate::problems::{AssignInput, ProblemRegistration, ProblemText};
use crate::scoped::{Account, Actor, Scoped};
use crate::AuthSettings;
use luodi_domain::problems::ProblemCategory;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::Arc;
use time::Duration;

const COUNTY: &str = "430921";

pub(super) async fn actor(db: &Db, username: &str) -> Result<Option<Actor>, StoreError> {
    Actor::read(db, Account::Name(username)).await
}

fn in_days(days: i64) -> String {
    (clock::today() + Duration::days(days)).to_string()
}

/// 南县's problems, once: a database that has problems already is left as it is, and so is
/// one without the demo accounts or 南县's projects.
pub(crate) async fn load_county(db: &Db, settings: &AuthSettings) -> Result<usize, StoreError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM problems")
        .fetch_one(&db.pool)
        .await?;
    let (Some(bureau), Some(unit)) = (actor(db, "nx_bureau").await?, actor(db, "nx_unit").await?)
    else {
        return Ok(0);
    };
    let projects: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM projects WHERE region_code = $1 ORDER BY id LIMIT 5")
            .bind(COUNTY)
            .fetch_all(&db.pool)
            .await?;
    if existing > 0 || projects.len() < 5 {
        return Ok(0);
    }
    let unit_id = |name: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM units WHERE region_code = $1 AND name = $2")
            .bind(COUNTY)
            .bind(name)
            .fetch_optional(&db.pool)
            .await
    };
    let zone = unit.unit_id;
    let land = unit_id("县自然资源局").await?;
    let settings = Arc::new(settings.clone());
    let (bureau, unit) = (
        Scoped::new(db.clone(), settings.clone(), bureau),
        Scoped::new(db.clone(), settings, unit),
    );
    let (nx, zone_account) = (bureau.problems(), unit.problems());
    let register =
        |description: &str, category, project: Option<i64>, other: bool| ProblemRegistration {
            description: description.to_owned(),
            category,
            project_id: project,
            common: project.is_none(),
            other_departments: other,
            within_bureau_remit: false,
        };
    let assign = |unit_id, leader: &str, person: &str, due_on: String| AssignInput {
        unit_id,
        leader: Some(leader.to_owned()),
        person: Some(person.to_owned()),
        due_on,
    };
    let mut count = 0;

    // 登记, not yet assigned.
    nx.create(register(
        "二期厂房用地约80亩尚未纳入年度供地计划，影响二期开工",
        ProblemCategory::Land,
        Some(projects[0]),
        false,
    ))
    .await?;
    nx.create(register(
        "多家企业反映2025年度招商引资奖补资金尚未兑现，涉及设备投资补助和物流补贴",
        ProblemCategory::Policy,
        None,
        true,
    ))
    .await?;
    count += 2;

    // 交办 to the zone, in time.
    let p = nx
        .create(register(
            "项目流动资金贷款3000万元，银行授信审批进度慢，希望协调县内银行加快审批",
            ProblemCategory::Financing,
            Some(projects[1]),
            false,
        ))
        .await?;
    nx.assign(
        p.summary.id,
        assign(zone, "刘副县长", "彭振华", in_days(15)),
    )
    .await?;
    count += 1;

    // 交办, accepted and answered by the zone (已答复, awaiting 办结).
    let p = nx
        .create(register(
            "厂区10千伏专线尚未接通，试生产需临时用电",
            ProblemCategory::Factors,
            Some(projects[2]),
            false,
        ))
        .await?;
    let id = p.summary.id;
    nx.assign(id, assign(zone, "刘副县长", "彭振华", in_days(10)))
        .await?;
    zone_account.accept(id).await?;
    zone_account
        .answer(
            id,
            ProblemText {
                text: "已协调县供电公司，专线工程已于本周进场施工，预计15日内送电；期间由园区临时变压器保障试生产用电。"
                    .into(),
            },
        )
        .await?;
    count += 1;

    // 交办 to 县自然资源局 and gone past its deadline: assigned with ten days, then those ten
    // days (and three more) are taken as past, as if it had been assigned two weeks ago.
    if land.is_some() {
        let p = nx
            .create(register(
                "项目用地规划条件调整（容积率由1.0调至1.5）报批超过两个月未批复",
                ProblemCategory::Planning,
                Some(projects[3]),
                false,
            ))
            .await?;
        let id = p.summary.id;
        nx.assign(id, assign(land, "王副县长", "崔涛", in_days(10)))
            .await?;
        let overdue = in_days(-3);
        for sql in [
            "UPDATE problems SET due_on = $1 WHERE id = $2",
            "UPDATE problem_letters SET due_on = $1 WHERE problem_id = $2",
            "UPDATE problem_events SET due_on = $1 WHERE problem_id = $2 AND action = 'assign'",
            "UPDATE tasks SET due_on = $1 WHERE id = (SELECT task_id FROM problems WHERE id = $2)",
        ] {
            sqlx::query(sql)
                .bind(&overdue)
                .bind(id)
                .execute(&db.pool)
                .await?;
        }
        count += 1;
    }
    Ok(count)
}

const DESCRIPTIONS: &[(ProblemCategory, &str)] = &[
    (
        ProblemCategory::Land,
        "项目用地指标不足，需纳入年度供地计划",
    ),
    (ProblemCategory::Land, "征地拆迁未完成，影响项目进场施工"),
    (ProblemCategory::Planning, "规划条件调整报批进度慢"),
    (ProblemCategory::Environment, "环评批复尚未取得，影响开工"),
    (ProblemCategory::Financing, "流动资金贷款授信审批慢"),
    (ProblemCategory::Approval, "施工许可办理材料反复补正"),
    (ProblemCategory::Policy, "招商引资奖补资金尚未兑现"),
    (ProblemCategory::Factors, "10千伏专线未接通，试生产用电紧张"),
    (ProblemCategory::Factors, "园区污水管网未接通"),
    (
        ProblemCategory::Other,
        "企业用工招聘困难，希望协调人社部门组织专场招聘",
    ),
];

/// About `count` problems over the province's projects, in every state, for measuring; once.
pub(crate) async fn load_scale(db: &Db, seed: u64, count: usize) -> Result<usize, StoreError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM problems")
        .fetch_one(&db.pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0x9e37);
    let projects: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, region_code FROM projects ORDER BY id")
            .fetch_all(&db.pool)
            .await?;
    let units: Vec<(i64, String)> = sqlx::query_as("SELECT id, region_code FROM units")
        .fetch_all(&db.pool)
        .await?;
    let mut units_of: HashMap<String, Vec<i64>> = HashMap::new();
    for (id, region) in units {
        units_of.entry(region).or_default().push(id);
    }
    let admin: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_optional(&db.pool)
        .await?;
    let (Some(admin), false) = (admin, projects.is_empty()) else {
        return Ok(0);
    };
    let today = clock::today();
    let mut rows = Vec::with_capacity(count);
    for n in 0..count {
        let (project, region) = &projects[rng.gen_range(0..projects.len())];
        let (category, text) = DESCRIPTIONS[rng.gen_range(0..DESCRIPTIONS.len())];
        let registered = today - Duration::days(rng.gen_range(5..300));
        let created_at = format!("{registered}T09:{:02}:00Z", n % 60);
        let unit = units_of
            .get(region)
            .filter(|u| !u.is_empty())
            .map(|u| u[rng.gen_range(0..u.len())]);
        // 15% registered, 20% assigned, 10% in progress, 15% answered, 40% closed.
        let roll = rng.gen_range(0..100);
        let status = match (roll, unit) {
            (_, None) | (0..15, _) => "registered",
            (15..35, _) => "assigned",
            (35..45, _) => "in_progress",
            (45..60, _) => "answered",
            _ => "closed",
        };
        let assigned = status != "registered";
        let due = registered + Duration::days(rng.gen_range(10..40));
        let answered = matches!(status, "answered" | "closed");
        let answered_on = due + Duration::days(rng.gen_range(-8..4));
        let late = answered.then_some(answered_on > due);
        let closed =
            (status == "closed").then(|| format!("{}T10:00:00Z", answered_on + Duration::days(2)));
        rows.push(vec![
            Bind::Text(region.clone()),
            Bind::Text(region.clone()),
            Bind::OptInt(Some(*project)),
            Bind::Bool(false),
            Bind::Text("direct".into()),
            Bind::Text(category.as_str().into()),
            Bind::Text(format!("{text}（{n}）")),
            Bind::Text("locality".into()),
            Bind::Text(status.into()),
            Bind::OptInt(if assigned { unit } else { None }),
            Bind::OptText(assigned.then(|| due.to_string())),
            Bind::OptText(answered.then(|| "已协调相关部门办理，问题已解决。".to_owned())),
            Bind::OptText(answered.then(|| format!("{answered_on}T16:00:00Z"))),
            Bind::OptBool(late),
            Bind::Int(if rng.gen_range(0..10) == 0 { 1 } else { 0 }),
            Bind::Int(if rng.gen_range(0..12) == 0 { 1 } else { 0 }),
            Bind::Int(admin),
            Bind::Text(created_at.clone()),
            Bind::OptText(closed),
            Bind::Text(created_at),
        ]);
    }
    let made = rows.len();
    let mut tx = db.pool.begin().await?;
    bulk(
        &mut tx,
        db.backend(),
        "problems",
        &[
            "region_code",
            "handler_region",
            "project_id",
            "common",
            "source",
            "category",
            "description",
            "routing",
            "status",
            "unit_id",
            "due_on",
            "answer",
            "answered_at",
            "answered_late",
            "returned_count",
            "supervised_count",
            "created_by",
            "created_at",
            "closed_at",
            "updated_at",
        ],
        rows,
    )
    .await?;
    tx.commit().await?;
    Ok(made)
}
