//! The append-only audit trail: who changed what, when, before → after, from which address;
//! chained by hashes so that an edit or a removal behind the application's back shows
//! (`chain.rs`).

pub mod chain;
pub mod context;

use crate::kit::clock;
use crate::kit::error::StoreError;
use crate::kit::filter::{contains_pattern, Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::scoped::Actor;
use luodi_domain::{Permission, RegionCode, RegionLevel, Scope};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::{IntoParams, ToSchema};

crate::scoped::area_handle!(
    /// The audit log within the actor's scope.
    Audit, audit
);

/// What is written for one change.
pub struct Change<'a> {
    pub entity: &'static str,
    pub entity_id: Option<String>,
    pub action: &'static str,
    pub summary: String,
    /// Where the changed record lives, which decides who may read this entry.
    pub region: Option<&'a RegionCode>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Who did it, for entries written outside a signed-in request (login attempts, CLI).
pub struct Author<'a> {
    pub id: Option<i64>,
    pub name: &'a str,
    pub request_id: Option<&'a str>,
}

impl<'a> From<&'a Actor> for Author<'a> {
    fn from(actor: &'a Actor) -> Self {
        Self {
            id: Some(actor.user_id),
            name: &actor.username,
            request_id: actor.request_id.as_deref(),
        }
    }
}

/// Writes one entry on the given connection, which should be the transaction of the change
/// itself so that a change and its audit entry commit or fail together. The entry joins the
/// chain there: the transaction holds the chain's head until it ends, so write the entry
/// after the change's other writes where the change allows.
pub async fn record(
    conn: &mut AnyConnection,
    author: Author<'_>,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let entry = chain::Entry {
        at: clock::now(),
        actor_id: author.id,
        actor_name: author.name.to_owned(),
        region_code: change.region.map(|r| r.as_str().to_owned()),
        entity: change.entity.to_owned(),
        entity_id: change.entity_id,
        action: change.action.to_owned(),
        summary: change.summary,
        before_json: change.before.map(|v| v.to_string()),
        after_json: change.after.map(|v| v.to_string()),
        request_id: author.request_id.map(str::to_owned),
        client_addr: context::client_addr(),
    };
    let backend = chain::backend_of(conn);
    chain::append(conn, backend, vec![entry]).await
}

/// One entry as owned values, for building many of them away from the request's task (an
/// import of 100,000 projects writes 100,000 entries).
pub(crate) struct OwnedEntry {
    pub region: Option<String>,
    pub entity: &'static str,
    pub entity_id: Option<String>,
    pub action: &'static str,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Who wrote a batch of entries, as owned values.
#[derive(Clone)]
pub(crate) struct OwnedAuthor {
    pub id: Option<i64>,
    pub name: String,
    pub request_id: Option<String>,
}

impl From<&Actor> for OwnedAuthor {
    fn from(actor: &Actor) -> Self {
        Self {
            id: Some(actor.user_id),
            name: actor.username.clone(),
            request_id: actor.request_id.clone(),
        }
    }
}

/// Writes many entries by one author at once (an import), on the caller's transaction.
pub(crate) async fn record_many(
    conn: &mut AnyConnection,
    backend: crate::kit::db::Backend,
    author: OwnedAuthor,
    entries: Vec<OwnedEntry>,
) -> Result<(), StoreError> {
    let at = clock::now();
    let client_addr = context::client_addr();
    let entries = entries
        .into_iter()
        .map(|e| chain::Entry {
            at: at.clone(),
            actor_id: author.id,
            actor_name: author.name.clone(),
            region_code: e.region,
            entity: e.entity.to_owned(),
            entity_id: e.entity_id,
            action: e.action.to_owned(),
            summary: e.summary,
            before_json: e.before,
            after_json: e.after,
            request_id: author.request_id.clone(),
            client_addr: client_addr.clone(),
        })
        .collect();
    chain::append(conn, backend, entries).await
}

/// A record as compact JSON for an audit entry: fields that are empty, false or zero are
/// left out (they read as "not filled in").
pub(crate) fn compact_json<T: Serialize>(value: &T) -> Option<String> {
    let mut v = serde_json::to_value(value).ok()?;
    if let serde_json::Value::Object(map) = &mut v {
        map.retain(|_, v| match v {
            serde_json::Value::Null | serde_json::Value::Bool(false) => false,
            serde_json::Value::String(s) => !s.is_empty(),
            serde_json::Value::Number(n) => n.as_i64() != Some(0),
            _ => true,
        });
    }
    Some(v.to_string())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AuditFilter {
    /// Entity kind: user, unit, session.
    pub entity: Option<String>,
    /// Action: create, update, login, login_failed, …
    pub action: Option<String>,
    /// Username of the actor (exact) or part of it.
    pub actor: Option<String>,
    /// First day, YYYY-MM-DD (inclusive).
    #[param(schema_with = crate::kit::params::any_day_or_blank)]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    #[param(schema_with = crate::kit::params::any_day_or_blank)]
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub action_label: String,
    pub entity: String,
    pub entity_label_zh: String,
    pub entity_id: Option<String>,
    pub summary: String,
    pub region_code: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    /// The address of the client that sent the request (from the configured proxy header
    /// behind a proxy).
    pub client_addr: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            action_label: action_label(&r.action).to_owned(),
            entity_label_zh: entity_label(&r.entity).to_owned(),
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            summary: r.summary,
            region_code: r.region_code,
            before: r.before_json.and_then(|s| serde_json::from_str(&s).ok()),
            after: r.after_json.and_then(|s| serde_json::from_str(&s).ok()),
            request_id: r.request_id,
            client_addr: r.client_addr,
        }
    }
}

/// The columns of an [`AuditRow`].
pub(crate) const AUDIT_COLUMNS: &str = "id, at, actor_id, actor_name, action, entity, entity_id, \
    summary, region_code, before_json, after_json, request_id, client_addr";

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    id: i64,
    at: String,
    actor_id: Option<i64>,
    actor_name: String,
    action: String,
    entity: String,
    entity_id: Option<String>,
    summary: String,
    region_code: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    request_id: Option<String>,
    client_addr: Option<String>,
}

pub fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "新增",
        "update" => "修改",
        "delete" => "删除",
        "import" => "导入",
        "login" => "登录",
        "login_failed" => "登录失败",
        "locked" => "账号锁定",
        "unlock" => "解除锁定",
        "logout" => "退出",
        "password_change" => "修改密码",
        "password_reset" => "重置密码",
        "demo_load" => "加载演示数据",
        "bootstrap" => "初始化",
        "stage_change" => "阶段变更",
        "confirm" => "确认",
        "return" => "退回",
        "withdraw" => "撤回",
        "submit" => "报送",
        "remind" => "催报",
        "attach" => "上传附件",
        "decide" => "核查",
        "reopen" => "撤销核查结论",
        "mark_duplicate" => "确认重复",
        "unmark_duplicate" => "撤销确认重复",
        "export" => "导出",
        "denied" => "拒绝访问",
        "purge" => "到期清理",
        "test" => "发送测试",
        "resend" => "重新发送",
        _ => "其他",
    }
}

pub fn entity_label(entity: &str) -> &'static str {
    match entity {
        "user" => "用户",
        "unit" => "单位",
        "session" => "会话",
        "system" => "系统",
        "signing_event" => "签约活动",
        "project" => "项目",
        "export" => "数据导出",
        "request" => "访问请求",
        "fund_arrival" => "资金到位",
        "target" => "目标任务",
        "ledger_rules" => "台账规则",
        "duplicate_candidate" => "疑似重复",
        "dispatch_round" => "调度轮次",
        "monthly_update" => "月度进展",
        "holidays" => "节假日安排",
        "robot" => "群机器人",
        "outbox" => "通知消息",
        _ => "其他",
    }
}

fn day_bound(field: &str, day: &str, end: bool) -> Result<String, StoreError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day.trim(), format)
        .map_err(|_| StoreError::field(field, "日期格式应为YYYY-MM-DD"))?;
    let date = if end {
        date.next_day().unwrap_or(date)
    } else {
        date
    };
    Ok(clock::format(date.midnight().assume_utc()))
}

impl Audit<'_> {
    /// Audit entries about records inside the actor's scope, newest first.
    ///
    /// Sign-in attempts that name no account — unknown usernames, addresses turned away —
    /// belong to no region: nothing says which province's users were aimed at. They are the
    /// installation's, read by every auditor of a province or the whole country (each of them
    /// answers for what comes through the installation's sign-in page); a city or county
    /// reads only its own region's entries.
    pub async fn list(
        &self,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError> {
        self.actor.require(Permission::ReadAudit)?;
        let mut f = Filter::new(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1 = 1"
        ));
        match &self.actor.scope {
            Scope::Region(root) if root.level() == RegionLevel::Province => {
                let (lo, hi) = root.subtree_range();
                let lo = f.bind(Bind::Text(lo));
                let hi = f.bind(Bind::Text(hi));
                f.and(&format!(
                    "((region_code >= {lo} AND region_code < {hi}) OR \
                     (region_code IS NULL AND entity = 'session' AND actor_id IS NULL))"
                ));
            }
            scope => f.scope("region_code", scope),
        }
        if let Some(entity) = filter.entity.as_deref().filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(entity.to_owned()));
            f.and(&format!("entity = {p}"));
        }
        if let Some(action) = filter.action.as_deref().filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(action.to_owned()));
            f.and(&format!("action = {p}"));
        }
        if let Some(actor) = filter.actor.as_deref().filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(contains_pattern(actor.trim())));
            f.and(&format!("actor_name LIKE {p} ESCAPE '\\'"));
        }
        if let Some(from) = filter.from.as_deref().filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(day_bound("from", from, false)?));
            f.and(&format!("at >= {p}"));
        }
        if let Some(to) = filter.to.as_deref().filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(day_bound("to", to, true)?));
            f.and(&format!("at < {p}"));
        }
        let page: Page<AuditRow> = f
            .fetch_page(&self.db.pool, "at DESC, id DESC", page)
            .await?;
        let total = page.total;
        let items = page.items.into_iter().map(AuditEntry::from).collect();
        Ok(Page { items, total })
    }
}

/// A download of a list, as its audit entry describes it.
pub struct Export<'a> {
    /// The file handed out.
    pub file_name: &'a str,
    /// The endpoint, e.g. `/api/projects/export`.
    pub path: &'a str,
    /// The query parameters: the filter the list was exported with.
    pub filter: &'a [(String, String)],
    pub rows: usize,
}

impl Audit<'_> {
    /// Records that the actor exported a list: what, with which filter, how many rows.
    pub async fn record_export(&self, export: Export<'_>) -> Result<(), StoreError> {
        let filter_text = if export.filter.is_empty() {
            "无筛选条件".to_owned()
        } else {
            let pairs: Vec<String> = export
                .filter
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("筛选条件 {}", pairs.join("&"))
        };
        let filter: serde_json::Map<String, serde_json::Value> = export
            .filter
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        let mut conn = self.db.pool.acquire().await?;
        record(
            &mut conn,
            (&self.actor).into(),
            Change {
                entity: "export",
                entity_id: None,
                action: "export",
                summary: format!(
                    "导出 {}，{} 行，{filter_text}",
                    export.file_name, export.rows
                ),
                region: self.actor.region_code.as_ref(),
                before: None,
                after: Some(serde_json::json!({
                    "file_name": export.file_name,
                    "path": export.path,
                    "filter": filter,
                    "rows": export.rows,
                })),
            },
        )
        .await
    }

    /// Records that the actor was refused a request for want of a permission or of scope.
    pub async fn record_refusal(
        &self,
        method: &str,
        path: &str,
        message: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.db.pool.acquire().await?;
        record(
            &mut conn,
            (&self.actor).into(),
            Change {
                entity: "request",
                entity_id: None,
                action: "denied",
                summary: format!("{method} {path} 被拒绝：{message}"),
                region: self.actor.region_code.as_ref(),
                before: None,
                after: Some(serde_json::json!({
                    "method": method,
                    "path": path,
                    "message": message,
                })),
            },
        )
        .await
    }
}
