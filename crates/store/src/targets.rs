//! Yearly targets (目标任务, domain §6) per region, and the progress against each: 资金到位率
//! and the 同比 growth of 省外境内资金 and 实际利用外资, computed from confirmed data.

use crate::audit::{self, Change};
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::rates::{GrowthQuery, RatesQuery};
use crate::regions::Regions;
use luodi_domain::funds::Period;
use luodi_domain::rates::Rate;
use luodi_domain::targets::{from_basis_points, reached, Indicator};
use luodi_domain::{Permission, RegionCode, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

crate::scoped::area_handle!(
    /// Yearly targets within the actor's scope.
    Targets, targets
);

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct TargetsQuery {
    /// The region whose targets are shown, with those of its child regions; the user's own
    /// region when omitted.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
    /// The year; this year when omitted.
    pub year: Option<i64>,
}

/// A target set on a region for a year.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct TargetInput {
    pub region_code: String,
    pub year: i64,
    /// arrival_rate, domestic_growth or foreign_growth.
    pub indicator: String,
    /// The target in basis points: 2000 = 20%, 1200 = +12%.
    pub value_bp: i64,
}

/// A target with the figure reached so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetProgress {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    pub year: i64,
    pub indicator: String,
    pub indicator_label: String,
    pub value_bp: i64,
    /// The target as shown: "20.00%", "+12.00%" for growth.
    pub target: String,
    /// The figure so far, or null when it cannot be computed (no contract amount, nothing
    /// last year to grow from).
    pub actual: Option<String>,
    /// Reached (true), not yet (false), or unknown (null).
    pub reached: Option<bool>,
    /// The months the actual figure covers, e.g. "2026-01至2026-10".
    pub span: String,
    /// How the actual figure is computed.
    pub basis: String,
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    id: i64,
    region_code: String,
    year: i64,
    indicator: String,
    value_bp: i64,
}

/// A target as shown: "20.00%", and "+12.00%" for a growth target above zero.
pub(crate) fn signed_percent(bp: i64, growth: bool) -> String {
    let shown = from_basis_points(bp).display_percent(2);
    if growth && bp > 0 {
        format!("+{shown}")
    } else {
        shown
    }
}

/// The origin and currency a growth target speaks of.
fn growth_key(indicator: Indicator) -> (&'static str, &'static str) {
    match indicator {
        Indicator::DomesticGrowth => ("out_of_province", "CNY"),
        _ => ("foreign", "USD"),
    }
}

/// A growth target's figure out of a 同比 report: 省外境内资金 in 元, 实际利用外资 in dollars.
pub(crate) fn growth_of(rows: &[crate::rates::GrowthRow], indicator: Indicator) -> Option<Rate> {
    let (origin, currency) = growth_key(indicator);
    rows.iter()
        .find(|r| r.origin == origin && r.currency == currency)
        .and_then(|r| luodi_domain::rates::growth(r.this_year, r.last_year))
}

impl Targets<'_> {
    /// Targets of a region and its children for a year, each with its progress.
    /// Computed once per change of the data and per day for everyone who reads the same
    /// projects (`Scoped::kept`), as the reports it is made of.
    pub async fn list(&self, query: &TargetsQuery) -> Result<Vec<TargetProgress>, StoreError> {
        self.kept("targets.list", query, || self.compute_list(query))
            .await
    }

    async fn compute_list(&self, query: &TargetsQuery) -> Result<Vec<TargetProgress>, StoreError> {
        let region = self.rates().report_region(query.region.as_deref())?;
        let today = crate::kit::clock::now();
        let this_year: i64 = today[..4].parse().unwrap_or(2026);
        let year = query.year.unwrap_or(this_year);
        let mut f = Filter::new(
            "SELECT id, region_code, CAST(year AS BIGINT) AS year, indicator, \
             CAST(value_bp AS BIGINT) AS value_bp FROM targets WHERE 1 = 1",
        );
        let y = f.bind(Bind::Int(year));
        f.and(&format!("year = {y}"));
        f.scope_within("region_code", &self.actor.scope, region.as_ref());
        let rows: Vec<TargetRow> = f
            .query_as(&format!("{} ORDER BY region_code, indicator", f.sql))
            .fetch_all(&self.db.pool)
            .await?;
        // The region itself and its direct children: deeper ones are looked at from their parent.
        let depth = |code: &str| RegionCode::parse(code).map(|c| c.level()).ok();
        let child_level = region.as_ref().and_then(|r| r.level().child());
        let rows: Vec<TargetRow> = rows
            .into_iter()
            .filter(|t| match &region {
                None => true,
                Some(r) => t.region_code == r.as_str() || depth(&t.region_code) == child_level,
            })
            .collect();
        // The figures run to the end of the year, or to this month for the current year.
        let month = if year < this_year {
            format!("{year:04}-12")
        } else {
            today[..7].to_owned()
        };
        let regions = Regions::new(&self.db);
        // One report of the region asked for gives the arrival rate of the region itself and
        // of each region below it; a target deeper down (a nationwide reader's) is reported
        // on its own.
        let as_of = (year < this_year).then(|| month.clone());
        let mut arrival: std::collections::HashMap<String, (i64, i64)> = Default::default();
        if year <= this_year && rows.iter().any(|t| t.indicator == "arrival_rate") {
            let report = self
                .rates()
                .report(&RatesQuery {
                    region: region.as_ref().map(|r| r.to_string()),
                    as_of: as_of.clone(),
                    ..Default::default()
                })
                .await?;
            for row in report.rows.iter().chain([&report.total]) {
                arrival.insert(row.code.clone(), (row.arrived_fen, row.contract_fen));
            }
        }
        // The growth targets' figures from one read of the kept monthly sums per county.
        let growth_targets = rows.iter().any(|t| t.indicator != "arrival_rate");
        let counties = match Period::parse(&month) {
            Ok(to) if growth_targets && year <= this_year => {
                self.rates().growth_by_county(region.as_ref(), to).await?
            }
            _ => None,
        };
        let mut out = Vec::with_capacity(rows.len());
        for t in rows {
            let Some(indicator) = Indicator::parse(&t.indicator) else {
                continue;
            };
            let code = crate::regions::stored_code(&t.region_code)?;
            let actual: Option<Rate> = if year > this_year {
                // A year not begun has no progress yet.
                None
            } else {
                match indicator {
                    Indicator::ArrivalRate => {
                        let (arrived, contract) = match arrival.get(&t.region_code) {
                            Some(&figures) => figures,
                            // the region itself or one below it, without signed projects
                            None if region.is_some() => (0, 0),
                            None => {
                                let report = self
                                    .rates()
                                    .report(&RatesQuery {
                                        region: Some(t.region_code.clone()),
                                        as_of: as_of.clone(),
                                        ..Default::default()
                                    })
                                    .await?;
                                (report.total.arrived_fen, report.total.contract_fen)
                            }
                        };
                        Rate::of(arrived, contract)
                    }
                    Indicator::DomesticGrowth | Indicator::ForeignGrowth if counties.is_some() => {
                        let (origin, currency) = growth_key(indicator);
                        let (this, last) = counties
                            .iter()
                            .flatten()
                            .filter(|c| {
                                c.origin == origin
                                    && c.currency == currency
                                    && RegionCode::parse(&c.region_code)
                                        .is_ok_and(|county| code.contains(&county))
                            })
                            .fold((0, 0), |(a, b), c| (a + c.this_year, b + c.last_year));
                        luodi_domain::rates::growth(this, last)
                    }
                    Indicator::DomesticGrowth | Indicator::ForeignGrowth => {
                        let report = self
                            .rates()
                            .growth(&GrowthQuery {
                                region: Some(t.region_code.clone()),
                                period: Some(month.clone()),
                            })
                            .await?;
                        growth_of(&report.rows, indicator)
                    }
                }
            };
            let growth = indicator != Indicator::ArrivalRate;
            out.push(TargetProgress {
                id: t.id,
                region_name: regions
                    .get(&code)
                    .await?
                    .map(|r| r.name)
                    .unwrap_or_default(),
                region_code: t.region_code,
                year: t.year,
                indicator: t.indicator,
                indicator_label: indicator.label().to_owned(),
                value_bp: t.value_bp,
                target: signed_percent(t.value_bp, growth),
                actual: actual.map(|a| a.display_percent(2)),
                reached: reached(actual, t.value_bp),
                span: if year > this_year {
                    format!("{year}年尚未开始")
                } else {
                    format!("{year:04}-01至{month}")
                },
                basis: if self.actor.reads_unit_projects() {
                    format!(
                        "{}（{}）",
                        indicator.basis(),
                        crate::rates::UNIT_PROJECTS_ONLY
                    )
                } else {
                    indicator.basis().to_owned()
                },
            });
        }
        Ok(out)
    }

    /// Sets (or changes) a region's target for a year. Targets are handed down: a user sets
    /// them for regions below their own; administrators also for their own region.
    pub async fn set(&self, input: TargetInput) -> Result<TargetProgress, StoreError> {
        if self.actor.role != Role::Admin {
            self.actor.require(Permission::ManageLedger)?;
        }
        let mut checks = Checks::default();
        let region = checks.take("region_code", RegionCode::parse(&input.region_code));
        let indicator = checks.take(
            "indicator",
            Indicator::parse(&input.indicator)
                .ok_or("指标应为 arrival_rate（资金到位率）、domestic_growth（省外境内资金同比增长）或 foreign_growth（实际利用外资同比增长）"),
        );
        if !(2000..=2100).contains(&input.year) {
            checks.add("year", "年度应在2000年至2100年之间");
        }
        let range = match indicator {
            Some(Indicator::ArrivalRate) => 0..=10_000,
            _ => -10_000..=100_000,
        };
        if !range.contains(&input.value_bp) {
            checks.add(
                "value_bp",
                match indicator {
                    Some(Indicator::ArrivalRate) => "资金到位率目标应在0%至100%之间",
                    _ => "增长目标应在−100%至+1000%之间",
                },
            );
        }
        checks.finish()?;
        let (region, indicator) = (region.expect("checked"), indicator.expect("checked"));
        if !Regions::new(&self.db).exists(&region).await? || !self.actor.scope.covers(&region) {
            return Err(StoreError::field(
                "region_code",
                format!("行政区划 {region} 不存在或不在您的管辖范围内"),
            ));
        }
        let own = self.actor.scope.root() == Some(&region);
        if own && self.actor.role != Role::Admin {
            return Err(StoreError::forbidden(
                "目标任务由上级下达：本级的目标请由上级或系统管理员设置",
            ));
        }
        // Read before the write transaction: a SQLite transaction that reads first cannot
        // always upgrade to a write when another connection committed in between.
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(value_bp AS BIGINT) FROM targets \
             WHERE region_code = $1 AND year = $2 AND indicator = $3",
        )
        .bind(region.as_str())
        .bind(input.year)
        .bind(indicator.as_str())
        .fetch_optional(&self.db.pool)
        .await?;
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "INSERT INTO targets (region_code, year, indicator, value_bp) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (region_code, year, indicator) DO UPDATE SET value_bp = excluded.value_bp",
        )
        .bind(region.as_str())
        .bind(input.year)
        .bind(indicator.as_str())
        .bind(input.value_bp)
        .execute(&mut *tx)
        .await?;
        let growth = indicator != Indicator::ArrivalRate;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "target",
                entity_id: Some(format!("{region}/{}/{}", input.year, indicator.as_str())),
                action: if before.is_some() { "update" } else { "create" },
                summary: format!(
                    "{}年{}目标：{} {}",
                    input.year,
                    region,
                    indicator.label(),
                    signed_percent(input.value_bp, growth)
                ),
                region: Some(&region),
                before: before.map(|bp| serde_json::json!({ "value_bp": bp })),
                after: serde_json::to_value(&input).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        let list = self
            .targets()
            .list(&TargetsQuery {
                region: Some(region.to_string()),
                year: Some(input.year),
            })
            .await?;
        list.into_iter()
            .find(|t| t.region_code == region.as_str() && t.indicator == indicator.as_str())
            .ok_or(StoreError::NotFound("该目标"))
    }
}
