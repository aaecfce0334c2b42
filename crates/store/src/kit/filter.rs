//! Dynamic SQL with its binds kept in step: the conditions every list adds to its base
//! statement, region-subtree ranges, and paged fetching. Knows no business area; the one rule
//! of which projects a user reaches is added on top in `scoped.rs` (`Filter::projects`).

use luodi_domain::{RegionCode, Scope};

/// Appends `AND <column> >= $n AND <column> < $n+1` for a region-subtree scope to a query
/// under construction, keeping bind positions in step. Nationwide scopes add nothing.
#[derive(Clone)]
pub struct Filter {
    pub sql: String,
    pub binds: Vec<Bind>,
    /// Where the conditions start in `sql` (the length of the base statement).
    base_len: usize,
}

/// A `LIKE` pattern for "contains `text`", with the user's own `%`, `_` and `\` taken
/// literally; use it as `col LIKE $n ESCAPE '\'`.
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Projects chosen beyond a list's or report's own filters (a campaign's cohort), with the
/// thresholds they are classified by; `key` names the choice for figures kept between changes.
pub(crate) struct Cohort<'a> {
    pub key: String,
    pub thresholds: luodi_domain::Thresholds,
    /// Adds the choice's conditions on the projects (alias `p`) to a filter.
    pub select: &'a (dyn Fn(&mut Filter) + Send + Sync),
}

/// A value bound to a placeholder, in filters and in bulk inserts.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Int(i64),
    Bool(bool),
    OptText(Option<String>),
    OptInt(Option<i64>),
    /// A flag that may be unknown: its NULL is bound as a boolean, which PostgreSQL's BOOLEAN
    /// columns require (an integer NULL is refused there).
    OptBool(Option<bool>),
}

impl Filter {
    pub fn new(base: &str) -> Self {
        Self {
            sql: base.to_owned(),
            binds: Vec::new(),
            base_len: base.len(),
        }
    }

    /// Adds a placeholder for `value` and returns it (`$3`).
    pub fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    pub fn and(&mut self, clause: &str) {
        self.sql.push_str(" AND ");
        self.sql.push_str(clause);
    }

    /// Restricts `column` (a region code) to the subtree of `region`.
    pub fn region_subtree(&mut self, column: &str, region: &RegionCode) {
        let (lo, hi) = region.subtree_range();
        let lo = self.bind(Bind::Text(lo));
        let hi = self.bind(Bind::Text(hi));
        self.and(&format!("{column} >= {lo} AND {column} < {hi}"));
    }

    /// Restricts `column` to the actor's scope. Rows with no region (national accounts) are
    /// only visible to nationwide scopes, because `NULL >= x` is never true.
    pub fn scope(&mut self, column: &str, scope: &Scope) {
        match scope {
            Scope::Nationwide => {}
            Scope::Region(root) => self.region_subtree(column, root),
            Scope::Regions(roots) => self.region_subtrees(column, roots),
        }
    }

    /// Restricts `column` to any of the subtrees of `roots` (none nested in another): one
    /// range per region joined by `OR`, each an index range scan; no region matches nothing.
    pub fn region_subtrees(&mut self, column: &str, roots: &[RegionCode]) {
        if let [root] = roots {
            return self.region_subtree(column, root);
        }
        let mut ranges = Vec::with_capacity(roots.len());
        for root in roots {
            let (lo, hi) = root.subtree_range();
            let lo = self.bind(Bind::Text(lo));
            let hi = self.bind(Bind::Text(hi));
            ranges.push(format!("({column} >= {lo} AND {column} < {hi})"));
        }
        if ranges.is_empty() {
            self.and("1 = 0");
        } else {
            self.and(&format!("({})", ranges.join(" OR ")));
        }
    }

    /// A condition (binds added, not yet applied) for rows of `column` lying in a subtree of
    /// `roots` or at one of their ancestors: what a supervision group's member reads of
    /// records addressed downwards (events, closes, published bulletins). No root: false.
    pub fn subtree_or_ancestors(&mut self, column: &str, roots: &[RegionCode]) -> String {
        let mut parts = vec!["1 = 0".to_owned()];
        for root in roots {
            let (lo, hi) = root.subtree_range();
            let (lo, hi) = (self.bind(Bind::Text(lo)), self.bind(Bind::Text(hi)));
            parts.push(format!("({column} >= {lo} AND {column} < {hi})"));
            let mut up = root.implied_parent();
            while let Some(p) = up {
                up = p.implied_parent();
                let p = self.bind(Bind::Text(p.to_string()));
                parts.push(format!("{column} = {p}"));
            }
        }
        format!("({})", parts.join(" OR "))
    }

    /// Restricts `column` to the actor's scope and, when asked, to the subtree of `region`, as
    /// one code range. Subtrees are nested or apart, so their intersection is the smaller one
    /// (or nothing). Two ranges on one column would leave the planner to bound its index scan
    /// by either; with bound parameters it cannot tell which is narrower and may walk the
    /// whole province for one city.
    pub fn scope_within(&mut self, column: &str, scope: &Scope, region: Option<&RegionCode>) {
        match (scope, region) {
            (_, None) => self.scope(column, scope),
            (Scope::Nationwide, Some(r)) => self.region_subtree(column, r),
            (Scope::Region(root), Some(r)) if root.contains(r) => self.region_subtree(column, r),
            (Scope::Region(root), Some(r)) if r.contains(root) => self.region_subtree(column, root),
            (Scope::Region(_), Some(_)) => self.and("1 = 0"),
            (Scope::Regions(roots), Some(r)) => {
                // The asked region inside one of the group's, or the group's regions inside it.
                if roots.iter().any(|root| root.contains(r)) {
                    self.region_subtree(column, r);
                } else {
                    let inside: Vec<RegionCode> = roots
                        .iter()
                        .filter(|root| r.contains(root))
                        .cloned()
                        .collect();
                    self.region_subtrees(column, &inside);
                }
            }
        }
    }

    /// Runs the filtered query for one page: the total over all pages, then the page's rows
    /// in `order_by` order. The filter's SQL must be a complete `SELECT`.
    pub async fn fetch_page<T>(
        self,
        pool: &sqlx::AnyPool,
        order_by: &str,
        page: crate::kit::page::PageRequest,
    ) -> Result<crate::kit::page::Page<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let count_sql = format!("SELECT COUNT(*) FROM ({}) t", self.sql);
        self.fetch_page_counted(pool, count_sql, order_by, page)
            .await
    }

    /// Like [`Filter::fetch_page`], for a list whose rows are wide and joined to the tables
    /// that name things: counted with `count_base` (a `SELECT COUNT(*) … WHERE 1 = 1` without
    /// those joins) followed by the same conditions; the page's keys are picked first from
    /// `keys_base` (a
    /// `SELECT <key> … WHERE 1 = 1` without those joins) followed by the same conditions,
    /// sorted and limited, and only then are the page's rows read. `rows` is the full
    /// statement with `{keys}` where that sub-select goes (`… FROM ({keys}) k JOIN …`); it is
    /// ordered by `order_by` again. Joining and sorting every matching row in full to keep
    /// twenty was most of a ledger page's database time.
    pub async fn fetch_page_by_keys<T>(
        self,
        pool: &sqlx::AnyPool,
        count_base: &str,
        keys_base: &str,
        rows: &str,
        order_by: &str,
        page: crate::kit::page::PageRequest,
    ) -> Result<crate::kit::page::Page<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let conditions = &self.sql[self.base_len..];
        let count_sql = format!("{count_base}{conditions}");
        let keys = Filter {
            sql: format!("{keys_base}{conditions}"),
            binds: self.binds,
            base_len: keys_base.len(),
        };
        let rows = rows.to_owned();
        keys.fetch_page_with(pool, count_sql, order_by, page, move |keys| {
            format!("{} ORDER BY {order_by}", rows.replace("{keys}", &keys))
        })
        .await
    }

    async fn fetch_page_counted<T>(
        self,
        pool: &sqlx::AnyPool,
        count_sql: String,
        order_by: &str,
        page: crate::kit::page::PageRequest,
    ) -> Result<crate::kit::page::Page<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        self.fetch_page_with(pool, count_sql, order_by, page, |page| page)
            .await
    }

    /// The count and the page; `wrap` turns the filtered, sorted and limited statement into
    /// the one that is run.
    async fn fetch_page_with<T>(
        mut self,
        pool: &sqlx::AnyPool,
        count_sql: String,
        order_by: &str,
        page: crate::kit::page::PageRequest,
        wrap: impl FnOnce(String) -> String,
    ) -> Result<crate::kit::page::Page<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        // The count and the page are independent reads: they run at the same time on two
        // pooled connections, so a list answers in the time of the slower of the two.
        let counter = self.clone();
        let count = async move {
            counter
                .query_scalar::<i64>(&count_sql)
                .fetch_one(pool)
                .await
        };
        let limit = self.bind(Bind::Int(page.limit()));
        let offset = self.bind(Bind::Int(page.offset()));
        let sql = wrap(format!(
            "{} ORDER BY {order_by} LIMIT {limit} OFFSET {offset}",
            self.sql
        ));
        let rows = self.query_as(&sql).fetch_all(pool);
        let (total, items) = tokio::try_join!(count, rows)?;
        Ok(crate::kit::page::Page { items, total })
    }

    pub fn query_as<'q, T>(
        &'q self,
        sql: &'q str,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_as::<_, T>(sql);
        for b in &self.binds {
            q = match b {
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(i) => q.bind(*i),
                Bind::Bool(v) => q.bind(*v),
                Bind::OptText(s) => q.bind(s.as_deref()),
                Bind::OptInt(i) => q.bind(*i),
                Bind::OptBool(b) => q.bind(*b),
            };
        }
        q
    }

    pub fn query_scalar<'q, T>(
        &'q self,
        sql: &'q str,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>>
    where
        (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_scalar::<_, T>(sql);
        for b in &self.binds {
            q = match b {
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(i) => q.bind(*i),
                Bind::Bool(v) => q.bind(*v),
                Bind::OptText(s) => q.bind(s.as_deref()),
                Bind::OptInt(i) => q.bind(*i),
                Bind::OptBool(b) => q.bind(*b),
            };
        }
        q
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(super::contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(super::contains_pattern("南县"), "%南县%");
    }
}
