//! Figures for the home page (工作台), limited to the user's scope.

use crate::kit::error::StoreError;
use crate::kit::filter::Filter;
use crate::regions::Regions;
use luodi_domain::{Permission, Role, UnitCategory};
use serde::Serialize;
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// The first page's figures for the actor's scope.
    DashboardFigures, dashboard
);

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionCounts {
    pub prefectures: i64,
    pub counties: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryCount {
    #[schema(value_type = UnitCategory)]
    pub category: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleCount {
    #[schema(value_type = Role)]
    pub role: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub scope_name: String,
    pub regions: RegionCounts,
    pub units_by_category: Vec<CategoryCount>,
    /// Empty for roles that may not list users.
    pub users_by_role: Vec<RoleCount>,
}

impl DashboardFigures<'_> {
    pub async fn summary(&self) -> Result<Dashboard, StoreError> {
        let scope_name = Regions::new(&self.db).scope_name(&self.actor.scope).await?;
        let mut f = Filter::new("SELECT level, COUNT(*) FROM regions WHERE 1 = 1");
        f.scope("code", &self.actor.scope);
        let sql = format!("{} GROUP BY level", f.sql);
        let levels: Vec<(String, i64)> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let count_of = |level: &str| {
            levels
                .iter()
                .find(|(l, _)| l == level)
                .map_or(0, |(_, n)| *n)
        };
        let mut f = Filter::new("SELECT category, COUNT(*) FROM units WHERE active = TRUE");
        f.scope("region_code", &self.actor.scope);
        let sql = format!("{} GROUP BY category", f.sql);
        let by_category: Vec<(String, i64)> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        let units_by_category = UnitCategory::ALL
            .into_iter()
            .map(|c| CategoryCount {
                category: c.as_str().to_owned(),
                label: c.label().to_owned(),
                count: by_category
                    .iter()
                    .find(|(k, _)| k == c.as_str())
                    .map_or(0, |(_, n)| *n),
            })
            .collect();
        let users_by_role = if self.actor.role.can(Permission::ReadUsers) {
            let mut f = Filter::new("SELECT role, COUNT(*) FROM users WHERE active = TRUE");
            f.scope("region_code", &self.actor.scope);
            let sql = format!("{} GROUP BY role", f.sql);
            let by_role: Vec<(String, i64)> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
            Role::ALL
                .into_iter()
                .map(|r| RoleCount {
                    role: r.as_str().to_owned(),
                    label: r.label().to_owned(),
                    count: by_role
                        .iter()
                        .find(|(k, _)| k == r.as_str())
                        .map_or(0, |(_, n)| *n),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Dashboard {
            scope_name,
            regions: RegionCounts {
                prefectures: count_of("prefecture"),
                counties: count_of("county"),
            },
            units_by_category,
            users_by_role,
        })
    }
}
