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
pub(crate) struct Client {
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

    async fn post_json(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "POST {path}: {} {}",
                response.status(),
                response.text().await?
            );
        }
        Ok(response.json().await?)
    }

    /// A POST whose refusal is part of what is measured: the status and the body.
    pub(crate) async fn post(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<(u16, serde_json::Value)> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or_default()))
    }

    /// An uploaded workbook, as the import dialog sends it: the status and the body.
    pub(crate) async fn upload(
        &self,
        path: &str,
        token: &str,
        file: Vec<u8>,
        file_name: &str,
    ) -> anyhow::Result<(u16, serde_json::Value)> {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(file_name.to_owned()),
        );
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or_default()))
    }

    async fn post_form(
        &self,
        path: &str,
        token: &str,
        form: reqwest::multipart::Form,
    ) -> anyhow::Result<serde_json::Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await?;
        if !response.status().is_success() {
            let status = response.status();
            let text = response.text().await?;
            bail!("POST {path}: {status} {}", &text[..text.len().min(2000)]);
        }
        Ok(response.json().await?)
    }

    pub(crate) async fn login(&self, username: &str) -> anyhow::Result<String> {
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

/// What `luodi bench --only fraud` plants: the generator's seed and the cases per variant.
pub struct FraudOptions {
    pub seed: u64,
    pub cases: usize,
}

pub async fn run(
    database_url: &str,
    iterations: usize,
    only: &str,
    fraud: FraudOptions,
) -> anyhow::Result<()> {
    if !matches!(
        only,
        "all"
            | "queries"
            | "excel"
            | "dispatch"
            | "dashboard"
            | "problems"
            | "bulletins"
            | "fraud"
            | "matching"
    ) {
        bail!("--only takes queries, excel, dispatch, dashboard, problems, bulletins, fraud, matching or all");
    }
    let store = Store::open(database_url, AuthSettings::default()).await?;
    store.system().load_demo(Some(PASSWORD)).await?;
    let started = Instant::now();
    // The planted-fraud benchmark runs over the county demo, where the county accounts work.
    let generated = if only == "fraud" {
        store.system().load_county_scale(2026).await?
    } else {
        store.system().load_province_scale(2026).await?
    };
    if let Some(r) = generated {
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
    let mut raw = sqlx::AnyConnection::connect(database_url).await?;
    if only == "fraud" {
        return crate::fraud::run(&client, &mut raw, fraud.seed, fraud.cases).await;
    }
    if only == "matching" {
        return crate::fraud::matching(&client, &mut raw, iterations).await;
    }
    let province = client.login("hn_bureau").await?;
    let city = client.login("yy_bureau").await?;

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
             AND region_code >= '{lo}' AND region_code < '{hi}' AND duplicate_of IS NULL {extra} GROUP BY region_code"
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
    if only == "dispatch" {
        return dispatch(&client, &mut raw, &province, &city, iterations).await;
    }
    if only == "dashboard" {
        return dashboard(&client, &mut raw, &province, &rates_sql, iterations).await;
    }
    if only == "problems" {
        return problems(&client, &mut raw, &province, &city, iterations).await;
    }
    if only == "bulletins" {
        return bulletins(&client, &mut raw, &province, iterations).await;
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
        compare(
            &client, &mut raw, case.name, &case.path, token, &case.sql, iterations,
        )
        .await?;
    }

    if only == "queries" {
        return Ok(());
    }
    excel(&client, &mut raw, &province).await?;
    dispatch(&client, &mut raw, &province, &city, iterations).await?;
    dashboard(&client, &mut raw, &province, &rates_sql, iterations).await?;
    problems(&client, &mut raw, &province, &city, iterations).await?;
    bulletins(&client, &mut raw, &province, iterations).await
}

/// The leaders' dashboard of the province (issue 17): every request its page makes, sent
/// together as the page sends them, timed until the last answer; against the same questions
/// as raw SQL, one after the other on one connection.
async fn dashboard(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    province: &str,
    rates_sql: &dyn Fn(&str, &str, &str) -> String,
    iterations: usize,
) -> anyhow::Result<()> {
    // Beijing time, as the server counts months.
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(8))
        .date()
        .to_string();
    let (year, month) = (&today[..4], &today[5..7]);
    let last_year = year.parse::<i32>()? - 1;
    // The first day of the month six months back, as the page asks (web/src/areas/dashboard).
    let months = year.parse::<i32>()? * 12 + month.parse::<i32>()? - 1 - 6;
    let half_year_ago = format!("{}-{:02}-01", months / 12, months % 12 + 1);
    let paths = [
        "/api/rates?group_by=region".to_owned(),
        "/api/rates?group_by=industry".to_owned(),
        "/api/rates?group_by=origin".to_owned(),
        "/api/rates/growth".to_owned(),
        "/api/rates/monthly".to_owned(),
        format!("/api/projects?not_fulfilled=true&signed_to={half_year_ago}&sort=signed_on&page_size=10"),
        "/api/dispatch/rounds".to_owned(),
        format!("/api/targets?year={year}"),
    ];
    let signed = "'signed','land_supplied','started','completed','producing','defaulted'";
    let sql = vec![
        rates_sql("43", "44", ""),
        format!(
            "SELECT COALESCE(i.parent_code, i.code, ''), COUNT(*), CAST(SUM(p.contract_fen) AS BIGINT), \
             CAST(SUM(p.arrived_fen) AS BIGINT) FROM projects p LEFT JOIN industries i ON i.code = p.industry_code \
             WHERE p.stage IN ({signed}) AND p.region_code >= '43' AND p.region_code < '44' \
             AND p.duplicate_of IS NULL GROUP BY COALESCE(i.parent_code, i.code, '')"
        ),
        format!(
            "SELECT origin, COUNT(*), CAST(SUM(contract_fen) AS BIGINT), CAST(SUM(arrived_fen) AS BIGINT) \
             FROM projects WHERE stage IN ({signed}) AND region_code >= '43' AND region_code < '44' \
             AND duplicate_of IS NULL GROUP BY origin"
        ),
        format!(
            "SELECT p.origin, fa.currency, CAST(SUM(fa.amount) AS BIGINT) FROM fund_arrivals fa \
             JOIN projects p ON p.id = fa.project_id WHERE fa.status = 'confirmed' \
             AND fa.period >= '{last_year}-01' AND fa.period <= '{year}-{month}' \
             AND fa.region_code >= '43' AND fa.region_code < '44' AND p.duplicate_of IS NULL \
             GROUP BY p.origin, fa.currency"
        ),
        format!(
            "SELECT fa.period, fa.currency, CAST(SUM(fa.amount) AS BIGINT) FROM fund_arrivals fa \
             JOIN projects p ON p.id = fa.project_id \
             WHERE fa.status = 'confirmed' AND fa.period >= '{last_year}-01' AND fa.period <= '{year}-{month}' \
             AND fa.region_code >= '43' AND fa.region_code < '44' AND p.duplicate_of IS NULL \
             GROUP BY fa.period, fa.currency"
        ),
        format!(
            "SELECT p.* FROM projects p WHERE p.stage IN ({signed}) AND p.arrived_fen = 0 AND p.arrived_cents = 0 \
             AND p.started_on IS NULL AND p.signed_on <= '{half_year_ago}' AND p.duplicate_of IS NULL \
             AND p.region_code >= '43' AND p.region_code < '44' ORDER BY p.signed_on, p.id LIMIT 10"
        ),
    ];
    println!("\n| 领导看板（全省，{} 个请求并发） | API p50 (ms) | API p95 (ms) | SQL p50 (ms) | SQL p95 (ms) | p95 比值 API/SQL |", paths.len());
    println!("|---|---:|---:|---:|---:|---:|");
    let paths = &paths;
    let page = || async move {
        let get = |k: usize| client.get(&paths[k], province);
        let (a, b, c, d, e, f, g, h) = tokio::join!(
            get(0),
            get(1),
            get(2),
            get(3),
            get(4),
            get(5),
            get(6),
            get(7)
        );
        for (path, answer) in paths.iter().zip([a, b, c, d, e, f, g, h]) {
            let (status, body) = answer?;
            if status != 200 {
                bail!("{path}: {status} {}", String::from_utf8_lossy(&body));
            }
        }
        Ok(())
    };
    compare_with(raw, "看板全部数据（数据未变）", &sql, iterations, page).await?;
    // The page as a leader meets it while the counties work: before each timed load, 南县
    // enters an arrival of this month and 益阳市 confirms it, so every kept figure is stale
    // and 南县's monthly sums must be recomputed.
    let changes = Arrivals::new(client, raw, &format!("{year}-{month}"), "看板").await?;
    let changes = &changes;
    let change = move || changes.next();
    compare_cold(
        raw,
        "看板全部数据（每次之前一笔新确认的到位资金）",
        &sql,
        iterations,
        change,
        page,
    )
    .await
}

/// The change a leader's page meets while the counties work, made (untimed) before each timed
/// request: 南县 enters an arrival of this month on one of its projects and 益阳市 confirms it,
/// so every kept figure is stale and 南县's monthly sums must be recomputed.
struct Arrivals<'a> {
    client: &'a Client,
    county: String,
    city: String,
    project: i64,
    month: String,
    /// What the arrivals are entered for, in their notes.
    bench: &'static str,
    made: std::cell::Cell<u32>,
}

impl<'a> Arrivals<'a> {
    async fn new(
        client: &'a Client,
        raw: &mut sqlx::AnyConnection,
        month: &str,
        bench: &'static str,
    ) -> anyhow::Result<Self> {
        let project: i64 = sqlx::query_scalar(
            "SELECT id FROM projects WHERE region_code = '430921' AND duplicate_of IS NULL \
             AND stage IN ('signed','started','producing') AND contract_fen > 100000000 \
             ORDER BY id LIMIT 1",
        )
        .fetch_one(&mut *raw)
        .await?;
        Ok(Self {
            client,
            county: client.login("nx_bureau").await?,
            city: client.login("yy_bureau").await?,
            project,
            month: month.to_owned(),
            bench,
            made: std::cell::Cell::new(0),
        })
    }

    async fn next(&self) -> anyhow::Result<()> {
        let (client, county, project) = (self.client, &self.county, self.project);
        self.made.set(self.made.get() + 1);
        let note = format!(
            "{}基准测试：第{}笔到位资金，按银行回单录入",
            self.bench,
            self.made.get()
        );
        let (status, entered) = client
            .post(
                &format!("/api/projects/{project}/funds"),
                county,
                serde_json::json!({ "period": self.month, "amount": 10_000_i64,
                    "currency": "CNY", "kind": "fixed_asset", "note": note,
                    "override_reason": "基准测试录入，凭银行回单核对无误" }),
            )
            .await?;
        if status != 201 {
            bail!("entering an arrival: {status} {entered}");
        }
        let id = entered["id"].as_i64().context("fund id")?;
        if entered["warnings"]
            .as_array()
            .is_some_and(|w| !w.is_empty())
        {
            let (status, body) = client
                .upload(
                    &format!("/api/funds/{id}/evidence"),
                    county,
                    b"%PDF-1.4 bank receipt".to_vec(),
                    "银行回单.pdf",
                )
                .await?;
            if status != 201 {
                bail!("attaching evidence: {status} {body}");
            }
        }
        client
            .post_json(
                &format!("/api/funds/{id}/review"),
                &self.city,
                serde_json::json!({ "decision": "confirm", "version": 1 }),
            )
            .await?;
        Ok(())
    }
}

/// As [`compare_with`], with `change` run (untimed) before each request: what the first
/// request after a change costs.
async fn compare_cold<C, CFut, F, Fut>(
    raw: &mut sqlx::AnyConnection,
    name: &str,
    sql: &[String],
    iterations: usize,
    mut change: C,
    mut request: F,
) -> anyhow::Result<()>
where
    C: FnMut() -> CFut,
    CFut: std::future::Future<Output = anyhow::Result<()>>,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut api = Vec::with_capacity(iterations);
    let mut raw_times = Vec::with_capacity(iterations);
    for i in 0..iterations + 3 {
        change().await?;
        let t = Instant::now();
        request().await?;
        let elapsed = t.elapsed();
        let t = Instant::now();
        for q in sql {
            sqlx::query(q).fetch_all(&mut *raw).await?;
        }
        let raw_elapsed = t.elapsed();
        if i >= 3 {
            api.push(elapsed);
            raw_times.push(raw_elapsed);
        }
    }
    let (a50, a95) = (percentile(&mut api, 0.5), percentile(&mut api, 0.95));
    let (s50, s95) = (
        percentile(&mut raw_times, 0.5),
        percentile(&mut raw_times, 0.95),
    );
    println!(
        "| {name} | {a50:.2} | {a95:.2} | {s50:.2} | {s95:.2} | {:.2}× |",
        a95 / s95
    );
    Ok(())
}

/// The problem list and the per-unit figures (issue 18) over the province scale's ~20,000
/// problems: a page of the province's list, a city's overdue ones, a filtered page, and each
/// unit's handling record for the province and for a city. Target: p95 ≤ 50 ms.
async fn problems(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    province: &str,
    city: &str,
    iterations: usize,
) -> anyhow::Result<()> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM problems")
        .fetch_one(&mut *raw)
        .await?;
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    println!("\n{total} problems\n");
    let page = "SELECT p.*, rg.name, pr.name, un.name FROM (SELECT p.id FROM problems p WHERE {w} \
        ORDER BY p.id DESC LIMIT 20 OFFSET {o}) k JOIN problems p ON p.id = k.id JOIN regions rg ON rg.code = p.region_code \
        LEFT JOIN projects pr ON pr.id = p.project_id LEFT JOIN units un ON un.id = p.unit_id ORDER BY p.id DESC";
    // the page's rows after `offset` others, as the API pages them
    let paged = |w: &str, offset: u32| {
        vec![
            format!("SELECT COUNT(*) FROM problems p WHERE {w}"),
            page.replace("{w}", w).replace("{o}", &offset.to_string()),
        ]
    };
    let list = |w: &str| paged(w, 0);
    let figures = |w: &str| {
        vec![format!(
            "SELECT g.*, un.name FROM (SELECT p.unit_id, COUNT(*) AS assigned, \
             CAST(SUM(CASE WHEN p.answered_late IS NOT NULL AND NOT p.answered_late THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN p.answered_late THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN p.status IN ('assigned', 'in_progress') AND p.due_on < '{today}' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(p.returned_count) AS BIGINT), CAST(SUM(p.supervised_count) AS BIGINT) FROM problems p \
             WHERE p.unit_id IS NOT NULL AND {w} GROUP BY p.unit_id) g \
             JOIN units un ON un.id = g.unit_id ORDER BY g.assigned DESC, un.name"
        )]
    };
    let hn = "p.region_code >= '43' AND p.region_code < '44'";
    let yy = "p.region_code >= '4309' AND p.region_code < '430:'";
    let cases: Vec<(&str, &str, String, Vec<String>)> = vec![
        (
            "问题清单：全省第1页",
            province,
            "/api/problems?page_size=20".into(),
            list(hn),
        ),
        (
            "问题清单：全省 用地+已交办",
            province,
            "/api/problems?category=land&status=assigned&page_size=20".into(),
            list(&format!(
                "{hn} AND p.status = 'assigned' AND p.category = 'land'"
            )),
        ),
        (
            "问题清单：益阳市逾期",
            city,
            "/api/problems?overdue=true&page_size=20".into(),
            list(&format!(
                "{yy} AND p.status IN ('assigned', 'in_progress') AND p.due_on < '{today}'"
            )),
        ),
        (
            "问题清单：全省无答复 第50页",
            province,
            "/api/problems?unanswered=true&page=50&page_size=20".into(),
            paged(&format!("{hn} AND p.answer IS NULL"), 49 * 20),
        ),
        (
            "单位办理情况：全省",
            province,
            "/api/problems/units".into(),
            figures(hn),
        ),
        (
            "单位办理情况：益阳市",
            city,
            "/api/problems/units".into(),
            figures(yy),
        ),
    ];
    println!(
        "| 问题清单查询 | API p50 (ms) | API p95 (ms) | SQL p50 (ms) | SQL p95 (ms) | p95 比值 API/SQL |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, token, path, sql) in &cases {
        compare(client, raw, name, path, token, sql, iterations).await?;
    }
    supervision(client, raw, province, iterations).await
}

/// The supervision groups' quota compliance (督导合规, issue 18): the province forms a group
/// per city (once, kept for the next run), each group's leader records its visits of the last
/// eight quarters through the API, then the compliance views against their statements as raw
/// SQL.
async fn supervision(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    province: &str,
    iterations: usize,
) -> anyhow::Result<()> {
    use rand::{Rng, SeedableRng};
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).date();
    let groups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM supervision_groups")
        .fetch_one(&mut *raw)
        .await?;
    if groups == 0 {
        let t = Instant::now();
        let cities: Vec<(String, String)> = sqlx::query_as(
            "SELECT code, name FROM regions WHERE code >= '43' AND code < '44' \
             AND code LIKE '43__00' AND code <> '430000' ORDER BY code",
        )
        .fetch_all(&mut *raw)
        .await?;
        let inspectors: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, username FROM users WHERE username LIKE 'hn_inspector%' ORDER BY username",
        )
        .fetch_all(&mut *raw)
        .await?;
        if inspectors.is_empty() {
            bail!("the province has no inspector accounts (hn_inspector1…)");
        }
        let mut tokens = Vec::new();
        for (_, name) in &inspectors {
            tokens.push(client.login(name).await?);
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(18);
        let mut visits = 0;
        for (i, (city, name)) in cities.iter().enumerate() {
            let leader = i % inspectors.len();
            let group = client
                .post_json(
                    "/api/supervision/groups",
                    province,
                    serde_json::json!({ "name": format!("第{}督导组（{name}）", i + 1),
                        "leader_id": inspectors[leader].0,
                        "member_ids": inspectors.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
                        "region_codes": [city], "visits_per_quarter": 2 }),
                )
                .await?;
            let id = group["id"].as_i64().context("group id")?;
            let prefix = &city[..4];
            let counties: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT code FROM regions WHERE code LIKE '{prefix}__' AND code <> '{city}' ORDER BY code"
            ))
            .fetch_all(&mut *raw)
            .await?;
            // eight quarters back from this one, 0–5 visits each (some quarters missed)
            for back in 0..8 {
                let day = today - time::Duration::days(91 * back);
                for _ in 0..rng.gen_range(0..6) {
                    let on = day - time::Duration::days(rng.gen_range(0..80));
                    let on = if on > today { today } else { on };
                    let n = rng.gen_range(1..=3.min(counties.len().max(1)));
                    let places: Vec<&String> = counties.iter().take(n).collect();
                    client
                        .post_json(
                            "/api/supervision/visits",
                            &tokens[leader],
                            serde_json::json!({ "group_id": id, "visited_on": on.to_string(),
                                "method": "on_site", "place_codes": places,
                                "findings": "项目推进总体有序，个别项目用地报批偏慢" }),
                        )
                        .await?;
                    visits += 1;
                }
            }
        }
        println!(
            "\n督导组 {} 个（每个市州一个），督导记录 {visits} 条，经 API 录入，用时 {:.1} s",
            cities.len(),
            t.elapsed().as_secs_f64()
        );
    }
    let month = u8::from(today.month());
    let quarter = format!("{}-Q{}", today.year(), (month - 1) / 3 + 1);
    let (first, last) = {
        let q = (month - 1) / 3;
        let first =
            time::Date::from_calendar_date(today.year(), time::Month::try_from(q * 3 + 1)?, 1)?;
        let next = if q == 3 {
            time::Date::from_calendar_date(today.year() + 1, time::Month::January, 1)?
        } else {
            time::Date::from_calendar_date(today.year(), time::Month::try_from(q * 3 + 4)?, 1)?
        };
        (first, next - time::Duration::days(1))
    };
    let group: i64 = sqlx::query_scalar("SELECT MIN(id) FROM supervision_groups")
        .fetch_one(&mut *raw)
        .await?;
    // The groups as the list reads them, their members and regions, and the quarter's visits.
    let statements = |one: Option<i64>| {
        let only = one.map_or_else(String::new, |id| format!(" AND g.id = {id}"));
        let of = one.map_or_else(
            || {
                "SELECT id FROM supervision_groups WHERE region_code >= '43' AND region_code < '44'"
                    .to_owned()
            },
            |id| id.to_string(),
        );
        vec![
            format!(
                "SELECT g.id, g.region_code, rg.name, g.name, g.leader_id, lu.display_name, \
                 g.visits_per_quarter, g.created_at, g.version FROM supervision_groups g \
                 JOIN regions rg ON rg.code = g.region_code JOIN users lu ON lu.id = g.leader_id \
                 WHERE g.region_code >= '43' AND g.region_code < '44'{only} \
                 ORDER BY g.region_code, g.name LIMIT 500"
            ),
            format!(
                "SELECT m.group_id, u.id, u.username, u.display_name FROM supervision_group_members m \
                 JOIN users u ON u.id = m.user_id WHERE m.group_id IN ({of}) ORDER BY u.username"
            ),
            format!(
                "SELECT r.group_id, r.region_code, rg.name FROM supervision_group_regions r \
                 JOIN regions rg ON rg.code = r.region_code WHERE r.group_id IN ({of}) \
                 ORDER BY r.region_code"
            ),
            format!(
                "SELECT v.group_id, v.id, v.visited_on, p.region_code, v.problem_list_due, \
                 v.problem_list_at FROM visits v JOIN visit_places p ON p.visit_id = v.id \
                 WHERE v.group_id IN ({of}) AND v.visited_on >= '{first}' AND v.visited_on <= '{last}' \
                 ORDER BY v.id"
            ),
        ]
    };
    println!(
        "\n| 督导合规查询 | API p50 (ms) | API p95 (ms) | SQL p50 (ms) | SQL p95 (ms) | p95 比值 API/SQL |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    compare(
        client,
        raw,
        &format!("督导合规：全省各组，{quarter}"),
        &format!("/api/supervision/compliance?quarter={quarter}"),
        province,
        &statements(None),
        iterations,
    )
    .await?;
    compare(
        client,
        raw,
        &format!("督导合规：一个督导组，{quarter}"),
        &format!("/api/supervision/groups/{group}/compliance?quarter={quarter}"),
        province,
        &statements(Some(group)),
        iterations,
    )
    .await
}

/// Times `iterations` requests of `path` (after 10 warm-up ones), each followed by the same
/// question as raw SQL; prints one row of the queries table.
async fn compare(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    name: &str,
    path: &str,
    token: &str,
    sql: &[String],
    iterations: usize,
) -> anyhow::Result<()> {
    compare_with(raw, name, sql, iterations, || async move {
        let (status, body) = client.get(path, token).await?;
        if status != 200 {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&body));
        }
        Ok(())
    })
    .await
}

/// Times `iterations` runs of `request` (after 10 warm-up ones), each followed by the same
/// questions as raw SQL on one connection; prints one row of a queries table.
async fn compare_with<F, Fut>(
    raw: &mut sqlx::AnyConnection,
    name: &str,
    sql: &[String],
    iterations: usize,
    mut request: F,
) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut api = Vec::with_capacity(iterations);
    let mut raw_times = Vec::with_capacity(iterations);
    for i in 0..iterations + 10 {
        let t = Instant::now();
        request().await?;
        let elapsed = t.elapsed();
        let t = Instant::now();
        for q in sql {
            sqlx::query(q).fetch_all(&mut *raw).await?;
        }
        let raw_elapsed = t.elapsed();
        if i >= 10 {
            api.push(elapsed);
            raw_times.push(raw_elapsed);
        }
    }
    let (a50, a95) = (percentile(&mut api, 0.5), percentile(&mut api, 0.95));
    let (s50, s95) = (
        percentile(&mut raw_times, 0.5),
        percentile(&mut raw_times, 0.95),
    );
    println!(
        "| {name} | {a50:.2} | {a95:.2} | {s50:.2} | {s95:.2} | {:.2}× |",
        a95 / s95
    );
    Ok(())
}

/// Monthly dispatch at province scale (issue 16): the board of a round over every selected
/// project of the province, and a county's 500-project month sheet checked and committed.
async fn dispatch(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    province: &str,
    city: &str,
    iterations: usize,
) -> anyhow::Result<()> {
    // One province round, opened once per database (one round per organiser and month).
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM dispatch_rounds WHERE region_code = '430000' LIMIT 1")
            .fetch_optional(&mut *raw)
            .await?;
    let round_id = match existing {
        Some(id) => id,
        None => {
            let t = Instant::now();
            let round = client
                .post_json("/api/dispatch/rounds", province, serde_json::json!({}))
                .await?;
            println!(
                "opened the province round: {} projects in {:.1}s",
                round["project_count"],
                t.elapsed().as_secs_f64()
            );
            round["id"].as_i64().context("round id")?
        }
    };
    let (period, projects): (String, i64) = sqlx::query_as(
        "SELECT r.period, COUNT(*) FROM dispatch_rounds r \
         JOIN dispatch_round_projects a ON a.round_id = r.id WHERE r.id = $1 GROUP BY r.period",
    )
    .bind(round_id)
    .fetch_one(&mut *raw)
    .await?;
    // A board in mid-month: 40 % submitted (a tenth of them late), 10 % drafts, 5 % returned,
    // the rest not started. Written straight into the table: the bench measures reading it.
    let updates: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM monthly_updates WHERE period = $1")
        .bind(&period)
        .fetch_one(&mut *raw)
        .await?;
    if updates == 0 {
        let user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'hn_bureau'")
            .fetch_one(&mut *raw)
            .await?;
        sqlx::query(&format!(
            "INSERT INTO monthly_updates (project_id, region_code, period, status, unchanged, \
             progress, late, submitted_by, submitted_at, updated_by, updated_at) \
             SELECT a.project_id, a.region_code, '{period}', \
             CASE WHEN a.project_id % 20 < 8 THEN 'submitted' WHEN a.project_id % 20 < 10 THEN 'draft' \
             ELSE 'returned' END, FALSE, '本月完成投资，设备安装调试中', \
             CASE WHEN a.project_id % 20 = 0 THEN TRUE ELSE FALSE END, {user}, '2026-12-03T09:00:00+08:00', \
             {user}, '2026-12-03T09:00:00+08:00' FROM dispatch_round_projects a \
             WHERE a.round_id = {round_id} AND a.project_id % 20 < 11"
        ))
        .execute(&mut *raw)
        .await?;
    }
    println!("\nprovince round {round_id} for {period}: {projects} projects");
    println!(
        "\n| 查询 | API p50 (ms) | API p95 (ms) | SQL p50 (ms) | SQL p95 (ms) | p95 比值 API/SQL |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    // The two statements the board runs: the round's heading, then one row per reporter with
    // its states, counted before the names are joined.
    let round_sql = format!(
        "SELECT r.id, r.region_code, rg.name, r.period, r.due_on, r.title, r.status, u.display_name, \
         r.created_at, (SELECT COUNT(*) FROM dispatch_round_projects a WHERE a.round_id = r.id) \
         FROM dispatch_rounds r JOIN regions rg ON rg.code = r.region_code \
         JOIN users u ON u.id = r.created_by WHERE r.id = {round_id}"
    );
    let board_sql = |lo: &str, hi: &str| {
        format!(
            "SELECT g.region_code, c.name, ci.name, g.unit_id, un.name, g.n, g.s, g.d, g.r, g.ns, g.l \
             FROM (SELECT a.region_code, a.unit_id, COUNT(*) AS n, \
             CAST(SUM(CASE WHEN m.status = 'submitted' THEN 1 ELSE 0 END) AS BIGINT) AS s, \
             CAST(SUM(CASE WHEN m.status = 'draft' THEN 1 ELSE 0 END) AS BIGINT) AS d, \
             CAST(SUM(CASE WHEN m.status = 'returned' THEN 1 ELSE 0 END) AS BIGINT) AS r, \
             CAST(SUM(CASE WHEN m.id IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS ns, \
             CAST(SUM(CASE WHEN m.status = 'submitted' AND m.late = TRUE THEN 1 ELSE 0 END) AS BIGINT) AS l \
             FROM dispatch_round_projects a \
             LEFT JOIN monthly_updates m ON m.project_id = a.project_id AND m.period = '{period}' \
             WHERE a.round_id = {round_id} AND a.region_code >= '{lo}' AND a.region_code < '{hi}' \
             GROUP BY a.region_code, a.unit_id) g \
             JOIN regions c ON c.code = g.region_code LEFT JOIN regions ci ON ci.code = c.parent_code \
             LEFT JOIN units un ON un.id = g.unit_id ORDER BY g.region_code, g.unit_id"
        )
    };
    let path = format!("/api/dispatch/rounds/{round_id}/board");
    compare(
        client,
        raw,
        &format!("调度报送情况：全省轮次（{projects}个项目），省看"),
        &path,
        province,
        &[round_sql.clone(), board_sql("43", "44")],
        iterations,
    )
    .await?;
    compare(
        client,
        raw,
        "调度报送情况：全省轮次，益阳市看",
        &path,
        city,
        &[round_sql.clone(), board_sql("4309", "430:")],
        iterations,
    )
    .await?;
    month_sheet(client, raw).await
}

/// A county's month in one sheet: 500 projects (300 本月无变化, 150 with money, 50 with a
/// problem) checked (preview) and committed, once per month in three months.
async fn month_sheet(client: &Client, raw: &mut sqlx::AnyConnection) -> anyhow::Result<()> {
    const ROWS: usize = 500;
    let signed = "'signed','land_supplied','started','completed'";
    // The county with an account that has the most projects a round selects.
    let counties: Vec<(String, String, i64)> = sqlx::query_as(&format!(
        "SELECT u.username, p.region_code, COUNT(*) FROM projects p \
         JOIN users u ON u.region_code = p.region_code AND u.role = 'bureau' \
         WHERE p.stage IN ({signed}) GROUP BY u.username, p.region_code ORDER BY COUNT(*) DESC"
    ))
    .fetch_all(&mut *raw)
    .await?;
    let Some((user, county, selectable)) = counties.into_iter().next() else {
        bail!("no county bureau account with projects");
    };
    println!(
        "\nmonth sheet: {user} ({county}), {selectable} selectable projects, {ROWS} in the sheet"
    );
    if (selectable as usize) < ROWS {
        println!("（该县可调度项目不足 {ROWS} 个，按 {selectable} 个计）");
    }
    let token = client.login(&user).await?;
    println!("\n| 月度调度表（{ROWS} 个项目） | 月份 | 预览校验 (s) | 提交（校验+写入）(s) |\n|---|---|---:|---:|");
    let today = time::OffsetDateTime::now_utc().date();
    let mut month = today.year() * 12 + today.month() as i32 - 1;
    let mut done = 0;
    while done < 3 {
        month -= 1;
        if month < today.year() * 12 - 36 {
            bail!("no free month left for {user}'s rounds");
        }
        let period = format!("{}-{:02}", month / 12, month % 12 + 1);
        // A month of its own: no round of the county's yet, and no update of its projects
        // (the province round's month has some).
        let taken: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM dispatch_rounds WHERE region_code = $1 AND period = $2) \
             + (SELECT COUNT(*) FROM monthly_updates WHERE region_code = $1 AND period = $2)",
        )
        .bind(&county)
        .bind(&period)
        .fetch_one(&mut *raw)
        .await?;
        if taken > 0 {
            continue;
        }
        let round = client
            .post_json(
                "/api/dispatch/rounds",
                &token,
                serde_json::json!({ "period": period }),
            )
            .await?;
        let round_id = round["id"].as_i64().context("round id")?;
        // Projects with room under their contract for 5万元 more (confirmed and pending
        // alike), so the money rows raise no plausibility warning: that is the clerk's case.
        let lines: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT p.id, p.name, CASE WHEN p.contract_fen - p.arrived_fen - COALESCE((SELECT \
             SUM(f.amount) FROM fund_arrivals f WHERE f.project_id = p.id AND f.status = 'entered' \
             AND f.currency = 'CNY'), 0) > 5000000 THEN 1 ELSE 0 END \
             FROM dispatch_round_projects a JOIN projects p ON p.id = a.project_id \
             WHERE a.round_id = $1 ORDER BY p.id LIMIT 500",
        )
        .bind(round_id)
        .fetch_all(&mut *raw)
        .await?;
        let sheet = month_sheet_file(&lines)?;
        let form = |sheet: &[u8]| {
            reqwest::multipart::Form::new()
                .text("round_id", round_id.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(sheet.to_vec()).file_name("月度调度表.xlsx"),
                )
        };
        let t = Instant::now();
        let preview = client
            .post_form("/api/dispatch/sheet/preview", &token, form(&sheet))
            .await?;
        let preview_secs = t.elapsed().as_secs_f64();
        if preview["valid_rows"].as_u64() != Some(lines.len() as u64) {
            bail!("month sheet preview: {preview}");
        }
        let t = Instant::now();
        let result = client
            .post_form("/api/dispatch/sheet/commit", &token, form(&sheet))
            .await?;
        let commit_secs = t.elapsed().as_secs_f64();
        if result["submitted"].as_u64() != Some(lines.len() as u64) {
            bail!("month sheet commit: {result}");
        }
        println!(
            "| {} 行（本月无变化 {}，到位资金 {} 笔） | {period} | {preview_secs:.2} | {commit_secs:.2} |",
            lines.len(),
            preview["unchanged_rows"],
            preview["fund_rows"]
        );
        done += 1;
    }
    Ok(())
}

/// A filled month sheet: of every ten projects, six 本月无变化, three with progress and money
/// (5万元 of fixed-asset investment, where the contract has room), one with a problem.
fn month_sheet_file(lines: &[(i64, String, i64)]) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "项目编号",
        "项目名称",
        "本月无变化",
        "本月进展",
        "存在问题",
        "问题类别",
        "需上级协调",
        "下步计划",
        "本月到位金额（万元/万美元）",
        "资金类型",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for (i, (id, name, room)) in lines.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number(row, 0, *id as f64)?;
        ws.write_string(row, 1, name)?;
        match i % 10 {
            0..=5 => {
                ws.write_string(row, 2, "是")?;
            }
            6..=8 => {
                ws.write_string(row, 3, "本月完成设备安装，累计完成投资过半")?;
                ws.write_string(row, 7, "下月开展联动调试")?;
                if *room == 1 {
                    ws.write_number(row, 8, 5.0)?;
                    ws.write_string(row, 9, "固定资产投资")?;
                }
            }
            _ => {
                ws.write_string(row, 3, "主体工程施工中")?;
                ws.write_string(row, 4, "配套电力线路未接入，影响设备调试")?;
                ws.write_string(row, 5, "要素保障")?;
                ws.write_string(row, 6, "是")?;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
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
    let pairs_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM duplicate_candidates")
        .fetch_one(&mut *raw)
        .await?;
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
    // A sheet this large is matched for look-alikes after it commits: the time until the
    // queue is empty, from the import's answer.
    let t = Instant::now();
    loop {
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM look_alike_queue")
            .fetch_one(&mut *raw)
            .await?;
        if waiting == 0 {
            break;
        }
        if t.elapsed() > Duration::from_secs(1800) {
            bail!("{waiting} projects still wait for their look-alike matching after 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let matching_secs = t.elapsed().as_secs_f64();
    let pairs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM duplicate_candidates")
        .fetch_one(&mut *raw)
        .await?;
    println!("\n| Excel | 行数 | 用时 (s) |\n|---|---:|---:|");
    println!(
        "| 导出项目台账（全省，{:.1} MB） | {exported_rows} | {export_secs:.1} |",
        exported.len() as f64 / 1e6
    );
    println!("| 导入项目台账（逐行完整校验后一次提交） | 100000 | {import_secs:.1} |");
    println!(
        "| 其后台疑似重复比对，至队列清空（{} 对） | 100000 | {matching_secs:.1} |",
        pairs - pairs_before
    );
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
        "统一社会信用代码",
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
        // A signed project names its investor by the credit code (one per row, valid).
        let code = luodi_domain::CreditCode::with_check(&format!("91430000MA{r:07}"))
            .context("17 valid characters")?;
        ws.write_string(row, 2, code.to_string())?;
        ws.write_string(row, 3, ["省外境内", "省内", "省外境内"][r % 3])?;
        ws.write_string(row, 4, ["39", "13", "38", "34"][r % 4])?;
        ws.write_number(row, 5, (500 + r % 20_000) as f64)?;
        ws.write_string(row, 6, format!("2025-{:02}-{:02}", r % 12 + 1, r % 28 + 1))?;
        ws.write_string(row, 7, counties[r % counties.len()])?;
        ws.write_string(row, 8, "已签约")?;
        ws.write_string(row, 9, if r % 10 == 0 { "是" } else { "否" })?;
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

/// Month-end close and bulletins at province scale (issue 17): the province closes December
/// 2025 once (kept in the database for the next run), then the province's rates as at that
/// closed month against the same statement as raw SQL over the kept rows, a quarterly bulletin
/// drafted from the closed figures, and its .docx and .xlsx exports.
async fn bulletins(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    province: &str,
    iterations: usize,
) -> anyhow::Result<()> {
    const MONTH: &str = "2025-12";
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM month_closes WHERE region_code = '430000' AND period = '2025-12'",
    )
    .fetch_optional(&mut *raw)
    .await?;
    let close_id = match existing {
        Some(id) => {
            println!("\n{MONTH} already closed over the province (close {id}), reused");
            id
        }
        None => {
            let t = Instant::now();
            let close = client
                .post_json(
                    "/api/closes",
                    province,
                    serde_json::json!({ "period": MONTH }),
                )
                .await?;
            println!(
                "\n| 月结（全省） | 月份 | 保留项目数 | 用时 (s) |\n|---|---|---:|---:|\n| 湖南省 | {MONTH} | {} | {:.2} |",
                close["projects"],
                t.elapsed().as_secs_f64()
            );
            close["id"].as_i64().context("close id")?
        }
    };
    // The statement the API runs for a closed month by region without project filters
    // (crates/store/src/rates.rs): the kept rows alone, grouped by county, rated against the
    // contract as it stood.
    let a = "(CASE WHEN c.contract_fen > 0 THEN c.arrived_fen ELSE c.arrived_cents END)";
    let c = "(CASE WHEN c.contract_fen > 0 THEN c.contract_fen ELSE c.contract_cents END)";
    let some = "(c.arrived_fen > 0 OR c.arrived_cents > 0)";
    let sql = format!(
        "SELECT c.region_code, COUNT(*), CAST(SUM(c.contract_fen) AS BIGINT), CAST(SUM(c.arrived_fen) AS BIGINT), \
         CAST(SUM(c.contract_cents) AS BIGINT), CAST(SUM(c.arrived_cents) AS BIGINT), \
         CAST(SUM(CASE WHEN {some} OR c.started = 1 THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN c.started = 1 THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 2 > {c} THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 2 <= {c} AND {a} * 5 >= {c} THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * 5 < {c} THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {some} THEN 0 ELSE 1 END) AS BIGINT), \
         CAST(SUM(CASE WHEN c.contract_fen = 0 AND c.contract_cents = 0 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM month_close_projects c \
         WHERE c.close_id = {close_id} AND c.region_code >= '43' AND c.region_code < '44' GROUP BY c.region_code"
    );
    println!(
        "\n| 查询 | API p50 (ms) | API p95 (ms) | SQL p50 (ms) | SQL p95 (ms) | p95 比值 API/SQL |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    compare(
        client,
        raw,
        "三率：全省按市州，已月结的2025年12月（无变更，按月结明细）",
        &format!("/api/rates?as_of={MONTH}"),
        province,
        &[sql],
        iterations,
    )
    .await?;
    // The first read after any change (a county's newly confirmed arrival of this month): the
    // report cannot be the one kept between changes, and reads the county sums the close kept
    // (month_close_sums) — against the same statement as raw SQL.
    // the seeds' thresholds, which the bench's installation keeps
    let t = luodi_domain::Thresholds::default();
    let ((en, ed), (gn, gd)) = (t.excellent_above.parts(), t.good_from.parts());
    let kept_sql = format!(
        "SELECT s.region_code, CAST(SUM(s.projects) AS BIGINT), CAST(SUM(s.contract_fen) AS BIGINT), \
         CAST(SUM(s.arrived_fen) AS BIGINT), CAST(SUM(s.contract_cents) AS BIGINT), \
         CAST(SUM(s.arrived_cents) AS BIGINT), CAST(SUM(s.fulfilling) AS BIGINT), \
         CAST(SUM(s.started) AS BIGINT), CAST(SUM(s.excellent) AS BIGINT), CAST(SUM(s.good) AS BIGINT), \
         CAST(SUM(s.fair) AS BIGINT), CAST(SUM(s.not_fulfilled) AS BIGINT), \
         CAST(SUM(s.missing_contract) AS BIGINT) FROM month_close_sums s \
         WHERE s.close_id = {close_id} AND s.thresholds = '{en}/{ed}/{gn}/{gd}' \
         AND s.region_code >= '43' AND s.region_code < '44' GROUP BY s.region_code"
    );
    let this_month = (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).date();
    let this_month = format!("{}-{:02}", this_month.year(), u8::from(this_month.month()));
    let changes = Arrivals::new(client, raw, &this_month, "月结三率").await?;
    let changes = &changes;
    let path = format!("/api/rates?as_of={MONTH}");
    let path = &path;
    compare_cold(
        raw,
        "三率：全省按市州，已月结的2025年12月（每次之前一笔新确认的到位资金，按月结分县汇总）",
        &[kept_sql],
        iterations,
        move || changes.next(),
        move || async move {
            let (status, body) = client.get(path, province).await?;
            if status != 200 {
                bail!("{path}: {status} {}", String::from_utf8_lossy(&body));
            }
            Ok(())
        },
    )
    .await?;

    let t = Instant::now();
    let bulletin = client
        .post_json(
            "/api/bulletins",
            province,
            serde_json::json!({ "period_kind": "quarter", "year": 2025, "period_index": 4 }),
        )
        .await?;
    let drafted = t.elapsed().as_secs_f64();
    let id = bulletin["id"].as_i64().context("bulletin id")?;
    let mut exports = Vec::new();
    for kind in ["docx", "xlsx"] {
        let t = Instant::now();
        let (status, body) = client
            .get(&format!("/api/bulletins/{id}/{kind}"), province)
            .await?;
        if status != 200 {
            bail!("{kind}: {status} {}", String::from_utf8_lossy(&body));
        }
        exports.push((kind, t.elapsed().as_secs_f64(), body.len()));
    }
    println!("\n| 通报（全省2025年第四季度） | 用时 (s) | 文件大小 (KB) |\n|---|---:|---:|");
    println!("| 起草（读月结数字、排名、滞后项目、报送情况、文字） | {drafted:.2} | |");
    for (kind, secs, len) in exports {
        println!("| 导出 .{kind} | {secs:.2} | {:.0} |", len as f64 / 1024.0);
    }
    Ok(())
}
