//! `luodi bench`: the API against raw SQL on the same province-scale data, and 100,000-row
//! Excel import and export. A measurement, not a test: it prints a table for
//! docs/benchmarks.md.

use anyhow::{bail, Context};
use luodi_server::{AppState, ServerSettings};
use luodi_store::{AuthSettings, Store};
use sqlx::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Luodi@2026";

/// The benchmark's HTTP client: one keep-alive connection pool, as a browser uses.
struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn get(&self, path: &str, token: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.bytes().await?.to_vec()))
    }

    async fn login(&self, username: &str) -> anyhow::Result<String> {
        let response = self
            .http
            .post(format!("{}/api/auth/login", self.base))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("login as {username} failed: {}", response.text().await?);
        }
        let v: serde_json::Value = response.json().await?;
        Ok(v["token"].as_str().context("token")?.to_owned())
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1000.0
}

struct Case {
    name: &'static str,
    user: &'static str,
    path: String,
    sql: Vec<String>,
}

pub async fn run(database_url: &str, iterations: usize, only: &str) -> anyhow::Result<()> {
    if !matches!(only, "all" | "queries" | "excel") {
        bail!("--only takes queries, excel or all");
    }
    let store = Store::open(database_url, AuthSettings::default()).await?;
    store.system().load_demo(Some(PASSWORD)).await?;
    let started = Instant::now();
    if let Some(r) = store.system().load_province_scale(2026).await? {
        println!(
            "generated {} projects, {} fund records in {:.1}s",
            r.projects,
            r.fund_records,
            started.elapsed().as_secs_f64()
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let files_dir = std::env::temp_dir().join("luodi-bench-files");
    let state = AppState {
        store,
        settings: Arc::new(ServerSettings {
            max_upload_mb: 200,
            ..ServerSettings::default()
        }),
        files: Arc::new(luodi_store::LocalDisk::new(files_dir)),
    };
    tokio::spawn(luodi_server::serve(listener, state));
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(600))
            .build()?,
        base: format!("http://{addr}"),
    };
    let province = client.login("hn_bureau").await?;
    let city = client.login("yy_bureau").await?;

    let mut raw = sqlx::AnyConnection::connect(database_url).await?;
    if database_url.starts_with("sqlite:") {
        // The same connection settings as the server's pool, so the comparison is like for like.
        sqlx::raw_sql(
            "PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY;",
        )
        .execute(&mut raw)
        .await?;
    }
    let project_id: i64 = sqlx::query_scalar("SELECT id FROM projects WHERE region_code >= '4309' AND region_code < '430:' ORDER BY id LIMIT 1")
        .fetch_one(&mut raw)
        .await?;
    let event_id: i64 = sqlx::query_scalar("SELECT event_id FROM projects WHERE event_id IS NOT NULL GROUP BY event_id ORDER BY COUNT(*) DESC LIMIT 1")
        .fetch_one(&mut raw)
        .await?;
    // The API groups by county over the covering index and sums counties into cities in Rust;
    // the raw SQL is that same statement.
    let rates_sql = |lo: &str, hi: &str, extra: &str| {
        let a = "(CASE WHEN contract_fen > 0 THEN arrived_fen ELSE arrived_cents END)";
        let c = "(CASE WHEN contract_fen > 0 THEN contract_fen ELSE contract_cents END)";
        let some = "(arrived_fen > 0 OR arrived_cents > 0)";
        format!(
            "SELECT region_code, COUNT(*), CAST(SUM(contract_fen) AS BIGINT), CAST(SUM(arrived_fen) AS BIGINT), \
             CAST(SUM(contract_cents) AS BIGINT), CAST(SUM(arrived_cents) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} OR started_on IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN started_on IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 2 > {c} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 2 <= {c} AND {a} * 5 >= {c} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 5 < {c} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} THEN 0 ELSE 1 END) AS BIGINT) FROM projects \
             WHERE stage IN ('signed','land_supplied','started','completed','producing','defaulted') \
             AND region_code >= '{lo}' AND region_code < '{hi}' {extra} GROUP BY region_code"
        )
    };
    // As at the end of a month: the API takes the records after the month off each project's
    // running total when they are the fewer (they are for the last year-end of the data set).
    let as_of_sql = |month: &str| {
        let signed = "'signed','land_supplied','started','completed','producing','defaulted'";
        let fen = "(p.arrived_fen - COALESCE(fa.fen, 0))";
        let cents = "(p.arrived_cents - COALESCE(fa.cents, 0))";
        let a = format!("(CASE WHEN p.contract_fen > 0 THEN {fen} ELSE {cents} END)");
        let c = "(CASE WHEN p.contract_fen > 0 THEN p.contract_fen ELSE p.contract_cents END)";
        let some = format!("({fen} > 0 OR {cents} > 0)");
        let started = format!("(p.started_on IS NOT NULL AND p.started_on <= '{month}-31')");
        format!(
            "SELECT p.region_code, COUNT(*), CAST(SUM(p.contract_fen) AS BIGINT), CAST(SUM({fen}) AS BIGINT), \
             CAST(SUM(p.contract_cents) AS BIGINT), CAST(SUM({cents}) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} OR {started} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {started} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 2 > {c} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 2 <= {c} AND {a} * 5 >= {c} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 5 < {c} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {some} THEN 0 ELSE 1 END) AS BIGINT) \
             FROM projects p LEFT JOIN (SELECT project_id, \
             SUM(CASE WHEN currency = 'CNY' THEN amount ELSE 0 END) AS fen, \
             SUM(CASE WHEN currency = 'USD' THEN amount ELSE 0 END) AS cents \
             FROM fund_arrivals WHERE status = 'confirmed' AND period > '{month}' \
             AND region_code >= '43' AND region_code < '44' GROUP BY region_code, project_id) fa ON fa.project_id = p.id \
             WHERE (p.stage IN ({signed}) OR (p.stage = 'terminated' AND \
             (SELECT s.stage FROM project_stages s WHERE s.project_id = p.id AND s.changed_on <= '{month}-31' \
             ORDER BY s.changed_on DESC, s.id DESC LIMIT 1) IN ({signed}))) \
             AND p.region_code >= '43' AND p.region_code < '44' AND p.signed_on <= '{month}-31' \
             GROUP BY p.region_code"
        )
    };
    let ledger_from = "FROM projects p JOIN regions r ON r.code = p.region_code \
        LEFT JOIN industries i ON i.code = p.industry_code LEFT JOIN signing_events e ON e.id = p.event_id \
        LEFT JOIN zones z ON z.id = p.zone_id LEFT JOIN units au ON au.id = p.attracting_unit_id \
        LEFT JOIN units ru ON ru.id = p.responsible_unit_id \
        WHERE p.region_code >= '4301' AND p.region_code < '4302' AND p.stage = 'started' AND p.origin = 'out_of_province'";
    let cases = vec![
        Case { name: "三率：全省按市州", user: "province", path: "/api/rates".into(), sql: vec![rates_sql("43", "44", "")] },
        Case {
            name: "三率：全省按市州，截至2025年末",
            user: "province",
            path: "/api/rates?as_of=2025-12".into(),
            sql: vec![as_of_sql("2025-12")],
        },
        Case { name: "三率：益阳市按县市区", user: "city", path: "/api/rates?region=430900".into(), sql: vec![rates_sql("4309", "430:", "")] },
        Case {
            name: "台账分页（3个筛选+排序）",
            user: "province",
            path: "/api/projects?region=430100&stage=started&origin=out_of_province&sort=-contract_fen&page_size=20".into(),
            sql: vec![
                // counted without the display joins, as the API does
                "SELECT COUNT(*) FROM projects p \
                 WHERE p.region_code >= '4301' AND p.region_code < '4302' AND p.stage = 'started' \
                 AND p.origin = 'out_of_province'".to_owned(),
                format!("SELECT p.*, r.name, i.name, e.name, z.name, au.name, ru.name {ledger_from} ORDER BY p.contract_fen DESC, p.id DESC LIMIT 20"),
            ],
        },
        Case {
            name: "项目详情",
            user: "city",
            path: format!("/api/projects/{project_id}"),
            sql: vec![
                format!("SELECT p.*, r.name FROM projects p JOIN regions r ON r.code = p.region_code WHERE p.id = {project_id}"),
                format!("SELECT s.*, u.display_name FROM project_stages s LEFT JOIN users u ON u.id = s.actor_id WHERE s.project_id = {project_id} ORDER BY s.changed_on, s.id"),
            ],
        },
        Case {
            name: "签约活动履约（按市州）",
            user: "province",
            path: format!("/api/rates?event_id={event_id}"),
            sql: vec![rates_sql("43", "44", &format!("AND event_id = {event_id}"))],
        },
    ];
    if only == "excel" {
        return excel(&client, &mut raw, &province).await;
    }
    println!(
        "\n| 查询 | API p50 (ms) | API p95 (ms) | SQL p50 (ms) | SQL p95 (ms) | p95 比值 API/SQL |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for case in &cases {
        let token = if case.user == "province" {
            &province
        } else {
            &city
        };
        let mut api = Vec::with_capacity(iterations);
        let mut sql = Vec::with_capacity(iterations);
        for i in 0..iterations + 10 {
            let t = Instant::now();
            let (status, body) = client.get(&case.path, token).await?;
            let elapsed = t.elapsed();
            if status != 200 {
                bail!("{}: {status} {}", case.path, String::from_utf8_lossy(&body));
            }
            let t = Instant::now();
            for q in &case.sql {
                sqlx::query(q).fetch_all(&mut raw).await?;
            }
            let raw_elapsed = t.elapsed();
            if i >= 10 {
                api.push(elapsed);
                sql.push(raw_elapsed);
            }
        }
        let (a50, a95) = (percentile(&mut api, 0.5), percentile(&mut api, 0.95));
        let (s50, s95) = (percentile(&mut sql, 0.5), percentile(&mut sql, 0.95));
        println!(
            "| {} | {a50:.2} | {a95:.2} | {s50:.2} | {s95:.2} | {:.2}× |",
            case.name,
            a95 / s95
        );
    }

    if only == "queries" {
        return Ok(());
    }
    excel(&client, &mut raw, &province).await
}

/// 100,000 rows through Excel: export the province's ledger, then import a sheet of that size.
async fn excel(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    province: &str,
) -> anyhow::Result<()> {
    let exported_rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM projects WHERE region_code >= '43' AND region_code < '44'",
    )
    .fetch_one(&mut *raw)
    .await?;
    let t = Instant::now();
    let (status, exported) = client
        .get("/api/projects/export?page_size=100000", province)
        .await?;
    let export_secs = t.elapsed().as_secs_f64();
    if status != 200 {
        bail!("export failed: {status}");
    }
    let path = std::env::temp_dir().join("luodi-bench-100k.xlsx");
    let sheet = import_sheet(100_000)?;
    std::fs::write(&path, &sheet)?;
    // LibreOffice goes first: the import leaves a WAL checkpoint running in the background.
    let libreoffice = libreoffice_csv_seconds(&path);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(sheet.clone()).file_name("bench.xlsx"),
    );
    let t = Instant::now();
    let response = client
        .http
        .post(format!("{}/api/projects/import/commit", client.base))
        .bearer_auth(province)
        .multipart(form)
        .send()
        .await?;
    let status = response.status().as_u16();
    let body = response.bytes().await?;
    let import_secs = t.elapsed().as_secs_f64();
    if status != 200 {
        bail!(
            "import failed: {status} {}",
            String::from_utf8_lossy(&body[..body.len().min(500)])
        );
    }
    println!("\n| Excel | 行数 | 用时 (s) |\n|---|---:|---:|");
    println!(
        "| 导出项目台账（全省，{:.1} MB） | {exported_rows} | {export_secs:.1} |",
        exported.len() as f64 / 1e6
    );
    println!("| 导入项目台账（逐行完整校验后一次提交） | 100000 | {import_secs:.1} |");
    match libreoffice {
        Some(s) => println!("| LibreOffice headless 将同一文件转为 CSV | 100000 | {s:.1} |"),
        None => println!("| LibreOffice headless 将同一文件转为 CSV | 100000 | 未安装 soffice |"),
    }
    println!("\n导入文件：{}（{} 字节）", path.display(), sheet.len());
    Ok(())
}

/// Syllables of made-up brand names: 30 × 30 brands.
const FIRST: [&str; 30] = [
    "华", "楚", "潇", "岳", "洞", "三", "远", "金", "博", "中", "蓝", "宁", "格", "美", "正", "海",
    "恒", "京", "立", "欣", "长", "吉", "湘", "鑫", "泰", "瑞", "宏", "盛", "嘉", "信",
];
const SECOND: [&str; 30] = [
    "湘", "天", "麓", "庭", "航", "杯", "长", "联", "海", "远", "瑞", "锦", "威", "亮", "信", "达",
    "城", "利", "源", "丰", "润", "通", "邦", "晟", "凯", "新", "峰", "光", "泽", "盈",
];
const PRODUCTS: [&str; 20] = [
    "新能源电池",
    "锂电材料",
    "智能装备",
    "工程机械配件",
    "电子元器件",
    "显示面板",
    "新型建材",
    "稻虾米加工",
    "食品加工",
    "羽绒服装",
    "生物医药",
    "医疗器械",
    "汽车零部件",
    "轨道交通配件",
    "有色金属加工",
    "数据中心",
    "冷链物流",
    "文旅综合体",
    "光伏组件",
    "特种玻璃",
];
const SUFFIXES: [&str; 12] = [
    "生产基地",
    "产业园",
    "扩能项目",
    "总部基地",
    "研发中心",
    "智能工厂",
    "仓储中心",
    "配套产业园",
    "技改项目",
    "加工厂",
    "孵化园",
    "示范基地",
];

/// The name of the `r`-th generated project. Names are spread over 216,000 brand × product ×
/// suffix combinations without repeats, as in real ledgers; every 50th row is a second phase
/// of an earlier row's project (the same name key), the duplicates the pool should catch.
fn project_name(r: usize) -> String {
    if r % 50 == 49 {
        return format!("{}（二期）", project_name(r - 37));
    }
    let combos = FIRST.len() * SECOND.len() * PRODUCTS.len() * SUFFIXES.len();
    // 7919 is prime and does not divide 216,000: r ↦ r·7919 mod 216,000 is a permutation.
    let k = r * 7919 % combos;
    let brand = format!("{}{}", FIRST[k % 30], SECOND[k / 30 % 30]);
    let product = PRODUCTS[k / 900 % PRODUCTS.len()];
    let suffix = SUFFIXES[k / 18_000 % SUFFIXES.len()];
    format!("{brand}{product}{suffix}")
}

/// A ledger sheet of `rows` valid projects across Hunan's counties.
fn import_sheet(rows: usize) -> anyhow::Result<Vec<u8>> {
    let counties = [
        "南县",
        "沅江市",
        "桃江县",
        "安化县",
        "浏阳市",
        "宁乡市",
        "醴陵市",
        "湘潭县",
        "衡阳县",
        "邵东市",
    ];
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "项目名称",
        "投资方",
        "资金来源",
        "行业代码",
        "合同资金（万元）",
        "签约日期",
        "落户地",
        "项目阶段",
        "重点项目",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for r in 0..rows {
        let row = r as u32 + 1;
        ws.write_string(row, 0, project_name(r))?;
        ws.write_string(row, 1, format!("湘商投资{}有限公司", r % 997))?;
        ws.write_string(row, 2, ["省外境内", "省内", "省外境内"][r % 3])?;
        ws.write_string(row, 3, ["39", "13", "38", "34"][r % 4])?;
        ws.write_number(row, 4, (500 + r % 20_000) as f64)?;
        ws.write_string(row, 5, format!("2025-{:02}-{:02}", r % 12 + 1, r % 28 + 1))?;
        ws.write_string(row, 6, counties[r % counties.len()])?;
        ws.write_string(row, 7, "已签约")?;
        ws.write_string(row, 8, if r % 10 == 0 { "是" } else { "否" })?;
    }
    Ok(wb.save_to_buffer()?)
}

fn libreoffice_csv_seconds(path: &std::path::Path) -> Option<f64> {
    let out = std::env::temp_dir().join("luodi-bench-csv");
    let t = Instant::now();
    let status = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "csv", "--outdir"])
        .arg(&out)
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| t.elapsed().as_secs_f64())
}
