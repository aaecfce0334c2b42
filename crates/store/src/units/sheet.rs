//! The unit directory from a sheet (单位名录导入模板): the region the rows join is chosen in the
//! import form; every row is checked first, then all are written in one transaction, or none.

use super::{check_fields, insert_unit, normalize_name, UnitInput, ZONE_NOT_LANDING};
use crate::audit::{self, Change};
use crate::kit::error::{Checks, RowError, StoreError};
use crate::scoped::Scoped;
use crate::sheets::{
    choice, CheckedSheet, Choice, Column, Kind, SheetImport, SheetSpec, SheetUpload,
};
use luodi_domain::{Permission, RegionCode, UnitCategory, UnitSubcategory};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// The units sheet.
pub struct UnitsSheet;

const ZONE_NOTE: &str =
    "仅项目落户地填写：该单位对应的本县市区园区或乡镇的名称，如“南县经济开发区”“南洲镇”；\
                         填写后，该单位账号可查看落户在此的项目";

const SPEC: SheetSpec = SheetSpec {
    sheet_name: "单位名录",
    max_rows: 10_000,
    columns: &[
        Column::new("name", "单位名称", 36.0)
            .required()
            .note("单位全称，如“县商务局(县投资促进服务中心)”；同一行政区划内不得重复"),
        Column::new("category", "单位类别", 16.0)
            .required()
            .kind(Kind::Choice(CATEGORY))
            .choices(&["责任招商单位", "项目落户地", "鼓励招商单位"])
            .note("从下拉列表选择：责任招商单位、项目落户地、鼓励招商单位"),
        Column::new("subcategory", "子类别", 16.0)
            .kind(Kind::Choice(SUBCATEGORY))
            .choices(&["综合协调单位", "产业招商单位"])
            .note("责任招商单位必填（综合协调单位或产业招商单位），其他类别留空"),
        Column::new("zone", "园区/乡镇", 20.0).note(ZONE_NOTE),
        Column::new("sort_order", "排序", 8.0)
            .kind(Kind::Int {
                min: 0,
                max: 999_999_999,
                refused: |s| format!("排序应为非负整数，实际为“{s}”"),
            })
            .note("类别内的官方排列顺序，非负整数；留空则按表中顺序"),
        Column::new("contact_person", "联系人", 12.0).note("选填，不超过50字"),
        Column::new("contact_phone", "联系电话", 16.0).note("选填"),
        Column::new("note", "备注", 30.0).note("选填，不超过500字"),
    ],
};

/// The category as the form has it (the form's checks say why one is refused).
const CATEGORY: Choice = choice!(UnitCategory, |_| {
    "单位类别应为“责任招商单位”“项目落户地”“鼓励招商单位”之一".to_owned()
});

const SUBCATEGORY: Choice = choice!(UnitSubcategory, |_| {
    "子类别应为“综合协调单位”或“产业招商单位”".to_owned()
});

/// A row that passed every check, as the preview shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitPreviewRow {
    pub row: usize,
    pub name: String,
    #[schema(value_type = UnitCategory)]
    pub category: String,
    #[schema(value_type = Option<UnitSubcategory>)]
    pub subcategory: Option<String>,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub sort_order: i64,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitImportPreview {
    pub total_rows: usize,
    pub valid_rows: usize,
    pub errors: Vec<RowError>,
    pub rows: Vec<UnitPreviewRow>,
}

/// The region a units sheet goes into, from the import form.
async fn sheet_region(scoped: &Scoped, upload: &SheetUpload) -> Result<RegionCode, StoreError> {
    let region = upload.field("region_code", "请选择导入到哪个行政区划")?;
    scoped
        .regions()
        .region_in_scope(region)
        .await
        .map_err(|m| StoreError::field("region_code", m))
}

impl SheetImport for UnitsSheet {
    const SPEC: &'static SheetSpec = &SPEC;
    const PERMISSION: Permission = Permission::ManageUnits;
    const LABEL: &'static str = "name";
    type Row = UnitPreviewRow;
    type Preview = UnitImportPreview;

    async fn check(
        scoped: &Scoped,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<UnitPreviewRow>, StoreError> {
        let region = sheet_region(scoped, upload).await?;
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT name FROM units WHERE region_code = $1")
                .bind(region.as_str())
                .fetch_all(&scoped.db.pool)
                .await?;
        let existing: std::collections::HashSet<String> = existing.into_iter().collect();
        let zones: HashMap<String, i64> =
            sqlx::query_as::<_, (String, i64)>("SELECT name, id FROM zones WHERE county_code = $1")
                .bind(region.as_str())
                .fetch_all(&scoped.db.pool)
                .await?
                .into_iter()
                .collect();
        let mut sheet = CheckedSheet::default();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, mut cells) in upload.parse(&SPEC, None).enumerate() {
            // Blank: the order of the sheet.
            let sort_order = match cells.filled("sort_order") {
                false => Some(i as i64 + 1),
                true => cells.int("sort_order"),
            };
            let zone = cells.text("zone");
            let zone_id = zone.as_ref().and_then(|z| zones.get(z).copied());
            let input = UnitInput {
                name: cells.raw("name").to_owned(),
                category: cells.code("category").unwrap_or_default().to_owned(),
                subcategory: cells.code("subcategory").map(str::to_owned),
                region_code: region.to_string(),
                zone_id,
                sort_order,
                contact_person: cells.text("contact_person"),
                contact_phone: cells.text("contact_phone"),
                note: cells.text("note"),
            };
            let mut checks = Checks::default();
            let parsed = check_fields(&mut checks, &input);
            cells.absorb(checks.finish(), |f| f)?;
            if let Some(zone) = &zone {
                if parsed.is_some_and(|(c, _)| c != UnitCategory::Landing) {
                    cells.add("zone", ZONE_NOT_LANDING);
                } else if zone_id.is_none() {
                    cells.add("zone", format!("“{zone}”不是该行政区划的园区/乡镇"));
                }
            }
            let name = normalize_name(&input.name);
            if !name.is_empty() {
                if let Some(first) = seen.get(&name) {
                    cells.add("name", format!("单位名称“{name}”与第{first}行重复"));
                } else if existing.contains(&name) {
                    cells.add("name", format!("单位“{name}”已在该行政区划的名录中"));
                } else {
                    seen.insert(name.clone(), cells.row);
                }
            }
            sheet.add(upload, cells, |cells| {
                let (category, subcategory) = parsed?;
                Some(UnitPreviewRow {
                    row: cells.row,
                    name,
                    category: category.as_str().to_owned(),
                    subcategory: subcategory.map(|s| s.as_str().to_owned()),
                    zone_id,
                    zone_name: zone,
                    sort_order: sort_order.unwrap_or_default(),
                    contact_person: input.contact_person,
                    contact_phone: input.contact_phone,
                    note: input.note,
                })
            });
        }
        Ok(sheet)
    }

    fn preview(upload: &SheetUpload, checked: CheckedSheet<UnitPreviewRow>) -> UnitImportPreview {
        UnitImportPreview {
            total_rows: upload.rows.len(),
            valid_rows: checked.valid.len(),
            errors: checked.errors,
            rows: checked.valid,
        }
    }

    async fn write(
        scoped: &Scoped,
        upload: &SheetUpload,
        rows: Vec<UnitPreviewRow>,
    ) -> Result<usize, StoreError> {
        let region = sheet_region(scoped, upload).await?;
        let mut tx = scoped.db.pool.begin().await?;
        for row in &rows {
            let input = UnitInput {
                name: row.name.clone(),
                category: row.category.clone(),
                subcategory: row.subcategory.clone(),
                region_code: region.to_string(),
                zone_id: row.zone_id,
                sort_order: Some(row.sort_order),
                contact_person: row.contact_person.clone(),
                contact_phone: row.contact_phone.clone(),
                note: row.note.clone(),
            };
            let category = UnitCategory::parse(&row.category).expect("validated");
            let subcategory = row.subcategory.as_deref().and_then(UnitSubcategory::parse);
            let id = insert_unit(&mut tx, &region, &input, category, subcategory)
                .await
                .map_err(|e| match e {
                    // Someone added the same unit between the check and now.
                    StoreError::Conflict { message, .. } => {
                        StoreError::Rows(vec![upload.error(row.row, "name", message)])
                    }
                    other => other,
                })?;
            audit::record(
                &mut tx,
                (&scoped.actor).into(),
                Change {
                    entity: "unit",
                    entity_id: Some(id.to_string()),
                    action: "import",
                    summary: format!("导入单位 {}（第{}行）", row.name, row.row),
                    region: Some(&region),
                    before: None,
                    after: serde_json::to_value(&input).ok(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }
}
