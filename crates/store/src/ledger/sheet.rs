//! Projects in and out of Excel: each sheet row is turned into a [`ProjectInput`] (names of
//! events, zones, units and regions resolved within the user's scope) and checked with the
//! same rules as the form; a commit writes every row in one transaction or none.

use super::Ledger;
use crate::kit::error::{RowError, StoreError};
use crate::kit::filter::Filter;
use crate::ledger::{Checked, ProjectInput};
use crate::scoped::Scoped;
use crate::sheets::{
    CheckedSheet, Column, SheetImport, SheetRow, SheetSpec, SheetUpload, PREVIEW_ROWS,
};
use luodi_domain::ledger::{milestone_conflicts, Stage};
use luodi_domain::tiers::Origin;
use luodi_domain::{parse_yes_no, Fen, Permission, RegionCode, UsdCents};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// The ledger sheet (项目台账导入模板); field names are those of `ProjectInput` (names instead of
/// ids for events, zones and units), so errors land on the right column.
pub struct ProjectsSheet;

const YES_NO: &[&str] = &["是", "否"];
const ORIGINS: &[&str] = &["境外", "省外境内", "省内"];
const STAGES: &[&str] = &[
    "线索",
    "意向",
    "在谈",
    "已签约",
    "已供地",
    "已开工",
    "已竣工",
    "已投产",
    "终止",
    "违约终止",
];

const SPEC: SheetSpec = SheetSpec {
    sheet_name: "项目台账",
    max_rows: 100_000,
    columns: &[
        Column::new("name", "项目名称", 36.0)
            .required()
            .note("项目全称，不超过200字"),
        Column::new("investor_name", "投资方", 30.0)
            .required()
            .note("投资企业全称"),
        Column::new("investor_credit_code", "统一社会信用代码", 22.0).note("18位，按GB 32100校验"),
        Column::new("investor_home", "投资方来源地", 14.0).note("国家或省份，如“广东省”“新加坡”"),
        Column::new("origin", "资金来源", 12.0)
            .required()
            .choices(ORIGINS)
            .note("境外、省外境内或省内"),
        Column::new("global500", "世界500强", 10.0)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("china500", "中国企业500强", 12.0)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("private500", "中国民营企业500强", 14.0)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("industry_code", "行业代码", 10.0).note("GB/T 4754-2017大类代码，如“39”"),
        Column::new("leading_industry", "主导产业", 14.0).note("本地主导产业标签"),
        Column::new("strategic_emerging", "战略性新兴产业", 12.0)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("total_investment_fen", "总投资（万元）", 14.0).note("数字，最多6位小数"),
        Column::new("contract_fen", "合同资金（万元）", 14.0).note("内资合同金额，数字"),
        Column::new("contract_cents", "合同外资（万美元）", 14.0)
            .note("外资合同金额，数字；与人民币分开统计"),
        Column::new("signed_on", "签约日期", 12.0).note("YYYY-MM-DD；已签约及其后阶段必填"),
        Column::new("event", "签约活动", 30.0).note("须与签约活动名称一致"),
        Column::new("region_code", "落户地", 12.0)
            .required()
            .note("县级区划名称（如“南县”）或6位代码"),
        Column::new("zone", "园区/乡镇", 20.0).note("须为落户地的园区或乡镇名称"),
        Column::new("attracting_unit", "招商单位", 24.0).note("单位名录中的名称"),
        Column::new("responsible_leader", "责任领导", 12.0),
        Column::new("responsible_unit", "责任单位", 24.0).note("单位名录中的名称"),
        Column::new("responsible_person", "责任人", 12.0),
        Column::new("service_plan", "服务方案", 30.0),
        Column::new("stage", "项目阶段", 10.0)
            .required()
            .choices(STAGES)
            .note("线索、意向、在谈、已签约、已供地、已开工、已竣工、已投产、终止、违约终止"),
        Column::new("land_supplied_on", "供地日期", 12.0)
            .note("YYYY-MM-DD，不早于签约日期；已供地及其后阶段填写，已供地必填"),
        Column::new("certificate_on", "交证日期", 12.0)
            .note("YYYY-MM-DD，不早于供地日期；已供地及其后阶段填写"),
        Column::new("started_on", "开工日期", 12.0)
            .note("YYYY-MM-DD，不早于交证日期；已开工、已竣工、已投产必填"),
        Column::new("completed_on", "竣工日期", 12.0)
            .note("YYYY-MM-DD，不早于开工日期；已竣工及其后阶段填写，已竣工必填"),
        Column::new("producing_on", "投产日期", 12.0)
            .note("YYYY-MM-DD，不早于竣工日期；已投产必填"),
        Column::new("case_by_case", "一事一议", 10.0)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("key_project", "重点项目", 10.0)
            .choices(YES_NO)
            .note("是/否"),
    ],
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectPreviewRow {
    pub row: usize,
    pub name: String,
    pub investor_name: String,
    pub region_code: String,
    /// The county's name, as the sheet may have given its code.
    pub region_name: String,
    pub stage: String,
    pub contract_fen: i64,
    pub contract_cents: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectImportPreview {
    pub total_rows: usize,
    pub valid_rows: usize,
    pub errors: Vec<RowError>,
    /// Rows that import but deserve a look: a signed project without any contract amount
    /// (marked 合同金额未填 in the ledger and the rates until it is filled in).
    pub warnings: Vec<RowError>,
    /// The first 200 valid rows, for a look before committing.
    pub rows: Vec<ProjectPreviewRow>,
}

/// The origin's code from its label or code; sheets also write 省外 for 省外境内.
fn origin_code(s: &str) -> Result<Origin, String> {
    match s.trim() {
        "省外" => Some(Origin::OutOfProvince),
        other => Origin::parse(other),
    }
    .ok_or_else(|| format!("资金来源应为境外、省外境内或省内，实际为“{}”", s.trim()))
}

/// Names users write in the sheet, resolved once per import.
#[derive(Default)]
struct Lookups {
    /// County codes by every way the landing place is written: "衡东县", "衡阳市衡东县",
    /// "湖南省衡阳市衡东县", "湖南省衡东县" (abbreviations such as "湖南衡阳" are not guessed).
    counties: HashMap<String, Vec<String>>,
    /// Each county's own name, by code.
    county_names: HashMap<String, String>,
    /// Zones by name, with their county, for a landing place written as a 园区's name.
    zones_by_name: HashMap<String, Vec<(i64, String)>>,
    /// Visible events by name, with the region organising each (names are unique per region).
    events: HashMap<String, Vec<(i64, RegionCode)>>,
    zones: HashMap<(String, String), i64>,
    units: HashMap<String, Vec<(i64, String)>>,
}

/// What a name written in a sheet stands for among the same-named records found.
enum Picked {
    One(i64),
    None,
    Several,
}

/// Of the records of one name (id and region), the one whose region fits the row, else the
/// only one there is.
fn pick_named<R>(found: &[(i64, R)], fits: impl Fn(&R) -> bool) -> Picked {
    let mut fitting = found.iter().filter(|(_, r)| fits(r));
    match (found, fitting.next(), fitting.next()) {
        (_, Some((id, _)), None) | ([(id, _)], _, _) => Picked::One(*id),
        ([], _, _) => Picked::None,
        _ => Picked::Several,
    }
}

/// The outcome of checking a sheet.
struct CheckedRows {
    valid: Vec<(usize, ProjectInput, Checked)>,
    errors: Vec<RowError>,
    lookups: Lookups,
}

impl Ledger<'_> {
    async fn import_lookups(&self) -> Result<Lookups, StoreError> {
        let mut l = Lookups::default();
        let (lo, hi) = match self.actor.scope.region_range() {
            Some(r) => r,
            None => ("0".into(), ":".into()),
        };
        // With the names of the levels above, as people write the full place.
        let counties: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT c.name, c.code, m.name, p.name FROM regions c \
             LEFT JOIN regions m ON m.code = c.parent_code \
             LEFT JOIN regions p ON p.code = m.parent_code \
             WHERE c.level = 'county' AND c.code >= $1 AND c.code < $2",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(&self.db.pool)
        .await?;
        for (name, code, parent, grandparent) in counties {
            let mut keys = vec![name.clone()];
            if let Some(parent) = &parent {
                keys.push(format!("{parent}{name}"));
                if let Some(grandparent) = &grandparent {
                    keys.push(format!("{grandparent}{parent}{name}"));
                    // "北京市东城区" skips the 市辖区 level; "湖南省南县" skips the city.
                    keys.push(format!("{grandparent}{name}"));
                }
            }
            for key in keys {
                l.counties.entry(key).or_default().push(code.clone());
            }
            l.county_names.insert(code, name);
        }
        let mut f =
            Filter::new("SELECT e.id, e.name, e.region_code FROM signing_events e WHERE 1 = 1");
        self.events().event_visibility(&mut f);
        let events: Vec<(i64, String, String)> =
            f.query_as(&f.sql).fetch_all(&self.db.pool).await?;
        for (id, name, region) in events {
            if let Ok(region) = RegionCode::parse(&region) {
                l.events.entry(name).or_default().push((id, region));
            }
        }
        let zones: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, county_code, name FROM zones WHERE county_code >= $1 AND county_code < $2",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(&self.db.pool)
        .await?;
        for (id, county, name) in zones {
            l.zones_by_name
                .entry(name.clone())
                .or_default()
                .push((id, county.clone()));
            l.zones.insert((county, name), id);
        }
        let units: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, name, region_code FROM units WHERE region_code >= $1 AND region_code < $2",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(&self.db.pool)
        .await?;
        for (id, name, region) in units {
            l.units.entry(name).or_default().push((id, region));
        }
        Ok(l)
    }

    /// Turns one sheet row into a project input and the errors of its cells. The input is
    /// whole even when cells are wrong (a placeholder stands in for each), so that the form's
    /// checks still run over the rest and one round of corrections suffices.
    fn row_input(&self, l: &Lookups, r: &SheetRow) -> RowInput {
        let mut errors = Vec::new();
        let cell = |f: &str| {
            r.cells
                .get(f)
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let optional = |f: &str| Some(cell(f)).filter(|s| !s.is_empty());
        let flag = |f: &'static str, errors: &mut Vec<(&'static str, String)>| match parse_yes_no(
            &cell(f),
        ) {
            Ok(b) => b,
            Err(m) => {
                errors.push((f, m));
                false
            }
        };
        // Required text is reported here too, so a row with several problems shows them all.
        for (field, label) in [("name", "项目名称"), ("investor_name", "投资方")] {
            if cell(field).is_empty() {
                errors.push((field, format!("{label}不能为空")));
            }
        }
        let global500 = flag("global500", &mut errors);
        let china500 = flag("china500", &mut errors);
        let private500 = flag("private500", &mut errors);
        let strategic_emerging = flag("strategic_emerging", &mut errors);
        let case_by_case = flag("case_by_case", &mut errors);
        let key_project = flag("key_project", &mut errors);
        let money = |f: &'static str, usd: bool, errors: &mut Vec<(&'static str, String)>| {
            let text = cell(f);
            if text.is_empty() {
                return 0;
            }
            let parsed = if usd {
                UsdCents::parse_wan_usd(&text).map(|u| u.0)
            } else {
                Fen::parse_wan_yuan(&text).map(|f| f.0)
            };
            parsed.unwrap_or_else(|e| {
                errors.push((f, e.to_string()));
                0
            })
        };
        let total_investment_fen = money("total_investment_fen", false, &mut errors);
        let contract_fen = money("contract_fen", false, &mut errors);
        let contract_cents = money("contract_cents", true, &mut errors);
        let origin = origin_code(&cell("origin")).unwrap_or_else(|m| {
            errors.push(("origin", m));
            // Never written: a row with errors is refused.
            Origin::InProvince
        });
        let stage_guessed = Stage::parse(&cell("stage")).is_none();
        let stage = Stage::parse(&cell("stage")).unwrap_or_else(|| {
            errors.push(("stage", format!("项目阶段“{}”无效，应为线索、意向、在谈、已签约、已供地、已开工、已竣工、已投产、终止或违约终止", cell("stage"))));
            Stage::Lead
        });
        let region_text: String = cell("region_code")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // A 园区 written as the landing place stands for its county and itself.
        let mut zone_of_landing = None;
        let region_code = if RegionCode::parse(&region_text).is_ok() {
            region_text.clone()
        } else {
            match (
                l.counties.get(&region_text).map(Vec::as_slice),
                l.zones_by_name.get(&region_text).map(Vec::as_slice),
            ) {
                (Some([code]), _) => code.clone(),
                (Some(_), _) => {
                    errors.push((
                        "region_code",
                        format!("“{region_text}”对应多个县级区划，请写上所属的市（如“衡阳市{region_text}”）或填写6位区划代码"),
                    ));
                    String::new()
                }
                (None, Some([(zone, county)])) => {
                    zone_of_landing = Some(*zone);
                    county.clone()
                }
                (None, Some(_)) => {
                    errors.push((
                        "region_code",
                        format!("有多个名为“{region_text}”的园区或乡镇，请填写所在县级区划"),
                    ));
                    String::new()
                }
                (None, None) => {
                    errors.push((
                        "region_code",
                        format!(
                            "落户地“{region_text}”不是您管辖范围内的县级区划或园区（可填“南县”“益阳市南县”、6位代码或园区名称）"
                        ),
                    ));
                    String::new()
                }
            }
        };
        // Of same-named events (a county's and its city's, say), the one organised over the
        // project's county; one found elsewhere is checked later with the rest of the row.
        let county = RegionCode::parse(&region_code).ok();
        let event_id = optional("event").and_then(|name| {
            let found = l.events.get(&name).map(Vec::as_slice).unwrap_or(&[]);
            match pick_named(found, |organiser| {
                county.as_ref().is_some_and(|c| organiser.contains(c))
            }) {
                Picked::One(id) => Some(id),
                Picked::None => {
                    errors.push((
                        "event",
                        format!("签约活动“{name}”不存在，请先在签约活动中登记"),
                    ));
                    None
                }
                Picked::Several => {
                    errors.push((
                        "event",
                        format!("有多个地区组织了名为“{name}”的签约活动，无法确定是哪一个"),
                    ));
                    None
                }
            }
        });
        let zone_id = match optional("zone") {
            None => zone_of_landing,
            Some(name) => match l.zones.get(&(region_code.clone(), name.clone())) {
                Some(id) => Some(*id),
                None => {
                    errors.push(("zone", format!("落户地没有名为“{name}”的园区或乡镇")));
                    None
                }
            },
        };
        let unit = |f: &'static str, errors: &mut Vec<(&'static str, String)>| {
            optional(f).and_then(|name| {
                let found = l.units.get(&name).map(Vec::as_slice).unwrap_or(&[]);
                match pick_named(found, |r| *r == region_code) {
                    Picked::One(id) => Some(id),
                    Picked::None => {
                        errors.push((f, format!("单位名录中没有“{name}”")));
                        None
                    }
                    Picked::Several => {
                        errors.push((f, format!("“{name}”在多个地区重名，无法确定是哪一个")));
                        None
                    }
                }
            })
        };
        let attracting_unit_id = unit("attracting_unit", &mut errors);
        let responsible_unit_id = unit("responsible_unit", &mut errors);
        let input = ProjectInput {
            name: cell("name"),
            investor_name: cell("investor_name"),
            investor_credit_code: optional("investor_credit_code"),
            investor_home: optional("investor_home"),
            origin,
            global500,
            china500,
            private500,
            industry_code: optional("industry_code"),
            leading_industry: optional("leading_industry"),
            strategic_emerging,
            total_investment_fen,
            contract_fen,
            contract_cents,
            signed_on: optional("signed_on"),
            event_id,
            region_code,
            zone_id,
            attracting_unit_id,
            responsible_leader: optional("responsible_leader"),
            responsible_unit_id,
            responsible_person: optional("responsible_person"),
            service_plan: optional("service_plan"),
            stage,
            land_supplied_on: optional("land_supplied_on"),
            certificate_on: optional("certificate_on"),
            started_on: optional("started_on"),
            completed_on: optional("completed_on"),
            producing_on: optional("producing_on"),
            case_by_case,
            key_project,
        };
        RowInput {
            input,
            errors,
            stage_guessed,
        }
    }

    /// Checks every row; returns the inputs that passed, the errors of those that did not, and
    /// the names looked up on the way.
    async fn check_project_rows(
        &self,
        rows: &[SheetRow],
        columns: &HashMap<&'static str, String>,
    ) -> Result<CheckedRows, StoreError> {
        let lookups = self.import_lookups().await?;
        let refs = self.refs_in_scope().await?;
        let limit = self.rules().date_limit().await?;
        // Form fields whose errors belong to a differently named sheet column.
        let sheet_field = |field: &str| -> String {
            match field {
                "event_id" => "event",
                "zone_id" => "zone",
                "attracting_unit_id" => "attracting_unit",
                "responsible_unit_id" => "responsible_unit",
                f => f,
            }
            .to_owned()
        };
        let column_of = |field: &str| columns.get(field).cloned().unwrap_or_default();
        let mut valid = Vec::new();
        let mut errors = Vec::new();
        for r in rows {
            let mut push = |field: &str, message: String| {
                errors.push(RowError {
                    row: r.row,
                    column: column_of(field),
                    field: field.to_owned(),
                    message,
                    label: None,
                })
            };
            let RowInput {
                input,
                errors: cell_errors,
                stage_guessed,
            } = self.row_input(&lookups, r);
            // The form's checks run over a row with bad cells too; what they say about a cell
            // already reported (or about the milestones of a stage that was only guessed) is
            // left out.
            let reported: HashSet<&str> = cell_errors.iter().map(|(f, _)| *f).collect();
            let guessed: Vec<(&str, String)> = if stage_guessed {
                let dates = [
                    &input.signed_on,
                    &input.land_supplied_on,
                    &input.certificate_on,
                    &input.started_on,
                    &input.completed_on,
                    &input.producing_on,
                ]
                .map(|d| d.as_deref());
                milestone_conflicts(input.stage, &dates)
            } else {
                Vec::new()
            };
            let clean = cell_errors.is_empty();
            for (f, m) in cell_errors {
                push(f, m);
            }
            match self.check_project_with(&refs, limit, &input) {
                Ok(checked) if clean => valid.push((r.row, input, checked)),
                Ok(_) => {}
                Err(StoreError::Validation(fields)) => {
                    for (field, messages) in fields {
                        let field = sheet_field(&field);
                        if reported.contains(field.as_str()) {
                            continue;
                        }
                        for m in messages {
                            if !guessed.iter().any(|(f, g)| *f == field && *g == m) {
                                push(&field, m);
                            }
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(CheckedRows {
            valid,
            errors,
            lookups,
        })
    }
}

/// One sheet row read into a project input, with its cells' errors.
struct RowInput {
    input: ProjectInput,
    errors: Vec<(&'static str, String)>,
    /// The stage cell did not parse; the input carries a placeholder stage.
    stage_guessed: bool,
}

/// A sheet row checked and ready to write.
pub struct ProjectRow {
    row: usize,
    input: ProjectInput,
    checked: Checked,
    /// The county's name, as the sheet may have given its code.
    region_name: String,
}

impl SheetImport for ProjectsSheet {
    const SPEC: &'static SheetSpec = &SPEC;
    const PERMISSION: Permission = Permission::ManageLedger;
    const LABEL: &'static str = "name";
    type Row = ProjectRow;
    type Preview = ProjectImportPreview;

    async fn check(
        scoped: &Scoped,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<ProjectRow>, StoreError> {
        let CheckedRows {
            valid,
            errors,
            lookups,
        } = scoped
            .ledger()
            .check_project_rows(&upload.rows, &upload.columns)
            .await?;
        let names = lookups.county_names;
        let valid = valid
            .into_iter()
            .map(|(row, input, checked)| ProjectRow {
                region_name: names.get(&input.region_code).cloned().unwrap_or_default(),
                row,
                input,
                checked,
            })
            .collect();
        Ok(CheckedSheet {
            valid,
            errors,
            skipped: 0,
        })
    }

    fn preview(upload: &SheetUpload, checked: CheckedSheet<ProjectRow>) -> ProjectImportPreview {
        let warnings = checked
            .valid
            .iter()
            .filter(|r| {
                r.input.stage.is_signed() && r.input.contract_fen == 0 && r.input.contract_cents == 0
            })
            .map(|r| {
                let mut w = upload.error(
                    r.row,
                    "contract_fen",
                    "已签约项目未填合同资金（合同外资也未填），将标记为“合同金额未填”，资金到位率无从计算，请尽快补填",
                );
                w.label = Some(r.input.name.clone());
                w
            })
            .collect();
        ProjectImportPreview {
            total_rows: upload.rows.len(),
            valid_rows: checked.valid.len(),
            errors: checked.errors,
            warnings,
            rows: checked
                .valid
                .into_iter()
                .take(PREVIEW_ROWS)
                .map(|r| ProjectPreviewRow {
                    row: r.row,
                    name: r.input.name,
                    investor_name: r.input.investor_name,
                    region_code: r.input.region_code,
                    region_name: r.region_name,
                    stage: r.input.stage.as_str().to_owned(),
                    contract_fen: r.input.contract_fen,
                    contract_cents: r.input.contract_cents,
                })
                .collect(),
        }
    }

    /// Writes every row in one transaction through the bulk path (no WAL checkpoint inside
    /// the request).
    async fn write(
        scoped: &Scoped,
        _upload: &SheetUpload,
        rows: Vec<ProjectRow>,
    ) -> Result<usize, StoreError> {
        let started = std::time::Instant::now();
        let items: Vec<_> = rows
            .iter()
            .map(|r| (&r.checked, &r.input, format!("Excel导入（第{}行）", r.row)))
            .collect();
        let ledger = scoped.ledger();
        let mut conn = scoped.db.begin_bulk_write().await?;
        let written = async {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            ledger.insert_projects(&mut tx, &items).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await;
        scoped.db.end_bulk_write(conn).await;
        written?;
        tracing::info!(
            rows = rows.len(),
            write_ms = started.elapsed().as_millis() as u64,
            "ledger import committed"
        );
        Ok(rows.len())
    }
}
