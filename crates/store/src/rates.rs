//! The "三率" and classification counts for any region subtree, grouped by the next level
//! down (domain §5). Sums come from the database; rates are computed exactly in Rust.

use crate::error::StoreError;
use crate::regions::Regions;
use crate::scoped::{Bind, Filter, Scoped};
use luodi_domain::ledger::Stage;
use luodi_domain::rates::Rate;
use luodi_domain::{RegionCode, RegionLevel, Scope, Thresholds};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RatesQuery {
    /// Region whose children are compared; the user's own region when omitted.
    pub region: Option<String>,
    /// Only projects signed at this event (an event's fulfilment).
    pub event_id: Option<i64>,
}

/// The figures of one group of signed projects.
#[derive(Debug, Clone, Default, Serialize, ToSchema, sqlx::FromRow)]
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
    pub total: RateRow,
    /// One row per child region with signed projects, in code order.
    pub rows: Vec<RateRow>,
    /// How every figure is computed, printed on the screen and on reports.
    pub definitions: Vec<String>,
}

fn definitions(t: &Thresholds) -> Vec<String> {
    vec![
        "资金到位率 = Σ已确认到位资金 ÷ Σ合同金额；人民币与美元分别计算，不相加".into(),
        "履约率 = 已有确认到位资金或已开工的签约项目数 ÷ 签约项目数".into(),
        "开工率 = 已填开工日期的签约项目数 ÷ 签约项目数".into(),
        format!(
            "分类：优秀 到位率高于{}；良好 {}（含）至{}（含）；一般 高于0且低于{}；未履约 无确认到位资金",
            t.excellent_above, t.good_from, t.excellent_above, t.good_from
        ),
        "只计审核确认的资金；签约项目指已签约及其后各阶段（不含终止）".into(),
    ]
}

impl Scoped {
    pub async fn rates(&self, query: &RatesQuery) -> Result<RatesReport, StoreError> {
        let region = match query.region.as_deref().filter(|s| !s.is_empty()) {
            Some(code) => Some(
                RegionCode::parse(code).map_err(|e| StoreError::field("region", e.to_string()))?,
            ),
            None => self.actor.scope.root().cloned(),
        };
        if let (Some(r), Scope::Region(_)) = (&region, &self.actor.scope) {
            if !self.actor.scope.covers(r) {
                return Err(StoreError::NotFound("该行政区划"));
            }
        }
        // Group by the next level's code prefix: cities under a province, counties under a city.
        let group_len = match region.as_ref().map(RegionCode::level) {
            None => 2,
            Some(RegionLevel::Province) => 4,
            Some(RegionLevel::Prefecture | RegionLevel::County) => 6,
        };
        let t = Thresholds::default();
        let signed: Vec<String> = Stage::ALL
            .into_iter()
            .filter(|s| s.is_signed())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let mut f = Filter::new("");
        let (en, ed) = t.excellent_above.parts();
        let (gn, gd) = t.good_from.parts();
        let (en, ed) = (f.bind(Bind::Int(en)), f.bind(Bind::Int(ed)));
        let (gn, gd) = (f.bind(Bind::Int(gn)), f.bind(Bind::Int(gd)));
        // Rated against the domestic contract when there is one, else the foreign one.
        let a = "(CASE WHEN contract_fen > 0 THEN arrived_fen ELSE arrived_cents END)";
        let c = "(CASE WHEN contract_fen > 0 THEN contract_fen ELSE contract_cents END)";
        let some = "(arrived_fen > 0 OR arrived_cents > 0)";
        f.sql = format!(
            "SELECT SUBSTR(region_code, 1, {group_len}) AS code, COUNT(*) AS projects, \
             CAST(SUM(contract_fen) AS BIGINT) AS contract_fen, \
             CAST(SUM(arrived_fen) AS BIGINT) AS arrived_fen, \
             CAST(SUM(contract_cents) AS BIGINT) AS contract_cents, \
             CAST(SUM(arrived_cents) AS BIGINT) AS arrived_cents, \
             CAST(SUM(CASE WHEN {some} OR started_on IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS fulfilling, \
             CAST(SUM(CASE WHEN started_on IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS started, \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * {ed} > {c} * {en} THEN 1 ELSE 0 END) AS BIGINT) AS excellent, \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * {ed} <= {c} * {en} AND {a} * {gd} >= {c} * {gn} THEN 1 ELSE 0 END) AS BIGINT) AS good, \
             CAST(SUM(CASE WHEN {some} AND {c} > 0 AND {a} * {gd} < {c} * {gn} THEN 1 ELSE 0 END) AS BIGINT) AS fair, \
             CAST(SUM(CASE WHEN {some} THEN 0 ELSE 1 END) AS BIGINT) AS not_fulfilled \
             FROM projects WHERE stage IN ({})",
            signed.join(", ")
        );
        f.scope("region_code", &self.actor.scope);
        if let Some(r) = &region {
            f.region_subtree("region_code", r);
        }
        if let Some(event) = query.event_id {
            let p = f.bind(Bind::Int(event));
            f.and(&format!("event_id = {p}"));
        }
        let sql = format!(
            "{} GROUP BY SUBSTR(region_code, 1, {group_len}) ORDER BY 1",
            f.sql
        );
        let rows: Vec<RateRow> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let regions = Regions::new(&self.db);
        let mut named = Vec::with_capacity(rows.len());
        let mut total = RateRow::default();
        for mut row in rows {
            let code = format!("{:0<6}", row.code);
            row.name = match RegionCode::parse(&code) {
                Ok(c) => regions.get(&c).await?.map(|r| r.name).unwrap_or_default(),
                Err(_) => String::new(),
            };
            row.code = code;
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
            ] {
                *sum += part;
            }
            named.push(row.finish());
        }
        let region_name = match &region {
            Some(r) => regions.get(r).await?.map(|r| r.name).unwrap_or_default(),
            None => "全国".to_owned(),
        };
        total.code = region.as_ref().map(|r| r.to_string()).unwrap_or_default();
        total.name = format!("{region_name}合计");
        Ok(RatesReport {
            region_code: region.map(|r| r.to_string()),
            region_name,
            total: total.finish(),
            rows: named,
            definitions: definitions(&t),
        })
    }
}
