//! The group robots a bureau connects for its region (企业微信 / 钉钉): messages to the
//! region's accounts are posted to them. Managed by whoever organises the region's dispatch
//! (`ManageDispatch`), within scope; the URL's key and the 加签 secret never leave the store
//! (the URL is shown masked, the secret only as "set").

use super::{webhook, Channels, RobotKind, RobotRules};
use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::regions::Regions;
use luodi_domain::{Permission, RegionCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RobotsQuery {
    /// Only this region's subtree (within the user's scope).
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
}

/// A robot as it is created or changed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RobotInput {
    pub region_code: String,
    /// What the group is called, e.g. “南县招商调度群”.
    pub name: String,
    pub kind: RobotKind,
    /// The webhook address the group's robot settings show. Required when adding; when
    /// changing, leave it out to keep the one stored.
    #[serde(default)]
    pub url: Option<String>,
    /// 钉钉 加签: the robot's `SEC…` secret. When changing: left out keeps it, an empty text
    /// removes it.
    #[serde(default)]
    pub secret: Option<String>,
    pub enabled: bool,
}

/// A robot as it is shown: never its secret, and its URL with the key masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RobotView {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    pub name: String,
    pub kind: RobotKind,
    pub kind_label: String,
    /// The URL with its key masked (`…?key=***5aaa`).
    pub url_masked: String,
    /// Whether a 加签 secret is stored.
    pub has_secret: bool,
    pub enabled: bool,
    /// Messages to it that were given up (see the failed-delivery page).
    pub failed: i64,
    pub updated_at: String,
}

/// What a test message came to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RobotTestResult {
    pub sent: bool,
    /// Why the robot did not take it.
    pub error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RobotRow {
    id: i64,
    region_code: String,
    region_name: String,
    name: String,
    kind: String,
    url: String,
    secret: Option<String>,
    enabled: Flag,
    failed: i64,
    updated_at: String,
}

impl RobotRow {
    fn view(self) -> RobotView {
        let kind = RobotKind::parse(&self.kind).unwrap_or(RobotKind::Wecom);
        RobotView {
            id: self.id,
            region_code: self.region_code,
            region_name: self.region_name,
            name: self.name,
            kind,
            kind_label: kind.label().to_owned(),
            url_masked: webhook::mask_url(&self.url),
            has_secret: self.secret.is_some(),
            enabled: self.enabled.0,
            failed: self.failed,
            updated_at: self.updated_at,
        }
    }

    fn audited(&self) -> serde_json::Value {
        audited(
            &self.region_code,
            &self.name,
            &self.kind,
            &self.url,
            self.secret.is_some(),
            self.enabled.0,
        )
    }
}

/// What the audit trail keeps of a robot: no secret, the URL masked.
fn audited(
    region_code: &str,
    name: &str,
    kind: &str,
    url: &str,
    has_secret: bool,
    enabled: bool,
) -> serde_json::Value {
    json!({
        "region_code": region_code,
        "name": name,
        "kind": kind,
        "url": webhook::mask_url(url),
        "has_secret": has_secret,
        "enabled": enabled,
    })
}

const SELECT: &str = "SELECT r.id, r.region_code, g.name AS region_name, r.name, r.kind, r.url, \
     r.secret, r.enabled, \
     (SELECT COUNT(*) FROM outbox o WHERE o.robot_id = r.id AND o.status = 'failed') AS failed, \
     r.updated_at \
     FROM channel_robots r JOIN regions g ON g.code = r.region_code WHERE 1 = 1";

/// A checked input: the values to store.
struct Checked {
    region: RegionCode,
    name: String,
    kind: RobotKind,
    url: Option<String>,
    /// `None`: keep; `Some(None)`: remove.
    secret: Option<Option<String>>,
}

impl Channels<'_> {
    /// The robots of the user's scope (or of a region within it), by region.
    pub async fn robots(&self, query: &RobotsQuery) -> Result<Vec<RobotView>, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let region = query
            .region
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(RegionCode::parse)
            .transpose()
            .map_err(|e| StoreError::field("region", e.to_string()))?;
        let mut f = Filter::new(SELECT);
        f.scope_within("r.region_code", &self.actor.scope, region.as_ref());
        let rows: Vec<RobotRow> = f
            .query_as(&format!("{} ORDER BY r.region_code, r.id", f.sql))
            .fetch_all(&self.db.pool)
            .await?;
        Ok(rows.into_iter().map(RobotRow::view).collect())
    }

    async fn robot_row(&self, id: i64) -> Result<RobotRow, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let mut f = Filter::new(SELECT);
        let i = f.bind(Bind::Int(id));
        f.and(&format!("r.id = {i}"));
        f.scope("r.region_code", &self.actor.scope);
        f.query_as(&f.sql)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or(StoreError::NotFound("该群机器人"))
    }

    /// Checks a robot's fields, all at once; `adding` requires the URL.
    async fn check_robot(
        &self,
        input: &RobotInput,
        adding: bool,
        had_secret: bool,
    ) -> Result<Checked, StoreError> {
        let rules = RobotRules::read(&self.db).await?;
        let mut checks = Checks::default();
        let region = checks.take("region_code", RegionCode::parse(&input.region_code));
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            checks.add("name", "请填写群名称");
        }
        checks.max_chars("name", Some(&name), 50);
        checks.printable("name", &name);
        let url = input
            .url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        match url {
            None if adding => checks.add("url", "请填写机器人的 Webhook 地址"),
            None => {}
            Some(u) if u.chars().count() > 500 => checks.add("url", "地址过长：不超过500个字符"),
            Some(u) if webhook::host_of(u).is_none() => checks.add("url", "地址应以 https:// 开头"),
            Some(u) if !rules.allows(u) => checks.add(
                "url",
                format!(
                    "只能接入以下地址的群机器人：{}；其他地址请系统运维人员在 luodi.toml 的 \
                     [channels] robot_hosts 中加入",
                    rules.hosts.join("、")
                ),
            ),
            Some(u) if !u.contains('?') => checks.add(
                "url",
                "地址中缺少机器人的 key 或 access_token，请从群机器人设置中完整复制",
            ),
            Some(_) => {}
        }
        let secret = input.secret.as_deref().map(str::trim);
        match secret {
            Some(s) if s.chars().count() > 200 => checks.add("secret", "密钥过长"),
            Some(s) if s.chars().any(|c| !c.is_ascii_graphic()) => checks.add(
                "secret",
                "密钥只含字母、数字和符号，请从机器人安全设置中完整复制",
            ),
            Some(s) if !s.is_empty() && input.kind == RobotKind::Wecom => {
                checks.add("secret", "企业微信群机器人不使用加签密钥")
            }
            _ => {}
        }
        checks.finish()?;
        let region = region.expect("checked");
        if !Regions::new(&self.db).exists(&region).await? || !self.actor.scope.covers(&region) {
            return Err(StoreError::field(
                "region_code",
                format!("行政区划 {region} 不存在或不在您的管辖范围内"),
            ));
        }
        Ok(Checked {
            region,
            name,
            kind: input.kind,
            url: url.map(str::to_owned),
            // A robot that becomes a 企业微信 one drops the secret it had as a 钉钉 one.
            secret: match secret {
                _ if input.kind == RobotKind::Wecom && had_secret => Some(None),
                s => s.map(|s| (!s.is_empty()).then(|| s.to_owned())),
            },
        })
    }

    /// Connects a robot for a region in scope.
    pub async fn add_robot(&self, input: RobotInput) -> Result<RobotView, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let c = self.check_robot(&input, true, false).await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO channel_robots (region_code, name, kind, url, secret, enabled, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(c.region.as_str())
        .bind(&c.name)
        .bind(c.kind.as_str())
        .bind(c.url.as_deref())
        .bind(c.secret.clone().flatten())
        .bind(input.enabled)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let after = audited(
            c.region.as_str(),
            &c.name,
            c.kind.as_str(),
            c.url.as_deref().unwrap_or_default(),
            c.secret.clone().flatten().is_some(),
            input.enabled,
        );
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "robot",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("接入{}群机器人“{}”", c.kind.label(), c.name),
                region: Some(&c.region),
                before: None,
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(self.robot_row(id).await?.view())
    }

    /// Changes a robot: its name, kind, region, switch, and — when given — URL and secret.
    pub async fn update_robot(&self, id: i64, input: RobotInput) -> Result<RobotView, StoreError> {
        let before = self.robot_row(id).await?;
        let c = self
            .check_robot(&input, false, before.secret.is_some())
            .await?;
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "UPDATE channel_robots SET region_code = $1, name = $2, kind = $3, \
             url = COALESCE($4, url), \
             secret = CASE WHEN $5 THEN $6 ELSE secret END, \
             enabled = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(c.region.as_str())
        .bind(&c.name)
        .bind(c.kind.as_str())
        .bind(c.url.as_deref())
        .bind(c.secret.is_some())
        .bind(c.secret.clone().flatten())
        .bind(input.enabled)
        .bind(clock::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let mut changed = vec![];
        if c.url.is_some() {
            changed.push("地址");
        }
        if c.secret.is_some() {
            changed.push("加签密钥");
        }
        let url = c.url.as_deref().unwrap_or(&before.url);
        let has_secret = match &c.secret {
            Some(secret) => secret.is_some(),
            None => before.secret.is_some(),
        };
        let after = audited(
            c.region.as_str(),
            &c.name,
            c.kind.as_str(),
            url,
            has_secret,
            input.enabled,
        );
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "robot",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: if changed.is_empty() {
                    format!("修改群机器人“{}”", c.name)
                } else {
                    format!("修改群机器人“{}”（更换{}）", c.name, changed.join("、"))
                },
                region: Some(&c.region),
                before: Some(before.audited()),
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(self.robot_row(id).await?.view())
    }

    /// Removes a robot, with the messages still waiting for it or given up.
    pub async fn remove_robot(&self, id: i64) -> Result<(), StoreError> {
        let before = self.robot_row(id).await?;
        let region = crate::regions::stored_code(&before.region_code)?;
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("DELETE FROM channel_robots WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "robot",
                entity_id: Some(id.to_string()),
                action: "delete",
                summary: format!("删除群机器人“{}”", before.name),
                region: Some(&region),
                before: Some(before.audited()),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Posts a test message to the robot now, and says whether it took it. Audited: the
    /// server posts to an address a user typed.
    pub async fn test_robot(&self, id: i64) -> Result<RobotTestResult, StoreError> {
        let row = self.robot_row(id).await?;
        let region = crate::regions::stored_code(&row.region_code)?;
        let rules = RobotRules::read(&self.db).await?;
        let outcome = if rules.allows(&row.url) {
            let robot = webhook::Robot {
                url: row.url.clone(),
                kind: RobotKind::parse(&row.kind)
                    .unwrap_or(RobotKind::Wecom)
                    .into(),
                secret: row.secret.clone(),
            };
            let body = format!(
                "测试消息：本群已接入落地平台（{}），{}的催报、交办等消息将发送到本群。",
                row.name, row.region_name
            );
            webhook::Poster::new()?
                .send(&robot, &row.region_name, &body, rules.link.as_deref())
                .await
        } else {
            Err("机器人地址不在允许的地址内（[channels] robot_hosts）".to_owned())
        };
        let mut conn = self.db.pool.acquire().await?;
        audit::record(
            &mut conn,
            (&self.actor).into(),
            Change {
                entity: "robot",
                entity_id: Some(id.to_string()),
                action: "test",
                summary: match &outcome {
                    Ok(()) => format!("向群机器人“{}”发送测试消息：成功", row.name),
                    Err(e) => format!("向群机器人“{}”发送测试消息：失败（{e}）", row.name),
                },
                region: Some(&region),
                before: None,
                after: None,
            },
        )
        .await?;
        Ok(RobotTestResult {
            sent: outcome.is_ok(),
            error: outcome.err(),
        })
    }
}
