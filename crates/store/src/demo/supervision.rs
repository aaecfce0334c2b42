//! Demo supervision (督导组 / 督导调研): 益阳市's bureau forms a group led by yy_inspector over
//! 南县 and 沅江市; the group visited 南县 twenty days ago (its problem list not submitted, so
//! overdue) and five days ago (two problems listed, the list still within its ten days). All
//! through the supervision store as the accounts would, tasks and audit entries included.

use super::problems::actor;
use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::problems::ProblemRegistration;
use crate::scoped::Scoped;
use crate::supervision::visits::VisitInput;
use crate::supervision::SupervisionGroupInput;
use crate::AuthSettings;
use luodi_domain::problems::ProblemCategory;
use luodi_domain::supervision::VisitMethod;
use luodi_domain::{RegionCode, Scope};
use std::sync::Arc;
use time::Duration;

const REGIONS: [&str; 2] = ["430921", "430981"];

/// The group and its visits, once: a database that has a group already is left as it is, and
/// so is one without the demo accounts or 南县's projects.
pub(crate) async fn load(db: &Db, settings: &AuthSettings) -> Result<usize, StoreError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM supervision_groups")
        .fetch_one(&db.pool)
        .await?;
    let (Some(bureau), Some(mut inspector)) = (
        actor(db, "yy_bureau").await?,
        actor(db, "yy_inspector").await?,
    ) else {
        return Ok(0);
    };
    let projects: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM projects WHERE region_code = $1 ORDER BY id LIMIT 2")
            .bind(REGIONS[0])
            .fetch_all(&db.pool)
            .await?;
    if existing > 0 || projects.len() < 2 {
        return Ok(0);
    }
    let settings = Arc::new(settings.clone());
    let leader = inspector.user_id;
    let group = Scoped::new(db.clone(), settings.clone(), bureau)
        .supervision()
        .create(SupervisionGroupInput {
            name: "益阳市第一督导组".into(),
            leader_id: leader,
            member_ids: Vec::new(),
            region_codes: REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            visits_per_quarter: Some(1),
            version: None,
        })
        .await?;
    // The member's scope as a session would compute it: the group's regions.
    inspector.scope = Scope::Regions(
        REGIONS
            .iter()
            .map(|r| RegionCode::parse(r).map_err(|e| StoreError::Internal(e.to_string())))
            .collect::<Result<_, _>>()?,
    );
    let member = Scoped::new(db.clone(), settings, inspector);
    let visits = member.supervision();
    let day = |ago: i64| (clock::today() - Duration::days(ago)).to_string();
    visits
        .record_visit(VisitInput {
            group_id: group.id,
            visited_on: day(20),
            method: VisitMethod::Documents,
            place_codes: vec![REGIONS[0].into()],
            project_ids: vec![projects[1]],
            findings: "查阅南县招商项目台账和资金到位佐证材料，部分项目银行回单未归档。".into(),
        })
        .await?;
    let visit = visits
        .record_visit(VisitInput {
            group_id: group.id,
            visited_on: day(5),
            method: VisitMethod::OnSite,
            place_codes: vec![REGIONS[0].into()],
            project_ids: projects.clone(),
            findings: "实地查看项目建设进度，召开企业座谈会；企业反映用地报批慢、园区配套不全。"
                .into(),
        })
        .await?;
    for (description, category, project) in [
        (
            "二期用地报批材料多次退回补正，影响开工",
            ProblemCategory::Land,
            Some(projects[0]),
        ),
        (
            "园区污水管网和供气管道尚未接通，多家企业无法试生产",
            ProblemCategory::Factors,
            None,
        ),
    ] {
        visits
            .add_problem(
                visit.summary.id,
                ProblemRegistration {
                    description: description.into(),
                    category,
                    project_id: project,
                    common: project.is_none(),
                    other_departments: project.is_none(),
                    within_bureau_remit: false,
                },
            )
            .await?;
    }
    Ok(2)
}
