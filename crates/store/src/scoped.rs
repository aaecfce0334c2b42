use crate::kit::cache::{data_version, VersionedCache};
use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::kit::filter::{Bind, Filter};
use crate::settings::AuthSettings;
use luodi_domain::{Permission, RegionCode, Role, Scope};
use std::sync::Arc;

/// The signed-in user on whose behalf the store acts, and the request it came with.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region_code: Option<RegionCode>,
    pub unit_id: Option<i64>,
    pub scope: Scope,
    /// Correlates audit entries with server logs.
    pub request_id: Option<String>,
}

impl Actor {
    pub fn require(&self, permission: Permission) -> Result<(), StoreError> {
        if self.role.can_at(permission, &self.scope) {
            Ok(())
        } else if let Some(reason) = permission
            .refused_at(&self.scope)
            .filter(|_| self.role.permissions().contains(&permission))
        {
            Err(StoreError::forbidden(reason))
        } else {
            Err(StoreError::forbidden(format!(
                "当前角色（{}）无权{}",
                self.role.label(),
                permission.label()
            )))
        }
    }

    /// Fails unless `region` lies inside the actor's scope (used before any write).
    pub fn require_region(&self, region: &RegionCode) -> Result<(), StoreError> {
        if self.scope.covers(region) {
            Ok(())
        } else {
            Err(StoreError::forbidden(format!(
                "行政区划 {region} 不在您的管辖范围内"
            )))
        }
    }

    /// Which projects of the region scope the actor reads (domain §1): a 责任单位 / 项目落户地
    /// account only those of its unit, and an account of that role without a unit none.
    pub(crate) fn project_reach(&self) -> ProjectReach {
        match (self.role, self.unit_id) {
            (Role::Unit, Some(unit)) => ProjectReach::Unit(unit),
            (Role::Unit, None) => ProjectReach::Nothing,
            _ => ProjectReach::Region,
        }
    }

    /// Names what the actor reads, for keeping figures computed for it: two actors with the
    /// same key read exactly the same projects (region scope and unit reach).
    pub(crate) fn reach_key(&self) -> String {
        let scope = match &self.scope {
            Scope::Nationwide => "*".to_owned(),
            Scope::Region(r) => r.to_string(),
            Scope::Regions(roots) => {
                let codes: Vec<&str> = roots.iter().map(RegionCode::as_str).collect();
                format!("[{}]", codes.join(","))
            }
        };
        match self.project_reach() {
            ProjectReach::Region => scope,
            ProjectReach::Unit(unit) => format!("{scope}/u{unit}"),
            ProjectReach::Nothing => format!("{scope}/-"),
        }
    }

    /// Whether the actor reads only some of its region's projects.
    pub(crate) fn reads_unit_projects(&self) -> bool {
        self.project_reach() != ProjectReach::Region
    }
}

/// An account named by its id or by its username.
pub(crate) enum Account<'a> {
    Id(i64),
    Name(&'a str),
}

/// id, username, display name, role, region, unit
type AccountRow = (i64, String, String, String, Option<String>, Option<i64>);

impl Actor {
    /// The actor of an account, outside any request (work done later on its behalf, demo
    /// data); none when the account does not exist. Its scope is its region's, as a session
    /// gives it, without the supervision groups' regions a session adds for an inspector
    /// (`with_group_reach`): not for work done on an inspector's behalf.
    pub(crate) async fn read(db: &Db, account: Account<'_>) -> Result<Option<Actor>, StoreError> {
        let sql = "SELECT id, username, display_name, role, region_code, unit_id FROM users";
        let row: Option<AccountRow> = match account {
            Account::Id(id) => {
                sqlx::query_as(&format!("{sql} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&db.pool)
                    .await?
            }
            Account::Name(name) => {
                sqlx::query_as(&format!("{sql} WHERE username = $1"))
                    .bind(name)
                    .fetch_optional(&db.pool)
                    .await?
            }
        };
        let Some((user_id, username, display_name, role, region, unit_id)) = row else {
            return Ok(None);
        };
        let role = Role::parse(&role)
            .ok_or_else(|| StoreError::Config(format!("{username} 的角色无效")))?;
        let region_code = region
            .as_deref()
            .map(|r| {
                RegionCode::parse(r)
                    .map_err(|e| StoreError::Internal(format!("{username} 的地区 {r}：{e}")))
            })
            .transpose()?;
        let scope = match &region_code {
            Some(r) => Scope::Region(r.clone()),
            None => Scope::Nationwide,
        };
        Ok(Some(Actor {
            user_id,
            username,
            display_name,
            role,
            region_code,
            unit_id,
            scope,
            request_id: None,
        }))
    }
}

/// The projects within an actor's region scope that it may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProjectReach {
    /// Every project of the region scope.
    Region,
    /// Projects the unit is responsible for (责任单位), brought in (招商单位), or that landed in
    /// the zone the unit stands for (项目落户地).
    Unit(i64),
    /// None at all: a unit account that names no unit.
    Nothing,
}

/// A store handle bound to one actor: every read is limited to the actor's scope and every
/// write is permission-checked and audited.
#[derive(Clone)]
pub struct Scoped {
    pub(crate) db: Db,
    pub(crate) settings: Arc<AuthSettings>,
    pub(crate) actor: Actor,
}

impl Scoped {
    pub(crate) fn new(db: Db, settings: Arc<AuthSettings>, actor: Actor) -> Self {
        Self {
            db,
            settings,
            actor,
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// `compute`'s answer to `query` (named `what`), computed once per change of the data and
    /// per day for every actor who reads the same projects, then kept on this instance
    /// ([`VersionedCache`]): no figure is served after a change made through any instance.
    pub(crate) async fn kept<V, Fut>(
        &self,
        what: &str,
        query: &impl std::fmt::Debug,
        compute: impl FnOnce() -> Fut,
    ) -> Result<V, StoreError>
    where
        V: Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<V, StoreError>>,
    {
        let version = data_version(&self.db.pool).await?;
        let key = format!(
            "{what}|{}|{}|{query:?}",
            self.actor.reach_key(),
            &clock::now()[..10]
        );
        let cache = self.db.memo.get::<VersionedCache<V>>();
        if let Some(kept) = cache.get(version, &key) {
            return Ok(kept);
        }
        let computed = compute().await?;
        cache.put(version, &key, computed.clone());
        Ok(computed)
    }
}

impl Filter {
    /// Restricts the projects of alias `project` to those `actor` may read: `region_column` (the
    /// project's own `region_code`, or the copy a dependant row keeps for scope filtering)
    /// within the actor's scope and, when asked, within `region`; for a unit account, only the
    /// unit's projects ([`ProjectReach`]). Every read of projects and of what hangs off them
    /// goes through here, so that no page, export or figure shows a unit more than its own.
    pub fn projects(
        &mut self,
        actor: &Actor,
        project: &str,
        region_column: &str,
        region: Option<&RegionCode>,
    ) {
        self.scope_within(region_column, &actor.scope, region);
        match actor.project_reach() {
            ProjectReach::Region => {}
            ProjectReach::Unit(unit) => {
                let u = self.bind(Bind::Int(unit));
                self.and(&format!(
                    "({project}.responsible_unit_id = {u} OR {project}.attracting_unit_id = {u} \
                     OR {project}.zone_id = (SELECT zone_id FROM units WHERE id = {u}))"
                ));
            }
            ProjectReach::Nothing => self.and("1 = 0"),
        }
    }
}

/// Declares a business area's handle: a borrow of the scoped store, reached as
/// `scoped.<area>()`, through which the area's operations run. It dereferences to the scoped
/// store, so the area's code reads the actor and the database as before.
macro_rules! area_handle {
    ($(#[$doc:meta])* $handle:ident, $accessor:ident) => {
        $(#[$doc])*
        pub struct $handle<'a>(&'a $crate::scoped::Scoped);

        impl std::ops::Deref for $handle<'_> {
            type Target = $crate::scoped::Scoped;

            fn deref(&self) -> &Self::Target {
                self.0
            }
        }

        impl $crate::scoped::Scoped {
            $(#[$doc])*
            pub fn $accessor(&self) -> $handle<'_> {
                $handle(self)
            }
        }
    };
}
pub(crate) use area_handle;
