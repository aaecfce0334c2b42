//! A region's problem handling in a period, as a bulletin states it: how many were registered,
//! how many are closed, open and overdue, and how many answers came on time.

use super::Problems;
use crate::kit::clock;
use crate::kit::error::StoreError;
use crate::kit::filter::{Bind, Filter};
use crate::kit::text::opt;
use luodi_domain::rates::Rate;
use luodi_domain::RegionCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Problems of a region registered up to a period's end, in their state when counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProblemFigures {
    /// Registered from the period's first day to its last.
    pub registered_in_period: i64,
    /// Registered up to the period's last day.
    pub registered: i64,
    /// Of those, closed (办结).
    pub closed: i64,
    /// Not closed yet.
    pub open: i64,
    /// Closed (办结) from the period's first day to its last. (Absent from bulletins drafted
    /// before it was added.)
    #[serde(default)]
    pub closed_in_period: i64,
    /// Assigned or in hand and past their deadline when counted (as the problem list's 逾期).
    pub overdue: i64,
    pub answered_on_time: i64,
    pub answered_late: i64,
    /// 办结率: closed of registered, e.g. "62.50%"; null with none registered.
    pub closing_rate: Option<String>,
    /// When they were counted (the draft's time).
    pub counted_at: String,
}

/// What the leaders' dashboard asks for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// A region within the reader's scope; the whole scope when absent.
    pub region: Option<String>,
    /// The year whose closings are counted apart; this year when absent.
    pub year: Option<i32>,
}

/// Problems and 帮办 on the leaders' dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemsOverview {
    pub year: i32,
    pub region_code: Option<String>,
    /// Registered up to today; `closed_in_period` and `registered_in_period` of `year`.
    pub problems: ProblemFigures,
    /// 帮办 items open past their time limit (the 帮办 overdue list's length).
    pub assistance_overdue: i64,
}

#[derive(sqlx::FromRow)]
struct Counts {
    registered_in_period: i64,
    registered: i64,
    closed: i64,
    closed_in_period: i64,
    overdue: i64,
    answered_on_time: i64,
    answered_late: i64,
}

impl Problems<'_> {
    /// The problems of `region` (within the reader's scope) registered up to `last_day`
    /// (YYYY-MM-DD), those from `first_day` on counted apart: a bulletin's figures.
    pub async fn period_figures(
        &self,
        region: &RegionCode,
        first_day: &str,
        last_day: &str,
    ) -> Result<ProblemFigures, StoreError> {
        self.figures(first_day, last_day, |f| {
            f.scope_within("p.region_code", &self.actor.scope, Some(region))
        })
        .await
    }

    /// The leaders' dashboard's card: the problems the reader reaches (a unit: those given
    /// to it), within the region when asked, registered up to today, those of the year (this
    /// one unless asked) counted apart; and the overdue 帮办 items. Each figure is the length
    /// of the problem list, or of the 帮办 overdue list, with the matching filter.
    pub async fn overview(&self, query: &OverviewQuery) -> Result<ProblemsOverview, StoreError> {
        let region = match opt(&query.region) {
            Some(code) => Some(
                RegionCode::parse(&code).map_err(|e| StoreError::field("region", e.to_string()))?,
            ),
            None => None,
        };
        let today = self.today();
        let year = query.year.unwrap_or(today.year());
        let problems = self
            .figures(&format!("{year}-01-01"), &today.to_string(), |f| {
                self.reach(f);
                if region.is_some() {
                    f.scope_within("p.region_code", &self.actor.scope, region.as_ref());
                }
            })
            .await?;
        let assistance_overdue = self.assistance().overdue_count(region.as_ref()).await?;
        Ok(ProblemsOverview {
            year,
            region_code: region.map(|r| r.to_string()),
            problems,
            assistance_overdue,
        })
    }

    async fn figures(
        &self,
        first_day: &str,
        last_day: &str,
        narrow: impl FnOnce(&mut Filter),
    ) -> Result<ProblemFigures, StoreError> {
        let now = clock::now();
        let mut f = Filter::new("");
        let from = f.bind(Bind::Text(first_day.to_owned()));
        let to = f.bind(Bind::Text(format!("{last_day}T99")));
        // Overdue as the problem list's filter counts it, by the store's clock.
        let today_b = f.bind(Bind::Text(self.today().to_string()));
        f.sql = format!(
            "SELECT \
             CAST(COALESCE(SUM(CASE WHEN p.created_at >= {from} THEN 1 ELSE 0 END), 0) AS BIGINT) \
               AS registered_in_period, \
             CAST(COUNT(*) AS BIGINT) AS registered, \
             CAST(COALESCE(SUM(CASE WHEN p.status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
               AS closed, \
             CAST(COALESCE(SUM(CASE WHEN p.status = 'closed' AND p.closed_at >= {from} \
               THEN 1 ELSE 0 END), 0) AS BIGINT) AS closed_in_period, \
             CAST(COALESCE(SUM(CASE WHEN p.status IN ('assigned', 'in_progress') \
               AND p.due_on < {today_b} THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
             CAST(COALESCE(SUM(CASE WHEN {ON_TIME} THEN 1 ELSE 0 END), 0) AS BIGINT) \
               AS answered_on_time, \
             CAST(COALESCE(SUM(CASE WHEN {LATE} THEN 1 ELSE 0 END), 0) AS BIGINT) \
               AS answered_late \
             FROM problems p WHERE p.created_at < {to}"
        );
        narrow(&mut f);
        let c: Counts = f.query_as(&f.sql).fetch_one(&self.db.pool).await?;
        Ok(ProblemFigures {
            registered_in_period: c.registered_in_period,
            registered: c.registered,
            closed: c.closed,
            open: c.registered - c.closed,
            closed_in_period: c.closed_in_period,
            overdue: c.overdue,
            answered_on_time: c.answered_on_time,
            answered_late: c.answered_late,
            closing_rate: Rate::of(c.closed, c.registered).map(|r| r.display_percent(2)),
            counted_at: now,
        })
    }
}

/// An answer given by its deadline, and one given after it (as the list's `answered` filter).
pub(super) const ON_TIME: &str = "p.answered_at IS NOT NULL AND NOT p.answered_late";
pub(super) const LATE: &str = "p.answered_at IS NOT NULL AND p.answered_late";
