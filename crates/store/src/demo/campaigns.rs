//! Demo campaign and 帮办清单. 湖南省's bureau runs this year's action on the Hunan 2020 model
//! (domain §6: the projects of the province's signing events of the two years before, and the
//! 三类500强 projects signed in those years), with the four phases of that action, the ended
//! ones reported done. 南县's bureau lists procedures on three of its projects for the units
//! that handle them, one gone past its time limit. All through the campaigns and assistance
//! stores as hn_bureau and nx_bureau would, tasks and audit entries included.

use super::problems::actor;
use crate::assistance::AssistanceInput;
use crate::campaigns::{CampaignInput, PhaseInput, PhaseReport};
use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::scoped::Scoped;
use crate::AuthSettings;
use luodi_domain::assistance::AssistanceStep;
use luodi_domain::campaigns::{CampaignRule, CampaignSelection, Goal, GoalIndicator};
use luodi_domain::RegionLevel;
use std::sync::Arc;
use time::Duration;

const COUNTY: &str = "430921";

/// The campaign, once: a database that has a campaign already is left as it is, and so is one
/// without the demo accounts.
pub(crate) async fn load_campaign(db: &Db, settings: &AuthSettings) -> Result<usize, StoreError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaigns")
        .fetch_one(&db.pool)
        .await?;
    let Some(province) = actor(db, "hn_bureau").await? else {
        return Ok(0);
    };
    if existing > 0 {
        return Ok(0);
    }
    let today = clock::today();
    let year = today.year();
    let (first, last) = (year - 2, year - 1);
    let day = |month: u8, day: u8| format!("{year}-{month:02}-{day:02}");
    let phase = |name: &str, starts_on: String, ends_on: String, requirements: &str| PhaseInput {
        seq: None,
        name: name.into(),
        starts_on,
        ends_on,
        requirements: requirements.into(),
    };
    let campaigns = Scoped::new(db.clone(), Arc::new(settings.clone()), province);
    let campaigns = campaigns.campaigns();
    let campaign = campaigns
        .create(CampaignInput {
            name: format!("{year}年全省重大招商项目履约落地专项行动"),
            rule: CampaignRule {
                any_of: vec![
                    CampaignSelection {
                        event_levels: vec![RegionLevel::Province],
                        event_years: Some((first, last)),
                        ..CampaignSelection::default()
                    },
                    CampaignSelection {
                        signed_years: Some((first, last)),
                        fortune500: true,
                        ..CampaignSelection::default()
                    },
                ],
            },
            goals: vec![
                Goal {
                    indicator: GoalIndicator::ArrivalRate,
                    target_bp: 2000,
                },
                Goal {
                    indicator: GoalIndicator::StartRate,
                    target_bp: 6000,
                },
            ],
            excellent_bp: None,
            good_bp: None,
            phases: vec![
                phase(
                    "梳理摸底",
                    day(5, 25),
                    day(5, 29),
                    "各市州对照项目清单逐一梳理合同履约、资金到位和开工情况，按资金到位率分成优秀、良好、一般、未履约四类，报省商务厅。",
                ),
                phase(
                    "分片督导",
                    day(6, 1),
                    day(6, 30),
                    "各督导组按分片负责、长期包干到所联系市州督导，每个市州至少走访一次，走访后10日内报送问题清单。",
                ),
                phase(
                    "集中督导",
                    day(9, 14),
                    day(9, 30),
                    "对履约一般和未履约项目集中督导，问题清单交办属地和相关部门限期办理。",
                ),
                phase(
                    "回头看",
                    day(11, 16),
                    day(12, 31),
                    "对交办问题的办理情况回头看，未办结的发督办函；各市州报送专项行动工作总结。",
                ),
            ],
        })
        .await?;
    // The phases already over were reported done when they ended.
    for p in &campaign.phases {
        if p.ends_on.as_str() < today.to_string().as_str() {
            campaigns
                .complete_phase(
                    campaign.summary.id,
                    p.seq,
                    PhaseReport {
                        summary: format!("{}阶段工作已按要求完成，情况已汇总报省商务厅。", p.name),
                    },
                )
                .await?;
        }
    }
    Ok(1)
}

/// 南县's assistance items, once: a database that has items already is left as it is, and so
/// is one without the demo accounts or 南县's projects.
pub(crate) async fn load_assistance(db: &Db, settings: &AuthSettings) -> Result<usize, StoreError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assistance_items")
        .fetch_one(&db.pool)
        .await?;
    let (Some(bureau), Some(zone)) = (actor(db, "nx_bureau").await?, actor(db, "nx_unit").await?)
    else {
        return Ok(0);
    };
    let projects: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM projects WHERE region_code = $1 AND duplicate_of IS NULL \
         ORDER BY contract_fen DESC, id LIMIT 3",
    )
    .bind(COUNTY)
    .fetch_all(&db.pool)
    .await?;
    let unit_id = |name: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM units WHERE region_code = $1 AND name = $2")
            .bind(COUNTY)
            .bind(name)
            .fetch_optional(&db.pool)
            .await
    };
    let (Some(zone_unit), Some(land), Some(housing)) = (
        zone.unit_id,
        unit_id("县自然资源局").await?,
        unit_id("县住房和城乡建设局").await?,
    ) else {
        return Ok(0);
    };
    if existing > 0 || projects.len() < 3 {
        return Ok(0);
    }
    let in_days = |days: i64| (clock::today() + Duration::days(days)).to_string();
    let nx = Scoped::new(db.clone(), Arc::new(settings.clone()), bureau);
    let nx = nx.assistance();
    let item = |step, content: &str, unit_id, person: &str, due_on| AssistanceInput {
        step,
        content: content.into(),
        unit_id,
        person: person.into(),
        due_on,
    };
    nx.add(
        projects[0],
        item(
            AssistanceStep::LandPreReview,
            "协调办理二期用地预审与选址意见书",
            land,
            "崔涛",
            in_days(12),
        ),
    )
    .await?;
    nx.add(
        projects[1],
        item(
            AssistanceStep::Utilities,
            "协调供电公司接入10千伏专线，保障试生产用电",
            zone_unit,
            "彭振华",
            in_days(2),
        ),
    )
    .await?;
    // Listed with ten days, then those days (and three more) taken as past, as if listed two
    // weeks ago: the overdue one.
    let late = nx
        .add(
            projects[2],
            item(
                AssistanceStep::ConstructionPermit,
                "协助办理一期厂房建筑工程施工许可证",
                housing,
                "刘益民",
                in_days(10),
            ),
        )
        .await?;
    let overdue = in_days(-3);
    for sql in [
        "UPDATE assistance_items SET due_on = $1 WHERE id = $2",
        "UPDATE tasks SET due_on = $1 WHERE id = (SELECT task_id FROM assistance_items WHERE id = $2)",
    ] {
        sqlx::query(sql)
            .bind(&overdue)
            .bind(late.id)
            .execute(&db.pool)
            .await?;
    }
    Ok(3)
}
