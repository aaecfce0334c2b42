//! Group robots per region, 钉钉 加签, the failed-delivery page and the outbox's clean-up,
//! against the local SMTP server and axum robot of `channels.rs`.

use crate::channels::{
    remind, round_with_a_reporter_who_has_an_address, settings, Robot, SmtpServer, ADDRESS,
};
use crate::helpers::*;
use hmac::{Hmac, Mac};
use luodi_store::channels::{Delivered, OutboxRetention};
use luodi_store::AuthSettings;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use time::OffsetDateTime;

const NAN: &str = "430921";
const YUANJIANG: &str = "430981";
const SECRET: &str = "SEC1d6a4f2b9c0e8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";

fn robot_input(region: &str, name: &str, kind: &str, url: &str, secret: Option<&str>) -> Value {
    json!({ "region_code": region, "name": name, "kind": kind, "url": url,
            "secret": secret, "enabled": true })
}

async fn add_robot(user: &User, input: Value) -> Value {
    let (status, robot) = user.post("/api/channels/robots", input).await;
    assert_eq!(status, StatusCode::CREATED, "{robot}");
    robot
}

/// What 钉钉 computes to check a signed post: base64 of HMAC-SHA256(secret, "ts\nsecret").
fn expected_sign(timestamp: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}\n{SECRET}").as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[tokio::test]
async fn a_dingtalk_robot_with_a_secret_signs_and_wecom_robots_are_posted_as_before() {
    let (app, store) = spawn_app_with_store(AuthSettings::default(), Default::default()).await;
    let (smtp, platform, dingtalk) = (
        SmtpServer::start(0).await,
        Robot::start(0).await,
        Robot::start(0).await,
    );
    let worker = store.channels(settings(&smtp, &platform)).await.unwrap();
    let nx = app.login("nx_bureau").await;
    let robot = add_robot(
        &nx,
        robot_input(
            NAN,
            "南县招商调度群",
            "dingtalk",
            &dingtalk.dingtalk_url(),
            Some(SECRET),
        ),
    )
    .await;
    // The secret is never returned; the token only by its last four characters.
    let shown = robot.to_string();
    assert!(!shown.contains(SECRET) && !shown.contains("0123456789abcdef0123"));
    assert!(robot.get("secret").is_none(), "{robot}");
    assert_eq!(robot["has_secret"], true);
    assert!(robot["url_masked"]
        .as_str()
        .unwrap()
        .ends_with("/robot/send?access_token=***cdef"));
    assert_eq!(robot["kind_label"], "钉钉");

    let (yy, round) = round_with_a_reporter_who_has_an_address(&app).await;
    remind(&yy, round).await;
    let done = worker.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(
        done.sent, 3,
        "the mail, the platform's robot and 南县's: {done:?}"
    );

    let queries = dingtalk.queries();
    assert_eq!(queries.len(), 1);
    let q = &queries[0];
    assert_eq!(q["access_token"], "0123456789abcdef0123456789abcdef");
    let timestamp: i64 = q["timestamp"].parse().unwrap();
    let now_ms = (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    assert!(
        (now_ms - timestamp).abs() < 60_000,
        "milliseconds, now: {timestamp}"
    );
    assert_eq!(
        crate::channels::base64(&q["sign"]),
        expected_sign(&q["timestamp"]),
        "the sign the robot received is 钉钉's HMAC-SHA256 of timestamp and secret"
    );
    let content = dingtalk.posts()[0]["text"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(content.starts_with("【落地】南县：催报："), "{content}");
    assert!(
        content.contains("请登录落地平台（https://zs.yiyang.gov.cn）查看"),
        "{content}"
    );

    // 企业微信 is unchanged: its key, nothing added.
    let platform_queries = platform.queries();
    assert_eq!(platform_queries.len(), 1);
    assert_eq!(platform_queries[0].len(), 1, "{platform_queries:?}");
    assert_eq!(platform_queries[0]["key"], "test-key");

    // 发送测试消息: posted at once, signed again with a fresh timestamp.
    let id = robot["id"].as_i64().unwrap();
    let (status, tested) = nx
        .post(&format!("/api/channels/robots/{id}/test"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{tested}");
    assert_eq!(tested, json!({ "sent": true, "error": null }));
    let queries = dingtalk.queries();
    assert_eq!(queries.len(), 2);
    assert_eq!(
        crate::channels::base64(&queries[1]["sign"]),
        expected_sign(&queries[1]["timestamp"])
    );
    let test = dingtalk.posts()[1]["text"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        test.starts_with("【落地】南县：测试消息：本群已接入落地平台（南县招商调度群）"),
        "{test}"
    );
    assert!(test.contains("https://zs.yiyang.gov.cn"), "{test}");

    // A wrong secret: 钉钉 answers HTTP 200 with errcode 310000, and the test says so.
    let (status, changed) = nx
        .put(
            &format!("/api/channels/robots/{id}"),
            json!({ "region_code": NAN, "name": "南县招商调度群", "kind": "dingtalk",
                    "url": robot_refusing_signatures().await, "enabled": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["has_secret"], true, "a secret left out is kept");
    let (_, tested) = nx
        .post(&format!("/api/channels/robots/{id}/test"), json!({}))
        .await;
    assert_eq!(tested["sent"], false);
    assert_eq!(
        tested["error"],
        "机器人拒收（errcode 310000）：sign not match"
    );

    // The trail says what changed, never the secret or the whole token.
    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?entity=robot").await;
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["test", "update", "test", "create"], "{entries:?}");
    let trail = serde_json::to_string(&entries).unwrap();
    assert!(!trail.contains(SECRET) && !trail.contains("0123456789abcdef0123"));
    assert!(trail.contains("更换地址"), "{trail}");
}

/// A 钉钉 robot whose secret differs from the one stored: it refuses every signed post.
async fn robot_refusing_signatures() -> String {
    let app = axum::Router::new().route(
        "/robot/send",
        axum::routing::post(|| async {
            axum::Json(json!({ "errcode": 310000, "errmsg": "sign not match" }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/robot/send?access_token=0123456789abcdef0123456789abcdef")
}

#[tokio::test]
async fn a_region_configures_its_own_robots_and_no_other_region_reaches_them() {
    let (app, store) = spawn_app_with_store(AuthSettings::default(), Default::default()).await;
    let (smtp, platform, nan, yj) = (
        SmtpServer::start(0).await,
        Robot::start(0).await,
        Robot::start(0).await,
        Robot::start(0).await,
    );
    let mut configured = settings(&smtp, &platform);
    configured.webhook = None;
    let worker = store.channels(configured).await.unwrap();

    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let nan_robot = add_robot(
        &nx,
        robot_input(NAN, "南县招商调度群", "wecom", &nan.url, None),
    )
    .await;
    // The city connects one for 沅江市, below it.
    let yj_robot = add_robot(
        &yy,
        robot_input(YUANJIANG, "沅江市调度群", "wecom", &yj.url, None),
    )
    .await;
    let (nan_id, yj_id) = (
        nan_robot["id"].as_i64().unwrap(),
        yj_robot["id"].as_i64().unwrap(),
    );

    // 南县 sees its own; the city both; 长沙 neither.
    let listed = |robots: Vec<Value>| -> Vec<i64> {
        robots.iter().map(|r| r["id"].as_i64().unwrap()).collect()
    };
    let (_, mine) = nx.get("/api/channels/robots").await;
    assert_eq!(listed(mine.as_array().unwrap().clone()), [nan_id]);
    let (_, city) = yy.get("/api/channels/robots").await;
    assert_eq!(listed(city.as_array().unwrap().clone()), [nan_id, yj_id]);
    let (_, asked) = nx
        .get(&format!("/api/channels/robots?region={YUANJIANG}"))
        .await;
    assert_eq!(asked, json!([]));
    let cs = app.login("cs_bureau").await;
    let (_, other) = cs.get("/api/channels/robots").await;
    assert_eq!(other, json!([]));

    // 南县 cannot change, remove or test 沅江's robot, nor connect one for 沅江.
    let path = format!("/api/channels/robots/{yj_id}");
    let input = robot_input(YUANJIANG, "改名", "wecom", &yj.url, None);
    let (status, body) = nx.put(&path, input.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = nx.delete(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = nx.post(&format!("{path}/test"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(yj.posts().is_empty());
    let (status, body) = nx.post("/api/channels/robots", input).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["region_code"][0]
        .as_str()
        .unwrap()
        .contains("不在您的管辖范围内"));
    // Nor move its own there.
    let (status, _) = nx
        .put(
            &format!("/api/channels/robots/{nan_id}"),
            robot_input(YUANJIANG, "南县招商调度群", "wecom", &nan.url, None),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Who organises dispatch manages robots: not a unit, not an administrator.
    for who in ["nx_unit", "nx_admin"] {
        let user = app.login(who).await;
        let (status, body) = user.get("/api/channels/robots").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
    }

    // Every field checked at once; only robot hosts of the list are reached.
    let (status, body) = nx
        .post(
            "/api/channels/robots",
            robot_input(
                NAN,
                " ",
                "wecom",
                "http://10.0.0.8/admin?key=1",
                Some("SECabc"),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"]["name"][0], "请填写群名称");
    assert!(body["errors"]["url"][0]
        .as_str()
        .unwrap()
        .starts_with("只能接入以下地址的群机器人：127.0.0.1"));
    assert_eq!(
        body["errors"]["secret"][0],
        "企业微信群机器人不使用加签密钥"
    );
    let (status, body) = nx
        .post(
            "/api/channels/robots",
            json!({ "region_code": NAN, "name": "无地址", "kind": "dingtalk", "enabled": true }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"]["url"][0], "请填写机器人的 Webhook 地址");

    // A message to 南县's accounts goes to 南县's robot, not to 沅江's.
    let (yy_round_owner, round) = round_with_a_reporter_who_has_an_address(&app).await;
    remind(&yy_round_owner, round).await;
    let done = worker.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(done.sent, 2, "the mail and 南县's robot: {done:?}");
    assert_eq!(nan.posts().len(), 1);
    assert!(yj.posts().is_empty());
    assert!(
        platform.posts().is_empty(),
        "no installation-wide robot now"
    );

    // Switched off, it gets nothing new; removed, it is gone from the list.
    let (status, off) = nx
        .put(
            &format!("/api/channels/robots/{nan_id}"),
            json!({ "region_code": NAN, "name": "南县招商调度群", "kind": "wecom",
                    "enabled": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{off}");
    assert_eq!(off["enabled"], false);
    remind(&yy_round_owner, round).await;
    let done = worker.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(
        done,
        Delivered {
            sent: 1,
            ..Default::default()
        },
        "the mail only"
    );
    assert_eq!(nan.posts().len(), 1);
    let (status, _) = nx.delete(&format!("/api/channels/robots/{nan_id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = nx.get("/api/channels/robots").await;
    assert_eq!(mine, json!([]));
}

/// Writes a given-up message about 沅江市 below the API: the demo has no 沅江 account with
/// an e-mail address to give one up through the flow.
async fn failed_row_about_yuanjiang(app: &TestApp) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query_scalar(
        "INSERT INTO outbox (channel, recipient, addressee, region_code, body, status, attempts, \
         due_at, created_at, last_error) VALUES ('email', 'yj@yuanjiang.gov.cn', '沅江市商务局', \
         $1, '催报：沅江', 'failed', 5, $2, $2, '550 mailbox unavailable') RETURNING id",
    )
    .bind(YUANJIANG)
    .bind(luodi_store_now())
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

fn luodi_store_now() -> String {
    OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap()
}

/// Passes of the worker at each retry's due time, until the message is given up.
async fn run_until_given_up(worker: &luodi_store::channels::Delivery) -> OffsetDateTime {
    let mut at = OffsetDateTime::now_utc();
    let mut failed = 0;
    for wait in [0, 1, 5, 30, 120] {
        at += time::Duration::minutes(wait) + time::Duration::seconds(1);
        failed += worker.deliver_due(at).await.unwrap().failed;
    }
    assert_eq!(failed, 1, "given up after the fifth attempt");
    at
}

#[tokio::test]
async fn administrators_see_failed_deliveries_in_their_scope_and_send_them_again() {
    let (app, store) = spawn_app_with_store(AuthSettings::default(), Default::default()).await;
    // The mail server refuses five times, then takes mail again.
    let (smtp, platform) = (SmtpServer::start(5).await, Robot::start(0).await);
    let mut configured = settings(&smtp, &platform);
    configured.webhook = None;
    let worker = store.channels(configured).await.unwrap();
    let (yy, round) = round_with_a_reporter_who_has_an_address(&app).await;
    remind(&yy, round).await;
    run_until_given_up(&worker).await;
    let yj_failure = failed_row_about_yuanjiang(&app).await;

    let nx_admin = app.login("nx_admin").await;
    let (status, page) = nx_admin.get("/api/channels/failures").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1, "南县's only: {page}");
    let failure = &page["items"][0];
    assert_eq!(failure["channel"], "email");
    assert_eq!(failure["channel_label"], "邮件");
    assert_eq!(failure["recipient"], ADDRESS);
    assert_eq!(failure["region_name"], "南县");
    assert_eq!(failure["attempts"], 5);
    assert!(
        failure["error"]
            .as_str()
            .unwrap()
            .contains("try again later"),
        "{failure}"
    );
    assert!(failure["body"].as_str().unwrap().starts_with("催报"));
    let (_, none) = nx_admin
        .get(&format!("/api/channels/failures?region={YUANJIANG}"))
        .await;
    assert_eq!(none["total"], 0);

    // The province's administrator sees both; 沅江's is not 南县's to send again.
    let admin = app.login("admin").await;
    let (_, both) = admin.get("/api/channels/failures").await;
    assert_eq!(both["total"], 2, "{both}");
    let (_, webhooks) = admin.get("/api/channels/failures?channel=webhook").await;
    assert_eq!(webhooks["total"], 0);
    let (status, _) = nx_admin
        .post(
            &format!("/api/channels/failures/{yj_failure}/resend"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The page is the administrators': a bureau or unit account is refused.
    for who in ["nx_bureau", "nx_unit"] {
        let user = app.login(who).await;
        let (status, _) = user.get("/api/channels/failures").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }

    // 重新发送: pending again with fresh attempts; the mail server now takes it.
    let id = failure["id"].as_i64().unwrap();
    let (status, body) = nx_admin
        .post(&format!("/api/channels/failures/{id}/resend"), json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, after) = nx_admin.get("/api/channels/failures").await;
    assert_eq!(after["total"], 0);
    let (status, _) = nx_admin
        .post(&format!("/api/channels/failures/{id}/resend"), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only a failed message is sent again"
    );
    let done = worker.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(
        done,
        Delivered {
            sent: 1,
            ..Default::default()
        }
    );
    assert_eq!(smtp.mails().len(), 1);
    assert_eq!(smtp.mails()[0].rcpt, [ADDRESS]);

    let entries = app
        .login("hn_auditor")
        .await
        .items("/api/audit?entity=outbox")
        .await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["action"], "resend");
    assert_eq!(entries[0]["action_label"], "重新发送");
    assert_eq!(
        entries[0]["summary"],
        format!("重新发送失败的消息（邮件 {ADDRESS}）")
    );
    assert_eq!(entries[0]["before"]["attempts"], 5);
}

#[tokio::test]
async fn a_robot_switched_off_before_its_message_went_out_fails_at_once() {
    let (app, store) = spawn_app_with_store(AuthSettings::default(), Default::default()).await;
    let (smtp, platform, nan) = (
        SmtpServer::start(0).await,
        Robot::start(0).await,
        Robot::start(0).await,
    );
    let mut configured = settings(&smtp, &platform);
    configured.webhook = None;
    configured.email = None;
    let worker = store.channels(configured).await.unwrap();
    let nx = app.login("nx_bureau").await;
    let robot = add_robot(
        &nx,
        robot_input(NAN, "南县招商调度群", "wecom", &nan.url, None),
    )
    .await;
    let (yy, round) = round_with_a_reporter_who_has_an_address(&app).await;
    remind(&yy, round).await;
    let path = format!("/api/channels/robots/{}", robot["id"]);
    let off = json!({ "region_code": NAN, "name": "南县招商调度群", "kind": "wecom",
                      "enabled": false });
    assert_eq!(nx.put(&path, off).await.0, StatusCode::OK);
    let done = worker.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(
        done,
        Delivered {
            failed: 1,
            ..Default::default()
        }
    );
    assert!(nan.posts().is_empty());
    let (_, page) = app
        .login("nx_admin")
        .await
        .get("/api/channels/failures?channel=webhook")
        .await;
    assert_eq!(page["items"][0]["recipient"], "南县招商调度群");
    assert_eq!(page["items"][0]["error"], "群机器人已停用");
    assert_eq!(page["items"][0]["attempts"], 1);
}

#[tokio::test]
async fn housekeeping_removes_delivered_and_given_up_messages_after_their_days() {
    let (app, store) = spawn_app_with_store(AuthSettings::default(), Default::default()).await;
    let (smtp, platform) = (SmtpServer::start(5).await, Robot::start(0).await);
    let worker = store.channels(settings(&smtp, &platform)).await.unwrap();
    let (yy, round) = round_with_a_reporter_who_has_an_address(&app).await;
    remind(&yy, round).await;
    // The robot takes its post at once; the mail is given up after five attempts.
    let given_up = run_until_given_up(&worker).await;
    assert_eq!(platform.posts().len(), 1);
    // And one more message waits, never removed however old.
    remind(&yy, round).await;

    let count = || async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&app.database_url)
            .await
            .unwrap();
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        rows
    };
    let status = |rows: Vec<(String, i64)>| -> Vec<String> {
        rows.into_iter().map(|(s, n)| format!("{s}:{n}")).collect()
    };
    assert_eq!(status(count().await), ["failed:1", "pending:2", "sent:1"]);

    let retention = OutboxRetention::default();
    assert_eq!((retention.sent_days, retention.failed_days), (30, 180));
    let chores = store.housekeeping();
    let clock = store.clock();
    clock.set(given_up + time::Duration::days(29));
    assert_eq!(chores.purge_outbox(retention).await.unwrap(), 0);
    clock.set(given_up + time::Duration::days(31));
    assert_eq!(
        chores.purge_outbox(retention).await.unwrap(),
        1,
        "the sent post"
    );
    assert_eq!(status(count().await), ["failed:1", "pending:2"]);
    clock.set(given_up + time::Duration::days(179));
    assert_eq!(chores.purge_outbox(retention).await.unwrap(), 0);
    clock.set(given_up + time::Duration::days(181));
    assert_eq!(
        chores.purge_outbox(retention).await.unwrap(),
        1,
        "the given-up mail"
    );
    assert_eq!(status(count().await), ["pending:2"]);
    // Shorter settings apply as configured.
    let short = OutboxRetention {
        sent_days: 1,
        failed_days: 1,
    };
    clock.set(given_up + time::Duration::days(400));
    assert_eq!(
        chores.purge_outbox(short).await.unwrap(),
        0,
        "waiting rows stay"
    );
}
