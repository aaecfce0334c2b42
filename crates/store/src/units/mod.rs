//! The unit directory (单位名录): 责任招商单位, 项目落户地, 鼓励招商单位.

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::db::Flag;
use crate::kit::error::{on_constraint, Checks, StoreError};
use crate::kit::filter::{contains_pattern, Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::kit::text::mask_phone;
use crate::scoped::Actor;
use luodi_domain::unit::{check_subcategory, normalize_name};
use luodi_domain::{Permission, RegionCode, UnitCategory, UnitSubcategory};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub mod sheet;

crate::scoped::area_handle!(
    /// The unit directory (单位名录) within the actor's scope.
    Units, units
);

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    #[schema(value_type = UnitCategory)]
    pub category: String,
    #[sqlx(skip)]
    pub category_label: String,
    #[schema(value_type = Option<UnitSubcategory>)]
    pub subcategory: Option<String>,
    #[sqlx(skip)]
    pub subcategory_label: Option<String>,
    pub region_code: String,
    pub region_name: String,
    /// For a 项目落户地 unit, the zone (园区/乡镇) of its county it stands for: its accounts read
    /// the projects that landed there.
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    /// Position in the official order (e.g. the annex of 南政发〔2022〕6号), within a category.
    pub sort_order: i64,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = bool)]
    pub active: Flag,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl Unit {
    fn finish(mut self) -> Self {
        self.category_label = UnitCategory::parse(&self.category)
            .map(UnitCategory::label)
            .unwrap_or("")
            .to_owned();
        self.subcategory_label = self
            .subcategory
            .as_deref()
            .and_then(UnitSubcategory::parse)
            .map(|s| s.label().to_owned());
        self
    }

    /// What this reader may see of the unit's contact (个人信息最小化): the phone in full to an
    /// account that maintains the directory of its region (the unit lies in its scope) or to the
    /// unit's own accounts; to everyone else masked, `138****5678`.
    fn for_reader(mut self, actor: &Actor) -> Self {
        let manages = actor.role.can_at(Permission::ManageUnits, &actor.scope);
        if !manages && actor.unit_id != Some(self.id) {
            self.contact_phone = self.contact_phone.as_deref().map(mask_phone);
        }
        self
    }

    fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name, "category": self.category, "subcategory": self.subcategory,
            "region_code": self.region_code, "zone_id": self.zone_id, "sort_order": self.sort_order,
            "contact_person": self.contact_person, "contact_phone": self.contact_phone,
            "note": self.note, "active": self.active,
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
pub struct UnitFilter {
    /// Part of the unit name.
    pub q: Option<String>,
    #[param(pattern = r"^(|investment|landing|encouraged)$")]
    pub category: Option<String>,
    /// Only units in this region's subtree.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
}

/// A unit as entered in the form or one row of the import sheet.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct UnitInput {
    pub name: String,
    #[schema(value_type = UnitCategory)]
    pub category: String,
    #[schema(value_type = Option<UnitSubcategory>)]
    pub subcategory: Option<String>,
    pub region_code: String,
    /// Only for 项目落户地 units: a zone (园区/乡镇) of the unit's own county.
    #[serde(default)]
    pub zone_id: Option<i64>,
    pub sort_order: Option<i64>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitUpdate {
    #[serde(flatten)]
    pub unit: UnitInput,
    pub active: bool,
    pub version: i64,
}

const UNIT_SELECT: &str = "SELECT n.id, n.name, n.category, n.subcategory, n.region_code, \
    r.name AS region_name, n.zone_id, z.name AS zone_name, n.sort_order, n.contact_person, \
    n.contact_phone, n.note, n.active, n.version, n.created_at, n.updated_at \
    FROM units n JOIN regions r ON r.code = n.region_code LEFT JOIN zones z ON z.id = n.zone_id \
    WHERE 1 = 1";

const ZONE_NOT_LANDING: &str = "只有“项目落户地”类别的单位可以关联园区/乡镇";

fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The field-level checks shared by the form and the import sheet.
fn check_fields(
    checks: &mut Checks,
    input: &UnitInput,
) -> Option<(UnitCategory, Option<UnitSubcategory>)> {
    let name = normalize_name(&input.name);
    if name.is_empty() {
        checks.add("name", "单位名称不能为空");
    } else if name.chars().count() > 100 {
        checks.add("name", "单位名称不能超过100个字");
    }
    checks.printable("name", &input.name);
    let category = checks.take(
        "category",
        UnitCategory::parse(&input.category)
            .ok_or("单位类别应为“责任招商单位”“项目落户地”“鼓励招商单位”之一"),
    );
    let subcategory = match opt(input.subcategory.as_deref()) {
        None => Some(None),
        Some(s) => checks
            .take(
                "subcategory",
                UnitSubcategory::parse(&s).ok_or("子类别应为“综合协调单位”或“产业招商单位”"),
            )
            .map(Some),
    };
    if let (Some(c), Some(s)) = (category, subcategory) {
        if let Err(m) = check_subcategory(c, s) {
            checks.add("subcategory", m);
        }
    }
    for (field, value, max) in [
        ("contact_person", &input.contact_person, 50),
        ("contact_phone", &input.contact_phone, 30),
        ("note", &input.note, 500),
    ] {
        if value.as_deref().is_some_and(|v| v.chars().count() > max) {
            checks.add(field, format!("不能超过{max}个字"));
        }
    }
    Some((category?, subcategory?))
}

impl Units<'_> {
    pub async fn list(
        &self,
        filter: &UnitFilter,
        page: PageRequest,
    ) -> Result<Page<Unit>, StoreError> {
        self.actor.require(Permission::ReadUnits)?;
        let f = self.unit_filter(filter)?;
        let page: Page<Unit> = f
            .fetch_page(
                &self.db.pool,
                "n.region_code, n.category, n.sort_order, n.id",
                page,
            )
            .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|u| u.finish().for_reader(&self.actor))
                .collect(),
            total: page.total,
        })
    }

    /// Every unit matching the filter, in official order (for export).
    pub async fn list_all(&self, filter: &UnitFilter) -> Result<Vec<Unit>, StoreError> {
        self.actor.require(Permission::ReadUnits)?;
        let f = self.unit_filter(filter)?;
        let sql = format!(
            "{} ORDER BY n.region_code, n.category, n.sort_order, n.id",
            f.sql
        );
        let items: Vec<Unit> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        Ok(items
            .into_iter()
            .map(|u| u.finish().for_reader(&self.actor))
            .collect())
    }

    fn unit_filter(&self, filter: &UnitFilter) -> Result<Filter, StoreError> {
        let mut f = Filter::new(UNIT_SELECT);
        let region = opt(filter.region.as_deref())
            .map(|r| RegionCode::parse(&r))
            .transpose()
            .map_err(|e| StoreError::field("region", e.to_string()))?;
        f.scope_within("n.region_code", &self.actor.scope, region.as_ref());
        if let Some(q) = opt(filter.q.as_deref()) {
            let p = f.bind(Bind::Text(contains_pattern(&q)));
            f.and(&format!("n.name LIKE {p} ESCAPE '\\'"));
        }
        if let Some(c) = opt(filter.category.as_deref()) {
            let c = UnitCategory::parse(&c)
                .ok_or_else(|| StoreError::field("category", "单位类别无效"))?;
            let p = f.bind(Bind::Text(c.as_str().to_owned()));
            f.and(&format!("n.category = {p}"));
        }
        Ok(f)
    }

    pub async fn get(&self, id: i64) -> Result<Unit, StoreError> {
        self.actor.require(Permission::ReadUnits)?;
        let mut f = Filter::new(UNIT_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("n.id = {p}"));
        f.scope("n.region_code", &self.actor.scope);
        let unit: Option<Unit> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        unit.map(|u| u.finish().for_reader(&self.actor))
            .ok_or(StoreError::NotFound("该单位"))
    }

    async fn checked_unit(
        &self,
        input: &UnitInput,
    ) -> Result<(RegionCode, UnitCategory, Option<UnitSubcategory>), StoreError> {
        let mut checks = Checks::default();
        let parsed = check_fields(&mut checks, input);
        let region = match self.regions().region_in_scope(&input.region_code).await {
            Ok(r) => Some(r),
            Err(m) => {
                checks.add("region_code", m);
                None
            }
        };
        if let Some(zone) = input.zone_id {
            self.check_unit_zone(&mut checks, zone, parsed.map(|p| p.0), region.as_ref())
                .await?;
        }
        checks.finish()?;
        let (category, subcategory) = parsed.expect("checks passed");
        Ok((region.expect("checks passed"), category, subcategory))
    }

    /// A unit's zone: only a 项目落户地 unit has one, and it lies in the unit's own county.
    async fn check_unit_zone(
        &self,
        checks: &mut Checks,
        zone: i64,
        category: Option<UnitCategory>,
        region: Option<&RegionCode>,
    ) -> Result<(), StoreError> {
        if category.is_some_and(|c| c != UnitCategory::Landing) {
            checks.add("zone_id", ZONE_NOT_LANDING);
            return Ok(());
        }
        let found: Option<(String, String)> =
            sqlx::query_as("SELECT county_code, name FROM zones WHERE id = $1")
                .bind(zone)
                .fetch_optional(&self.db.pool)
                .await?;
        match (found, region) {
            (None, _) => checks.add("zone_id", "所选园区/乡镇不存在"),
            (Some((county, name)), Some(region)) if county != region.as_str() => {
                let region_name = crate::regions::Regions::new(&self.db)
                    .get(region)
                    .await?
                    .map_or_else(|| region.to_string(), |r| r.name);
                checks.add(
                    "zone_id",
                    format!(
                        "园区/乡镇“{name}”不在{region_name}，只能关联本单位所在县市区的园区/乡镇"
                    ),
                );
            }
            _ => {}
        }
        Ok(())
    }

    pub async fn create(&self, input: UnitInput) -> Result<Unit, StoreError> {
        self.actor.require(Permission::ManageUnits)?;
        let (region, category, subcategory) = self.checked_unit(&input).await?;
        let mut tx = self.db.pool.begin().await?;
        let id = insert_unit(&mut tx, &region, &input, category, subcategory).await?;
        let unit_after = serde_json::to_value(&input).unwrap_or_default();
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "unit",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("新增单位 {}", normalize_name(&input.name)),
                region: Some(&region),
                before: None,
                after: Some(unit_after),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    pub async fn update(&self, id: i64, input: UnitUpdate) -> Result<Unit, StoreError> {
        self.actor.require(Permission::ManageUnits)?;
        let before = self.get(id).await?;
        let (region, category, subcategory) = self.checked_unit(&input.unit).await?;
        let u = &input.unit;
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE units SET name = $1, category = $2, subcategory = $3, region_code = $4, \
             sort_order = $5, contact_person = $6, contact_phone = $7, note = $8, active = $9, \
             updated_at = $10, version = version + 1, zone_id = $13 \
             WHERE id = $11 AND version = $12",
        )
        .bind(normalize_name(&u.name))
        .bind(category.as_str())
        .bind(subcategory.map(|s| s.as_str()))
        .bind(region.as_str())
        .bind(u.sort_order.unwrap_or(before.sort_order))
        .bind(opt(u.contact_person.as_deref()))
        .bind(opt(u.contact_phone.as_deref()))
        .bind(opt(u.note.as_deref()))
        .bind(input.active)
        .bind(clock::now())
        .bind(id)
        .bind(input.version)
        .bind(u.zone_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            on_constraint(
                e,
                "units_region_name_key",
                "name",
                "该行政区划下已有同名单位",
            )
        })?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        let mut after = serde_json::to_value(u).unwrap_or_default();
        after["active"] = input.active.into();
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "unit",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: format!("修改单位 {}", normalize_name(&u.name)),
                region: Some(&region),
                before: Some(before.snapshot()),
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }
}

pub(crate) async fn insert_unit(
    conn: &mut sqlx::AnyConnection,
    region: &RegionCode,
    input: &UnitInput,
    category: UnitCategory,
    subcategory: Option<UnitSubcategory>,
) -> Result<i64, StoreError> {
    let now = clock::now();
    sqlx::query_scalar(
        "INSERT INTO units (region_code, name, category, subcategory, sort_order, contact_person, \
         contact_phone, note, active, created_at, updated_at, zone_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id",
    )
    .bind(region.as_str())
    .bind(normalize_name(&input.name))
    .bind(category.as_str())
    .bind(subcategory.map(|s| s.as_str()))
    .bind(input.sort_order.unwrap_or(0))
    .bind(opt(input.contact_person.as_deref()))
    .bind(opt(input.contact_phone.as_deref()))
    .bind(opt(input.note.as_deref()))
    .bind(true)
    .bind(now)
    .bind(input.zone_id)
    .fetch_one(conn)
    .await
    .map_err(|e| {
        on_constraint(
            e,
            "units_region_name_key",
            "name",
            "该行政区划下已有同名单位",
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::kit::text::mask_phone;

    #[test]
    fn phones_keep_only_their_ends() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone(" 0737-5221234 "), "073****1234");
        assert_eq!(mask_phone("5221234"), "****34");
        assert_eq!(mask_phone("电话"), "****");
        assert_eq!(mask_phone(""), "****");
    }
}
