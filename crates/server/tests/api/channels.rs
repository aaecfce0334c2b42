//! Notification channels against local test servers: a minimal SMTP server and a group-robot
//! webhook. A 催报 sent through the API reaches the bell, the reporter's mailbox and the robot
//! once each; a failing server is tried again later; two instances' workers racing deliver
//! once.

use crate::helpers::*;
use luodi_store::channels::{ChannelSettings, Delivered, EmailSettings, TlsMode, WebhookSettings};
use luodi_store::{AuthSettings, Store};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

pub(crate) const ADDRESS: &str = "nx_bureau@nanxian.gov.cn";

/// One message as the SMTP server took it.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub(crate) rcpt: Vec<String>,
    pub(crate) data: String,
}

/// Speaks just enough SMTP for a client that needs no extensions: greeting, EHLO, MAIL,
/// RCPT, DATA, QUIT. The first `fail` transactions are answered 451 (try again later).
pub(crate) struct SmtpServer {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpServer {
    pub(crate) async fn start(fail: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(AtomicUsize::new(fail));
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(Self::session(stream, kept.clone(), failures.clone()));
            }
        });
        Self { port, mails }
    }

    async fn session(
        stream: tokio::net::TcpStream,
        mails: Arc<Mutex<Vec<Mail>>>,
        failures: Arc<AtomicUsize>,
    ) {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        let _ = write.write_all(b"220 localhost ESMTP test\r\n").await;
        let mut rcpt = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let command = line.trim_end().to_ascii_uppercase();
            let answer: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                b"250 localhost\r\n"
            } else if command.starts_with("MAIL FROM") {
                rcpt.clear();
                let left = failures.load(Ordering::SeqCst);
                if left > 0 {
                    failures.store(left - 1, Ordering::SeqCst);
                    b"451 4.3.0 try again later\r\n"
                } else {
                    b"250 OK\r\n"
                }
            } else if command.starts_with("RCPT TO") {
                let address = line.trim_end()["RCPT TO:".len()..]
                    .trim()
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                rcpt.push(address);
                b"250 OK\r\n"
            } else if command == "DATA" {
                let _ = write.write_all(b"354 end with .\r\n").await;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                mails.lock().unwrap().push(Mail {
                    rcpt: std::mem::take(&mut rcpt),
                    data,
                });
                b"250 OK queued\r\n"
            } else if command == "QUIT" {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            } else if command == "RSET" || command == "NOOP" {
                b"250 OK\r\n"
            } else {
                b"502 not implemented\r\n"
            };
            if write.write_all(answer).await.is_err() {
                return;
            }
        }
    }

    pub(crate) fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

/// A group robot: records every post (with its query: 钉钉's signature travels there),
/// answers the first `fail` with 500, then as 企业微信 and 钉钉 do.
pub(crate) struct Robot {
    pub(crate) url: String,
    posts: Arc<Mutex<Vec<Value>>>,
    queries: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl Robot {
    pub(crate) async fn start(fail: usize) -> Self {
        #[derive(Clone)]
        struct Hook {
            posts: Arc<Mutex<Vec<Value>>>,
            queries: Arc<Mutex<Vec<HashMap<String, String>>>>,
            failures: Arc<AtomicUsize>,
        }
        async fn receive(
            axum::extract::State(hook): axum::extract::State<Hook>,
            axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
            axum::Json(body): axum::Json<Value>,
        ) -> (axum::http::StatusCode, axum::Json<Value>) {
            hook.posts.lock().unwrap().push(body);
            hook.queries.lock().unwrap().push(query);
            let left = hook.failures.load(Ordering::SeqCst);
            if left > 0 {
                hook.failures.store(left - 1, Ordering::SeqCst);
                return (
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    axum::Json(json!({ "errcode": -1, "errmsg": "system busy" })),
                );
            }
            (
                axum::http::StatusCode::OK,
                axum::Json(json!({ "errcode": 0, "errmsg": "ok" })),
            )
        }
        let posts = Arc::new(Mutex::new(Vec::new()));
        let queries = Arc::new(Mutex::new(Vec::new()));
        let hook = Hook {
            posts: posts.clone(),
            queries: queries.clone(),
            failures: Arc::new(AtomicUsize::new(fail)),
        };
        let app = axum::Router::new()
            .route("/cgi-bin/webhook/send", axum::routing::post(receive))
            .route("/robot/send", axum::routing::post(receive))
            .with_state(hook);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://{addr}/cgi-bin/webhook/send?key=test-key"),
            posts,
            queries,
        }
    }

    /// The address a 钉钉 robot of this server has.
    pub(crate) fn dingtalk_url(&self) -> String {
        self.url.replace(
            "/cgi-bin/webhook/send?key=test-key",
            "/robot/send?access_token=0123456789abcdef0123456789abcdef",
        )
    }

    pub(crate) fn posts(&self) -> Vec<Value> {
        self.posts.lock().unwrap().clone()
    }

    pub(crate) fn queries(&self) -> Vec<HashMap<String, String>> {
        self.queries.lock().unwrap().clone()
    }
}

/// E-mail and the installation-wide robot, with local robots allowed and the platform's
/// address.
pub(crate) fn settings(smtp: &SmtpServer, robot: &Robot) -> ChannelSettings {
    ChannelSettings {
        email: Some(EmailSettings {
            host: "127.0.0.1".into(),
            port: Some(smtp.port),
            username: None,
            password: None,
            from: "落地平台 <luodi@yiyang.gov.cn>".into(),
            tls: TlsMode::None,
        }),
        webhook: Some(WebhookSettings {
            url: robot.url.clone(),
            kind: Default::default(),
            secret: None,
        }),
        robot_hosts: vec!["127.0.0.1".into()],
        link: Some("https://zs.yiyang.gov.cn".into()),
        ..Default::default()
    }
}

fn last_month() -> String {
    let t = OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let (y, m) = if t.month() as u8 == 1 {
        (t.year() - 1, 12)
    } else {
        (t.year(), t.month() as u8 - 1)
    };
    format!("{y}-{m:02}")
}

/// Gives nx_bureau an e-mail address (through the users API) and 南县 a signed project, and
/// opens 益阳's dispatch round over it: the county bureau is its one reporter.
pub(crate) async fn round_with_a_reporter_who_has_an_address(app: &TestApp) -> (User, i64) {
    let admin = app.login("nx_admin").await;
    let users = admin.items("/api/users?q=nx_bureau").await;
    let user = &users[0];
    let update = |email: &str| {
        json!({ "display_name": user["display_name"], "role": user["role"],
                "region_code": user["region_code"], "unit_id": user["unit_id"],
                "phone": user["phone"], "email": email, "active": true,
                "version": user["version"] })
    };
    let path = format!("/api/users/{}", user["id"]);
    let (status, refused) = admin.put(&path, update("nx_bureau@nanxian")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["errors"]["email"][0], "电子邮箱格式不正确");
    let (status, saved) = admin.put(&path, update(ADDRESS)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["email"], ADDRESS);

    let nx = app.login("nx_bureau").await;
    let (status, project) = nx
        .post(
            "/api/projects",
            json!({ "name": "南县渠道测试项目", "investor_name": "某某实业有限公司",
                    "origin": "in_province", "contract_fen": 100_000_000,
                    "signed_on": "2026-01-10", "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let yy = app.login("yy_bureau").await;
    let due = (OffsetDateTime::now_utc().date() + time::Duration::days(5)).to_string();
    let (status, round) = yy
        .post(
            "/api/dispatch/rounds?region=430921&q=渠道测试",
            json!({ "period": last_month(), "due_on": due }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    (yy, round["id"].as_i64().unwrap())
}

pub(crate) async fn remind(yy: &User, round: i64) {
    let (status, reminded) = yy
        .post(&format!("/api/dispatch/rounds/{round}/remind"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reminded}");
    assert_eq!(reminded["reporters"], 1);
}

pub(crate) fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut bits, mut acc) = (Vec::new(), 0, 0u32);
    for c in text.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The subject (RFC 2047 words decoded) and the body (transfer encoding undone) of a mail.
fn subject_and_body(data: &str) -> (String, String) {
    let (head, body) = data.split_once("\r\n\r\n").expect("headers, then a body");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let header = |name: &str| {
        unfolded
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_default()
            .to_owned()
    };
    let subject = header("Subject")
        .split_whitespace()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            match lower
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
            {
                Some(_) => String::from_utf8(base64(&word[10..word.len() - 2])).unwrap(),
                None => word.to_owned(),
            }
        })
        .collect::<String>();
    let body = match header("Content-Transfer-Encoding").as_str() {
        "base64" => String::from_utf8(base64(body)).unwrap(),
        "7bit" | "8bit" => body.to_owned(),
        other => panic!("unexpected transfer encoding {other}: {data}"),
    };
    (subject, body)
}

#[tokio::test]
async fn a_reminder_reaches_the_bell_the_mailbox_and_the_robot_once_each() {
    let (app, store) = spawn_app_with_store(AuthSettings::default(), Default::default()).await;
    let (smtp, robot) = (SmtpServer::start(0).await, Robot::start(0).await);
    let worker = store.channels(settings(&smtp, &robot)).await.unwrap();
    let (yy, round) = round_with_a_reporter_who_has_an_address(&app).await;

    remind(&yy, round).await;
    assert!(
        smtp.mails().is_empty(),
        "the request only writes the outbox"
    );
    let done = worker.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(
        done,
        Delivered {
            sent: 2,
            ..Default::default()
        }
    );

    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].rcpt, [ADDRESS]);
    let (subject, body) = subject_and_body(&mails[0].data);
    assert!(subject.starts_with("【落地】催报："), "{subject}");
    assert!(body.contains("尚有1个项目未报送本月进展"), "{body}");
    assert!(
        body.contains("请登录落地平台（https://zs.yiyang.gov.cn）查看"),
        "{body}"
    );

    let posts = robot.posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0]["msgtype"], "text");
    let content = posts[0]["text"]["content"].as_str().unwrap();
    assert!(content.starts_with("【落地】南县：催报："), "{content}");
    assert!(
        content.ends_with("请登录落地平台（https://zs.yiyang.gov.cn）查看。"),
        "robot posts name the platform's address: {content}"
    );

    let nx = app.login("nx_bureau").await;
    let (_, bell) = nx.get("/api/notifications").await;
    assert!(bell["items"][0]["body"]
        .as_str()
        .unwrap()
        .starts_with("催报"));

    // Sent is sent: another pass sends nothing again.
    let again = worker.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(again, Delivered::default());
    assert_eq!((smtp.mails().len(), robot.posts().len()), (1, 1));
}

#[tokio::test]
async fn servers_that_fail_are_tried_again_later_until_they_take_it() {
    let (app, store) = spawn_app_with_store(AuthSettings::default(), Default::default()).await;
    let (smtp, robot) = (SmtpServer::start(1).await, Robot::start(1).await);
    let worker = store.channels(settings(&smtp, &robot)).await.unwrap();
    let (yy, round) = round_with_a_reporter_who_has_an_address(&app).await;
    remind(&yy, round).await;

    let now = OffsetDateTime::now_utc();
    let first = worker.deliver_due(now).await.unwrap();
    assert_eq!(
        first,
        Delivered {
            retrying: 2,
            ..Default::default()
        }
    );
    assert!(smtp.mails().is_empty());
    assert_eq!(
        robot.posts().len(),
        1,
        "the robot was asked and answered 500"
    );

    // Not before the wait (a minute after the first failure) is over.
    assert_eq!(worker.deliver_due(now).await.unwrap(), Delivered::default());
    let later = now + time::Duration::seconds(61);
    assert_eq!(
        worker.deliver_due(later).await.unwrap(),
        Delivered {
            sent: 2,
            ..Default::default()
        }
    );
    assert_eq!(smtp.mails().len(), 1);
    assert_eq!(smtp.mails()[0].rcpt, [ADDRESS]);
    let posts = robot.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0], posts[1], "the same message, sent again");
}

#[tokio::test]
async fn two_instances_racing_deliver_each_message_once() {
    let (app, store) = spawn_app_with_store(AuthSettings::default(), Default::default()).await;
    let (smtp, robot) = (SmtpServer::start(0).await, Robot::start(0).await);
    let (yy, round) = round_with_a_reporter_who_has_an_address(&app).await;
    // Written while no channel was configured: it stays in the app.
    remind(&yy, round).await;

    let a = Store::open(&app.database_url, AuthSettings::default())
        .await
        .unwrap();
    let b = Store::open(&app.database_url, AuthSettings::default())
        .await
        .unwrap();
    let worker_a = a.channels(settings(&smtp, &robot)).await.unwrap();
    let worker_b = b.channels(settings(&smtp, &robot)).await.unwrap();
    assert_eq!(
        worker_a
            .deliver_due(OffsetDateTime::now_utc())
            .await
            .unwrap(),
        Delivered::default()
    );

    for _ in 0..3 {
        remind(&yy, round).await;
    }
    let now = OffsetDateTime::now_utc();
    let (da, db) = tokio::join!(worker_a.deliver_due(now), worker_b.deliver_due(now));
    let (da, db) = (da.unwrap(), db.unwrap());
    assert_eq!(da.sent + db.sent, 6, "{da:?} {db:?}");
    assert_eq!(da.retrying + db.retrying + da.failed + db.failed, 0);
    assert_eq!(smtp.mails().len(), 3);
    assert_eq!(robot.posts().len(), 3);

    // With the channels taken out of luodi.toml, new messages stay in the app.
    drop(store.channels(ChannelSettings::default()).await.unwrap());
    remind(&yy, round).await;
    assert_eq!(
        worker_a
            .deliver_due(OffsetDateTime::now_utc())
            .await
            .unwrap(),
        Delivered::default()
    );
}
