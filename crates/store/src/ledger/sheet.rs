//! Projects in and out of Excel: each sheet row is turned into a [`ProjectInput`] (names of
//! events, zones, units and regions resolved within the user's scope) and checked with the
//! same rules as the form; a commit writes every row in one transaction or none.

use super::Ledger;
use crate::duplicates;
use crate::kit::error::{RowError, StoreError};
use crate::kit::filter::Filter;
use crate::ledger::stages::STAGE_CHOICES;
use crate::ledger::{Checked, ProjectInput};
use crate::scoped::Scoped;
use crate::sheets::{
    choice, Cells, CheckedSheet, Choice, Column, Kind, SheetImport, SheetSpec, SheetUpload,
    PREVIEW_ROWS,
};
use luodi_domain::ledger::{milestone_conflicts, Stage};
use luodi_domain::tiers::Origin;
use luodi_domain::{Permission, RegionCode};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// The ledger sheet (项目台账导入模板); field names are those of `ProjectInput` (names instead of
/// ids for events, zones and units), so errors land on the right column.
pub struct ProjectsSheet;

const YES_NO: &[&str] = &["是", "否"];
const ORIGINS: &[&str] = &["境外", "省外境内", "省内"];
const STAGE_REFUSED: &str =
    "项目阶段“”无效，应为线索、意向、在谈、已签约、已供地、已开工、已竣工、已投产、终止或违约终止";

/// The origin by its label or code; sheets also write 省外 for 省外境内.
const ORIGIN: Choice = Choice {
    parse: |s| match s {
        "省外" => Some(Origin::OutOfProvince.as_str()),
        other => Origin::parse(other).map(Origin::as_str),
    },
    label: |c| Origin::parse(c).map(Origin::label),
    refused: |s| format!("资金来源应为境外、省外境内或省内，实际为“{s}”"),
};

const STAGE: Choice = choice!(Stage, |s| {
    format!("项目阶段“{s}”无效，应为线索、意向、在谈、已签约、已供地、已开工、已竣工、已投产、终止或违约终止")
});

const SPEC: SheetSpec = SheetSpec {
    sheet_name: "项目台账",
    max_rows: 100_000,
    columns: &[
        Column::new("name", "项目名称", 36.0)
            .required()
            .blank("项目名称不能为空")
            .note("项目全称，不超过200字"),
        Column::new("investor_name", "投资方", 30.0)
            .required()
            .blank("投资方不能为空")
            .note("投资企业全称"),
        Column::new("investor_credit_code", "统一社会信用代码", 22.0)
            .kind(Kind::CreditCode)
            .note("18位，按GB 32100校验；已签约及其后阶段必填，无代码时填写“无代码原因”"),
        Column::new("credit_code_missing_reason", "无代码原因", 24.0)
            .kind(Kind::Text { max: 200 })
            .note("已签约及其后阶段未填统一社会信用代码时必填，一句话说明，如“境外投资者无统一社会信用代码”“投资主体尚未注册”"),
        Column::new("investor_home", "投资方来源地", 14.0).note("国家或省份，如“广东省”“新加坡”"),
        Column::new("origin", "资金来源", 12.0)
            .required()
            .kind(Kind::Choice(ORIGIN))
            .blank("资金来源应为境外、省外境内或省内，实际为“”")
            .choices(ORIGINS)
            .note("境外、省外境内或省内"),
        Column::new("global500", "世界500强", 10.0)
            .kind(Kind::YesNo)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("china500", "中国企业500强", 12.0)
            .kind(Kind::YesNo)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("private500", "中国民营企业500强", 14.0)
            .kind(Kind::YesNo)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("industry_code", "行业代码", 10.0).note("GB/T 4754-2017大类代码，如“39”"),
        Column::new("leading_industry", "主导产业", 14.0).note("本地主导产业标签"),
        Column::new("strategic_emerging", "战略性新兴产业", 12.0)
            .kind(Kind::YesNo)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("total_investment_fen", "总投资（万元）", 14.0)
            .kind(Kind::Wan)
            .note("数字，最多6位小数"),
        Column::new("contract_fen", "合同资金（万元）", 14.0)
            .kind(Kind::Wan)
            .note("内资合同金额，数字"),
        Column::new("contract_cents", "合同外资（万美元）", 14.0)
            .kind(Kind::Wan)
            .note("外资合同金额，数字；与人民币分开统计"),
        Column::new("signed_on", "签约日期", 12.0)
            .kind(Kind::PastDate)
            .note("YYYY-MM-DD；已签约及其后阶段必填"),
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
            .kind(Kind::Choice(STAGE))
            .blank(STAGE_REFUSED)
            .choices(STAGE_CHOICES)
            .note("线索、意向、在谈、已签约、已供地、已开工、已竣工、已投产、终止、违约终止"),
        Column::new("land_supplied_on", "供地日期", 12.0)
            .kind(Kind::PastDate)
            .note("YYYY-MM-DD，不早于签约日期；已供地及其后阶段填写，已供地必填"),
        Column::new("certificate_on", "交证日期", 12.0)
            .kind(Kind::PastDate)
            .note("YYYY-MM-DD，不早于供地日期；已供地及其后阶段填写"),
        Column::new("started_on", "开工日期", 12.0)
            .kind(Kind::PastDate)
            .note("YYYY-MM-DD，不早于交证日期；已开工、已竣工、已投产必填"),
        Column::new("completed_on", "竣工日期", 12.0)
            .kind(Kind::PastDate)
            .note("YYYY-MM-DD，不早于开工日期；已竣工及其后阶段填写，已竣工必填"),
        Column::new("producing_on", "投产日期", 12.0)
            .kind(Kind::PastDate)
            .note("YYYY-MM-DD，不早于竣工日期；已投产必填"),
        Column::new("case_by_case", "一事一议", 10.0)
            .kind(Kind::YesNo)
            .choices(YES_NO)
            .note("是/否"),
        Column::new("key_project", "重点项目", 10.0)
            .kind(Kind::YesNo)
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

impl Ledger<'_> {
    async fn import_lookups(&self) -> Result<Lookups, StoreError> {
        let mut l = Lookups::default();
        let (lo, hi) = self.actor.scope.entry_range();
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

    /// Turns one parsed sheet row into a project input, adding the errors of the names it
    /// looks up. The input is whole even when cells are wrong (a placeholder stands in for
    /// each), so that the form's checks still run over the rest and one round of corrections
    /// suffices; the second value says the stage is such a placeholder.
    fn row_input(&self, l: &Lookups, r: &mut Cells) -> (ProjectInput, bool) {
        let mut errors: Vec<(&'static str, String)> = Vec::new();
        let optional = |f: &str| Some(r.raw(f).to_owned()).filter(|s| !s.is_empty());
        // Never written: a row with errors is refused.
        let origin = r
            .code("origin")
            .and_then(Origin::parse)
            .unwrap_or(Origin::InProvince);
        let stage_guessed = r.code("stage").is_none();
        let stage = r
            .code("stage")
            .and_then(Stage::parse)
            .unwrap_or(Stage::Lead);
        let region_text: String = r
            .raw("region_code")
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
            name: r.raw("name").to_owned(),
            investor_name: r.raw("investor_name").to_owned(),
            investor_credit_code: optional("investor_credit_code"),
            credit_code_missing_reason: optional("credit_code_missing_reason"),
            investor_home: optional("investor_home"),
            origin,
            global500: r.yes("global500"),
            china500: r.yes("china500"),
            private500: r.yes("private500"),
            industry_code: optional("industry_code"),
            leading_industry: optional("leading_industry"),
            strategic_emerging: r.yes("strategic_emerging"),
            total_investment_fen: r.minor("total_investment_fen").unwrap_or(0),
            contract_fen: r.minor("contract_fen").unwrap_or(0),
            contract_cents: r.minor("contract_cents").unwrap_or(0),
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
            case_by_case: r.yes("case_by_case"),
            key_project: r.yes("key_project"),
        };
        for (field, message) in errors {
            r.add(field, message);
        }
        (input, stage_guessed)
    }

    /// Checks every row: its cells by their kinds, the names it looks up, then the form's
    /// checks.
    async fn check_project_rows(
        &self,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<ProjectRow>, StoreError> {
        let lookups = self.import_lookups().await?;
        let refs = self.refs_in_scope().await?;
        let rules = self.project_rules().await?;
        let mut sheet = CheckedSheet::default();
        for mut cells in upload.parse(&SPEC, Some(rules.limit)) {
            let (input, stage_guessed) = self.row_input(&lookups, &mut cells);
            // The form's checks run over a row with bad cells too; what they say about a cell
            // already reported (or about the milestones of a stage that was only guessed) is
            // left out.
            let mut checked = self.check_project_with(&refs, rules, &input);
            if let (true, Err(StoreError::Validation(fields))) = (stage_guessed, &mut checked) {
                let dates = [
                    &input.signed_on,
                    &input.land_supplied_on,
                    &input.certificate_on,
                    &input.started_on,
                    &input.completed_on,
                    &input.producing_on,
                ]
                .map(|d| d.as_deref());
                for (field, message) in milestone_conflicts(input.stage, &dates) {
                    if let Some(messages) = fields.get_mut(field) {
                        messages.retain(|m| *m != message);
                    }
                }
                fields.retain(|_, messages| !messages.is_empty());
            }
            let checked = cells.absorb(checked, sheet_field)?;
            sheet.add(upload, cells, |cells| {
                Some(ProjectRow {
                    region_name: lookups
                        .county_names
                        .get(&input.region_code)
                        .cloned()
                        .unwrap_or_default(),
                    row: cells.row,
                    checked: checked?,
                    input,
                })
            });
        }
        Ok(sheet)
    }
}

/// The sheet's column of a form field whose name differs.
fn sheet_field(field: &str) -> &str {
    match field {
        "event_id" => "event",
        "zone_id" => "zone",
        "attracting_unit_id" => "attracting_unit",
        "responsible_unit_id" => "responsible_unit",
        f => f,
    }
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
        scoped.ledger().check_project_rows(upload).await
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
        if ledger.matched_after_import(items.len()) {
            duplicates::start(&scoped.db, scoped.settings.clone());
        }
        Ok(rows.len())
    }
}
