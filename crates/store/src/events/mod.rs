//! Signing events (签约活动): the investment fairs at which projects are signed (domain §3).

pub mod sheet;

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::{on_constraint, Checks, StoreError};
use crate::kit::filter::{contains_pattern, Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use luodi_domain::{parse_date, Permission, RegionCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

crate::scoped::area_handle!(
    /// Signing events (签约活动) as the actor may read and change them.
    Events, events
);

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct SigningEvent {
    pub id: i64,
    pub name: String,
    /// `province` (省级), `prefecture` (市级) or `county` (县级).
    pub level: String,
    #[sqlx(skip)]
    pub level_label: String,
    /// YYYY-MM-DD
    pub held_on: String,
    pub host: Option<String>,
    /// The organising region; the event is visible to its subtree and to the levels above.
    pub region_code: String,
    pub region_name: String,
    pub version: i64,
    /// Signed projects (as the 三率 count them) of the event within the user's scope (a county
    /// sees its own share of a provincial fair, a unit its own projects), with their contract
    /// and confirmed arrival.
    #[sqlx(skip)]
    pub project_count: i64,
    #[sqlx(skip)]
    pub contract_fen: i64,
    #[sqlx(skip)]
    pub arrived_fen: i64,
    #[sqlx(skip)]
    pub contract_cents: i64,
    #[sqlx(skip)]
    pub arrived_cents: i64,
    /// 资金到位率（人民币） of those projects, e.g. "23.50%"; null without a contract amount.
    #[sqlx(skip)]
    pub arrival_rate: Option<String>,
}

impl SigningEvent {
    fn finish(mut self) -> Self {
        self.level_label = level_label(&self.level).to_owned();
        self
    }
}

pub(crate) fn level_label(level: &str) -> &'static str {
    match level {
        "province" => "省级",
        "prefecture" => "市级",
        "county" => "县级",
        _ => "",
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct EventFilter {
    /// Part of the event name.
    pub q: Option<String>,
    /// Events held in this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    pub level: Option<String>,
}

/// A correction of an event, with the version it was read at (409 when someone else changed it
/// since).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EventUpdate {
    #[serde(flatten)]
    pub event: EventInput,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct EventInput {
    pub name: String,
    pub level: String,
    /// YYYY-MM-DD
    pub held_on: String,
    pub host: Option<String>,
    pub region_code: String,
}

/// An event name is unique among the events one region organises.
const NAME_TAKEN: &str = "该组织地区已有同名的签约活动";

const EVENT_ORDER: &str = "e.held_on DESC, e.id DESC";

const EVENT_SELECT: &str = "SELECT e.id, e.name, e.level, e.held_on, e.host, e.region_code, \
    r.name AS region_name, e.version FROM signing_events e JOIN regions r ON r.code = e.region_code \
    WHERE 1 = 1";

#[derive(sqlx::FromRow)]
struct EventFigures {
    event_id: i64,
    projects: i64,
    contract_fen: i64,
    arrived_fen: i64,
    contract_cents: i64,
    arrived_cents: i64,
}

impl Events<'_> {
    /// Fills in each event's projects and money, counted within the user's scope.
    async fn add_project_figures(&self, events: &mut [SigningEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut f = Filter::new("");
        let ids: Vec<String> = events.iter().map(|e| f.bind(Bind::Int(e.id))).collect();
        f.sql = format!(
            "SELECT p.event_id, COUNT(*) AS projects, \
             CAST(SUM(p.contract_fen) AS BIGINT) AS contract_fen, \
             CAST(SUM(p.arrived_fen) AS BIGINT) AS arrived_fen, \
             CAST(SUM(p.contract_cents) AS BIGINT) AS contract_cents, \
             CAST(SUM(p.arrived_cents) AS BIGINT) AS arrived_cents \
             FROM projects p WHERE p.event_id IN ({}) AND p.stage IN ({}) \
             AND p.duplicate_of IS NULL",
            ids.join(", "),
            crate::ledger::signed_stages_sql()
        );
        f.projects(&self.actor, "p", "p.region_code", None);
        let sql = format!("{} GROUP BY p.event_id", f.sql);
        let figures: Vec<EventFigures> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        for e in events.iter_mut() {
            if let Some(x) = figures.iter().find(|x| x.event_id == e.id) {
                e.project_count = x.projects;
                e.contract_fen = x.contract_fen;
                e.arrived_fen = x.arrived_fen;
                e.contract_cents = x.contract_cents;
                e.arrived_cents = x.arrived_cents;
                e.arrival_rate = luodi_domain::Rate::of(x.arrived_fen, x.contract_fen)
                    .map(|r| r.display_percent(2));
            }
        }
        Ok(())
    }

    /// Events organised inside the user's scope or by a region above it (a county takes part
    /// in the provincial fair, so it must see it).
    pub(crate) fn event_visibility(&self, f: &mut Filter) {
        if let luodi_domain::Scope::Regions(roots) = &self.actor.scope {
            let clause = f.subtree_or_ancestors("e.region_code", roots);
            return f.and(&clause);
        }
        if let Some(root) = self.actor.scope.root() {
            let mut ancestors = Vec::new();
            let mut code = Some(root.clone());
            while let Some(c) = code {
                code = c.implied_parent();
                ancestors.push(c);
            }
            let (lo, hi) = root.subtree_range();
            let lo = f.bind(Bind::Text(lo));
            let hi = f.bind(Bind::Text(hi));
            let listed: Vec<String> = ancestors
                .iter()
                .map(|a| f.bind(Bind::Text(a.to_string())))
                .collect();
            f.and(&format!(
                "((e.region_code >= {lo} AND e.region_code < {hi}) OR e.region_code IN ({}))",
                listed.join(", ")
            ));
        }
    }

    fn event_filter(&self, filter: &EventFilter) -> Filter {
        let mut f = Filter::new(EVENT_SELECT);
        self.event_visibility(&mut f);
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(contains_pattern(q)));
            f.and(&format!("e.name LIKE {p} ESCAPE '\\'"));
        }
        if let Some(year) = filter.year {
            let lo = f.bind(Bind::Text(format!("{year:04}-01-01")));
            let hi = f.bind(Bind::Text(format!("{:04}-01-01", year + 1)));
            f.and(&format!("e.held_on >= {lo} AND e.held_on < {hi}"));
        }
        if let Some(level) = filter.level.as_deref().filter(|s| !s.is_empty()) {
            let p = f.bind(Bind::Text(level.to_owned()));
            f.and(&format!("e.level = {p}"));
        }
        f
    }

    /// Every event matching the filter (for an export), with its project figures.
    pub async fn list_all(&self, filter: &EventFilter) -> Result<Vec<SigningEvent>, StoreError> {
        let f = self.event_filter(filter);
        let sql = format!("{} ORDER BY {EVENT_ORDER}", f.sql);
        let rows: Vec<SigningEvent> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let mut items: Vec<SigningEvent> = rows.into_iter().map(SigningEvent::finish).collect();
        self.add_project_figures(&mut items).await?;
        Ok(items)
    }

    pub async fn list(
        &self,
        filter: &EventFilter,
        page: PageRequest,
    ) -> Result<Page<SigningEvent>, StoreError> {
        let page: Page<SigningEvent> = self
            .event_filter(filter)
            .fetch_page(&self.db.pool, EVENT_ORDER, page)
            .await?;
        let mut items: Vec<SigningEvent> =
            page.items.into_iter().map(SigningEvent::finish).collect();
        self.add_project_figures(&mut items).await?;
        Ok(Page {
            items,
            total: page.total,
        })
    }

    pub async fn get(&self, id: i64) -> Result<SigningEvent, StoreError> {
        let mut event = [self.visible_event(id).await?];
        self.add_project_figures(&mut event).await?;
        let [event] = event;
        Ok(event)
    }

    /// The event if the user may see it, without its project figures (for checking a
    /// project's reference to it).
    pub(crate) async fn visible_event(&self, id: i64) -> Result<SigningEvent, StoreError> {
        let mut f = Filter::new(EVENT_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("e.id = {p}"));
        self.event_visibility(&mut f);
        let event: Option<SigningEvent> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        event
            .map(SigningEvent::finish)
            .ok_or(StoreError::NotFound("该签约活动"))
    }

    /// Registers an event organised by a region in the user's scope.
    /// The checked name, date and organising region of an event's input.
    async fn checked_event(
        &self,
        input: &EventInput,
    ) -> Result<(String, time::Date, RegionCode), StoreError> {
        let mut checks = Checks::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            checks.add("name", "活动名称不能为空，且不超过100个字");
        }
        checks.printable("name", &name);
        checks.max_chars("host", input.host.as_deref(), 100);
        if level_label(&input.level).is_empty() {
            checks.add(
                "level",
                "活动级别应为省级、市级或县级（province、prefecture、county）",
            );
        }
        let held_on = checks.take("held_on", parse_date(&input.held_on));
        let region: Option<RegionCode> =
            match self.regions().region_in_scope(&input.region_code).await {
                Ok(r) => Some(r),
                Err(m) => {
                    checks.add("region_code", m);
                    None
                }
            };
        checks.finish()?;
        Ok((name, held_on.expect("checked"), region.expect("checked")))
    }

    pub async fn create(&self, input: EventInput) -> Result<SigningEvent, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let (name, held_on, region) = self.checked_event(&input).await?;
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO signing_events (name, level, held_on, host, region_code, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&name)
        .bind(&input.level)
        .bind(held_on.to_string())
        .bind(input.host.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .bind(region.as_str())
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_constraint(e, "signing_events_name_key", "name", NAME_TAKEN))?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "signing_event",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("新增签约活动 {name}"),
                region: Some(&region),
                before: None,
                after: serde_json::to_value(&input).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Corrects an event's name, level, date, host or organising region. Only the region that
    /// organised it (or a level above) may: a county sees a provincial fair but does not edit it.
    /// The region cannot move away from projects already signed at the event.
    pub async fn update(&self, id: i64, update: EventUpdate) -> Result<SigningEvent, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let before = self.visible_event(id).await?;
        let organiser = crate::regions::stored_code(&before.region_code)?;
        if !self.actor.scope.covers(&organiser) {
            return Err(StoreError::forbidden(format!(
                "该活动由{}组织，只能由组织地区或其上级修改",
                before.region_name
            )));
        }
        let input = &update.event;
        let (name, held_on, region) = self.checked_event(input).await?;
        if region != organiser {
            let (lo, hi) = region.subtree_range();
            let outside: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM projects WHERE event_id = $1 \
                 AND (region_code < $2 OR region_code >= $3)",
            )
            .bind(id)
            .bind(&lo)
            .bind(&hi)
            .fetch_one(&self.db.pool)
            .await?;
            if outside > 0 {
                return Err(StoreError::field(
                    "region_code",
                    "该活动已有所选地区以外的签约项目，不能改由该地区组织",
                ));
            }
        }
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE signing_events SET name = $1, level = $2, held_on = $3, host = $4, \
             region_code = $5, updated_at = $6, version = version + 1 \
             WHERE id = $7 AND version = $8",
        )
        .bind(&name)
        .bind(&input.level)
        .bind(held_on.to_string())
        .bind(
            input
                .host
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
        )
        .bind(region.as_str())
        .bind(clock::now())
        .bind(id)
        .bind(update.version)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_constraint(e, "signing_events_name_key", "name", NAME_TAKEN))?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "signing_event",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: format!("修改签约活动 {name}"),
                region: Some(&region),
                before: Some(serde_json::json!({
                    "name": before.name, "level": before.level, "held_on": before.held_on,
                    "host": before.host, "region_code": before.region_code,
                })),
                after: serde_json::to_value(input).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }
}
