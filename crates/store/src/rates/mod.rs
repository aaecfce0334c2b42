//! The "三率" and classification counts for any region subtree, grouped by the next level
//! down (domain §5). Sums come from the database; rates are computed exactly in Rust.

use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::kit::filter::{Bind, Cohort, Filter};
use crate::regions::Regions;
use crate::scoped::ProjectReach;
use luodi_domain::funds::Period;
use luodi_domain::parse_date;
use luodi_domain::rates::Rate;
use luodi_domain::tiers::Origin;
use luodi_domain::{RegionCode, RegionLevel, Scope, Thresholds};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

mod sums;
pub(crate) use sums::close_sums_statement;

crate::scoped::area_handle!(
    /// 三率, classification and growth for the actor's scope.
    Rates, rates
);

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RatesQuery {
    /// Region whose projects are counted; the user's own region when omitted.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
    /// Rows by: `region` (the next level down, default), `zone` (园区/乡镇), `industry`
    /// (GB/T 4754 section), `origin` (资金来源) or `event` (签约活动).
    #[param(pattern = r"^(|region|zone|industry|origin|event)$")]
    pub group_by: Option<String>,
    /// Figures as they stood at the end of this month (YYYY-MM): projects signed by then,
    /// arrivals confirmed for months up to it, starts dated by then. Today's when omitted.
    #[param(pattern = r"^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$")]
    pub as_of: Option<String>,
    /// Only projects signed on or after this day (YYYY-MM-DD), e.g. a campaign's cohort.
    #[param(schema_with = crate::kit::params::day_or_blank)]
    pub signed_from: Option<String>,
    /// Only projects signed on or before this day (YYYY-MM-DD).
    #[param(schema_with = crate::kit::params::day_or_blank)]
    pub signed_to: Option<String>,
    /// Only projects signed at this event (an event's fulfilment).
    pub event_id: Option<i64>,
    /// Only this origin: foreign, out_of_province, in_province.
    #[param(pattern = r"^(|foreign|out_of_province|in_province)$")]
    pub origin: Option<String>,
    /// Only this GB/T 4754 section letter or division code.
    pub industry: Option<String>,
    /// Only projects in this zone (园区/乡镇).
    pub zone_id: Option<i64>,
}

/// What the rows of a rates report stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupBy {
    Region,
    Zone,
    Industry,
    Origin,
    Event,
}

impl GroupBy {
    fn parse(s: Option<&str>) -> Result<Self, StoreError> {
        Ok(match s.map(str::trim).unwrap_or("") {
            "" | "region" => Self::Region,
            "zone" => Self::Zone,
            "industry" => Self::Industry,
            "origin" => Self::Origin,
            "event" => Self::Event,
            _ => {
                return Err(StoreError::field(
                    "group_by",
                    "分组方式应为 region、zone、industry、origin 或 event",
                ))
            }
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Zone => "zone",
            Self::Industry => "industry",
            Self::Origin => "origin",
            Self::Event => "event",
        }
    }

    /// The SQL of the group key, as text ('' where the project has none).
    fn key_sql(self) -> &'static str {
        match self {
            // counties, summed into the next level in Rust: rows come in index order
            Self::Region => "p.region_code",
            Self::Zone => "COALESCE(CAST(p.zone_id AS TEXT), '')",
            // a project coded at section level is its own section
            Self::Industry => "COALESCE(i.parent_code, i.code, '')",
            Self::Origin => "p.origin",
            Self::Event => "COALESCE(CAST(p.event_id AS TEXT), '')",
        }
    }
}

/// The figures of one group of signed projects.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct RateRow {
    /// Region code of the group (the region itself for the total row).
    pub code: String,
    #[sqlx(skip)]
    pub name: String,
    /// Signed projects (签约项目数).
    pub projects: i64,
    pub contract_fen: i64,
    pub arrived_fen: i64,
    pub contract_cents: i64,
    pub arrived_cents: i64,
    /// Projects that have begun to fulfil: any confirmed arrival, or started.
    pub fulfilling: i64,
    pub started: i64,
    pub excellent: i64,
    pub good: i64,
    pub fair: i64,
    pub not_fulfilled: i64,
    /// Signed projects without any contract amount (合同金额未填): counted above as 0, to be
    /// found and filled in.
    pub missing_contract: i64,
    /// 资金到位率（人民币）, e.g. "23.50%"; null without a contract amount.
    #[sqlx(skip)]
    pub arrival_rate: Option<String>,
    /// 资金到位率（美元）.
    #[sqlx(skip)]
    pub arrival_rate_usd: Option<String>,
    /// 履约率
    #[sqlx(skip)]
    pub fulfilment_rate: Option<String>,
    /// 开工率
    #[sqlx(skip)]
    pub start_rate: Option<String>,
}

impl RateRow {
    fn finish(mut self) -> Self {
        let pct = |r: Option<Rate>| r.map(|r| r.display_percent(2));
        self.arrival_rate = pct(Rate::of(self.arrived_fen, self.contract_fen));
        self.arrival_rate_usd = pct(Rate::of(self.arrived_cents, self.contract_cents));
        self.fulfilment_rate = pct(Rate::of(self.fulfilling, self.projects));
        self.start_rate = pct(Rate::of(self.started, self.projects));
        self
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatesReport {
    pub region_code: Option<String>,
    pub region_name: String,
    /// region, zone, industry, origin or event.
    pub group_by: String,
    /// The month the figures stand at (YYYY-MM), or null for today's.
    pub as_of: Option<String>,
    /// Whether `as_of` is a closed month (月结) read from the figures kept at its close.
    pub closed: bool,
    pub total: RateRow,
    /// One row per group with signed projects, in code order.
    pub rows: Vec<RateRow>,
    /// How every figure is computed, printed on the screen and on reports.
    pub definitions: Vec<String>,
}

/// What a report asks, parsed once for the kept and the live paths.
#[derive(Clone, Copy)]
struct Ask<'a> {
    query: &'a RatesQuery,
    group: GroupBy,
    /// The month's end asked for; today when `None`.
    as_of: Option<Period>,
    /// The close keeping `as_of`'s figures over the region, when that month is closed.
    closed: Option<i64>,
    cohort: Option<&'a Cohort<'a>>,
    t: &'a Thresholds,
    region: Option<&'a RegionCode>,
}

impl Ask<'_> {
    /// Rows by region with no project filter: what the figures kept per county answer alone.
    fn by_region_only(&self) -> bool {
        let q = self.query;
        self.group == GroupBy::Region
            && self.cohort.is_none()
            && non_blank(q.signed_from.as_deref()).is_none()
            && non_blank(q.signed_to.as_deref()).is_none()
            && q.event_id.is_none()
            && non_blank(q.origin.as_deref()).is_none()
            && non_blank(q.industry.as_deref()).is_none()
            && q.zone_id.is_none()
    }
}

/// The figures of kept rows (alias `s`) summed per group: the columns `figure_columns` makes.
const KEPT_FIGURES: &str = "CAST(SUM(s.projects) AS BIGINT) AS projects, \
     CAST(SUM(s.contract_fen) AS BIGINT) AS contract_fen, \
     CAST(SUM(s.arrived_fen) AS BIGINT) AS arrived_fen, \
     CAST(SUM(s.contract_cents) AS BIGINT) AS contract_cents, \
     CAST(SUM(s.arrived_cents) AS BIGINT) AS arrived_cents, \
     CAST(SUM(s.fulfilling) AS BIGINT) AS fulfilling, \
     CAST(SUM(s.started) AS BIGINT) AS started, \
     CAST(SUM(s.excellent) AS BIGINT) AS excellent, \
     CAST(SUM(s.good) AS BIGINT) AS good, \
     CAST(SUM(s.fair) AS BIGINT) AS fair, \
     CAST(SUM(s.not_fulfilled) AS BIGINT) AS not_fulfilled, \
     CAST(SUM(s.missing_contract) AS BIGINT) AS missing_contract";

fn definitions(t: &Thresholds, as_of: Option<&str>) -> Vec<String> {
    let mut d = vec![
        "资金到位率 = Σ已确认到位资金 ÷ Σ合同金额；人民币与美元分别计算，不相加".into(),
        "履约率 = 已有确认到位资金或已开工的签约项目数 ÷ 签约项目数".into(),
        "开工率 = 已填开工日期的签约项目数 ÷ 签约项目数".into(),
        format!(
            "分类：优秀 到位率高于{}；良好 {}（含）至{}（含）；一般 高于0且低于{}；未履约 无确认到位资金",
            t.excellent_above, t.good_from, t.excellent_above, t.good_from
        ),
        "合同金额未填：已签约但合同金额与合同外资均未填写的项目；计入签约项目数（履约率、开工率的分母），合同金额按0计，须补填".into(),
        "只计审核确认的资金；签约项目指已签约及其后各阶段（不含终止）；以签约日期为签约时间，以开工日期为开工时间".into(),
    ];
    if let Some(p) = as_of {
        d.push(format!(
            "截至{p}月末：计入{p}月末前签约的项目（其后才终止的仍计入）、所属月份不晚于{p}的已确认到位资金、{p}月末前的开工日期"
        ));
    }
    d
}

/// Printed with every figure a unit account reads, because its totals are not its region's.
pub(crate) const UNIT_PROJECTS_ONLY: &str =
    "责任单位账号只统计本单位负责、招引或落户本单位的项目，合计不是本地区全部项目";

/// One row of the grouped query, before rolling up and naming.
fn add_into(total: &mut RateRow, row: &RateRow) {
    for (sum, part) in [
        (&mut total.projects, row.projects),
        (&mut total.contract_fen, row.contract_fen),
        (&mut total.arrived_fen, row.arrived_fen),
        (&mut total.contract_cents, row.contract_cents),
        (&mut total.arrived_cents, row.arrived_cents),
        (&mut total.fulfilling, row.fulfilling),
        (&mut total.started, row.started),
        (&mut total.excellent, row.excellent),
        (&mut total.good, row.good),
        (&mut total.fair, row.fair),
        (&mut total.not_fulfilled, row.not_fulfilled),
        (&mut total.missing_contract, row.missing_contract),
    ] {
        *sum += part;
    }
}

/// A query parameter with its blanks trimmed, or `None` when nothing is left.
fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The origin a report is restricted to, if any.
fn origin_filter(query: &RatesQuery) -> Result<Option<Origin>, StoreError> {
    non_blank(query.origin.as_deref())
        .map(|o| {
            Origin::parse(o).ok_or_else(|| {
                StoreError::field(
                    "origin",
                    "资金来源应为 foreign、out_of_province 或 in_province",
                )
            })
        })
        .transpose()
}

/// The last day of a month as text, for comparing with 'YYYY-MM-DD' dates.
fn month_end(p: Period) -> String {
    format!("{p}-31")
}

/// The month-end close (月结, made in `bulletins::close`) that keeps `region`'s figures for `period`: the region's own or one of a region
/// above it. `None` for a nationwide report or a month not closed over the region.
pub(crate) async fn covering(
    db: &Db,
    region: Option<&RegionCode>,
    period: Period,
) -> Result<Option<i64>, StoreError> {
    let Some(region) = region else {
        return Ok(None);
    };
    let mut codes = vec![region.clone()];
    while let Some(parent) = codes.last().and_then(RegionCode::implied_parent) {
        codes.push(parent);
    }
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, region_code FROM month_closes WHERE period = $1 AND region_code IN ($2, $3, $4)",
    )
    .bind(period.to_string())
    .bind(codes[0].as_str())
    .bind(codes.get(1).unwrap_or(&codes[0]).as_str())
    .bind(codes.get(2).unwrap_or(&codes[0]).as_str())
    .fetch_all(&db.pool)
    .await?;
    // the nearest region's close: it was taken for exactly this subtree
    Ok(codes.iter().find_map(|c| {
        rows.iter()
            .find(|(_, r)| r == c.as_str())
            .map(|(id, _)| *id)
    }))
}

/// The figures of a group of projects, after its key: `k` is the alias whose contract amounts
/// count (the project, or a close's copy), `fen`/`cents` the arrival, `started` whether a
/// project has started, and the thresholds as (excellent numerator, denominator, good
/// numerator, denominator). Shared by the live report and the kept sums (`sums`).
pub(crate) fn figure_columns(
    k: &str,
    fen: &str,
    cents: &str,
    started: &str,
    [en, ed, gn, gd]: [String; 4],
) -> String {
    // Rated against the domestic contract when there is one, else the foreign one.
    let a = format!("(CASE WHEN {k}.contract_fen > 0 THEN {fen} ELSE {cents} END)");
    let c = format!(
        "(CASE WHEN {k}.contract_fen > 0 THEN {k}.contract_fen ELSE {k}.contract_cents END)"
    );
    let some = format!("({fen} > 0 OR {cents} > 0)");
    format!(
        "COUNT(*) AS projects, \
         CAST(SUM({k}.contract_fen) AS BIGINT) AS contract_fen, \
         CAST(SUM({fen}) AS BIGINT) AS arrived_fen, \
         CAST(SUM({k}.contract_cents) AS BIGINT) AS contract_cents, \
         CAST(SUM({cents}) AS BIGINT) AS arrived_cents, \
         CAST(SUM(CASE WHEN {some} OR ({started}) THEN 1 ELSE 0 END) AS BIGINT) AS fulfilling, \
         CAST(SUM(CASE WHEN {started} THEN 1 ELSE 0 END) AS BIGINT) AS started, \
         CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * {ed} > {c} * {en} THEN 1 ELSE 0 END) AS BIGINT) AS excellent, \
         CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * {ed} <= {c} * {en} AND {a} * {gd} >= {c} * {gn} THEN 1 ELSE 0 END) AS BIGINT) AS good, \
         CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * {gd} < {c} * {gn} THEN 1 ELSE 0 END) AS BIGINT) AS fair, \
         CAST(SUM(CASE WHEN {some} THEN 0 ELSE 1 END) AS BIGINT) AS not_fulfilled, \
         CAST(SUM(CASE WHEN {k}.contract_fen = 0 AND {k}.contract_cents = 0 THEN 1 ELSE 0 END) AS BIGINT) AS missing_contract"
    )
}

impl Rates<'_> {
    /// The region a report is about: the one asked for (inside the user's scope) or the
    /// user's own.
    pub(crate) fn report_region(
        &self,
        region: Option<&str>,
    ) -> Result<Option<RegionCode>, StoreError> {
        let region = match non_blank(region) {
            Some(code) => Some(
                RegionCode::parse(code).map_err(|e| StoreError::field("region", e.to_string()))?,
            ),
            None => self.actor.scope.root().cloned(),
        };
        if let (Some(r), Scope::Region(_) | Scope::Regions(_)) = (&region, &self.actor.scope) {
            if !self.actor.scope.covers(r) {
                return Err(StoreError::NotFound("该行政区划"));
            }
        }
        Ok(region)
    }

    /// The name a report is headed with: the region's, or the scope's when none is asked (全国,
    /// or a supervision group member's regions).
    async fn report_region_name(&self, region: Option<&RegionCode>) -> Result<String, StoreError> {
        Ok(match region {
            Some(r) => Regions::new(&self.db)
                .get(r)
                .await?
                .map(|r| r.name)
                .unwrap_or_default(),
            None => Regions::new(&self.db).scope_name(&self.actor.scope).await?,
        })
    }

    /// The report for `query`, computed once per change of the data and per day for everyone
    /// who reads the same projects (`Scoped::kept`).
    pub async fn report(&self, query: &RatesQuery) -> Result<RatesReport, StoreError> {
        self.report_for(query, None).await
    }

    /// The report over a cohort's projects only (a campaign's), classified by its thresholds.
    pub(crate) async fn report_for(
        &self,
        query: &RatesQuery,
        cohort: Option<&Cohort<'_>>,
    ) -> Result<RatesReport, StoreError> {
        let what = match cohort {
            Some(c) => format!("rates.report|{}", c.key),
            None => "rates.report".to_owned(),
        };
        self.kept(&what, query, || self.compute_report(query, cohort))
            .await
    }

    async fn compute_report(
        &self,
        query: &RatesQuery,
        cohort: Option<&Cohort<'_>>,
    ) -> Result<RatesReport, StoreError> {
        let region = self.report_region(query.region.as_deref())?;
        let group = GroupBy::parse(query.group_by.as_deref())?;
        let as_of = match non_blank(query.as_of.as_deref()) {
            Some(p) => {
                Some(Period::parse(p).map_err(|e| StoreError::field("as_of", e.to_string()))?)
            }
            None => None,
        };
        let t = match cohort {
            Some(c) => c.thresholds,
            None => self.rules().thresholds().await?,
        };
        // A closed month reads what its close kept (one row per project), not the records:
        // a correction made after the close shows in the next open month instead.
        let closed = match as_of {
            Some(period) => covering(&self.db, region.as_ref(), period).await?,
            None => None,
        };
        let ask = Ask {
            query,
            group,
            as_of,
            closed,
            cohort,
            t: &t,
            region: region.as_ref(),
        };
        let rows = match self.kept_rows(&ask).await? {
            Some(rows) => rows,
            None => self.live_rows(&ask).await?,
        };

        // Counties roll up into the next level down from the report's region: the length of
        // the code prefix that names it.
        let len = match region.as_ref().map(RegionCode::level) {
            None => 2,
            Some(RegionLevel::Province) => 4,
            Some(RegionLevel::Prefecture | RegionLevel::County) => 6,
        };
        let mut grouped: std::collections::BTreeMap<String, RateRow> = Default::default();
        for row in rows {
            let code = match group {
                GroupBy::Region => format!("{:0<6}", &row.code[..len.min(row.code.len())]),
                _ => row.code.clone(),
            };
            let entry = grouped.entry(code.clone()).or_insert_with(|| RateRow {
                code,
                ..Default::default()
            });
            add_into(entry, &row);
        }
        let names = self.group_names(group, grouped.keys()).await?;
        let mut total = RateRow::default();
        let mut named = Vec::with_capacity(grouped.len());
        for (_, mut row) in grouped {
            add_into(&mut total, &row);
            row.name = names.get(&row.code).cloned().unwrap_or_else(|| {
                if row.code.is_empty() {
                    "未填写".into()
                } else {
                    row.code.clone()
                }
            });
            named.push(row.finish());
        }
        let region_name = self.report_region_name(region.as_ref()).await?;
        total.code = region.as_ref().map(|r| r.to_string()).unwrap_or_default();
        total.name = format!("{region_name}合计");
        let mut definitions = definitions(&t, as_of.map(|p| p.to_string()).as_deref());
        if let (Some(p), Some(_)) = (as_of, closed) {
            definitions.push(format!(
                "{p}已月结：数字为月结时冻结的各项目数据；月结后对该月资金的更正计入其后第一个未月结的月份"
            ));
        }
        if self.actor.reads_unit_projects() {
            definitions.push(UNIT_PROJECTS_ONLY.to_owned());
        }
        Ok(RatesReport {
            closed: closed.is_some(),
            region_code: region.map(|r| r.to_string()),
            region_name,
            group_by: group.as_str().to_owned(),
            as_of: as_of.map(|p| p.to_string()),
            total: total.finish(),
            rows: named,
            definitions,
        })
    }

    /// The report's rows from kept sums, or `None` when the query asks for what they do not
    /// keep. Today's figures come from `project_rate_sums` (brought up to date first), by
    /// region, industry section or origin, but not for a cohort, zones or events, a signing
    /// span, an industry division, or a unit's projects. A closed month's come from its
    /// close's `month_close_sums`, by region with no project filter.
    async fn kept_rows(&self, ask: &Ask<'_>) -> Result<Option<Vec<RateRow>>, StoreError> {
        if self.actor.project_reach() != ProjectReach::Region {
            return Ok(None);
        }
        match (ask.as_of, ask.closed) {
            (Some(_), Some(close)) if ask.by_region_only() => self.closed_rows(ask, close).await,
            (Some(_), _) => Ok(None),
            (None, _) => self.today_rows(ask).await,
        }
    }

    /// Today's rows from `project_rate_sums`.
    async fn today_rows(&self, ask: &Ask<'_>) -> Result<Option<Vec<RateRow>>, StoreError> {
        let query = ask.query;
        let industry = non_blank(query.industry.as_deref());
        let origin = origin_filter(query)?;
        let key = match ask.group {
            GroupBy::Region => "s.region_code",
            GroupBy::Industry => "s.section",
            GroupBy::Origin => "s.origin",
            GroupBy::Zone | GroupBy::Event => return Ok(None),
        };
        if ask.cohort.is_some()
            || non_blank(query.signed_from.as_deref()).is_some()
            || non_blank(query.signed_to.as_deref()).is_some()
            || query.event_id.is_some()
            || query.zone_id.is_some()
            || industry.is_some_and(|i| i.len() != 1)
        {
            return Ok(None);
        }
        // Should the recompute fail (a busy database), the projects are read instead: slower,
        // never different.
        let fresh = async {
            sums::reclassify(&self.db, ask.t).await?;
            sums::refresh(&self.db, &sums::project_rates(ask.t)).await
        };
        if let Err(e) = fresh.await {
            tracing::warn!(error = %e, "kept 三率 sums not refreshed; reading the projects");
            return Ok(None);
        }
        let mut f = Filter::new(&format!(
            "SELECT {key} AS code, {KEPT_FIGURES} FROM project_rate_sums s WHERE 1 = 1"
        ));
        f.scope_within("s.region_code", &self.actor.scope, ask.region);
        if let Some(o) = origin {
            let p = f.bind(Bind::Text(o.as_str().to_owned()));
            f.and(&format!("s.origin = {p}"));
        }
        if let Some(section) = industry {
            let p = f.bind(Bind::Text(section.to_owned()));
            f.and(&format!("s.section = {p}"));
        }
        let sql = format!("{} GROUP BY {key}", f.sql);
        Ok(Some(f.query_as(&sql).fetch_all(&self.db.pool).await?))
    }

    /// A closed month's rows by county from its close's `month_close_sums`, classified by
    /// today's thresholds (kept for them first when the 分类标准 changed since the close).
    async fn closed_rows(
        &self,
        ask: &Ask<'_>,
        close: i64,
    ) -> Result<Option<Vec<RateRow>>, StoreError> {
        let thresholds = match sums::close_sums(&self.db, close, ask.t).await {
            Ok(key) => key,
            Err(e) => {
                tracing::warn!(error = %e, close, "close sums not kept; reading the close's projects");
                return Ok(None);
            }
        };
        let mut f = Filter::new(&format!(
            "SELECT s.region_code AS code, {KEPT_FIGURES} FROM month_close_sums s WHERE 1 = 1"
        ));
        let (id, key) = (f.bind(Bind::Int(close)), f.bind(Bind::Text(thresholds)));
        f.and(&format!("s.close_id = {id} AND s.thresholds = {key}"));
        f.scope_within("s.region_code", &self.actor.scope, ask.region);
        let sql = format!("{} GROUP BY s.region_code", f.sql);
        Ok(Some(f.query_as(&sql).fetch_all(&self.db.pool).await?))
    }

    /// The report's rows read from the projects (and, for a month's end, the fund records or
    /// the month's close).
    async fn live_rows(&self, ask: &Ask<'_>) -> Result<Vec<RateRow>, StoreError> {
        let Ask {
            query,
            group,
            as_of,
            closed,
            cohort,
            t,
            region,
        } = *ask;
        let region = region.cloned();
        let mut f = Filter::new("");
        let (en, ed) = t.excellent_above.parts();
        let (gn, gd) = t.good_from.parts();
        let (en, ed) = (f.bind(Bind::Int(en)), f.bind(Bind::Int(ed)));
        let (gn, gd) = (f.bind(Bind::Int(gn)), f.bind(Bind::Int(gd)));
        // Arrival so far (kept on the project), or summed from the confirmed records up to
        // the month asked for; a closed month's as its close kept it.
        // A closed month asked for by region with no project filter reads the kept rows alone
        // (one range of month_close_projects_rates); otherwise each kept row joins its project
        // for the filter or grouping.
        let kept_only = closed.is_some()
            && ask.by_region_only()
            && self.actor.project_reach() == ProjectReach::Region;
        let mut closed_on = String::new();
        let (fen, cents, mut from, started, until_end) = match as_of {
            Some(_) if closed.is_some() => {
                let id = f.bind(Bind::Int(closed.expect("matched")));
                closed_on = format!("c.close_id = {id}");
                (
                    "c.arrived_fen".to_owned(),
                    "c.arrived_cents".to_owned(),
                    if kept_only {
                        "FROM month_close_projects c".to_owned()
                    } else {
                        "FROM month_close_projects c JOIN projects p ON p.id = c.project_id"
                            .to_owned()
                    },
                    "c.started = 1".to_owned(),
                    None,
                )
            }
            None => (
                "p.arrived_fen".to_owned(),
                "p.arrived_cents".to_owned(),
                "FROM projects p".to_owned(),
                "p.started_on IS NOT NULL".to_owned(),
                None,
            ),
            Some(period) => {
                let until = f.bind(Bind::Text(period.to_string()));
                let end = f.bind(Bind::Text(month_end(period)));
                let mut scope = String::new();
                if let Some(r) = &region {
                    let (lo, hi) = r.subtree_range();
                    let (lo, hi) = (f.bind(Bind::Text(lo)), f.bind(Bind::Text(hi)));
                    scope = format!("AND region_code >= {lo} AND region_code < {hi}");
                }
                // Each project keeps its confirmed arrival so far (kept in step with its
                // records in the same transaction), so the figure at a month's end is either
                // the records up to that month summed, or the records after it taken off what
                // the project holds: the same number, from whichever side has fewer records.
                let (fen, cents, side) = if self.fewer_records_after(period).await? {
                    (
                        "(p.arrived_fen - COALESCE(fa.fen, 0))",
                        "(p.arrived_cents - COALESCE(fa.cents, 0))",
                        ">",
                    )
                } else {
                    ("COALESCE(fa.fen, 0)", "COALESCE(fa.cents, 0)", "<=")
                };
                // Grouped by (region, project), the order of the covering index
                // fund_arrivals_rates, so the sums stream out of one index range without a
                // sort; a project's records all carry its region (re-filed with it on a move).
                (
                    fen.to_owned(),
                    cents.to_owned(),
                    format!(
                        "FROM projects p LEFT JOIN (SELECT project_id, \
                         SUM(CASE WHEN currency = 'CNY' THEN amount ELSE 0 END) AS fen, \
                         SUM(CASE WHEN currency = 'USD' THEN amount ELSE 0 END) AS cents \
                         FROM fund_arrivals WHERE status = 'confirmed' AND period {side} {until} {scope} \
                         GROUP BY region_code, project_id) fa ON fa.project_id = p.id"
                    ),
                    format!("p.started_on IS NOT NULL AND p.started_on <= {end}"),
                    Some(end),
                )
            }
        };
        let industry = non_blank(query.industry.as_deref());
        let section_filter = industry.is_some_and(|i| i.len() == 1);
        if group == GroupBy::Industry || section_filter {
            from.push_str(" LEFT JOIN industries i ON i.code = p.industry_code");
        }
        // the contract as it stood: the close's copy for a closed month
        let k = if closed.is_some() { "c" } else { "p" };
        let key = if kept_only {
            "c.region_code"
        } else {
            group.key_sql()
        };
        let signed = crate::ledger::signed_stages_sql();
        let columns = figure_columns(k, &fen, &cents, &started, [en, ed, gn, gd]);
        f.sql = format!(
            "SELECT {key} AS code, {columns} \
             {from} WHERE {}",
            match &until_end {
                // the close kept the projects signed at the month's end
                None if closed.is_some() => closed_on.clone(),
                None => format!("p.stage IN ({signed})"),
                // A project terminated after the month was still a signed project at its end:
                // its stage then is the last one of its history dated up to that day.
                Some(end) => format!(
                    "(p.stage IN ({signed}) OR (p.stage = 'terminated' AND \
                     (SELECT s.stage FROM project_stages s WHERE s.project_id = p.id \
                     AND s.changed_on <= {end} ORDER BY s.changed_on DESC, s.id DESC LIMIT 1) \
                     IN ({signed})))"
                ),
            }
        );
        let region_column = if closed.is_some() {
            "c.region_code"
        } else {
            "p.region_code"
        };
        f.projects(&self.actor, "p", region_column, region.as_ref());
        if let Some(c) = cohort {
            (c.select)(&mut f);
        }
        // A confirmed copy (确认重复) is the earlier project signed again: counted once. A
        // closed month keeps what it counted when it was closed.
        if closed.is_none() {
            f.and("p.duplicate_of IS NULL");
        }
        if let (Some(period), None) = (as_of, closed) {
            let end = f.bind(Bind::Text(month_end(period)));
            f.and(&format!("p.signed_on <= {end}"));
        }
        for (field, value, op) in [
            ("signed_from", &query.signed_from, ">="),
            ("signed_to", &query.signed_to, "<="),
        ] {
            if let Some(v) = non_blank(value.as_deref()) {
                let d = parse_date(v).map_err(|m| StoreError::field(field, m))?;
                let p = f.bind(Bind::Text(d.to_string()));
                f.and(&format!("p.signed_on {op} {p}"));
            }
        }
        if let Some(event) = query.event_id {
            let p = f.bind(Bind::Int(event));
            f.and(&format!("p.event_id = {p}"));
        }
        if let Some(origin) = origin_filter(query)? {
            let p = f.bind(Bind::Text(origin.as_str().to_owned()));
            f.and(&format!("p.origin = {p}"));
        }
        if let Some(industry) = industry {
            let p = f.bind(Bind::Text(industry.to_owned()));
            if section_filter {
                f.and(&format!("(i.parent_code = {p} OR p.industry_code = {p})"));
            } else {
                f.and(&format!("p.industry_code = {p}"));
            }
        }
        if let Some(zone) = query.zone_id {
            let p = f.bind(Bind::Int(zone));
            f.and(&format!("p.zone_id = {p}"));
        }
        let sql = format!("{} GROUP BY {key}", f.sql);
        Ok(f.query_as(&sql).fetch_all(&self.db.pool).await?)
    }

    /// Whether fewer confirmed fund records fall after `month` than up to it, judged by where
    /// the month lies between the earliest and the latest record's (two look-ups in the index
    /// fund_arrivals_status_period, not a count). Only the speed of an as-of report depends on
    /// the answer, never its figures.
    async fn fewer_records_after(&self, month: Period) -> Result<bool, StoreError> {
        let ordinal = |p: Period| p.year() * 12 + i32::from(p.month());
        let mut bounds = Vec::with_capacity(2);
        for order in ["ASC", "DESC"] {
            let period: Option<String> = sqlx::query_scalar(&format!(
                "SELECT period FROM fund_arrivals WHERE status = 'confirmed' \
                 ORDER BY period {order} LIMIT 1"
            ))
            .fetch_optional(&self.db.pool)
            .await?;
            match period.as_deref().map(Period::parse) {
                Some(Ok(p)) => bounds.push(ordinal(p)),
                _ => return Ok(false),
            }
        }
        Ok(2 * ordinal(month) >= bounds[0] + bounds[1])
    }

    /// Display names of group keys.
    async fn group_names(
        &self,
        group: GroupBy,
        codes: impl Iterator<Item = &String>,
    ) -> Result<HashMap<String, String>, StoreError> {
        let codes: Vec<&String> = codes.filter(|c| !c.is_empty()).collect();
        let mut names = HashMap::new();
        match group {
            GroupBy::Region => {
                let dir = crate::regions::directory(&self.db).await?;
                for code in codes {
                    if let Some(r) = dir.get(code) {
                        names.insert(code.clone(), r.name.clone());
                    }
                }
            }
            GroupBy::Origin => {
                for code in codes {
                    if let Some(o) = Origin::parse(code) {
                        names.insert(code.clone(), o.label().to_owned());
                    }
                }
            }
            GroupBy::Zone | GroupBy::Event | GroupBy::Industry => {
                let sql = match group {
                    GroupBy::Zone => "SELECT CAST(id AS TEXT), name FROM zones",
                    GroupBy::Event => "SELECT CAST(id AS TEXT), name FROM signing_events",
                    _ => "SELECT code, name FROM industries WHERE level = 'section'",
                };
                let all: Vec<(String, String)> =
                    sqlx::query_as(sql).fetch_all(&self.db.pool).await?;
                let wanted: std::collections::HashSet<&String> = codes.into_iter().collect();
                names.extend(all.into_iter().filter(|(c, _)| wanted.contains(c)));
            }
        }
        Ok(names)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct GrowthQuery {
    /// Region whose arrivals are compared; the user's own region when omitted.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
    /// The last month counted (YYYY-MM); this month when omitted. The year runs from January.
    #[param(pattern = r"^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$")]
    pub period: Option<String>,
}

/// Confirmed arrival of one origin in one currency, this year to date against the same
/// months last year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrowthRow {
    pub origin: String,
    pub origin_label: String,
    /// CNY (分) or USD (cents); never added together.
    pub currency: String,
    pub this_year: i64,
    pub last_year: i64,
    /// 同比 as a percentage ("12.50%", may be negative), or null with nothing last year.
    pub growth: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrowthReport {
    pub region_code: Option<String>,
    pub region_name: String,
    /// First and last month of this year's span, e.g. 2026-01 … 2026-10.
    pub from: String,
    pub to: String,
    /// The same months a year earlier.
    pub last_year_from: String,
    pub last_year_to: String,
    pub rows: Vec<GrowthRow>,
    pub definitions: Vec<String>,
}

/// Confirmed arrival of one month of the year and of the same month a year earlier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthArrival {
    /// 1 … 12
    pub month: u8,
    pub this_year_fen: i64,
    pub last_year_fen: i64,
    pub this_year_cents: i64,
    pub last_year_cents: i64,
}

/// Confirmed arrival month by month, this year against last year, 元 and US dollars apart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthlyArrival {
    pub region_code: Option<String>,
    pub region_name: String,
    pub year: i32,
    /// The last month of this year counted (YYYY-MM).
    pub to: String,
    /// January to December; months after `to` are zero this year.
    pub months: Vec<MonthArrival>,
    pub definitions: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct MonthSum {
    period: String,
    currency: String,
    amount: i64,
}

/// One county's 同比 inputs for one origin and currency ([`Rates::growth_by_county`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct CountyGrowth {
    pub region_code: String,
    pub origin: String,
    pub currency: String,
    pub this_year: i64,
    pub last_year: i64,
}

#[derive(sqlx::FromRow)]
struct GrowthSum {
    origin: String,
    currency: String,
    this_year: i64,
    last_year: i64,
}

impl Rates<'_> {
    /// Brings the kept monthly sums up to date with the fund records ([`sums::refresh`]).
    /// Should that fail (a busy database), the caller sums the records themselves: slower,
    /// never different.
    async fn fresh_sums(&self) -> bool {
        let fresh = async {
            sums::refresh(&self.db, &sums::arrival()).await?;
            sums::refresh(&self.db, &sums::arrival_months()).await
        };
        match fresh.await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "kept arrival sums not refreshed; summing the records");
                false
            }
        }
    }

    /// 同比 of confirmed arrival by origin (domain §5): 省外境内资金 in 元, 实际利用外资 in US
    /// dollars, each against the same months of the year before.
    pub async fn growth(&self, query: &GrowthQuery) -> Result<GrowthReport, StoreError> {
        self.kept("rates.growth", query, || self.compute_growth(query))
            .await
    }

    /// Confirmed arrival by month of this year (to the given month) and of last year, for the
    /// leaders' dashboard.
    pub async fn monthly(&self, query: &GrowthQuery) -> Result<MonthlyArrival, StoreError> {
        self.kept("rates.monthly", query, || self.compute_monthly(query))
            .await
    }

    async fn compute_monthly(&self, query: &GrowthQuery) -> Result<MonthlyArrival, StoreError> {
        let region = self.report_region(query.region.as_deref())?;
        let to = match non_blank(query.period.as_deref()) {
            Some(p) => Period::parse(p).map_err(|e| StoreError::field("period", e.to_string()))?,
            None => Period::parse(&crate::kit::clock::now()[..7])
                .map_err(|e| StoreError::Internal(e.to_string()))?,
        };
        let last_from = Period::new(to.year() - 1, 1).expect("January");
        let mut f = Filter::new("");
        let (lf, tt) = (
            f.bind(Bind::Text(last_from.to_string())),
            f.bind(Bind::Text(to.to_string())),
        );
        let kept = self.actor.project_reach() == ProjectReach::Region && self.fresh_sums().await;
        if kept {
            // A region's reader sums the kept monthly sums of its regions (a few thousand
            // rows for a province) instead of two years of fund records.
            f.sql = format!(
                "SELECT fa.period, fa.currency, CAST(SUM(fa.amount) AS BIGINT) AS amount \
                 FROM arrival_sums fa WHERE fa.period >= {lf} AND fa.period <= {tt}"
            );
            f.scope_within("fa.region_code", &self.actor.scope, region.as_ref());
        } else {
            f.sql = format!(
                "SELECT fa.period, fa.currency, CAST(SUM(fa.amount) AS BIGINT) AS amount \
                 FROM fund_arrivals fa JOIN projects p ON p.id = fa.project_id \
                 WHERE fa.status = 'confirmed' AND fa.period >= {lf} AND fa.period <= {tt} \
                 AND p.duplicate_of IS NULL"
            );
            f.projects(&self.actor, "p", "fa.region_code", region.as_ref());
        }
        let sql = format!("{} GROUP BY fa.period, fa.currency", f.sql);
        let sums: Vec<MonthSum> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let mut months: Vec<MonthArrival> = (1..=12)
            .map(|month| MonthArrival {
                month,
                this_year_fen: 0,
                last_year_fen: 0,
                this_year_cents: 0,
                last_year_cents: 0,
            })
            .collect();
        for sum in sums {
            let Ok(period) = Period::parse(&sum.period) else {
                continue;
            };
            let m = &mut months[usize::from(period.month()) - 1];
            let this_year = period.year() == to.year();
            match (sum.currency.as_str(), this_year) {
                ("USD", true) => m.this_year_cents += sum.amount,
                ("USD", false) => m.last_year_cents += sum.amount,
                (_, true) => m.this_year_fen += sum.amount,
                (_, false) => m.last_year_fen += sum.amount,
            }
        }
        let mut definitions = vec![
            "按到位资金所属月份归期，只计审核确认的记录（更正后以新记录为准）".to_owned(),
            "人民币（元）与美元分别计算，不相加".to_owned(),
        ];
        if self.actor.reads_unit_projects() {
            definitions.push(UNIT_PROJECTS_ONLY.to_owned());
        }
        Ok(MonthlyArrival {
            region_code: region.as_ref().map(|r| r.to_string()),
            region_name: self.report_region_name(region.as_ref()).await?,
            year: to.year(),
            to: to.to_string(),
            months,
            definitions,
        })
    }

    /// 同比 inputs per county within `region` (this year to `to` and the same months of last
    /// year, by origin and currency), from the kept monthly sums, for a list that reports many
    /// regions at once (the targets). `None` when the actor reads a unit's projects only (the
    /// kept sums are by region) or the sums could not be brought up to date.
    pub(crate) async fn growth_by_county(
        &self,
        region: Option<&RegionCode>,
        to: Period,
    ) -> Result<Option<Vec<CountyGrowth>>, StoreError> {
        if self.actor.project_reach() != ProjectReach::Region || !self.fresh_sums().await {
            return Ok(None);
        }
        let from = Period::new(to.year(), 1).expect("January");
        let mut f = Filter::new("");
        let (tf, tt) = (
            f.bind(Bind::Text(from.to_string())),
            f.bind(Bind::Text(to.to_string())),
        );
        let (lf, lt) = (
            f.bind(Bind::Text(from.year_before().to_string())),
            f.bind(Bind::Text(to.year_before().to_string())),
        );
        f.sql = format!(
            "SELECT fa.region_code, fa.origin, fa.currency, \
             CAST(SUM(CASE WHEN fa.period >= {tf} AND fa.period <= {tt} THEN fa.amount ELSE 0 END) AS BIGINT) AS this_year, \
             CAST(SUM(CASE WHEN fa.period >= {lf} AND fa.period <= {lt} THEN fa.amount ELSE 0 END) AS BIGINT) AS last_year \
             FROM arrival_sums fa WHERE fa.period >= {lf} AND fa.period <= {tt}"
        );
        f.scope_within("fa.region_code", &self.actor.scope, region);
        let sql = format!("{} GROUP BY fa.region_code, fa.origin, fa.currency", f.sql);
        Ok(Some(f.query_as(&sql).fetch_all(&self.db.pool).await?))
    }

    async fn compute_growth(&self, query: &GrowthQuery) -> Result<GrowthReport, StoreError> {
        let region = self.report_region(query.region.as_deref())?;
        let to = match non_blank(query.period.as_deref()) {
            Some(p) => Period::parse(p).map_err(|e| StoreError::field("period", e.to_string()))?,
            None => Period::parse(&crate::kit::clock::now()[..7])
                .map_err(|e| StoreError::Internal(e.to_string()))?,
        };
        let from = Period::new(to.year(), 1).expect("January");
        let (last_from, last_to) = (from.year_before(), to.year_before());
        let mut f = Filter::new("");
        let (tf, tt) = (
            f.bind(Bind::Text(from.to_string())),
            f.bind(Bind::Text(to.to_string())),
        );
        let (lf, lt) = (
            f.bind(Bind::Text(last_from.to_string())),
            f.bind(Bind::Text(last_to.to_string())),
        );
        let sums = |origin: &str, from: &str| {
            format!(
                "SELECT {origin} AS origin, fa.currency, \
                 CAST(SUM(CASE WHEN fa.period >= {tf} AND fa.period <= {tt} THEN fa.amount ELSE 0 END) AS BIGINT) AS this_year, \
                 CAST(SUM(CASE WHEN fa.period >= {lf} AND fa.period <= {lt} THEN fa.amount ELSE 0 END) AS BIGINT) AS last_year \
                 FROM {from} WHERE fa.period >= {lf} AND fa.period <= {tt}"
            )
        };
        let kept = self.actor.project_reach() == ProjectReach::Region && self.fresh_sums().await;
        let group = if kept {
            // The kept monthly sums (see `monthly`).
            f.sql = sums("fa.origin", "arrival_sums fa");
            f.scope_within("fa.region_code", &self.actor.scope, region.as_ref());
            "fa.origin"
        } else {
            f.sql = sums(
                "p.origin",
                "fund_arrivals fa JOIN projects p ON p.id = fa.project_id",
            );
            f.and("fa.status = 'confirmed' AND p.duplicate_of IS NULL");
            f.projects(&self.actor, "p", "fa.region_code", region.as_ref());
            "p.origin"
        };
        let sql = format!("{} GROUP BY {group}, fa.currency", f.sql);
        let sums: Vec<GrowthSum> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        // The two figures the targets speak of are always shown, even when nothing arrived.
        let mut keys: Vec<(Origin, &str)> =
            vec![(Origin::OutOfProvince, "CNY"), (Origin::Foreign, "USD")];
        for s in &sums {
            if let Some(o) = Origin::parse(&s.origin) {
                let currency = if s.currency == "USD" { "USD" } else { "CNY" };
                if !keys.contains(&(o, currency)) {
                    keys.push((o, currency));
                }
            }
        }
        keys.sort_by_key(|(o, c)| (Origin::ALL.iter().position(|x| x == o), *c));
        let rows = keys
            .into_iter()
            .map(|(origin, currency)| {
                let (this_year, last_year) = sums
                    .iter()
                    .filter(|s| s.origin == origin.as_str() && s.currency == currency)
                    .fold((0, 0), |(a, b), s| (a + s.this_year, b + s.last_year));
                GrowthRow {
                    origin: origin.as_str().to_owned(),
                    origin_label: origin.label().to_owned(),
                    currency: currency.to_owned(),
                    this_year,
                    last_year,
                    growth: luodi_domain::rates::growth(this_year, last_year)
                        .map(|r| r.display_percent(2)),
                }
            })
            .collect();
        let region_name = self.report_region_name(region.as_ref()).await?;
        let mut definitions = vec![
            format!(
                "同比增长 = {from}至{to}已确认到位资金 ÷ {last_from}至{last_to}已确认到位资金 − 1"
            ),
            "按项目资金来源分组；人民币（元）与美元分别计算，不相加；上年同期为0时不计算增长率"
                .into(),
            "按到位资金所属月份归期，只计审核确认的记录（更正后以新记录为准）".into(),
        ];
        if self.actor.reads_unit_projects() {
            definitions.push(UNIT_PROJECTS_ONLY.to_owned());
        }
        Ok(GrowthReport {
            region_code: region.map(|r| r.to_string()),
            region_name,
            from: from.to_string(),
            to: to.to_string(),
            last_year_from: last_from.to_string(),
            last_year_to: last_to.to_string(),
            rows,
            definitions,
        })
    }
}
