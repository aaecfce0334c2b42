//! Fund arrival (资金到位) records: entered below, reviewed by the level above, confirmed or
//! returned; corrections are new records that supersede the old one when confirmed (§4).

pub mod evidence;
pub mod sheet;

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use luodi_domain::funds::{
    plausibility, Currency, Entry, FundKind, FundStatus, Period, ReviewDecision,
};
use luodi_domain::{Permission, Scope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// Fund arrival records, their review and evidence, as the actor may use them.
    Funds, funds
);

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct FundInput {
    /// YYYY-MM
    pub period: String,
    /// Minor units of `currency`: 分 for CNY, cents for USD.
    pub amount: i64,
    pub currency: Currency,
    pub kind: FundKind,
    pub note: Option<String>,
    /// The confirmed record this one corrects; a reason in `note` is then required.
    pub corrects_id: Option<i64>,
    /// Required when the plausibility checks warn; says why the figure is right anyway.
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct FundArrival {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub region_code: String,
    /// The project's county, for reviewers looking at many counties at once.
    pub region_name: String,
    /// The project's contract amounts and confirmed arrival so far, to judge the figure by.
    pub project_contract_fen: i64,
    pub project_contract_cents: i64,
    pub project_arrived_fen: i64,
    pub project_arrived_cents: i64,
    pub period: String,
    pub amount: i64,
    #[schema(value_type = Currency)]
    pub currency: String,
    #[schema(value_type = FundKind)]
    pub kind: String,
    /// 固定资产投资, 注册资本实缴 or 其他.
    #[sqlx(skip)]
    pub kind_label: String,
    #[schema(value_type = FundStatus)]
    pub status: String,
    #[sqlx(skip)]
    pub status_label: String,
    pub corrects_id: Option<i64>,
    pub note: Option<String>,
    /// Plausibility warnings raised at entry (Chinese), overridden with `override_reason`.
    #[sqlx(skip)]
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub warnings_json: Option<String>,
    pub override_reason: Option<String>,
    pub return_reason: Option<String>,
    pub entered_by_name: String,
    pub entered_at: String,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<String>,
    pub version: i64,
}

impl FundArrival {
    fn finish(mut self) -> Self {
        self.kind_label = fund_kind_label(&self.kind).to_owned();
        self.status_label = FundStatus::parse(&self.status)
            .map(FundStatus::label)
            .unwrap_or("")
            .to_owned();
        self.warnings = self
            .warnings_json
            .as_deref()
            .and_then(|w| serde_json::from_str(w).ok())
            .unwrap_or_default();
        self
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Review {
    pub decision: ReviewDecision,
    /// Required when returning.
    pub reason: Option<String>,
    pub version: i64,
}

fn fund_kind_label(kind: &str) -> &'static str {
    FundKind::parse(kind).map(FundKind::label).unwrap_or("")
}

const REVIEW_ORDER: &str = "f.entered_at, f.id";

const FUND_SELECT: &str = "SELECT f.id, f.project_id, p.name AS project_name, f.region_code, \
    rg.name AS region_name, p.contract_fen AS project_contract_fen, \
    p.contract_cents AS project_contract_cents, p.arrived_fen AS project_arrived_fen, \
    p.arrived_cents AS project_arrived_cents, f.period, f.amount, f.currency, f.kind, f.status, f.corrects_id, f.note, \
    f.warnings AS warnings_json, f.override_reason, f.return_reason, \
    eu.display_name AS entered_by_name, f.entered_at, ru.display_name AS reviewed_by_name, \
    f.reviewed_at, f.version FROM fund_arrivals f JOIN projects p ON p.id = f.project_id \
    JOIN regions rg ON rg.code = f.region_code \
    JOIN users eu ON eu.id = f.entered_by LEFT JOIN users ru ON ru.id = f.reviewed_by WHERE 1 = 1";

/// A fund record about to be entered, checked.
pub(crate) struct NewFund<'a> {
    pub project_id: i64,
    pub region: &'a str,
    pub period: Period,
    pub input: &'a FundInput,
    /// Plausibility warnings (Chinese) the input's `override_reason` overrides.
    pub warnings: &'a [String],
    pub entered_by: i64,
}

/// Writes an entered record on the caller's transaction; answers its id.
pub(crate) async fn insert_fund(
    conn: &mut sqlx::AnyConnection,
    new: NewFund<'_>,
) -> Result<i64, StoreError> {
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO fund_arrivals (project_id, region_code, period, amount, currency, kind, \
         status, corrects_id, note, warnings, override_reason, entered_by, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'entered', $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(new.project_id)
    .bind(new.region)
    .bind(new.period.to_string())
    .bind(new.input.amount)
    .bind(new.input.currency.as_str())
    .bind(new.input.kind.as_str())
    .bind(new.input.corrects_id)
    .bind(trimmed(&new.input.note))
    .bind(
        (!new.warnings.is_empty()).then(|| serde_json::to_string(new.warnings).unwrap_or_default()),
    )
    .bind(trimmed(&new.input.override_reason))
    .bind(new.entered_by)
    .bind(clock::now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

impl Funds<'_> {
    /// The fund records of one project, oldest period first.
    pub async fn of_project(&self, project_id: i64) -> Result<Vec<FundArrival>, StoreError> {
        self.ledger().get(project_id).await?;
        let mut f = Filter::new(FUND_SELECT);
        let p = f.bind(Bind::Int(project_id));
        f.and(&format!("f.project_id = {p}"));
        f.projects(&self.actor, "p", "f.region_code", None);
        let sql = format!("{} ORDER BY f.period, f.id", f.sql);
        let rows: Vec<FundArrival> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows.into_iter().map(FundArrival::finish).collect())
    }

    /// Records this user may review: entered, and in a region strictly below their own.
    pub async fn review_queue(&self, page: PageRequest) -> Result<Page<FundArrival>, StoreError> {
        let page: Page<FundArrival> = self
            .review_filter()?
            .fetch_page(&self.db.pool, REVIEW_ORDER, page)
            .await?;
        Ok(Page {
            items: page.items.into_iter().map(FundArrival::finish).collect(),
            total: page.total,
        })
    }

    /// The whole queue (for an export), oldest first, at most `limit` records.
    pub async fn review_queue_all(&self, limit: i64) -> Result<Vec<FundArrival>, StoreError> {
        let mut f = self.review_filter()?;
        let limit = f.bind(Bind::Int(limit));
        let sql = format!("{} ORDER BY {REVIEW_ORDER} LIMIT {limit}", f.sql);
        let rows: Vec<FundArrival> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows.into_iter().map(FundArrival::finish).collect())
    }

    /// Records not yet reviewed that were entered at a level below the user's own (see
    /// [`Scope::stands_above`]), about projects below it.
    fn review_filter(&self) -> Result<Filter, StoreError> {
        self.require_reviewer()?;
        let mut f = Filter::new(FUND_SELECT);
        f.and("f.status = 'entered'");
        f.projects(&self.actor, "p", "f.region_code", None);
        match &self.actor.scope {
            Scope::Region(root) => {
                let own = f.bind(Bind::Text(root.to_string()));
                let (lo, hi) = root.subtree_range();
                let (lo, hi) = (f.bind(Bind::Text(lo)), f.bind(Bind::Text(hi)));
                f.and(&format!(
                    "f.region_code <> {own} AND eu.region_code >= {lo} AND eu.region_code < {hi} \
                     AND eu.region_code <> {own}"
                ));
            }
            Scope::Nationwide => f.and("eu.region_code IS NOT NULL"),
        }
        Ok(f)
    }

    /// Reviewing is the job of the levels above a county; a county-level user is told so
    /// (see [`Permission::refused_at`]) rather than shown an empty queue.
    fn require_reviewer(&self) -> Result<(), StoreError> {
        self.actor.require(Permission::ReviewFunds)
    }

    /// One fund record in the user's scope.
    pub async fn get(&self, id: i64) -> Result<FundArrival, StoreError> {
        self.find_fund(id).await
    }

    async fn find_fund(&self, id: i64) -> Result<FundArrival, StoreError> {
        let mut f = Filter::new(FUND_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("f.id = {p}"));
        f.projects(&self.actor, "p", "f.region_code", None);
        let row: Option<FundArrival> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        row.map(FundArrival::finish)
            .ok_or(StoreError::NotFound("该资金到位记录"))
    }

    /// Enters a fund arrival for review. Plausibility warnings block the entry until a reason
    /// to override them is given.
    pub async fn record(
        &self,
        project_id: i64,
        input: FundInput,
    ) -> Result<FundArrival, StoreError> {
        self.actor.require(Permission::EnterFunds)?;
        let project = self.ledger().get(project_id).await?.project;
        let mut checks = Checks::default();
        let period = checks.take("period", Period::parse(&input.period));
        checks.max_chars("note", input.note.as_deref(), 500);
        checks.max_chars("override_reason", input.override_reason.as_deref(), 500);
        if input.amount <= 0 {
            checks.add("amount", "到位金额须大于0");
        }
        let contract = match input.currency {
            Currency::Cny => project.contract_fen,
            Currency::Usd => project.contract_cents,
        };
        let note = input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(old) = input.corrects_id {
            match self.find_fund(old).await {
                Ok(o)
                    if o.project_id == project_id
                        && o.status == "confirmed"
                        && o.currency == input.currency.as_str() => {}
                _ => checks.add("corrects_id", "只能更正本项目同币种、已确认的资金记录"),
            }
            if note.is_none() {
                checks.add("note", "更正须说明原因");
            }
        }
        checks.finish()?;
        let period = period.expect("checked");
        let history: Vec<(String, i64)> = sqlx::query_as(
            "SELECT period, amount FROM fund_arrivals WHERE project_id = $1 AND currency = $2 \
             AND status IN ('entered', 'confirmed') AND id <> $3",
        )
        .bind(project_id)
        .bind(input.currency.as_str())
        .bind(input.corrects_id.unwrap_or(0))
        .fetch_all(&self.db.pool)
        .await?;
        let history: Vec<(Period, i64)> = history
            .into_iter()
            .filter_map(|(p, a)| Period::parse(&p).ok().map(|p| (p, a)))
            .collect();
        let warnings = plausibility(&Entry {
            amount: input.amount,
            period,
            history: &history,
            contract,
            today: today(),
        });
        let messages: Vec<String> = warnings.iter().map(|w| w.message().to_owned()).collect();
        let override_reason = input
            .override_reason
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if !messages.is_empty() && override_reason.is_none() {
            // One entry per warning, then what to do about them.
            let mut list = messages.clone();
            list.push("如确认无误，请填写说明后再提交".to_owned());
            return Err(StoreError::Validation(
                [("override_reason".to_owned(), list)].into_iter().collect(),
            ));
        }
        let region = crate::regions::stored_code(&project.region_code)?;
        let mut tx = self.db.pool.begin().await?;
        let id = insert_fund(
            &mut tx,
            NewFund {
                project_id,
                region: region.as_str(),
                period,
                input: &input,
                warnings: &messages,
                entered_by: self.actor.user_id,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "fund_arrival",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("填报项目 {} {} 资金到位", project.name, period),
                region: Some(&region),
                before: None,
                after: serde_json::to_value(&input).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        self.find_fund(id).await
    }

    /// Confirms or returns an entered record. Only a user of a level above the project's
    /// region may review it: a county cannot confirm its own figures.
    pub async fn review(&self, id: i64, review: Review) -> Result<FundArrival, StoreError> {
        self.require_reviewer()?;
        let record = self.find_fund(id).await?;
        let region = crate::regions::stored_code(&record.region_code)?;
        let entered_at: Option<String> = sqlx::query_scalar(
            "SELECT u.region_code FROM fund_arrivals f JOIN users u ON u.id = f.entered_by \
             WHERE f.id = $1",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await?;
        let entered_at = entered_at
            .as_deref()
            .map(crate::regions::stored_code)
            .transpose()?;
        if self.actor.scope.root() == Some(&region)
            || !self.actor.scope.stands_above(entered_at.as_ref())
        {
            return Err(StoreError::forbidden(
                "资金到位须由填报单位的上级审核确认，不能审核本级或本人填报的记录",
            ));
        }
        if record.status != "entered" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!("该记录当前状态为“{}”，不能再审核", record.status_label),
            });
        }
        let reason = review
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if reason.is_some_and(|r| r.chars().count() > 500) {
            return Err(StoreError::field("reason", "内容过长：不超过500个字"));
        }
        let confirm = match review.decision.as_str() {
            "confirm" => true,
            "return" if reason.is_some() => false,
            "return" => return Err(StoreError::field("reason", "退回须说明原因")),
            _ => {
                return Err(StoreError::field(
                    "decision",
                    "审核结论应为确认（confirm）或退回（return）",
                ))
            }
        };
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE fund_arrivals SET status = $1, return_reason = $2, reviewed_by = $3, \
             reviewed_at = $4, version = version + 1 WHERE id = $5 AND version = $6 AND status = 'entered'",
        )
        .bind(if confirm { "confirmed" } else { "returned" })
        .bind(if confirm { None } else { reason })
        .bind(self.actor.user_id)
        .bind(&now)
        .bind(id)
        .bind(review.version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if confirm {
            let column = if record.currency == "USD" {
                "arrived_cents"
            } else {
                "arrived_fen"
            };
            let mut delta = record.amount;
            if let Some(old) = record.corrects_id {
                let old_amount: i64 = sqlx::query_scalar(
                    "UPDATE fund_arrivals SET status = 'superseded', version = version + 1 \
                     WHERE id = $1 AND status = 'confirmed' RETURNING amount",
                )
                .bind(old)
                .fetch_one(&mut *tx)
                .await?;
                delta -= old_amount;
            }
            sqlx::query(&format!(
                "UPDATE projects SET {column} = {column} + $1, version = version + 1 WHERE id = $2"
            ))
            .bind(delta)
            .bind(record.project_id)
            .execute(&mut *tx)
            .await?;
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "fund_arrival",
                entity_id: Some(id.to_string()),
                action: if confirm { "confirm" } else { "return" },
                summary: format!(
                    "{}项目 {} {} 资金到位",
                    if confirm { "确认" } else { "退回" },
                    record.project_name,
                    record.period
                ),
                region: Some(&region),
                before: Some(serde_json::json!({ "status": record.status })),
                after: Some(serde_json::json!({
                    "status": if confirm { "confirmed" } else { "returned" },
                    "reason": reason,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.find_fund(id).await
    }
}
