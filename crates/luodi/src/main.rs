//! `luodi`: the one binary. Configuration is layered: built-in defaults, then an optional TOML
//! file, then `LUODI_*` environment variables (`__` separates nested keys, e.g.
//! `LUODI_AUTH__LOCKOUT_MINUTES=30`), then command-line flags.
#![forbid(unsafe_code)]

mod bench;
mod config;
mod fraud;
mod ops;

use anyhow::Context;
use clap::{Parser, Subcommand};
use luodi_server::AppState;
use luodi_store::{redact, Store};
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "luodi", version, about = "落地 · 招商引资项目履约落地平台")]
struct Cli {
    /// Database URL: sqlite://FILE (default sqlite://luodi.db) or postgres://USER:PASS@HOST/DB.
    /// Also read from LUODI_DATABASE_URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// TOML configuration file (default: ./luodi.toml if it exists).
    #[arg(long, global = true)]
    config: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrations run first).
    Serve {
        /// Address to listen on.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Load the Hunan demo data set (idempotent).
    Demo {
        /// Password for every demo account; a random one is generated and printed otherwise.
        #[arg(long)]
        password: Option<String>,
        /// Size of the data set: `county`, a small ledger centred on 益阳市 (about 1,500
        /// projects with events, fund records and look-alikes); `province`, about 50,000
        /// projects across Hunan; `base`, regions, zones, units and accounts only (for tests
        /// that enter their own projects).
        #[arg(long, default_value = "county", value_parser = ["county", "province", "base"])]
        scale: String,
    },
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// The audit trail: `luodi audit verify` checks its hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Back up the database (SQLite online copy, or pg_dump) and the evidence files into DIR,
    /// with a manifest of counts and checksums; safe while the server runs.
    Backup { dir: std::path::PathBuf },
    /// Restore a backup from DIR into an empty database and evidence directory (the configured
    /// ones); refuses to overwrite data.
    Restore { dir: std::path::PathBuf },
    /// Measure the API against raw SQL on province-scale data (loads it if missing), and
    /// 100,000-row Excel import and export. Use a database of its own.
    Bench {
        /// Timed requests per query.
        #[arg(long, default_value_t = 200)]
        iterations: usize,
        /// Which parts to run: `queries`, `excel`, `dispatch`, `dashboard`, `problems`,
        /// `bulletins`, `fraud` (the planted-fraud benchmark over the county demo) or `all`.
        #[arg(long, default_value = "all")]
        only: String,
        /// The planted-fraud benchmark's seed (which names and amounts it draws).
        #[arg(long, default_value_t = 19)]
        seed: u64,
        /// The planted-fraud benchmark's cases per variant.
        #[arg(long, default_value_t = 10)]
        cases: usize,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; print OK with the count, or the first broken entry (exit 1).
    Verify,
}

fn role_label(role: &str) -> &'static str {
    luodi_domain::Role::parse(role).map_or("", luodi_domain::Role::label)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!("{}", luodi_server::openapi().to_pretty_json()?);
        return Ok(());
    }
    let config::Loaded {
        config,
        auth,
        server,
        channels,
    } = config::load(cli.config.as_deref(), cli.database_url.as_deref())?;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log))
        .init();
    match &cli.command {
        Command::Backup { dir } => {
            return ops::backup(&config.database_url, &server.files_dir, dir).await
        }
        Command::Restore { dir } => {
            return ops::restore(dir, &config.database_url, &server.files_dir).await
        }
        _ => {}
    }
    tracing::info!(database = %redact(&config.database_url), "opening database");
    let store = Store::open(&config.database_url, auth)
        .await
        .with_context(|| format!("opening {}", redact(&config.database_url)))?;
    match cli.command {
        Command::Migrate => {
            println!("数据库已是最新结构（{}）", store.backend().as_str());
        }
        Command::Demo { password, scale } => {
            let report = store.system().load_demo(password.as_deref()).await?;
            println!(
                "已加载湖南演示数据：{} 个园区/乡镇，{} 个单位，{} 个账号。",
                report.zones,
                report.units,
                report.accounts.len()
            );
            let started = std::time::Instant::now();
            let ledger = match scale.as_str() {
                "province" => Some(("省级规模", store.system().load_province_scale(2026).await?)),
                "county" => Some((
                    "益阳市为主的",
                    store.system().load_county_scale(2026).await?,
                )),
                _ => None,
            };
            match ledger {
                Some((what, Some(s))) => println!(
                    "已生成{what}演示台账：{} 个签约活动，{} 个项目，{} 条资金到位记录，{} 组疑似重复，{} 个问题（用时 {:.1} 秒）。",
                    s.events,
                    s.projects,
                    s.fund_records,
                    s.duplicates,
                    s.problems,
                    started.elapsed().as_secs_f64()
                ),
                Some((_, None)) => println!("数据库中已有项目台账，未重复生成。"),
                None => {}
            }
            println!("演示账号（密码均为：{}）：", report.password);
            for a in &report.accounts {
                println!(
                    "  {:<16} {:<8} {:<6} {}",
                    a.username,
                    role_label(&a.role),
                    a.region_code,
                    a.display_name
                );
            }
        }
        Command::Serve { bind } => {
            let bind = bind.unwrap_or(config.bind);
            if let Some(password) = store.system().bootstrap_admin().await? {
                println!("已创建系统管理员：用户名 admin，初始密码 {password}（首次登录须修改）");
            }
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .with_context(|| format!("listening on {bind}"))?;
            let addr = listener.local_addr()?;
            println!(
                "落地 Luodi {} 已启动：http://{addr}/",
                env!("CARGO_PKG_VERSION")
            );
            println!(
                "数据库：{}（{}）",
                redact(&config.database_url),
                store.backend().as_str()
            );
            if let Some(accounts) = store.system().demo_accounts().await? {
                let names: Vec<&str> = accounts
                    .iter()
                    .map(|a| a.username.as_str())
                    .take(12)
                    .collect();
                println!(
                    "演示账号：{} 等（密码为运行 luodi demo 时设置的密码）",
                    names.join("、")
                );
            }
            // The deadline engine's reminders: every hour, each sent once however many
            // instances run (the store claims each (task, day) before sending).
            let reminders = store.clone();
            tokio::spawn(async move {
                let rule = luodi_domain::deadlines::ReminderRule::default();
                let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    every_hour.tick().await;
                    let today = time::OffsetDateTime::now_utc()
                        .to_offset(time::macros::offset!(+8))
                        .date();
                    match reminders.system().send_reminders(today, &rule).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(reminders = n, "deadline reminders sent"),
                        Err(e) => tracing::warn!(error = %e, "sending deadline reminders failed"),
                    }
                }
            });
            // The automatic close (自动月结) is set on the rules page; luodi.toml's
            // auto_close_days only fills it in while the rules never chose.
            if let Some(days) = config.auto_close_days {
                if store.system().adopt_configured_auto_close(days).await? {
                    println!(
                        "自动月结：已按配置项 auto_close_days 设为调度截止后第 {days} 天，\
                         此后以台账规则页面的设置为准"
                    );
                } else {
                    let rules = match store.system().auto_close_days().await? {
                        Some(n) => format!("调度截止后第 {n} 天"),
                        None => "只由人工月结".to_owned(),
                    };
                    println!(
                        "自动月结：以台账规则页面的设置为准（{rules}），配置项 auto_close_days 不再使用"
                    );
                }
            }
            // Checked every hour with the rules' value of the moment, so a change on the rules
            // page applies without a restart; each month closed once however many instances run.
            let closer = store.clone();
            tokio::spawn(async move {
                let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    every_hour.tick().await;
                    match closer.system().auto_close_months().await {
                        Ok(closed) if closed.is_empty() => {}
                        Ok(closed) => tracing::info!(?closed, "months closed automatically"),
                        Err(e) => tracing::warn!(error = %e, "automatic month close failed"),
                    }
                }
            });
            // Look-alike matching of large sheets' projects is started by their import; this
            // resumes what an instance left when it stopped (its hold runs out in two minutes).
            let matcher = store.clone();
            tokio::spawn(async move {
                let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
                loop {
                    every_minute.tick().await;
                    match matcher.match_waiting_projects().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(projects = n, "waiting projects matched"),
                        Err(e) => tracing::warn!(error = %e, "matching waiting projects failed"),
                    }
                }
            });
            ops::spawn_housekeeping(
                store.clone(),
                config.audit_retention_days,
                channels.retention(),
            );
            // E-mail and webhook copies of in-app messages, sent from the outbox every 30
            // seconds, retried with backoff; requests only write the outbox rows.
            let mut channels = channels;
            channels.link = server.public_url.clone();
            store.channels(channels).await?.spawn();
            let files = Arc::new(luodi_store::LocalDisk::new(&server.files_dir));
            let state = AppState {
                store,
                settings: Arc::new(server),
                files,
            };
            luodi_server::serve(listener, state).await?;
        }
        Command::Bench {
            iterations,
            only,
            seed,
            cases,
        } => {
            drop(store);
            let fraud = bench::FraudOptions { seed, cases };
            bench::run(&config.database_url, iterations, &only, fraud).await?;
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => ops::audit_verify(&store).await?,
        Command::Openapi | Command::Backup { .. } | Command::Restore { .. } => {
            unreachable!("handled above")
        }
    }
    Ok(())
}
