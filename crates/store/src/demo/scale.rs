//! `luodi demo --scale province`: a deterministic province-sized ledger for Hunan — about
//! 50,000 projects signed over five years and 600,000 fund records — with the shapes real
//! ledgers have: many small projects and a few very large ones, stalled projects, padded
//! figures above the contract amount, and projects signed again at a second event.

use crate::audit::{self, Author, Change};
use crate::kit::bulk::insert_rows as bulk;
use crate::kit::clock;
use crate::kit::db::{Backend, Db};
use crate::kit::error::StoreError;
use crate::kit::filter::Bind;
use luodi_domain::ledger::{name_key, Stage};
use luodi_domain::CreditCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct ScaleReport {
    pub events: usize,
    pub projects: usize,
    pub fund_records: usize,
    pub duplicates: usize,
    /// Problems (问题清单) generated with the ledger.
    pub problems: usize,
}

const BRANDS: &[&str] = &[
    "华湘",
    "楚天",
    "潇湘",
    "岳麓",
    "洞庭",
    "三一",
    "远大",
    "金杯",
    "华菱",
    "湘钢",
    "博长",
    "中联",
    "蓝思",
    "比亚迪",
    "宁德",
    "格力",
    "美的",
    "正威",
    "海亮",
    "恒大",
    "碧桂园",
    "京东方",
    "立讯",
    "欣旺达",
    "长城",
    "吉利",
    "上汽",
    "中建",
    "中车",
    "长江",
    "友阿",
    "步步高",
    "唐人神",
    "舜华",
    "新五丰",
    "盐津",
    "绝味",
    "湘佳",
    "邵东",
    "益阳",
    "雪峰",
    "武陵",
    "南岭",
    "衡岳",
    "东江",
];
const PRODUCTS: &[(&str, &str)] = &[
    ("新能源电池", "38"),
    ("锂电池材料", "26"),
    ("智能装备制造", "34"),
    ("工程机械零部件", "35"),
    ("电子元器件", "39"),
    ("显示面板", "39"),
    ("新型建材", "30"),
    ("农产品精深加工", "13"),
    ("食品加工", "14"),
    ("羽绒服装", "18"),
    ("生物医药", "27"),
    ("医疗器械", "35"),
    ("汽车零部件", "36"),
    ("轨道交通装备", "37"),
    ("有色金属精深加工", "32"),
    ("数据中心", "65"),
    ("冷链物流园", "59"),
    ("文旅综合体", "87"),
    ("光伏组件", "38"),
    ("特种玻璃", "30"),
    ("竹木制品", "20"),
    ("茶叶加工", "15"),
    ("电商产业园", "51"),
    ("软件服务外包", "65"),
];
const SUFFIXES: &[&str] = &[
    "生产基地",
    "产业园",
    "项目",
    "扩能项目",
    "总部基地",
    "研发中心",
    "智能工厂",
];
const HOMES: &[&str] = &[
    "广东省",
    "浙江省",
    "江苏省",
    "上海市",
    "北京市",
    "福建省",
    "四川省",
    "湖北省",
    "山东省",
    "香港特别行政区",
    "新加坡",
    "台湾地区",
    "韩国",
    "德国",
];

fn date(year: i32, month: u32, day: u32) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

fn add_days(d: &str, days: i64) -> String {
    let parsed = luodi_domain::parse_date(d).expect("generated dates are valid");
    (parsed + time::Duration::days(days)).to_string()
}

/// Generates `target_projects` projects; with `focus` (a region code prefix such as `4309`),
/// most of them land in that region's counties.
pub(crate) async fn load_province(
    db: &Db,
    seed: u64,
    target_projects: usize,
    focus: Option<&str>,
) -> Result<ScaleReport, StoreError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut report = ScaleReport::default();
    let counties: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT code, name, parent_code FROM regions WHERE level = 'county' AND code >= '43' AND code < '44' ORDER BY code",
    )
    .fetch_all(&db.pool)
    .await?;
    let prefectures: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name FROM regions WHERE level = 'prefecture' AND code >= '43' AND code < '44' ORDER BY code",
    )
    .fetch_all(&db.pool)
    .await?;
    let zones: Vec<(i64, String)> = sqlx::query_as("SELECT id, county_code FROM zones")
        .fetch_all(&db.pool)
        .await?;
    let mut zones_of: HashMap<String, Vec<i64>> = HashMap::new();
    for (id, county) in zones {
        zones_of.entry(county).or_default().push(id);
    }
    let units: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, region_code FROM units WHERE region_code >= '43' AND region_code < '44'",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut units_of: HashMap<String, Vec<i64>> = HashMap::new();
    for (id, region) in units {
        units_of.entry(region).or_default().push(id);
    }
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| StoreError::Config("请先运行 luodi demo 载入基础演示数据".into()))?;
    // Fund records are entered by the county bureau where the county has an account, else by
    // its city for it, and reviewed by the level above the one that entered them.
    let bureau_accounts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT region_code, id FROM users WHERE role = 'bureau' AND region_code IS NOT NULL \
         ORDER BY username DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    let bureau_of: HashMap<String, i64> = bureau_accounts.into_iter().collect();
    let fund_clerks = |county: &str| -> (i64, i64) {
        let city = format!("{}00", &county[..4]);
        let province = format!("{}0000", &county[..2]);
        let at = |code: &str| bureau_of.get(code).copied();
        match (at(county), at(&city), at(&province)) {
            (Some(c), Some(above), _) | (Some(c), None, Some(above)) => (c, above),
            (None, Some(c), Some(above)) => (c, above),
            _ => (admin, admin),
        }
    };
    let now = clock::now();
    let mut tx = db.pool.begin().await?;

    // Events: two provincial fairs a year and one per prefecture a year.
    let first_event: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM signing_events")
            .fetch_one(&mut *tx)
            .await?;
    let mut events = Vec::new();
    let mut events_of_year: HashMap<i32, Vec<(i64, String)>> = HashMap::new();
    let mut next_event = first_event;
    for year in 2021..=2025 {
        let mut add = |name: String, level: &str, held: String, region: &str| {
            events.push(vec![
                Bind::Int(next_event),
                Bind::Text(name),
                Bind::Text(level.into()),
                Bind::Text(held),
                Bind::OptText(Some("湖南省人民政府".into())),
                Bind::Text(region.into()),
                Bind::Text(now.clone()),
                Bind::Text(now.clone()),
            ]);
            events_of_year
                .entry(year)
                .or_default()
                .push((next_event, region.to_owned()));
            next_event += 1;
        };
        add(
            format!("{year}湖南—粤港澳大湾区投资贸易洽谈周"),
            "province",
            date(year, 5, 20),
            "430000",
        );
        add(
            format!("{year}湖南经济合作洽谈会暨（全球）湘商大会"),
            "province",
            date(year, 11, 28),
            "430000",
        );
        for (i, (code, name)) in prefectures.iter().enumerate() {
            add(
                format!("{year}{name}重大项目集中签约活动"),
                "prefecture",
                date(year, 3 + i as u32 % 8, 16),
                code,
            );
        }
    }
    report.events = events.len();
    bulk(
        &mut tx,
        db.backend(),
        "signing_events",
        &[
            "id",
            "name",
            "level",
            "held_on",
            "host",
            "region_code",
            "created_at",
            "updated_at",
        ],
        events,
    )
    .await?;

    let first_project: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM projects")
        .fetch_one(&mut *tx)
        .await?;
    let mut projects = Vec::with_capacity(target_projects);
    let mut stages = Vec::with_capacity(target_projects * 3);
    let mut funds = Vec::with_capacity(target_projects * 13);
    let mut duplicates = Vec::new();
    let stage_table: [(Stage, u32); 7] = [
        (Stage::Signed, 30),
        (Stage::LandSupplied, 13),
        (Stage::Started, 25),
        (Stage::Completed, 10),
        (Stage::Producing, 14),
        (Stage::Defaulted, 5),
        (Stage::Terminated, 3),
    ];
    let mut id = first_project;
    let mut previous: Vec<(i64, String, String, String)> = Vec::new();
    while projects.len() < target_projects {
        // Larger cities sign more: 长沙 counties weigh three times.
        let county = loop {
            let c = &counties[rng.gen_range(0..counties.len())];
            let take = match focus {
                Some(prefix) => c.0.starts_with(prefix) || rng.gen_bool(0.03),
                None => c.0.starts_with("4301") || rng.gen_bool(0.4),
            };
            if take {
                break c;
            }
        };
        let year = rng.gen_range(2021..=2025);
        let month = rng.gen_range(1..=12u32);
        let signed_on = date(year, month, rng.gen_range(1..=28));
        let duplicate_of = (rng.gen_bool(0.01) && !previous.is_empty())
            .then(|| previous[rng.gen_range(0..previous.len())].clone());
        let (brand, product, industry) = {
            let (p, ind) = PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
            (BRANDS[rng.gen_range(0..BRANDS.len())], p, ind)
        };
        // Every third of them is the same project signed again with another county (the
        // investor shopping for better terms), which only a level above both may decide.
        let elsewhere =
            matches!(&duplicate_of, Some((_, _, _, c)) if id % 3 == 0 && *c != county.0);
        let (name, credit, county_code) = match &duplicate_of {
            Some((_, n, c, _)) if elsewhere => (n.clone(), c.clone(), county.0.clone()),
            // The same project signed again at another event (重复签约).
            Some((_, n, c, county)) => (format!("{n}（二期）"), c.clone(), county.clone()),
            None => {
                let name = format!(
                    "{brand}{product}{}",
                    SUFFIXES[rng.gen_range(0..SUFFIXES.len())]
                );
                let body: String = (0..9)
                    .map(|_| b"0123456789ABCDEFGHJKLMNPQRTUWXY"[rng.gen_range(0..31)] as char)
                    .collect();
                let credit = CreditCode::with_check(&format!("91{}{body}", &county.0))
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                (name, credit, county.0.clone())
            }
        };
        let origin = match rng.gen_range(0..100) {
            0..=59 => "out_of_province",
            60..=84 => "in_province",
            _ => "foreign",
        };
        // A signed project carries its investor's credit code or says why it has none: a
        // third of the foreign investors have no Chinese entity yet, and a copy of such a
        // project (or one re-entered to pad the figures) gives the reason a county would.
        let (credit, missing_reason) = if credit.is_empty()
            || (origin == "foreign" && duplicate_of.is_none() && id % 3 == 0)
        {
            let reason = if origin == "foreign" {
                "境外投资者无统一社会信用代码"
            } else {
                "投资主体尚未注册，注册后补填"
            };
            (String::new(), Some(reason))
        } else {
            (credit, None)
        };
        // Pareto-shaped contract amounts: median about 1亿, a long tail up to 100亿.
        let u: f64 = rng.gen_range(0.0001..1.0);
        let wan = (3_000.0 * u.powf(-1.0 / 1.1)).min(1_000_000.0) as i64;
        let (contract_fen, contract_cents) = if origin == "foreign" {
            (0, wan * 10_000 * 100 / 7)
        } else {
            (wan * 10_000 * 100, 0)
        };
        let mut roll = rng.gen_range(0..100);
        let stage = stage_table
            .iter()
            .find(|(_, w)| {
                let hit = roll < *w;
                roll = roll.saturating_sub(*w);
                hit
            })
            .map_or(Stage::Signed, |(s, _)| *s);
        let reached = |s: Stage| stage >= s && !stage.is_exit();
        let land =
            reached(Stage::LandSupplied).then(|| add_days(&signed_on, rng.gen_range(20..200)));
        let certificate = land
            .as_ref()
            .filter(|_| reached(Stage::Started))
            .map(|d| add_days(d, rng.gen_range(10..90)));
        let started = certificate
            .as_ref()
            .map(|d| add_days(d, rng.gen_range(5..120)));
        let completed = started
            .as_ref()
            .filter(|_| reached(Stage::Completed))
            .map(|d| add_days(d, rng.gen_range(180..700)));
        let producing = completed
            .as_ref()
            .filter(|_| reached(Stage::Producing))
            .map(|d| add_days(d, rng.gen_range(10..120)));
        let event = events_of_year
            .get(&year)
            .filter(|_| rng.gen_bool(0.6))
            .and_then(|list| {
                let fitting: Vec<&(i64, String)> = list
                    .iter()
                    .filter(|(_, r)| r == "430000" || county_code.starts_with(&r[..4]))
                    .collect();
                (!fitting.is_empty()).then(|| fitting[rng.gen_range(0..fitting.len())].0)
            });
        let zone = zones_of
            .get(&county_code)
            .filter(|z| !z.is_empty() && rng.gen_bool(0.7))
            .map(|z| z[rng.gen_range(0..z.len())]);
        let unit = units_of
            .get(&county_code)
            .filter(|u| !u.is_empty())
            .map(|u| u[rng.gen_range(0..u.len())]);

        // Fund arrival: a fifth stall, a few are padded above the contract, the rest arrive in part.
        let contract = contract_fen.max(contract_cents);
        let rate: f64 = match rng.gen_range(0..100) {
            0..=19 => 0.0,
            20..=22 => rng.gen_range(1.05..1.6),
            _ => rng.gen_range(0.02..1.0),
        };
        let total = (contract as f64 * rate) as i64;
        let months = rng.gen_range(9..=24u32);
        let (mut arrived_fen, mut arrived_cents) = (0i64, 0i64);
        if total > 0 && stage != Stage::Terminated {
            let weights: Vec<u32> = (0..months).map(|_| rng.gen_range(1..10)).collect();
            let sum: u32 = weights.iter().sum();
            let currency = if origin == "foreign" { "USD" } else { "CNY" };
            let (clerk, reviewer) = fund_clerks(&county_code);
            for (k, w) in weights.iter().enumerate() {
                let amount = total * *w as i64 / sum as i64;
                if amount <= 0 {
                    continue;
                }
                let m0 = (year * 12 + month as i32 - 1) + k as i32;
                let (py, pm) = (m0 / 12, m0 % 12 + 1);
                if py > 2026 || (py == 2026 && pm > 10) {
                    break;
                }
                let period = format!("{py:04}-{pm:02}");
                let status = if k + 1 == months as usize && rng.gen_bool(0.1) {
                    "entered"
                } else if rng.gen_bool(0.01) {
                    "returned"
                } else {
                    "confirmed"
                };
                if status == "confirmed" {
                    if currency == "USD" {
                        arrived_cents += amount;
                    } else {
                        arrived_fen += amount;
                    }
                }
                funds.push(vec![
                    Bind::Int(id),
                    Bind::Text(county_code.clone()),
                    Bind::Text(period),
                    Bind::Int(amount),
                    Bind::Text(currency.into()),
                    Bind::Text(
                        if rng.gen_bool(0.8) {
                            "fixed_asset"
                        } else {
                            "registered_capital"
                        }
                        .into(),
                    ),
                    Bind::Text(status.into()),
                    Bind::OptText((status == "returned").then(|| "佐证材料不全".to_owned())),
                    Bind::Int(clerk),
                    Bind::Text(now.clone()),
                    Bind::OptInt((status != "entered").then_some(reviewer)),
                    Bind::OptText((status != "entered").then(|| now.clone())),
                ]);
            }
        }
        projects.push(vec![
            Bind::Int(id),
            Bind::Text(name.clone()),
            Bind::Text(name_key(&name)),
            Bind::Text(format!(
                "{brand}{}有限公司",
                product.chars().take(2).collect::<String>()
            )),
            Bind::OptText(Some(credit.clone()).filter(|c| !c.is_empty())),
            Bind::OptText(missing_reason.map(str::to_owned)),
            Bind::OptText(Some(HOMES[rng.gen_range(0..HOMES.len())].into())),
            Bind::Text(origin.into()),
            Bind::Bool(rng.gen_bool(0.02)),
            Bind::Bool(rng.gen_bool(0.04)),
            Bind::Bool(rng.gen_bool(0.05)),
            Bind::OptText(Some(industry.into())),
            Bind::Bool(rng.gen_bool(0.3)),
            Bind::Int(contract_fen.max(contract_cents * 7) * 12 / 10),
            Bind::Int(contract_fen),
            Bind::Int(contract_cents),
            Bind::OptText(Some(signed_on.clone())),
            Bind::OptInt(event),
            Bind::Text(county_code.clone()),
            Bind::OptInt(zone),
            Bind::OptInt(unit),
            Bind::OptInt(unit),
            Bind::OptText((contract_fen >= 50_000 * 10_000 * 100).then(|| "市级领导".to_owned())),
            Bind::Text(stage.as_str().into()),
            Bind::OptText(land.clone()),
            Bind::OptText(certificate),
            Bind::OptText(started.clone()),
            Bind::OptText(completed),
            Bind::OptText(producing),
            Bind::Bool(rng.gen_bool(0.02)),
            Bind::Bool(contract_fen >= 10_000 * 10_000 * 100),
            Bind::Int(arrived_fen),
            Bind::Int(arrived_cents),
            Bind::Int(admin),
            Bind::Text(now.clone()),
            Bind::Text(now.clone()),
        ]);
        stages.push(vec![
            Bind::Int(id),
            Bind::Text("signed".into()),
            Bind::Text(signed_on.clone()),
            Bind::Int(admin),
            Bind::Text(now.clone()),
        ]);
        if stage != Stage::Signed {
            let on = started
                .clone()
                .or(land.clone())
                .unwrap_or_else(|| add_days(&signed_on, 300));
            stages.push(vec![
                Bind::Int(id),
                Bind::Text(stage.as_str().into()),
                Bind::Text(on),
                Bind::Int(admin),
                Bind::Text(now.clone()),
            ]);
        }
        if let Some((other, _, _, _)) = duplicate_of {
            duplicates.push(vec![
                Bind::Int(id),
                Bind::Int(other),
                Bind::Text(if elsewhere {
                    r#"["同一投资方统一社会信用代码","项目名称相似度100%","在不同签约活动中签约"]"#
                        .into()
                } else {
                    r#"["同一投资方统一社会信用代码","在不同签约活动中签约"]"#.into()
                }),
                Bind::Text(county_code.clone()),
                Bind::Text("pending".into()),
                Bind::Text(now.clone()),
            ]);
        } else if previous.len() < 5_000 {
            previous.push((id, name, credit, county_code));
        }
        id += 1;
    }
    report.projects = projects.len();
    report.fund_records = funds.len();
    report.duplicates = duplicates.len();
    bulk(
        &mut tx,
        db.backend(),
        "projects",
        &[
            "id",
            "name",
            "name_key",
            "investor_name",
            "investor_credit_code",
            "credit_code_missing_reason",
            "investor_home",
            "origin",
            "global500",
            "china500",
            "private500",
            "industry_code",
            "strategic_emerging",
            "total_investment_fen",
            "contract_fen",
            "contract_cents",
            "signed_on",
            "event_id",
            "region_code",
            "zone_id",
            "attracting_unit_id",
            "responsible_unit_id",
            "responsible_leader",
            "stage",
            "land_supplied_on",
            "certificate_on",
            "started_on",
            "completed_on",
            "producing_on",
            "case_by_case",
            "key_project",
            "arrived_fen",
            "arrived_cents",
            "created_by",
            "created_at",
            "updated_at",
        ],
        projects,
    )
    .await?;
    bulk(
        &mut tx,
        db.backend(),
        "project_stages",
        &["project_id", "stage", "changed_on", "actor_id", "at"],
        stages,
    )
    .await?;
    bulk(
        &mut tx,
        db.backend(),
        "fund_arrivals",
        &[
            "project_id",
            "region_code",
            "period",
            "amount",
            "currency",
            "kind",
            "status",
            "return_reason",
            "entered_by",
            "entered_at",
            "reviewed_by",
            "reviewed_at",
        ],
        funds,
    )
    .await?;
    bulk(
        &mut tx,
        db.backend(),
        "duplicate_candidates",
        &[
            "project_id",
            "other_project_id",
            "reasons",
            "region_code",
            "status",
            "created_at",
        ],
        duplicates,
    )
    .await?;
    if db.backend() == Backend::Postgres {
        // Rows were written with explicit ids; move the identity sequences past them.
        for table in ["signing_events", "projects"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .execute(&mut *tx)
            .await?;
        }
    }
    audit::record(
        &mut tx,
        Author {
            id: None,
            name: "system",
            request_id: None,
        },
        Change {
            entity: "system",
            entity_id: None,
            action: "demo_load",
            summary: format!(
                "加载省级规模演示台账：{}个签约活动、{}个项目、{}条资金到位记录",
                report.events, report.projects, report.fund_records
            ),
            region: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    // The loaded projects join the duplicate candidates' gram index.
    crate::duplicates::index_missing(db).await?;
    // Fresh statistics after a bulk load, so the planners pick the covering indexes (and on
    // PostgreSQL the visibility map allows index-only scans) from the first query on.
    let refresh = match db.backend() {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => {
            "VACUUM ANALYZE projects, fund_arrivals, duplicate_candidates, project_name_grams"
        }
    };
    sqlx::raw_sql(refresh).execute(&db.pool).await?;
    Ok(report)
}
