use luodi_server::{AppState, ServerSettings};
use luodi_store::{AuthSettings, Store};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use std::sync::Arc;

pub const PASSWORD: &str = "Luodi@2026";

pub struct TestApp {
    pub base: String,
    /// The URL of this test's own database, for the few checks made below the API.
    pub database_url: String,
}

fn unique_name() -> String {
    format!("luodi_test_{}", uuid::Uuid::new_v4().simple())
}

/// A fresh, empty database for one test.
async fn fresh_database() -> String {
    match std::env::var("LUODI_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let name = unique_name();
            let mut conn = sqlx::AnyConnection::connect(&admin_url)
                .await
                .expect("connect to LUODI_TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .expect("postgres URL with a database name");
            format!("{base}/{name}")
        }
        _ => {
            let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
            format!("sqlite://{}", path.display())
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AuthSettings::default()).await
}

pub async fn spawn_app_with(auth: AuthSettings) -> TestApp {
    spawn_app_configured(auth, ServerSettings::default()).await
}

pub async fn spawn_app_configured(auth: AuthSettings, settings: ServerSettings) -> TestApp {
    spawn_app_with_store(auth, settings).await.0
}

/// The app and the store it serves, for what a test controls below the API (the store's
/// clock).
pub async fn spawn_app_with_store(
    auth: AuthSettings,
    settings: ServerSettings,
) -> (TestApp, Store) {
    let files_dir = std::env::temp_dir().join(format!("{}-files", unique_name()));
    spawn_app_storing_in(auth, settings, files_dir).await
}

/// The app keeping its evidence files under `files_dir`, for tests that look at the disk.
pub async fn spawn_app_storing_in(
    auth: AuthSettings,
    settings: ServerSettings,
    files_dir: std::path::PathBuf,
) -> (TestApp, Store) {
    let database_url = fresh_database().await;
    let store = Store::open(&database_url, auth).await.expect("open store");
    store
        .system()
        .load_demo(Some(PASSWORD))
        .await
        .expect("load demo data");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState {
        store: store.clone(),
        settings: Arc::new(settings),
        files: Arc::new(luodi_store::LocalDisk::new(files_dir)),
    };
    tokio::spawn(luodi_server::serve(listener, state));
    (
        TestApp {
            base: format!("http://{addr}"),
            database_url,
        },
        store,
    )
}

pub fn client() -> Client {
    Client::builder().cookie_store(true).build().unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn try_login(&self, username: &str, password: &str) -> (Client, Response) {
        let client = client();
        let res = client
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap();
        (client, res)
    }

    /// A client signed in as one of the demo accounts.
    pub async fn login(&self, username: &str) -> User {
        let (client, res) = self.try_login(username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "login as {username}");
        User {
            client,
            base: self.base.clone(),
        }
    }
}

/// A signed-in client with JSON helpers.
pub struct User {
    pub client: Client,
    base: String,
}

impl User {
    /// A client signed in some other way than `TestApp::login` (a second sign-in step).
    pub fn from_client(client: Client, app: &TestApp) -> Self {
        Self {
            client,
            base: app.base.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self.client.get(self.url(path)).send().await.unwrap();
        json_of(res).await
    }

    pub async fn get_raw(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        json_of(res).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .client
            .put(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        json_of(res).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        let res = self.client.delete(self.url(path)).send().await.unwrap();
        json_of(res).await
    }

    pub async fn upload_file(
        &self,
        path: &str,
        file: Vec<u8>,
        file_name: &str,
    ) -> (StatusCode, Value) {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(file_name.to_owned()),
        );
        let res = self
            .client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap();
        json_of(res).await
    }

    pub async fn upload(&self, path: &str, file: Vec<u8>, region: &str) -> (StatusCode, Value) {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name("units.xlsx"),
            )
            .text("region_code", region.to_owned());
        let res = self
            .client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap();
        json_of(res).await
    }

    /// Every item of a paged list (page_size 500).
    pub async fn items(&self, path: &str) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (status, body) = self.get(&format!("{path}{sep}page_size=500")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body["items"].as_array().cloned().unwrap_or_default()
    }
}

pub async fn json_of(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// The id of the unit named exactly `name` in `region`, as `user` finds it in the directory.
pub async fn unit_id(user: &User, region: &str, name: &str) -> i64 {
    user.items(&format!("/api/units?region={region}&q={name}"))
        .await
        .iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("unit {name} in {region}"))["id"]
        .as_i64()
        .unwrap()
}

/// The id of the zone (园区/乡镇) named `name` in county `county`.
pub async fn zone_id(user: &User, county: &str, name: &str) -> i64 {
    let (_, region) = user.get(&format!("/api/regions/{county}")).await;
    region["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["name"] == name)
        .unwrap_or_else(|| panic!("zone {name} in {county}"))["id"]
        .as_i64()
        .unwrap()
}

/// Asserts the API's error shape: the code, and a message in Chinese.
pub fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "unexpected body: {body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "message should be Chinese: {message}"
    );
}

/// A workbook with a header row and data rows, as a user would fill in the template.
pub fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(r as u32, c as u16, *value).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

pub const UNIT_HEADER: &[&str] = &[
    "单位名称",
    "单位类别",
    "子类别",
    "排序",
    "联系人",
    "联系电话",
    "备注",
];

/// A fund arrival in 元 entered by `entering` (a user of an 益阳 county) and confirmed by the
/// city bureau above it; answers the confirmed record.
pub async fn record_and_confirm(
    app: &TestApp,
    entering: &User,
    project_id: i64,
    period: &str,
    amount_fen: i64,
) -> Value {
    let (status, record) = entering
        .post(
            &format!("/api/projects/{project_id}/funds"),
            serde_json::json!({
                "period": period, "amount": amount_fen, "currency": "CNY", "kind": "fixed_asset",
                "override_reason": "测试数据：按银行回单录入"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    // A record the fund checks warn about is confirmed only with its evidence attached.
    if record["warnings"].as_array().is_some_and(|w| !w.is_empty()) {
        let (status, body) = entering
            .upload_file(
                &format!("/api/funds/{}/evidence", record["id"]),
                b"%PDF-1.4 bank receipt".to_vec(),
                "银行回单.pdf",
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let yy = app.login("yy_bureau").await;
    let (status, confirmed) = yy
        .post(
            &format!("/api/funds/{}/review", record["id"]),
            serde_json::json!({ "decision": "confirm", "version": record["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    confirmed
}

/// The first sheet of an export `path` downloaded by `user` (status 200 asserted).
pub async fn xlsx_rows(user: &User, path: &str) -> Vec<Vec<String>> {
    let res = user.get_raw(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    crate::scope::read_xlsx(res.bytes().await.unwrap().to_vec())
}

static NEXT_CREDIT_CODE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// A valid 统一社会信用代码 (GB 32100 check character) no other call of the test run returns: a
/// signed project must name its investor by the code or a reason, and distinct codes make no
/// look-alike pair that the test did not plant.
pub fn credit_code() -> String {
    let n = NEXT_CREDIT_CODE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    luodi_domain::CreditCode::with_check(&format!("91430000MA{n:07}"))
        .expect("17 valid characters")
        .to_string()
}

/// What a county writes under 无代码原因 when its investor has no credit code yet.
pub const NO_CODE_REASON: &str = "投资主体尚未注册，注册后补填代码";

/// A ledger sheet as [`workbook`] writes it, with a last column 无代码原因 filled in on every
/// data row: the sheets of tests about other things sign projects without a credit code.
/// (The server keeps the reason only where the code is blank.)
pub fn ledger_workbook(rows: &[&[&str]]) -> Vec<u8> {
    let widened: Vec<Vec<&str>> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut row = row.to_vec();
            let last = match i {
                0 => "无代码原因",
                _ if row.iter().all(|c| c.is_empty()) => "",
                _ => NO_CODE_REASON,
            };
            row.push(last);
            row
        })
        .collect();
    let slices: Vec<&[&str]> = widened.iter().map(Vec::as_slice).collect();
    workbook(&slices)
}
