//! User accounts, administered within the administrator's scope.

use crate::audit::{self, Change};
use crate::auth::hash_blocking;
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{on_constraint, Checks, StoreError};
use crate::kit::filter::{contains_pattern, Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::kit::text::mask_phone;
use crate::scoped::Actor;
use luodi_domain::{Permission, RegionCode, Role, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

crate::scoped::area_handle!(
    /// User accounts within the actor's scope.
    Users, users
);

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = Role)]
    pub role: String,
    #[sqlx(skip)]
    pub role_label: String,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub phone: Option<String>,
    /// Where e-mail notices go, when the installation sends them (`[channels.email]`).
    pub email: Option<String>,
    #[schema(value_type = bool)]
    pub active: Flag,
    /// Locked after repeated failed sign-ins, until `locked_until`.
    #[sqlx(skip)]
    pub locked: bool,
    pub locked_until: Option<String>,
    #[schema(value_type = bool)]
    pub must_change_password: Flag,
    /// Signs in with a second factor (an administrator may reset it).
    #[schema(value_type = bool)]
    pub two_factor: Flag,
    pub last_login_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Send back unchanged on update; a mismatch means someone else saved first.
    pub version: i64,
}

impl User {
    fn finish(mut self) -> Self {
        self.role_label = Role::parse(&self.role)
            .map(Role::label)
            .unwrap_or("")
            .to_owned();
        let now = clock::now();
        self.locked = self
            .locked_until
            .as_deref()
            .is_some_and(|u| u > now.as_str());
        self
    }

    /// What this reader may see of the account's phone (个人信息最小化): in full to an account
    /// that administers accounts in its scope, or to the account itself; to everyone else
    /// (bureaus, auditors reading the user list) masked, `138****5678`.
    fn for_reader(mut self, actor: &Actor) -> Self {
        let manages = actor.role.can_at(Permission::ManageUsers, &actor.scope);
        if !manages && actor.user_id != self.id {
            self.phone = self.phone.as_deref().map(mask_phone);
        }
        self
    }

    fn region(&self) -> Option<RegionCode> {
        self.region_code
            .as_deref()
            .and_then(|c| RegionCode::parse(c).ok())
    }

    fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "region_code": self.region_code,
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "phone": self.phone,
            "email": self.email,
            "active": self.active,
        })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct UserFilter {
    /// Part of the username or display name.
    pub q: Option<String>,
    pub role: Option<String>,
    /// Only users in this region's subtree.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    #[schema(value_type = Role)]
    pub role: String,
    /// Region the account is scoped to; only national administrators may leave it empty.
    pub region_code: Option<String>,
    pub unit_id: Option<i64>,
    pub phone: Option<String>,
    /// For e-mail notices; optional.
    #[serde(default)]
    pub email: Option<String>,
    /// Initial password; the user must change it at first sign-in.
    #[schema(value_type = String)]
    pub password: zeroize::Zeroizing<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UserUpdate {
    pub display_name: String,
    #[schema(value_type = Role)]
    pub role: String,
    pub region_code: Option<String>,
    pub unit_id: Option<i64>,
    pub phone: Option<String>,
    /// For e-mail notices; absent or empty removes it.
    #[serde(default)]
    pub email: Option<String>,
    pub active: bool,
    pub version: i64,
}

const USER_SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, u.region_code, \
    r.name AS region_name, u.unit_id, n.name AS unit_name, u.phone, u.email, u.active, u.locked_until, \
    u.must_change_password, u.last_login_at, u.created_at, u.updated_at, u.version, \
    EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.secret IS NOT NULL) \
    AS two_factor \
    FROM users u LEFT JOIN regions r ON r.code = u.region_code LEFT JOIN units n ON n.id = u.unit_id \
    WHERE 1 = 1";

/// An address as an administrator types it: one `@`, a dotted domain, no spaces.
fn valid_email(s: &str) -> bool {
    s.len() <= 100
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|p| !p.is_empty())
        })
}

fn valid_username(s: &str) -> bool {
    (3..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
}

/// How an account is reached, as typed.
struct Contacts<'a> {
    phone: Option<&'a str>,
    email: Option<&'a str>,
}

/// The checked parts of a create or update.
struct Assignment {
    role: Role,
    region: Option<RegionCode>,
    unit_id: Option<i64>,
    display_name: String,
    phone: Option<String>,
    email: Option<String>,
}

impl Users<'_> {
    pub async fn list(
        &self,
        filter: &UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError> {
        self.actor.require(Permission::ReadUsers)?;
        let mut f = Filter::new(USER_SELECT);
        let region = filter
            .region
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(RegionCode::parse)
            .transpose()
            .map_err(|e| StoreError::field("region", e.to_string()))?;
        f.scope_within("u.region_code", &self.actor.scope, region.as_ref());
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(contains_pattern(q)));
            f.and(&format!(
                "(u.username LIKE {p} ESCAPE '\\' OR u.display_name LIKE {p} ESCAPE '\\')"
            ));
        }
        if let Some(role) = filter.role.as_deref().filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(role.to_owned()));
            f.and(&format!("u.role = {p}"));
        }
        let page: Page<User> = f
            .fetch_page(&self.db.pool, "u.region_code, u.id", page)
            .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|u| u.finish().for_reader(&self.actor))
                .collect(),
            total: page.total,
        })
    }

    pub async fn get(&self, id: i64) -> Result<User, StoreError> {
        self.actor.require(Permission::ReadUsers)?;
        Ok(self.find_user(id).await?.for_reader(&self.actor))
    }

    async fn find_user(&self, id: i64) -> Result<User, StoreError> {
        let mut f = Filter::new(USER_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("u.id = {p}"));
        f.scope("u.region_code", &self.actor.scope);
        let user: Option<User> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        user.map(User::finish).ok_or(StoreError::NotFound("该用户"))
    }

    async fn check_assignment(
        &self,
        checks: &mut Checks,
        display_name: &str,
        role: &str,
        region: Option<&str>,
        unit_id: Option<i64>,
        contacts: Contacts<'_>,
    ) -> Result<Option<Assignment>, StoreError> {
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 50 {
            checks.add("display_name", "姓名不能为空，且不超过50个字");
        }
        checks.printable("display_name", display_name);
        let role = checks.take(
            "role",
            Role::parse(role)
                .ok_or("角色无效（应为 admin、auditor、bureau、inspector、unit、leader 之一）"),
        );
        let region = match region.map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => match self.regions().region_in_scope(code).await {
                Ok(code) => Some(Some(code)),
                Err(m) => {
                    checks.add("region_code", m);
                    None
                }
            },
            None if self.actor.scope == Scope::Nationwide => Some(None),
            None => {
                checks.add("region_code", "请选择所属行政区划");
                None
            }
        };
        if let (Some(unit_id), Some(Some(region))) = (unit_id, &region) {
            let unit_region: Option<String> =
                sqlx::query_scalar("SELECT region_code FROM units WHERE id = $1")
                    .bind(unit_id)
                    .fetch_optional(&self.db.pool)
                    .await?;
            // A unit outside the actor's own reach answers as a missing one would: whether
            // another county has a unit numbered so is none of the actor's business.
            match unit_region
                .and_then(|r| RegionCode::parse(&r).ok())
                .filter(|ur| self.actor.scope.covers(ur))
            {
                Some(ur) if region.contains(&ur) => {}
                Some(_) => checks.add("unit_id", "所属单位须位于该用户的行政区划范围内"),
                None => checks.add("unit_id", "所属单位不存在或不在您的管辖范围内"),
            }
        }
        if role == Some(Role::Unit) && unit_id.is_none() {
            checks.add("unit_id", "责任单位用户须指定所属单位");
        }
        let phone = contacts.phone.map(str::trim).filter(|s| !s.is_empty());
        if let Some(p) = phone {
            if p.len() > 20
                || !p
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
            {
                checks.add("phone", "电话号码格式不正确");
            }
        }
        let email = contacts.email.map(str::trim).filter(|s| !s.is_empty());
        if email.is_some_and(|e| !valid_email(e)) {
            checks.add("email", "电子邮箱格式不正确");
        }
        Ok(match (role, region) {
            (Some(role), Some(region)) => Some(Assignment {
                role,
                region,
                unit_id,
                display_name: display_name.to_owned(),
                phone: phone.map(str::to_owned),
                email: email.map(str::to_owned),
            }),
            _ => None,
        })
    }

    pub async fn create(&self, input: NewUser) -> Result<User, StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        let mut checks = Checks::default();
        let username = input.username.trim().to_owned();
        if !valid_username(&username) {
            checks.add("username", "用户名为3–32位小写字母、数字或 _ . -");
        }
        let assignment = self
            .check_assignment(
                &mut checks,
                &input.display_name,
                &input.role,
                input.region_code.as_deref(),
                input.unit_id,
                Contacts {
                    phone: input.phone.as_deref(),
                    email: input.email.as_deref(),
                },
            )
            .await?;
        if let Err(m) = self.settings.password.check(&input.password, &username) {
            checks.add("password", m);
        }
        checks.finish()?;
        let a = assignment.expect("checks passed");
        let hash = hash_blocking(&self.db, input.password).await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, role, region_code, unit_id, \
             phone, email, active, must_change_password, created_at, updated_at, \
             password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $10, $10) RETURNING id",
        )
        .bind(&username)
        .bind(&a.display_name)
        .bind(hash)
        .bind(a.role.as_str())
        .bind(a.region.as_ref().map(|r| r.as_str().to_owned()))
        .bind(a.unit_id)
        .bind(&a.phone)
        .bind(&a.email)
        .bind(true)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_constraint(e, "users_username_key", "username", "该用户名已被使用"))?;
        let after = serde_json::json!({
            "username": username, "display_name": a.display_name, "role": a.role.as_str(),
            "region_code": a.region.as_ref().map(RegionCode::as_str), "unit_id": a.unit_id,
            "phone": a.phone, "email": a.email, "active": true,
        });
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "user",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("新增用户 {username}（{}）", a.display_name),
                region: a.region.as_ref(),
                before: None,
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        self.find_user(id).await
    }

    pub async fn update(&self, id: i64, input: UserUpdate) -> Result<User, StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        let before = self.find_user(id).await?;
        let mut checks = Checks::default();
        let assignment = self
            .check_assignment(
                &mut checks,
                &input.display_name,
                &input.role,
                input.region_code.as_deref(),
                input.unit_id,
                Contacts {
                    phone: input.phone.as_deref(),
                    email: input.email.as_deref(),
                },
            )
            .await?;
        if id == self.actor.user_id {
            if !input.active {
                checks.add("active", "不能停用自己的账号");
            }
            if input.role != before.role || input.region_code != before.region_code {
                checks.add("role", "不能修改自己的角色或管辖范围");
            }
        }
        checks.finish()?;
        let a = assignment.expect("checks passed");
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, region_code = $3, unit_id = $4, phone = $5, \
             email = $6, active = $7, updated_at = $8, version = version + 1 \
             WHERE id = $9 AND version = $10",
        )
        .bind(&a.display_name)
        .bind(a.role.as_str())
        .bind(a.region.as_ref().map(|r| r.as_str().to_owned()))
        .bind(a.unit_id)
        .bind(&a.phone)
        .bind(&a.email)
        .bind(input.active)
        .bind(clock::now())
        .bind(id)
        .bind(input.version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if !input.active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let after = serde_json::json!({
            "username": before.username, "display_name": a.display_name, "role": a.role.as_str(),
            "region_code": a.region.as_ref().map(RegionCode::as_str), "unit_id": a.unit_id,
            "phone": a.phone, "email": a.email, "active": input.active,
        });
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "user",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: format!("修改用户 {}（{}）", before.username, a.display_name),
                region: a.region.as_ref(),
                before: Some(before.snapshot()),
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        crate::auth::sessions(&self.db).clear();
        self.find_user(id).await
    }

    /// Sets a new password chosen by an administrator; the user must change it at next sign-in
    /// and their open sessions are closed.
    pub async fn reset_password(&self, id: i64, password: &str) -> Result<(), StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        if id == self.actor.user_id {
            // Whoever holds an administrator's session must not be able to take the account
            // over without knowing its password.
            return Err(StoreError::forbidden(
                "修改自己的密码须输入当前密码：请在“修改密码”页面操作",
            ));
        }
        let user = self.find_user(id).await?;
        self.settings
            .password
            .check(password, &user.username)
            .map_err(|m| StoreError::field("password", m))?;
        let hash = hash_blocking(&self.db, password.to_owned()).await?;
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_attempts = 0, \
             locked_until = NULL, updated_at = $3, password_changed_at = $3, \
             version = version + 1 WHERE id = $4",
        )
        .bind(hash)
        .bind(true)
        .bind(clock::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let region = user.region();
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "user",
                entity_id: Some(id.to_string()),
                action: "password_reset",
                summary: format!("重置用户 {} 的密码", user.username),
                region: region.as_ref(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        crate::auth::sessions(&self.db).clear();
        Ok(())
    }

    pub async fn unlock(&self, id: i64) -> Result<User, StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        let user = self.find_user(id).await?;
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let region = user.region();
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "user",
                entity_id: Some(id.to_string()),
                action: "unlock",
                summary: format!("解除用户 {} 的锁定", user.username),
                region: region.as_ref(),
                before: Some(serde_json::json!({ "locked_until": user.locked_until })),
                after: Some(serde_json::json!({ "locked_until": null })),
            },
        )
        .await?;
        tx.commit().await?;
        crate::auth::sessions(&self.db).clear();
        self.find_user(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn e_mail_addresses_as_typed() {
        for ok in ["zhang.san@yiyang.gov.cn", "a@b.cn", "nx-swj@163.com"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "zhang", "@b.cn", "a@", "a@b", "a@b..cn", "a b@c.cn", "a@b@c.cn", "<a@b.cn>",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
