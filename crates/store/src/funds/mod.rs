//! Fund arrival (资金到位) records: entered below, reviewed by the level above, confirmed or
//! returned; corrections are new records that supersede the old one when confirmed (§4).

pub mod evidence;
pub mod sheet;

use crate::audit::{self, Change};
use crate::duplicates;
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::kit::text::opt;
use crate::scoped::Actor;
use crate::sheets::{Column, Kind, SheetSpec};
use luodi_domain::funds::{
    plausibility, Currency, Entry, FundKind, FundStatus, Period, ReviewDecision,
};
use luodi_domain::{Permission, RegionCode, ReviewBy, ReviewStanding, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    pub entered_by: i64,
    pub entered_by_name: String,
    pub entered_at: String,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<String>,
    /// Reviewed by a level that stepped in for the one between (代为审核).
    #[schema(value_type = bool)]
    pub stepped_in: Flag,
    /// Evidence files attached.
    pub evidence_count: i64,
    pub version: i64,
    /// Whether the record's project sits in the duplicate pool (a pair waiting for review):
    /// the record cannot be confirmed until the pair is decided.
    #[schema(value_type = bool)]
    pub in_duplicate_pool: Flag,
    /// How the signed-in user may review it: `direct`, `step_in` (代为审核, said so and
    /// audited) or none; only for a record waiting for review.
    #[sqlx(skip)]
    pub review_standing: Option<String>,
    /// Whether the signed-in user entered it and may still withdraw or correct it (待审核).
    #[sqlx(skip)]
    pub may_withdraw: bool,
    #[serde(skip)]
    pub entered_region: Option<String>,
    #[serde(skip)]
    pub entered_parent: Option<String>,
}

impl FundArrival {
    /// Fills in what the record means to `actor` under the review rule `rule`.
    fn for_actor(mut self, actor: &Actor, rule: ReviewBy) -> Self {
        if self.status == FundStatus::Entered.as_str() {
            self.review_standing = standing(actor, rule, &self).map(|s| match s {
                ReviewStanding::Direct => "direct".to_owned(),
                ReviewStanding::StepIn => "step_in".to_owned(),
            });
            self.may_withdraw = self.entered_by == actor.user_id;
        }
        self.finish()
    }

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
    /// Set when a level higher up reviews in place of the level directly above (代为审核);
    /// refused unless the review rule allows it, and recorded in the audit trail.
    #[serde(default)]
    pub step_in: bool,
}

/// One decision over many records: the ones chosen (each with the version it was seen at) or
/// every record the filter matches now. Each is reviewed, audited and refused on its own.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BatchReview {
    pub decision: ReviewDecision,
    /// Required when returning; the same reason goes to every record.
    pub reason: Option<String>,
    /// Records chosen on the page; leave out to review every record matching `filter`.
    pub items: Option<Vec<ReviewItem>>,
    /// With `items` left out: the queue's filter whose every record is reviewed.
    pub filter: Option<ReviewFilter>,
    #[serde(default)]
    pub step_in: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReviewItem {
    pub id: i64,
    pub version: i64,
}

/// What a batch did: how many records were reviewed, and each refusal with its reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchOutcome {
    pub reviewed: usize,
    pub refused: Vec<BatchRefusal>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchRefusal {
    pub id: i64,
    pub project_name: Option<String>,
    pub period: Option<String>,
    pub message: String,
}

/// A batch reviews at most this many records.
pub const MAX_BATCH: usize = 2_000;

/// The review queue's filters.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewFilter {
    /// A county or city code: records of projects there.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
    /// YYYY-MM.
    #[param(pattern = r"^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$")]
    pub period: Option<String>,
    /// The id of the user who entered the records.
    pub entered_by: Option<i64>,
    pub currency: Option<Currency>,
    /// Smallest amount, in minor units of the record's currency.
    pub amount_min: Option<i64>,
    /// Largest amount, in minor units of the record's currency.
    pub amount_max: Option<i64>,
    /// true: only records with plausibility warnings; false: only without.
    pub warnings: Option<bool>,
    /// true: only records with evidence files; false: only without.
    pub evidence: Option<bool>,
    /// true: only records of projects waiting in the duplicate pool; false: only the others.
    pub pool: Option<bool>,
    /// true: the records this user may review only by stepping in for the level between
    /// (代为审核); otherwise its own queue.
    pub step_in: Option<bool>,
    /// entered_at (default), period, amount, region, project, warnings (warned first when
    /// descending) or pool (pooled first when descending); prefix `-` for descending.
    pub sort: Option<String>,
}

/// The review queue's export (待审核资金到位): a record a row, amounts in its own currency,
/// each column written as its kind says.
pub const REVIEW_EXPORT: SheetSpec = SheetSpec {
    sheet_name: "待审核资金到位",
    max_rows: 0,
    columns: &[
        Column::new("region", "县市区", 12.0),
        Column::new("project", "项目名称", 36.0),
        Column::new("period", "到位月份", 10.0),
        Column::new("currency", "币种", 8.0).kind(Kind::Choice(sheet::CURRENCY)),
        Column::new("amount", "本次到位（万元/万美元）", 18.0).kind(Kind::Wan),
        Column::new("kind", "资金类型", 14.0).kind(Kind::Choice(sheet::FUND_KIND)),
        Column::new("contract", "项目合同金额（万元/万美元）", 20.0).kind(Kind::Wan),
        Column::new("arrived", "项目已确认到位（万元/万美元）", 22.0).kind(Kind::Wan),
        Column::new("warnings", "合理性提示", 30.0),
        Column::new("override_reason", "填报说明", 30.0),
        Column::new("note", "备注", 24.0),
        Column::new("entered_by", "填报人", 10.0),
        Column::new("entered_at", "填报时间", 18.0),
    ],
};

fn fund_kind_label(kind: &str) -> &'static str {
    FundKind::parse(kind).map(FundKind::label).unwrap_or("")
}

/// How `actor` may review `record` under `rule`, from the region of whoever entered it.
fn standing(actor: &Actor, rule: ReviewBy, record: &FundArrival) -> Option<ReviewStanding> {
    if !actor.role.can_at(Permission::ReviewFunds, &actor.scope) {
        return None;
    }
    let entered_at = record
        .entered_region
        .as_deref()
        .and_then(|c| RegionCode::parse(c).ok());
    let parent = record
        .entered_parent
        .as_deref()
        .and_then(|c| RegionCode::parse(c).ok());
    // A reviewer never confirms the figures of its own region.
    if actor.scope.root().map(RegionCode::as_str) == Some(record.region_code.as_str()) {
        return None;
    }
    actor
        .scope
        .review_standing(entered_at.as_ref(), parent.as_ref(), rule)
}

const FUND_SELECT: &str = "SELECT f.id, f.project_id, p.name AS project_name, f.region_code, \
    rg.name AS region_name, p.contract_fen AS project_contract_fen, \
    p.contract_cents AS project_contract_cents, p.arrived_fen AS project_arrived_fen, \
    p.arrived_cents AS project_arrived_cents, f.period, f.amount, f.currency, f.kind, f.status, f.corrects_id, f.note, \
    f.warnings AS warnings_json, f.override_reason, f.return_reason, \
    f.entered_by, eu.display_name AS entered_by_name, f.entered_at, \
    ru.display_name AS reviewed_by_name, f.reviewed_at, f.stepped_in, \
    (SELECT COUNT(*) FROM attachments a WHERE a.owner_kind = 'fund_arrival' AND a.owner_id = f.id) \
    AS evidence_count, f.version, \
    CASE WHEN EXISTS (SELECT 1 FROM duplicate_candidates dp WHERE dp.project_id = f.project_id \
    AND dp.status = 'pending') OR EXISTS (SELECT 1 FROM duplicate_candidates dp \
    WHERE dp.other_project_id = f.project_id AND dp.status = 'pending') THEN 1 ELSE 0 END \
    AS in_duplicate_pool, eu.region_code AS entered_region, er.parent_code AS entered_parent \
    FROM fund_arrivals f JOIN projects p ON p.id = f.project_id \
    JOIN regions rg ON rg.code = f.region_code \
    JOIN users eu ON eu.id = f.entered_by LEFT JOIN regions er ON er.code = eu.region_code \
    LEFT JOIN users ru ON ru.id = f.reviewed_by WHERE 1 = 1";

/// An entry's checked period and the plausibility warnings its reason overrides.
pub(crate) struct CheckedEntry {
    pub period: Period,
    pub warnings: Vec<String>,
}

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

/// Enters a checked record on the caller's transaction with its audit entry
/// (`填报项目 … 资金到位`, followed by `how` it was entered, e.g. "（月度进展）"); answers its id.
/// The form and the monthly update enter money through here; a sheet batches its entries.
pub(crate) async fn enter_fund(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    project_name: &str,
    region: &RegionCode,
    new: NewFund<'_>,
    how: &str,
) -> Result<i64, StoreError> {
    let (period, input) = (new.period, new.input);
    let id = insert_fund(&mut *conn, new).await?;
    audit::record(
        conn,
        actor.into(),
        Change {
            entity: "fund_arrival",
            entity_id: Some(id.to_string()),
            action: "create",
            summary: format!("填报项目 {project_name} {period} 资金到位{how}"),
            region: Some(region),
            before: None,
            after: serde_json::to_value(input).ok(),
        },
    )
    .await?;
    Ok(id)
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

impl Funds<'_> {
    /// The fund records of one project, oldest period first.
    pub async fn of_project(&self, project_id: i64) -> Result<Vec<FundArrival>, StoreError> {
        self.ledger().get(project_id).await?;
        let rule = self.review_rule().await?;
        let mut f = Filter::new(FUND_SELECT);
        let p = f.bind(Bind::Int(project_id));
        f.and(&format!("f.project_id = {p}"));
        f.projects(&self.actor, "p", "f.region_code", None);
        let sql = format!("{} ORDER BY f.period, f.id", f.sql);
        let rows: Vec<FundArrival> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows
            .into_iter()
            .map(|r| r.for_actor(&self.actor, rule))
            .collect())
    }

    /// Who confirms fund records on this installation (the ledger rules).
    async fn review_rule(&self) -> Result<ReviewBy, StoreError> {
        Ok(self.rules().ledger_rules().await?.review_by)
    }

    /// Records waiting for this user's review, filtered and sorted.
    pub async fn review_queue(
        &self,
        filter: &ReviewFilter,
        page: PageRequest,
    ) -> Result<Page<FundArrival>, StoreError> {
        let rule = self.review_rule().await?;
        let (f, order) = self.review_filter(filter, rule)?;
        let page: Page<FundArrival> = f.fetch_page(&self.db.pool, &order, page).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|r| r.for_actor(&self.actor, rule))
                .collect(),
            total: page.total,
        })
    }

    /// The whole filtered queue (for an export or a batch), in its order, at most `limit`.
    pub async fn review_queue_all(
        &self,
        filter: &ReviewFilter,
        limit: i64,
    ) -> Result<Vec<FundArrival>, StoreError> {
        let rule = self.review_rule().await?;
        let (mut f, order) = self.review_filter(filter, rule)?;
        let limit = f.bind(Bind::Int(limit));
        let sql = format!("{} ORDER BY {order} LIMIT {limit}", f.sql);
        let rows: Vec<FundArrival> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(rows
            .into_iter()
            .map(|r| r.for_actor(&self.actor, rule))
            .collect())
    }

    /// Records not yet reviewed, about projects below the user's region, that the user may
    /// review under `rule`: directly (its own queue) or, with `step_in`, by stepping in.
    fn review_filter(
        &self,
        filter: &ReviewFilter,
        rule: ReviewBy,
    ) -> Result<(Filter, String), StoreError> {
        self.require_reviewer()?;
        let mut f = Filter::new(FUND_SELECT);
        f.and("f.status = 'entered'");
        f.projects(&self.actor, "p", "f.region_code", None);
        // Entered below the user's own level, and whether directly below.
        let direct = match &self.actor.scope {
            Scope::Region(root) => {
                let own = f.bind(Bind::Text(root.to_string()));
                let (lo, hi) = root.subtree_range();
                let (lo, hi) = (f.bind(Bind::Text(lo)), f.bind(Bind::Text(hi)));
                f.and(&format!(
                    "f.region_code <> {own} AND eu.region_code >= {lo} AND eu.region_code < {hi} \
                     AND eu.region_code <> {own}"
                ));
                format!("er.parent_code = {own}")
            }
            Scope::Nationwide => {
                f.and("eu.region_code IS NOT NULL");
                "er.parent_code IS NULL".to_owned()
            }
            // A group member reviews nothing (and holds no `ReviewFunds` to get here).
            Scope::Regions(_) => "1 = 0".to_owned(),
        };
        match (filter.step_in.unwrap_or(false), rule) {
            (false, ReviewBy::AnyAbove) => {}
            (false, _) => f.and(&direct),
            (true, ReviewBy::Parent) => f.and(&format!("NOT ({direct})")),
            (true, _) => f.and("1 = 0"),
        }
        if let Some(region) = opt(&filter.region) {
            let code = RegionCode::parse(&region)
                .map_err(|e| StoreError::field("region", e.to_string()))?;
            f.region_subtree("f.region_code", &code);
        }
        if let Some(period) = opt(&filter.period) {
            let period =
                Period::parse(&period).map_err(|e| StoreError::field("period", e.to_string()))?;
            let p = f.bind(Bind::Text(period.to_string()));
            f.and(&format!("f.period = {p}"));
        }
        if let Some(user) = filter.entered_by {
            let u = f.bind(Bind::Int(user));
            f.and(&format!("f.entered_by = {u}"));
        }
        if let Some(currency) = filter.currency {
            let c = f.bind(Bind::Text(currency.as_str().to_owned()));
            f.and(&format!("f.currency = {c}"));
        }
        if let Some(min) = filter.amount_min {
            let m = f.bind(Bind::Int(min));
            f.and(&format!("f.amount >= {m}"));
        }
        if let Some(max) = filter.amount_max {
            let m = f.bind(Bind::Int(max));
            f.and(&format!("f.amount <= {m}"));
        }
        match filter.warnings {
            Some(true) => f.and("f.warnings IS NOT NULL"),
            Some(false) => f.and("f.warnings IS NULL"),
            None => {}
        }
        let has_evidence =
            "EXISTS (SELECT 1 FROM attachments a WHERE a.owner_kind = 'fund_arrival' \
                            AND a.owner_id = f.id)";
        match filter.evidence {
            Some(true) => f.and(has_evidence),
            Some(false) => f.and(&format!("NOT {has_evidence}")),
            None => {}
        }
        let pooled =
            "(EXISTS (SELECT 1 FROM duplicate_candidates dp WHERE dp.project_id = f.project_id \
             AND dp.status = 'pending') OR EXISTS (SELECT 1 FROM duplicate_candidates dp \
             WHERE dp.other_project_id = f.project_id AND dp.status = 'pending'))";
        match filter.pool {
            Some(true) => f.and(pooled),
            Some(false) => f.and(&format!("NOT {pooled}")),
            None => {}
        }
        let pool_key = format!("(CASE WHEN {pooled} THEN 1 ELSE 0 END)");
        let sort = filter.sort.as_deref().unwrap_or("entered_at");
        let (column, descending) = match sort.strip_prefix('-') {
            Some(c) => (c, true),
            None => (sort, false),
        };
        let column = match column {
            "entered_at" => "f.entered_at",
            "period" => "f.period",
            "amount" => "f.amount",
            "region" => "f.region_code",
            "project" => "p.name",
            "warnings" => "(CASE WHEN f.warnings IS NULL THEN 0 ELSE 1 END)",
            "pool" => &pool_key,
            _ => return Err(StoreError::field("sort", "不支持按该列排序")),
        };
        let direction = if descending { "DESC" } else { "ASC" };
        Ok((f, format!("{column} {direction}, f.id {direction}")))
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
        let rule = self.review_rule().await?;
        row.map(|r| r.for_actor(&self.actor, rule))
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
        let checked = self.check_entry(project_id, &input, None).await?;
        let period = checked.period;
        let region = crate::regions::stored_code(&project.region_code)?;
        let mut tx = self.db.pool.begin().await?;
        let id = enter_fund(
            &mut tx,
            &self.actor,
            &project.name,
            &region,
            NewFund {
                project_id,
                region: region.as_str(),
                period,
                input: &input,
                warnings: &checked.warnings,
                entered_by: self.actor.user_id,
            },
            "",
        )
        .await?;
        tx.commit().await?;
        self.find_fund(id).await
    }

    /// The checks of an entry (new, or a pending one's correction `replacing` it): every field,
    /// then the plausibility warnings, which need a reason to be overridden.
    async fn check_entry(
        &self,
        project_id: i64,
        input: &FundInput,
        replacing: Option<i64>,
    ) -> Result<CheckedEntry, StoreError> {
        let project = self.ledger().get(project_id).await?.project;
        self.check_entry_for(&project, input, replacing).await
    }

    /// The rules of a fund entry for `project` (one the caller may read), wherever the money
    /// is entered: the form, a correction, a monthly update. Every basic error at once; then
    /// the plausibility warnings, refused without an `override_reason`.
    pub(crate) async fn check_entry_for(
        &self,
        project: &crate::ledger::Project,
        input: &FundInput,
        replacing: Option<i64>,
    ) -> Result<CheckedEntry, StoreError> {
        let project_id = project.id;
        let mut checks = Checks::default();
        let period = checks.take(
            "period",
            Period::parse(&input.period)
                .map_err(|e| e.to_string())
                .and_then(|p| p.not_after_month_of(clock::today())),
        );
        checks.max_chars("note", input.note.as_deref(), 500);
        checks.max_chars("override_reason", input.override_reason.as_deref(), 500);
        if input.amount <= 0 {
            checks.add("amount", "到位金额须大于0");
        }
        let (contract, other_contract) = match input.currency {
            Currency::Cny => (project.contract_fen, project.contract_cents),
            Currency::Usd => (project.contract_cents, project.contract_fen),
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
             AND status IN ('entered', 'confirmed') AND id <> $3 AND id <> $4",
        )
        .bind(project_id)
        .bind(input.currency.as_str())
        .bind(input.corrects_id.unwrap_or(0))
        .bind(replacing.unwrap_or(0))
        .fetch_all(&self.db.pool)
        .await?;
        let history: Vec<(Period, i64)> = history
            .into_iter()
            .filter_map(|(p, a)| Period::parse(&p).ok().map(|p| (p, a)))
            .collect();
        let fund_checks = self.rules().ledger_rules().await?.fund_checks;
        let warnings = plausibility(
            &Entry {
                amount: input.amount,
                period,
                history: &history,
                contract,
                other_contract,
            },
            &fund_checks,
        );
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
        if let Some(problem) = override_reason
            .filter(|_| !messages.is_empty())
            .and_then(|r| fund_checks.reason_problem(r))
        {
            return Err(StoreError::field("override_reason", problem));
        }
        Ok(CheckedEntry {
            period,
            warnings: messages,
        })
    }

    /// Confirms or returns an entered record. Only the level the review rule names may review
    /// it (by default the level directly above whoever entered it; a level higher up steps in
    /// only when it says so): a county cannot confirm its own figures.
    pub async fn review(&self, id: i64, review: Review) -> Result<FundArrival, StoreError> {
        self.require_reviewer()?;
        let reason = checked_reason(review.decision, review.reason.as_deref())?;
        let record = self.find_fund(id).await?;
        self.review_record(
            &record,
            review.decision,
            reason,
            review.version,
            review.step_in,
        )
        .await?;
        self.find_fund(id).await
    }

    /// Confirms or returns many records with one decision; each is checked, written and
    /// audited on its own, and a refusal of one stops none of the others.
    pub async fn review_batch(&self, batch: BatchReview) -> Result<BatchOutcome, StoreError> {
        self.require_reviewer()?;
        let reason = checked_reason(batch.decision, batch.reason.as_deref())?;
        let records: Vec<(FundArrival, i64)> = match (&batch.items, &batch.filter) {
            (Some(items), _) => {
                if items.len() > MAX_BATCH {
                    return Err(StoreError::field(
                        "items",
                        format!("一次最多审核{MAX_BATCH}条记录"),
                    ));
                }
                let mut found = Vec::with_capacity(items.len());
                let mut refused = Vec::new();
                for item in items {
                    match self.find_fund(item.id).await {
                        Ok(r) => found.push((r, item.version)),
                        Err(StoreError::NotFound(_)) => refused.push(BatchRefusal {
                            id: item.id,
                            project_name: None,
                            period: None,
                            message: "该资金到位记录不存在或不在您的管辖范围内".into(),
                        }),
                        Err(e) => return Err(e),
                    }
                }
                let mut outcome = self
                    .review_each(found, batch.decision, reason, batch.step_in)
                    .await?;
                refused.append(&mut outcome.refused);
                outcome.refused = refused;
                return Ok(outcome);
            }
            (None, Some(filter)) => {
                let mut filter = filter.clone();
                filter.step_in = Some(batch.step_in);
                let all = self.review_queue_all(&filter, MAX_BATCH as i64 + 1).await?;
                if all.len() > MAX_BATCH {
                    return Err(StoreError::field(
                        "filter",
                        format!("筛选结果超过{MAX_BATCH}条，请缩小筛选范围后再批量审核"),
                    ));
                }
                all.into_iter()
                    .map(|r| {
                        let v = r.version;
                        (r, v)
                    })
                    .collect()
            }
            (None, None) => {
                return Err(StoreError::field(
                    "items",
                    "请选择要审核的记录，或按筛选条件全部审核",
                ))
            }
        };
        self.review_each(records, batch.decision, reason, batch.step_in)
            .await
    }

    async fn review_each(
        &self,
        records: Vec<(FundArrival, i64)>,
        decision: ReviewDecision,
        reason: Option<&str>,
        step_in: bool,
    ) -> Result<BatchOutcome, StoreError> {
        let mut outcome = BatchOutcome {
            reviewed: 0,
            refused: Vec::new(),
        };
        for (record, version) in records {
            match self
                .review_record(&record, decision, reason, version, step_in)
                .await
            {
                Ok(()) => outcome.reviewed += 1,
                Err(
                    e @ (StoreError::Forbidden(_)
                    | StoreError::Conflict { .. }
                    | StoreError::Stale
                    | StoreError::Validation(_)),
                ) => outcome.refused.push(BatchRefusal {
                    id: record.id,
                    project_name: Some(record.project_name.clone()),
                    period: Some(record.period.clone()),
                    message: e.to_string(),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// Reviews one record seen at `version`, in its own transaction.
    async fn review_record(
        &self,
        record: &FundArrival,
        decision: ReviewDecision,
        reason: Option<&str>,
        version: i64,
        step_in: bool,
    ) -> Result<(), StoreError> {
        let id = record.id;
        let region = crate::regions::stored_code(&record.region_code)?;
        match record.review_standing.as_deref() {
            Some("direct") => {}
            Some(_) if step_in => {}
            Some(_) => {
                return Err(StoreError::forbidden(
                    "该记录应由填报单位的上一级审核；如需代为审核，请选择“代为审核”，操作将留痕",
                ))
            }
            None if record.status != FundStatus::Entered.as_str() => {
                return Err(StoreError::Conflict {
                    field: "status".into(),
                    message: format!("该记录当前状态为“{}”，不能再审核", record.status_label),
                })
            }
            None => {
                return Err(StoreError::forbidden(
                    "资金到位须由填报单位的上级按审核规则确认，不能审核本级或本人填报的记录",
                ))
            }
        }
        let stepped_in = record.review_standing.as_deref() == Some("step_in");
        let confirm = decision == ReviewDecision::Confirm;
        if confirm && !record.warnings.is_empty() && record.evidence_count == 0 {
            return Err(StoreError::Conflict {
                field: "evidence".into(),
                message: format!(
                    "该记录有合理性提示（{}），须上传佐证材料（如银行回单）后才能确认",
                    record.warnings.join("；")
                ),
            });
        }
        // Waiting first: a project leaves the queue in the transaction that writes its pairs,
        // so once it is out of the queue the pool check below sees them.
        if confirm && duplicates::is_waiting(&self.db.pool, record.project_id).await? {
            return Err(StoreError::Conflict {
                field: "project".into(),
                message: format!(
                    "项目“{}”随大批量台账导入，疑似重复比对尚未完成（通常在导入后几分钟内完成），完成后才能确认其资金到位",
                    record.project_name
                ),
            });
        }
        if confirm && in_duplicate_pool(&self.db.pool, record.project_id).await? {
            return Err(StoreError::Conflict {
                field: "project".into(),
                message: format!(
                    "项目“{}”在疑似重复核查池中待核查，须待上级核查后才能确认其资金到位（可先退回或暂缓）",
                    record.project_name
                ),
            });
        }
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE fund_arrivals SET status = $1, return_reason = $2, reviewed_by = $3, \
             reviewed_at = $4, stepped_in = $7, version = version + 1 \
             WHERE id = $5 AND version = $6 AND status = 'entered'",
        )
        .bind(if confirm { "confirmed" } else { "returned" })
        .bind(if confirm { None } else { reason })
        .bind(self.actor.user_id)
        .bind(&now)
        .bind(id)
        .bind(version)
        .bind(stepped_in)
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
                    "{}{}项目 {} {} 资金到位",
                    if stepped_in { "代为" } else { "" },
                    if confirm { "确认" } else { "退回" },
                    record.project_name,
                    record.period
                ),
                region: Some(&region),
                before: Some(serde_json::json!({ "status": record.status })),
                after: Some(serde_json::json!({
                    "status": if confirm { "confirmed" } else { "returned" },
                    "reason": reason,
                    "stepped_in": stepped_in,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The record as its enterer may still change it: waiting for review, and theirs.
    async fn own_pending(&self, id: i64, version: i64) -> Result<FundArrival, StoreError> {
        self.actor.require(Permission::EnterFunds)?;
        let record = self.find_fund(id).await?;
        if record.entered_by != self.actor.user_id {
            return Err(StoreError::forbidden(
                "只有填报人本人可以撤回或修改待审核的记录",
            ));
        }
        if record.status != FundStatus::Entered.as_str() {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!(
                    "该记录当前状态为“{}”，已审核的记录不能撤回或修改，请另行填报更正",
                    record.status_label
                ),
            });
        }
        if record.version != version {
            return Err(StoreError::Stale);
        }
        Ok(record)
    }

    /// Withdraws a record its enterer entered, before review: it is deleted with its evidence
    /// files, and the audit trail keeps what it said and the files' hashes. A file is removed
    /// from `files` after the commit, and only when no other attachment names it.
    pub async fn withdraw(
        &self,
        files: &dyn crate::kit::objects::ObjectStore,
        id: i64,
        version: i64,
    ) -> Result<(), StoreError> {
        let record = self.own_pending(id, version).await?;
        let region = crate::regions::stored_code(&record.region_code)?;
        let mut tx = self.db.pool.begin().await?;
        let unlinked = evidence::unlink(&mut tx, id).await?;
        let deleted = sqlx::query(
            "DELETE FROM fund_arrivals WHERE id = $1 AND version = $2 AND status = 'entered'",
        )
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "fund_arrival",
                entity_id: Some(id.to_string()),
                action: "withdraw",
                summary: format!(
                    "撤回待审核的项目 {} {} 资金到位",
                    record.project_name, record.period
                ),
                region: Some(&region),
                before: Some(serde_json::json!({
                    "period": record.period,
                    "amount": record.amount,
                    "currency": record.currency,
                    "kind": record.kind,
                    "note": record.note,
                    "override_reason": record.override_reason,
                    "evidence": unlinked.iter().map(|f| f.audit_json()).collect::<Vec<_>>(),
                })),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.erase_unused(files, id, &region, unlinked).await;
        Ok(())
    }

    /// Corrects a record its enterer entered, before review, with the same checks as a new
    /// entry; the record keeps its evidence files.
    pub async fn correct_pending(
        &self,
        id: i64,
        change: PendingCorrection,
    ) -> Result<FundArrival, StoreError> {
        let record = self.own_pending(id, change.version).await?;
        let input = change.fund;
        let checked = self
            .check_entry(record.project_id, &input, Some(id))
            .await?;
        let region = crate::regions::stored_code(&record.region_code)?;
        let trimmed = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE fund_arrivals SET period = $1, amount = $2, currency = $3, kind = $4, \
             corrects_id = $5, note = $6, warnings = $7, override_reason = $8, \
             version = version + 1 WHERE id = $9 AND version = $10 AND status = 'entered'",
        )
        .bind(checked.period.to_string())
        .bind(input.amount)
        .bind(input.currency.as_str())
        .bind(input.kind.as_str())
        .bind(input.corrects_id)
        .bind(trimmed(&input.note))
        .bind(
            (!checked.warnings.is_empty())
                .then(|| serde_json::to_string(&checked.warnings).unwrap_or_default()),
        )
        .bind(trimmed(&input.override_reason))
        .bind(id)
        .bind(change.version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "fund_arrival",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: format!(
                    "修改待审核的项目 {} {} 资金到位",
                    record.project_name, checked.period
                ),
                region: Some(&region),
                before: Some(serde_json::json!({
                    "period": record.period,
                    "amount": record.amount,
                    "currency": record.currency,
                    "kind": record.kind,
                    "note": record.note,
                    "override_reason": record.override_reason,
                })),
                after: serde_json::to_value(&input).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        self.find_fund(id).await
    }
}

/// A correction of a record waiting for review, by whoever entered it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PendingCorrection {
    #[serde(flatten)]
    pub fund: FundInput,
    pub version: i64,
}

/// The reason a decision needs: required to return, at most 500 characters.
fn checked_reason(
    decision: ReviewDecision,
    reason: Option<&str>,
) -> Result<Option<&str>, StoreError> {
    let reason = reason.map(str::trim).filter(|s| !s.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(StoreError::field("reason", "内容过长：不超过500个字"));
    }
    if decision == ReviewDecision::Return && reason.is_none() {
        return Err(StoreError::field("reason", "退回须说明原因"));
    }
    Ok(reason)
}

/// Whether a pair holding the project waits in the duplicate pool (待核查).
pub(crate) async fn in_duplicate_pool(
    pool: &sqlx::AnyPool,
    project_id: i64,
) -> Result<bool, StoreError> {
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM duplicate_candidates WHERE project_id = $1 AND status = 'pending' \
         UNION ALL SELECT id FROM duplicate_candidates WHERE other_project_id = $1 \
         AND status = 'pending' LIMIT 1",
    )
    .bind(project_id)
    .fetch_optional(pool)
    .await?;
    Ok(pending.is_some())
}
