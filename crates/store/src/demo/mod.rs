//! Command-line operations that run outside any user's scope: the first-start administrator
//! and the demo data set.

mod bulletins;
mod campaigns;
mod locations;
mod problems;
pub mod scale;
mod supervision;

use crate::audit::{self, Author, Change};
use crate::auth::{hash_blocking, AuthSettings};
use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use rand::Rng;

const ZONES_CSV: &str = include_str!("../../data/demo/zones.csv");
const UNITS_CSV: &str = include_str!("../../data/demo/units.csv");
const USERS_CSV: &str = include_str!("../../data/demo/users.csv");
/// Yearly targets as seeds 000 (province → cities: 到位率 ≥ 20%, 内资 +12%, 外资 +10%) and
/// 004 (a county's plan: 省外境内资金 +10%, 外资 +15%) set them.
const TARGETS_CSV: &str = include_str!("../../data/demo/targets.csv");

/// One account of the demo data set, as printed for the person trying the system.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub region_code: String,
}

#[derive(Debug, Clone)]
pub struct DemoReport {
    pub password: String,
    /// Whether the password was generated (and so must be shown to the user).
    pub generated: bool,
    pub zones: usize,
    pub units: usize,
    pub accounts: Vec<DemoAccount>,
}

pub struct System<'a> {
    db: &'a Db,
    settings: &'a AuthSettings,
}

/// A random password that satisfies the default policy (upper, lower, digit, symbol).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let body: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("Ld{body}#{}", rng.gen_range(10..100))
}

impl DemoAccount {
    fn from_record(u: &csv::StringRecord) -> Self {
        Self {
            username: u[0].to_owned(),
            display_name: u[1].to_owned(),
            role: u[2].to_owned(),
            region_code: u[3].to_owned(),
        }
    }
}

fn records(csv_text: &'static str) -> Result<Vec<csv::StringRecord>, StoreError> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::Internal(format!("demo data: {e}")))
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

impl<'a> System<'a> {
    pub(crate) fn new(db: &'a Db, settings: &'a AuthSettings) -> Self {
        Self { db, settings }
    }

    /// On a database with no accounts at all, creates the national administrator `admin`
    /// with a generated password (to be changed at first sign-in) and returns that password.
    pub async fn bootstrap_admin(&self) -> Result<Option<String>, StoreError> {
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.db.pool)
            .await?;
        if users > 0 {
            return Ok(None);
        }
        let password = generate_password();
        let hash = hash_blocking(self.db, password.clone()).await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, active, \
             must_change_password, seeded_password, created_at, updated_at) \
             VALUES ('admin', '系统管理员', $1, 'admin', $2, $3, $2, $4, $4)",
        )
        .bind(hash)
        .bind(true)
        .bind(false)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
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
                action: "bootstrap",
                summary: "首次启动，创建系统管理员 admin".into(),
                region: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(password))
    }

    /// Loads the Hunan demo data set: zones, units and one or more accounts of every role.
    /// Running it again changes nothing but the demo accounts' password.
    pub async fn load_demo(&self, password: Option<&str>) -> Result<DemoReport, StoreError> {
        let (password, generated) = match password {
            Some(p) => (p.to_owned(), false),
            None => (generate_password(), true),
        };
        if let Err(m) = self.settings.password.check(&password, "") {
            return Err(StoreError::field("password", m));
        }
        // One hash for every demo account: they share the password anyway, and hashing forty
        // times would make every test that loads the demo data slow.
        let hash = hash_blocking(self.db, password.clone()).await?;
        let now = clock::now();
        let zones = records(ZONES_CSV)?;
        let units = records(UNITS_CSV)?;
        let users = records(USERS_CSV)?;
        let mut tx = self.db.pool.begin().await?;
        for z in &zones {
            sqlx::query(
                "INSERT INTO zones (county_code, name, kind) VALUES ($1, $2, $3) \
                 ON CONFLICT (county_code, name) DO NOTHING",
            )
            .bind(&z[0])
            .bind(&z[1])
            .bind(&z[2])
            .execute(&mut *tx)
            .await?;
        }
        // A 项目落户地 unit names the zone of its county it stands for (南县's annex writes
        // "县经济开发区" for the zone 南县经济开发区). Loading again links a unit that has no zone
        // yet (a database loaded before units had one) and leaves other edits alone.
        for u in &units {
            let sort_order: i64 = u[4].parse().unwrap_or(0);
            sqlx::query(
                "INSERT INTO units (region_code, name, category, subcategory, sort_order, \
                 contact_person, contact_phone, active, created_at, updated_at, zone_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, \
                 (SELECT id FROM zones WHERE county_code = $1 AND name = $10)) \
                 ON CONFLICT (region_code, name) \
                 DO UPDATE SET zone_id = COALESCE(units.zone_id, excluded.zone_id)",
            )
            .bind(&u[0])
            .bind(&u[1])
            .bind(&u[2])
            .bind(non_empty(&u[3]))
            .bind(sort_order)
            .bind(non_empty(&u[5]))
            .bind(non_empty(&u[6]))
            .bind(true)
            .bind(&now)
            .bind(non_empty(&u[7]))
            .execute(&mut *tx)
            .await?;
        }
        let targets = records(TARGETS_CSV)?;
        for t in &targets {
            sqlx::query(
                "INSERT INTO targets (region_code, year, indicator, value_bp) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (region_code, year, indicator) DO NOTHING",
            )
            .bind(&t[0])
            .bind(t[1].parse::<i64>().unwrap_or(2026))
            .bind(&t[2])
            .bind(t[3].parse::<i64>().unwrap_or(0))
            .execute(&mut *tx)
            .await?;
        }
        let mut accounts = Vec::new();
        for u in &users {
            let unit_id: Option<i64> = match non_empty(&u[4]) {
                Some(unit) => {
                    sqlx::query_scalar("SELECT id FROM units WHERE region_code = $1 AND name = $2")
                        .bind(&u[3])
                        .bind(unit)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            sqlx::query(
                "INSERT INTO users (username, display_name, password_hash, role, region_code, \
                 unit_id, phone, active, must_change_password, seeded_password, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10, $10) \
                 ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, \
                 display_name = excluded.display_name, role = excluded.role, \
                 region_code = excluded.region_code, unit_id = excluded.unit_id, \
                 active = excluded.active, must_change_password = excluded.must_change_password, \
                 seeded_password = excluded.seeded_password, failed_attempts = 0, locked_until = NULL, \
                 password_changed_at = excluded.password_changed_at",
            )
            .bind(&u[0])
            .bind(&u[1])
            .bind(&hash)
            .bind(&u[2])
            // No region: a nationwide account (cn_admin).
            .bind(non_empty(&u[3]))
            .bind(unit_id)
            .bind(non_empty(&u[5]))
            .bind(true)
            .bind(false)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            accounts.push(DemoAccount::from_record(u));
        }
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('demo_data', 'loaded') \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .execute(&mut *tx)
        .await?;
        // The demo accounts sign in with their password alone, unless an administrator has
        // already chosen otherwise.
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('two_factor_roles', '') \
             ON CONFLICT (key) DO NOTHING",
        )
        .execute(&mut *tx)
        .await?;
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
                    "加载湖南演示数据：{}个园区乡镇、{}个单位、{}个账号",
                    zones.len(),
                    units.len(),
                    users.len()
                ),
                region: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        crate::auth::sessions(self.db).clear();
        Ok(DemoReport {
            password,
            generated,
            zones: zones.len(),
            units: units.len(),
            accounts,
        })
    }
}

impl System<'_> {
    /// Sends the deadline engine's reminders owed on `today` (run by the server every hour,
    /// and callable with any day in tests); each goes out once across instances.
    pub async fn send_reminders(
        &self,
        today: time::Date,
        rule: &luodi_domain::deadlines::ReminderRule,
    ) -> Result<usize, StoreError> {
        crate::tasks::send_reminders(self.db, today, rule).await
    }

    /// The automatic close (自动月结), run by the server every hour: when the ledger rules set
    /// it to N days, closes each month whose dispatch round's deadline was N days ago or more,
    /// over the round organiser's region; once across instances. The rules are read at every
    /// call, so a change on the rules page applies from the next hour on every instance.
    /// Returns the (region, month) pairs closed.
    pub async fn auto_close_months(&self) -> Result<Vec<(String, String)>, StoreError> {
        match crate::rules::auto_close_days(self.db).await? {
            Some(days_after) => crate::bulletins::close::auto_close(self.db, days_after).await,
            None => Ok(Vec::new()),
        }
    }

    /// Adopts luodi.toml's `auto_close_days` into the ledger rules while they never chose the
    /// automatic close themselves (run at start-up); afterwards the rules page decides.
    /// Returns whether it was adopted.
    pub async fn adopt_configured_auto_close(&self, days: u32) -> Result<bool, StoreError> {
        crate::rules::adopt_configured_auto_close(self.db, days).await
    }

    /// The automatic close's days as the ledger rules set them now (`None`: by hand only).
    pub async fn auto_close_days(&self) -> Result<Option<u32>, StoreError> {
        crate::rules::auto_close_days(self.db).await
    }

    /// The province-scale ledger (about 50,000 projects and 600,000 fund records), generated
    /// deterministically from `seed`. Runs once: a database that already has projects is left
    /// as it is.
    pub async fn load_province_scale(
        &self,
        seed: u64,
    ) -> Result<Option<crate::ScaleReport>, StoreError> {
        let report = self.load_ledger(seed, 50_000).await?;
        // About 20,000 problems over those projects, for measuring the problem list.
        let problems = problems::load_scale(self.db, seed, 20_000).await?;
        Ok(report.map(|r| crate::ScaleReport { problems, ..r }))
    }

    /// The run command's ledger: about 1,500 projects, two thirds of them in 益阳市's counties
    /// (where most demo accounts work), the rest across Hunan — with events, fund records in
    /// every state and look-alike pairs. Runs once, like the province scale.
    pub async fn load_county_scale(
        &self,
        seed: u64,
    ) -> Result<Option<crate::ScaleReport>, StoreError> {
        let report = self.generate_ledger(seed, 1_500, Some("4309")).await?;
        // A handful of 南县's problems, handled as its accounts would.
        let problems = problems::load_county(self.db, self.settings).await?;
        if report.is_some() {
            // 益阳市's closed September and published third-quarter bulletin
            bulletins::load(self.db, self.settings).await?;
            // points on the 招商地图
            locations::load(self.db, seed).await?;
            // 益阳市's supervision group and its visits to 南县
            supervision::load(self.db, self.settings).await?;
            // the province's campaign (专项行动) and 南县's 帮办清单, one item overdue
            campaigns::load_campaign(self.db, self.settings).await?;
            campaigns::load_assistance(self.db, self.settings).await?;
        }
        Ok(report.map(|r| crate::ScaleReport { problems, ..r }))
    }

    /// The same generator with a chosen number of projects (tests use a small one).
    pub async fn load_ledger(
        &self,
        seed: u64,
        projects: usize,
    ) -> Result<Option<crate::ScaleReport>, StoreError> {
        self.generate_ledger(seed, projects, None).await
    }

    async fn generate_ledger(
        &self,
        seed: u64,
        projects: usize,
        focus: Option<&str>,
    ) -> Result<Option<crate::ScaleReport>, StoreError> {
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
            .fetch_one(&self.db.pool)
            .await?;
        if existing > 0 {
            return Ok(None);
        }
        crate::demo::scale::load_province(self.db, seed, projects, focus)
            .await
            .map(Some)
    }

    /// Usernames of the demo accounts, if `luodi demo` has loaded this database.
    pub async fn demo_accounts(&self) -> Result<Option<Vec<DemoAccount>>, StoreError> {
        let loaded: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'demo_data'")
                .fetch_optional(&self.db.pool)
                .await?;
        if loaded.is_none() {
            return Ok(None);
        }
        let accounts = records(USERS_CSV)?
            .iter()
            .map(DemoAccount::from_record)
            .collect();
        Ok(Some(accounts))
    }
}
