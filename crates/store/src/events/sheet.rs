//! Signing events from a sheet (e.g. the year's fairs a province plans): each row checked like
//! the form, organising regions named or coded within the user's scope, all rows written in
//! one transaction or none.

use crate::audit::{self, OwnedEntry};
use crate::events::{level_label, EventInput};
use crate::kit::clock;
use crate::kit::error::{RowError, StoreError};
use crate::kit::text::{has_hidden_chars, HIDDEN_CHARS};
use crate::scoped::Scoped;
use crate::sheets::{
    commit_audited, CheckedSheet, Choice, Column, Kind, SheetImport, SheetSpec, SheetUpload,
    PREVIEW_ROWS,
};
use luodi_domain::{Permission, RegionCode};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// The events sheet (签约活动导入模板).
pub struct EventsSheet;

const LEVELS: &[&str] = &["省级", "市级", "县级"];
const NAME: &str = "活动名称不能为空，且不超过100个字";

/// A level as users write it: 省级/市级/县级 or the code.
const LEVEL: Choice = Choice {
    parse: level_code,
    label: |code| Some(level_label(code)).filter(|l| !l.is_empty()),
    refused: |s| format!("级别应为省级、市级或县级，实际为“{s}”"),
};

const SPEC: SheetSpec = SheetSpec {
    sheet_name: "签约活动",
    max_rows: 5_000,
    columns: &[
        Column::new("name", "活动名称", 40.0)
            .required()
            .kind(Kind::Text { max: 100 })
            .blank(NAME)
            .refused(NAME)
            .note("活动全称，不超过100字，不能与已有活动同名"),
        Column::new("level", "级别", 8.0)
            .required()
            .kind(Kind::Choice(LEVEL))
            .blank("级别应为省级、市级或县级，实际为“”")
            .choices(LEVELS)
            .note("省级、市级或县级"),
        Column::new("held_on", "举办日期", 12.0)
            .required()
            .kind(Kind::Date)
            .blank("日期应为“YYYY-MM-DD”格式（2000年至2100年），实际为“”")
            .note("YYYY-MM-DD，2000年至2100年"),
        Column::new("host", "主办单位", 24.0)
            .kind(Kind::Text { max: 100 })
            .note("如“湖南省人民政府”"),
        Column::new("region", "组织地区", 14.0)
            .required()
            .blank("组织地区不能为空")
            .note("您管辖范围内的省、市州或县市区名称（如“益阳市”），或6位区划代码"),
    ],
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventPreviewRow {
    pub row: usize,
    pub name: String,
    pub level_label: String,
    /// YYYY-MM-DD
    pub held_on: String,
    pub host: Option<String>,
    pub region_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventImportPreview {
    pub total_rows: usize,
    pub valid_rows: usize,
    pub errors: Vec<RowError>,
    /// The first 200 valid rows.
    pub rows: Vec<EventPreviewRow>,
}

pub struct CheckedEvent {
    row: usize,
    input: EventInput,
    held_on: String,
    region_name: String,
}

fn level_code(s: &str) -> Option<&'static str> {
    ["province", "prefecture", "county"]
        .into_iter()
        .find(|code| *code == s || level_label(code) == s)
}

impl SheetImport for EventsSheet {
    const SPEC: &'static SheetSpec = &SPEC;
    const PERMISSION: Permission = Permission::ManageLedger;
    const LABEL: &'static str = "name";
    type Row = CheckedEvent;
    type Preview = EventImportPreview;

    async fn check(
        scoped: &Scoped,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<CheckedEvent>, StoreError> {
        let rows = &upload.rows;
        let directory = crate::regions::directory(&scoped.db).await?;
        // Regions of the user's scope by name (a name may stand for several, e.g. 城关镇-like
        // county names in different cities).
        let mut by_name: HashMap<&str, Vec<&crate::regions::Region>> = HashMap::new();
        for r in directory.all() {
            let inside = RegionCode::parse(&r.code).is_ok_and(|c| scoped.actor.scope.covers(&c));
            if inside {
                by_name.entry(r.name.as_str()).or_default().push(r);
            }
        }
        let names: Vec<String> = rows
            .iter()
            .filter_map(|r| r.cells.get("name").map(|s| s.trim().to_owned()))
            .filter(|s| !s.is_empty())
            .collect();
        // Names already held, by organising region (a name is unique within one region's
        // events); only a clash in a region of the user's own scope is ever reported.
        let mut taken: HashSet<(String, String)> = HashSet::new();
        for chunk in names.chunks(500) {
            let list: Vec<String> = (1..=chunk.len())
                .map(|i| match scoped.db.backend() {
                    crate::kit::db::Backend::Sqlite => "?".to_owned(),
                    crate::kit::db::Backend::Postgres => format!("${i}"),
                })
                .collect();
            let sql = format!(
                "SELECT region_code, name FROM signing_events WHERE name IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query_as::<_, (String, String)>(&sql);
            for n in chunk {
                q = q.bind(n);
            }
            taken.extend(q.fetch_all(&scoped.db.pool).await?);
        }
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        let mut sheet = CheckedSheet::default();
        for mut cells in upload.parse(&SPEC, None) {
            let name = cells.raw("name").to_owned();
            if has_hidden_chars(&name) {
                cells.add("name", HIDDEN_CHARS);
            }
            let region_text = cells.raw("region").to_owned();
            let region = if region_text.is_empty() {
                None
            } else if let Ok(code) = RegionCode::parse(&region_text) {
                match directory.get(code.as_str()) {
                    Some(r) if scoped.actor.scope.covers(&code) => Some(r),
                    _ => {
                        cells.add(
                            "region",
                            format!("行政区划 {region_text} 不存在或不在您的管辖范围内"),
                        );
                        None
                    }
                }
            } else {
                match by_name.get(region_text.as_str()).map(Vec::as_slice) {
                    Some([one]) => Some(*one),
                    Some(_) => {
                        cells.add(
                            "region",
                            format!("“{region_text}”对应多个行政区划，请填写6位区划代码"),
                        );
                        None
                    }
                    None => {
                        cells.add(
                            "region",
                            format!(
                                "“{region_text}”不是您管辖范围内的行政区划（可填名称或6位代码）"
                            ),
                        );
                        None
                    }
                }
            };
            if let (Some(region), false) = (region, name.is_empty()) {
                let key = (region.code.clone(), name.clone());
                if taken.contains(&key) {
                    cells.add("name", format!("{}已有名为“{name}”的签约活动", region.name));
                } else if let Some(first) = seen.get(&key) {
                    cells.add("name", format!("与第{first}行的活动同名且组织地区相同"));
                }
                seen.entry(key).or_insert(cells.row);
            }
            sheet.add(upload, cells, |cells| {
                let (level, held_on, region) =
                    (cells.code("level")?, cells.date("held_on")?, region?);
                Some(CheckedEvent {
                    row: cells.row,
                    input: EventInput {
                        name,
                        level: level.to_owned(),
                        held_on: held_on.to_string(),
                        host: cells.text("host"),
                        region_code: region.code.clone(),
                    },
                    held_on: held_on.to_string(),
                    region_name: region.name.clone(),
                })
            });
        }
        Ok(sheet)
    }

    fn preview(upload: &SheetUpload, checked: CheckedSheet<CheckedEvent>) -> EventImportPreview {
        EventImportPreview {
            total_rows: upload.rows.len(),
            valid_rows: checked.valid.len(),
            errors: checked.errors,
            rows: checked
                .valid
                .iter()
                .take(PREVIEW_ROWS)
                .map(|c| EventPreviewRow {
                    row: c.row,
                    name: c.input.name.clone(),
                    level_label: level_label(&c.input.level).to_owned(),
                    held_on: c.held_on.clone(),
                    host: c.input.host.clone(),
                    region_name: c.region_name.clone(),
                })
                .collect(),
        }
    }

    async fn write(
        scoped: &Scoped,
        _upload: &SheetUpload,
        rows: Vec<CheckedEvent>,
    ) -> Result<usize, StoreError> {
        let now = clock::now();
        let mut tx = scoped.db.pool.begin().await?;
        let mut entries = Vec::with_capacity(rows.len());
        for c in &rows {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO signing_events (name, level, held_on, host, region_code, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(&c.input.name)
            .bind(&c.input.level)
            .bind(&c.held_on)
            .bind(&c.input.host)
            .bind(&c.input.region_code)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            entries.push(OwnedEntry {
                region: Some(c.input.region_code.clone()),
                entity: "signing_event",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("新增签约活动 {}（Excel导入第{}行）", c.input.name, c.row),
                before: None,
                after: audit::compact_json(&c.input),
            });
        }
        commit_audited(scoped, tx, entries).await?;
        Ok(rows.len())
    }
}
