//! A region's problem handling in a period, as a bulletin states it: how many were registered,
//! how many are closed, open and overdue, and how many answers came on time.

use super::Problems;
use crate::kit::clock;
use crate::kit::error::StoreError;
use crate::kit::filter::{Bind, Filter};
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
    /// Assigned or in hand and past their deadline when counted (as the problem list's 逾期).
    pub overdue: i64,
    pub answered_on_time: i64,
    pub answered_late: i64,
    /// 办结率: closed of registered, e.g. "62.50%"; null with none registered.
    pub closing_rate: Option<String>,
    /// When they were counted (the draft's time).
    pub counted_at: String,
}

#[derive(sqlx::FromRow)]
struct Counts {
    registered_in_period: i64,
    registered: i64,
    closed: i64,
    overdue: i64,
    answered_on_time: i64,
    answered_late: i64,
}

impl Problems<'_> {
    /// The problems of `region` (within the reader's scope) registered up to `last_day`
    /// (YYYY-MM-DD), those from `first_day` on counted apart.
    pub async fn period_figures(
        &self,
        region: &RegionCode,
        first_day: &str,
        last_day: &str,
    ) -> Result<ProblemFigures, StoreError> {
        let now = clock::now();
        let today = &now[..10];
        let mut f = Filter::new("");
        let from = f.bind(Bind::Text(first_day.to_owned()));
        let to = f.bind(Bind::Text(format!("{last_day}T99")));
        let today_b = f.bind(Bind::Text(today.to_owned()));
        f.sql = format!(
            "SELECT \
             CAST(COALESCE(SUM(CASE WHEN created_at >= {from} THEN 1 ELSE 0 END), 0) AS BIGINT) \
               AS registered_in_period, \
             CAST(COUNT(*) AS BIGINT) AS registered, \
             CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
               AS closed, \
             CAST(COALESCE(SUM(CASE WHEN status IN ('assigned', 'in_progress') \
               AND due_on < {today_b} THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
             CAST(COALESCE(SUM(CASE WHEN answered_at IS NOT NULL AND NOT answered_late \
               THEN 1 ELSE 0 END), 0) AS BIGINT) AS answered_on_time, \
             CAST(COALESCE(SUM(CASE WHEN answered_at IS NOT NULL AND answered_late \
               THEN 1 ELSE 0 END), 0) AS BIGINT) AS answered_late \
             FROM problems WHERE created_at < {to}"
        );
        f.scope_within("region_code", &self.actor.scope, Some(region));
        let c: Counts = f.query_as(&f.sql).fetch_one(&self.db.pool).await?;
        Ok(ProblemFigures {
            registered_in_period: c.registered_in_period,
            registered: c.registered,
            closed: c.closed,
            open: c.registered - c.closed,
            overdue: c.overdue,
            answered_on_time: c.answered_on_time,
            answered_late: c.answered_late,
            closing_rate: Rate::of(c.closed, c.registered).map(|r| r.display_percent(2)),
            counted_at: now,
        })
    }
}
