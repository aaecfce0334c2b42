//! Stage changes (阶段变更): one project's through the form, or many at once through a sheet,
//! under the same rules — a stage's milestone date set, a step back clearing the later ones,
//! no skipped step, dates in order and none after today (but for the rules' grace) — each
//! kept in the project's stage history and audited.

use super::{stage_snapshot, Ledger, Project, ProjectRules};
use crate::audit::{self, OwnedEntry};
use crate::kit::clock;
use crate::kit::error::{RowError, StoreError};
use crate::scoped::{Actor, Scoped};
use crate::sheets::{
    choice, commit_audited, Cells, CheckedSheet, Choice, Column, Kind, SheetImport, SheetSpec,
    SheetUpload, PREVIEW_ROWS,
};
use luodi_domain::ledger::{
    credit_code_problem, dates_after_stage_change, milestone_conflicts, milestone_order_errors,
    Stage,
};
use luodi_domain::Permission;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

/// A stage change checked against the project as it stands, ready to write.
pub struct PlannedChange {
    project_id: i64,
    project_name: String,
    region_code: String,
    version: i64,
    stage: Stage,
    date: String,
    note: Option<String>,
    before_stage: String,
    before_label: String,
    current: [Option<String>; 6],
    dates: [Option<String>; 6],
}

impl PlannedChange {
    pub(crate) fn stage(&self) -> Stage {
        self.stage
    }

    /// The milestone date (YYYY-MM-DD).
    pub(crate) fn date(&self) -> &str {
        &self.date
    }

    pub(crate) fn before_label(&self) -> &str {
        &self.before_label
    }
}

/// How a stage change's problem with the investor's credit code ends: the code, or the reason
/// for its absence, comes before the stage.
pub(crate) const CREDIT_CODE_FIRST: &str = "：请填写统一社会信用代码或说明原因后再变更阶段";

/// Plans moving `before` to `stage` on `changed_on` (as typed), or says why not: the date's
/// problem (`changed_on`), or the story the dates would tell and a signed project's missing
/// credit code (`stage`).
pub(crate) fn plan(
    before: &Project,
    stage: Stage,
    changed_on: &str,
    note: Option<String>,
    rules: ProjectRules,
) -> Result<PlannedChange, (&'static str, Vec<String>)> {
    let date = rules
        .limit
        .parse(changed_on)
        .map_err(|m| ("changed_on", vec![m]))?;
    plan_on(before, stage, date, note, rules).map_err(|problems| ("stage", problems))
}

/// Plans moving `before` to `stage` on a date already checked, or says what story the dates
/// would tell, and whether the project names its investor as a signed one must.
fn plan_on(
    before: &Project,
    stage: Stage,
    date: time::Date,
    note: Option<String>,
    rules: ProjectRules,
) -> Result<PlannedChange, Vec<String>> {
    let date = date.to_string();
    let current = [
        before.signed_on.clone(),
        before.land_supplied_on.clone(),
        before.certificate_on.clone(),
        before.started_on.clone(),
        before.completed_on.clone(),
        before.producing_on.clone(),
    ];
    let (dates, cleared) = dates_after_stage_change(stage, &date, &current);
    let refs = dates.each_ref().map(|d| d.as_deref());
    // The dates beyond the stage were cleared, so a conflict left is a missing date: a step
    // that was skipped.
    let problems: Vec<String> = milestone_conflicts(stage, &refs)
        .into_iter()
        .map(|(_, message)| format!("{message}：请按顺序变更阶段，逐步登记各里程碑日期"))
        .chain(milestone_order_errors(&refs).into_iter().map(|(_, m)| m))
        .chain(
            credit_code_problem(
                stage,
                before.investor_credit_code.is_some(),
                before.credit_code_missing_reason.as_deref(),
                rules.reason_min_chars,
            )
            .map(|(_, m)| format!("{m}{CREDIT_CODE_FIRST}")),
        )
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let note = match (note, cleared.is_empty()) {
        (note, true) => note,
        (note, false) => Some(format!(
            "{}（阶段回退，清除{}）",
            note.unwrap_or_default(),
            cleared.join("、")
        )),
    };
    Ok(PlannedChange {
        project_id: before.id,
        project_name: before.name.clone(),
        region_code: before.region_code.clone(),
        version: before.version,
        stage,
        date,
        note,
        before_stage: before.stage.clone(),
        before_label: before.derived.stage_label.clone(),
        current,
        dates,
    })
}

/// Writes a planned change on the caller's transaction: the project's stage and dates (if it
/// is still at the version planned against), its history row and the audit entry.
pub(crate) async fn apply(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    change: &PlannedChange,
    source: &str,
) -> Result<(), StoreError> {
    let entry = write_change(conn, actor, change, source).await?;
    let backend = audit::chain::backend_of(conn);
    audit::record_many(conn, backend, actor.into(), vec![entry]).await
}

/// Writes a planned change on the caller's transaction — the project's stage and dates (if it
/// is still at the version planned against) and its history row — and answers its audit
/// entry, for the caller to record on the same transaction.
async fn write_change(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    change: &PlannedChange,
    source: &str,
) -> Result<OwnedEntry, StoreError> {
    let now = clock::now();
    let dates = &change.dates;
    let updated = sqlx::query(
        "UPDATE projects SET stage = $1, signed_on = $2, land_supplied_on = $3, \
         certificate_on = $4, started_on = $5, completed_on = $6, producing_on = $7, \
         updated_at = $8, version = version + 1 WHERE id = $9 AND version = $10",
    )
    .bind(change.stage.as_str())
    .bind(dates[0].clone())
    .bind(dates[1].clone())
    .bind(dates[2].clone())
    .bind(dates[3].clone())
    .bind(dates[4].clone())
    .bind(dates[5].clone())
    .bind(&now)
    .bind(change.project_id)
    .bind(change.version)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    sqlx::query(
        "INSERT INTO project_stages (project_id, stage, changed_on, note, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(change.project_id)
    .bind(change.stage.as_str())
    .bind(&change.date)
    .bind(&change.note)
    .bind(actor.user_id)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    let region = crate::regions::stored_code(&change.region_code)?;
    Ok(OwnedEntry {
        region: Some(region.as_str().to_owned()),
        entity: "project",
        entity_id: Some(change.project_id.to_string()),
        action: "stage_change",
        summary: format!(
            "项目 {} 阶段：{} → {}（{}）{source}",
            change.project_name,
            change.before_label,
            change.stage.label(),
            change.date
        ),
        before: Some(stage_snapshot(&change.before_stage, &change.current).to_string()),
        after: Some(stage_snapshot(change.stage.as_str(), &change.dates).to_string()),
    })
}

/// The stage-change sheet (阶段变更表): a row per project to move, by number (and name, to
/// catch a shifted row); rows without a new stage are passed over.
pub struct StagesSheet;

pub(crate) const STAGE_CHOICES: &[&str] = &[
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

/// A project's number, as every sheet sent out about projects writes it.
pub(crate) const PROJECT_ID: Kind = Kind::Int {
    min: i64::MIN,
    max: i64::MAX,
    refused: |s| format!("项目编号应为数字，实际为“{s}”"),
};

/// The stage a project moves to (this sheet's and the month sheet's 新阶段).
pub(crate) const NEW_STAGE: Choice = choice!(Stage, |s| {
    format!("新阶段“{s}”无效，应为{}之一", STAGE_CHOICES.join("、"))
});

const SPEC: SheetSpec = SheetSpec {
    sheet_name: "阶段变更",
    max_rows: 20_000,
    columns: &[
        Column::new("project_id", "项目编号", 10.0)
            .required()
            .kind(PROJECT_ID)
            .blank("项目编号不能为空")
            .note("系统中的项目编号，请勿修改"),
        Column::new("project_name", "项目名称", 36.0)
            .note("与项目编号核对，防止错行；不一致时整表不予导入"),
        Column::new("current_stage", "当前阶段", 10.0)
            .kind(Kind::Choice(NEW_STAGE))
            .reference(),
        Column::new("stage", "新阶段", 10.0)
            .kind(Kind::Choice(NEW_STAGE))
            .choices(STAGE_CHOICES)
            .note("要变更到的阶段；不填的行不导入"),
        Column::new("changed_on", "变更日期", 12.0)
            .kind(Kind::PastDate)
            .blank("请填写变更日期")
            .note("YYYY-MM-DD：供地、交证、开工、竣工、投产或签约的日期，不晚于今天"),
        Column::new("note", "说明", 30.0)
            .kind(Kind::Text { max: 500 })
            .note("选填，不超过500字"),
    ],
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StagePreviewRow {
    pub row: usize,
    pub project_id: i64,
    pub project_name: String,
    pub from_label: String,
    pub to_label: String,
    /// YYYY-MM-DD
    pub changed_on: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageImportPreview {
    pub total_rows: usize,
    pub valid_rows: usize,
    /// Rows without a new stage: passed over.
    pub skipped_rows: usize,
    pub errors: Vec<RowError>,
    pub rows: Vec<StagePreviewRow>,
}

impl Ledger<'_> {
    async fn check_stage_rows(
        &self,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<(usize, PlannedChange)>, StoreError> {
        let rules = self.project_rules().await?;
        let rows: Vec<Cells> = upload
            .parse(&SPEC, Some(rules.limit))
            .filter(|cells| cells.filled("stage"))
            .collect();
        let ids: BTreeSet<i64> = rows.iter().filter_map(|r| r.int("project_id")).collect();
        let projects = self.find_projects(&ids).await?;
        let mut sheet = CheckedSheet {
            skipped: upload.rows.len() - rows.len(),
            ..CheckedSheet::default()
        };
        let mut seen: HashMap<i64, usize> = HashMap::new();
        for mut cells in rows {
            let project = match cells.int("project_id") {
                // Blank or not a number: refused by its column.
                None => None,
                Some(id) => projects.get(&id).cloned().or_else(|| {
                    cells.add(
                        "project_id",
                        format!("项目编号{id}不存在或不在您的管辖范围内"),
                    );
                    None
                }),
            };
            if let Some(p) = &project {
                let name = cells.raw("project_name").to_owned();
                if !name.is_empty() && name != p.name {
                    cells.add(
                        "project_name",
                        format!(
                            "项目名称“{name}”与编号{}的项目“{}”不符，请核对是否错行",
                            p.id, p.name
                        ),
                    );
                }
                if let Some(first) = seen.insert(p.id, cells.row) {
                    cells.add(
                        "project_id",
                        format!("该项目已在第{first}行变更，一张表中每个项目只能变更一次"),
                    );
                }
            }
            let stage = cells.code("stage").and_then(Stage::parse);
            let planned = match (project, stage, cells.date("changed_on")) {
                (Some(p), Some(stage), Some(date)) if cells.is_clean() => {
                    match plan_on(&p, stage, date, cells.text("note"), rules) {
                        Ok(planned) => Some(planned),
                        Err(problems) => {
                            for m in problems {
                                cells.add("stage", m);
                            }
                            None
                        }
                    }
                }
                _ => None,
            };
            sheet.add(upload, cells, |cells| Some((cells.row, planned?)));
        }
        Ok(sheet)
    }
}

impl SheetImport for StagesSheet {
    const SPEC: &'static SheetSpec = &SPEC;
    const PERMISSION: Permission = Permission::ManageLedger;
    const LABEL: &'static str = "project_name";
    const NOTHING_FILLED: Option<(&'static str, &'static str)> =
        Some(("stage", "表格中没有填写新阶段的行"));
    type Row = (usize, PlannedChange);
    type Preview = StageImportPreview;

    async fn check(
        scoped: &Scoped,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<Self::Row>, StoreError> {
        scoped.ledger().check_stage_rows(upload).await
    }

    fn preview(upload: &SheetUpload, checked: CheckedSheet<Self::Row>) -> StageImportPreview {
        StageImportPreview {
            total_rows: upload.rows.len(),
            valid_rows: checked.valid.len(),
            skipped_rows: checked.skipped,
            errors: checked.errors,
            rows: checked
                .valid
                .iter()
                .take(PREVIEW_ROWS)
                .map(|(row, c)| StagePreviewRow {
                    row: *row,
                    project_id: c.project_id,
                    project_name: c.project_name.clone(),
                    from_label: c.before_label.clone(),
                    to_label: c.stage.label().to_owned(),
                    changed_on: c.date.clone(),
                })
                .collect(),
        }
    }

    /// Every change in one transaction: a project changed by someone else since the check
    /// (its version moved) refuses the whole sheet.
    async fn write(
        scoped: &Scoped,
        _upload: &SheetUpload,
        rows: Vec<Self::Row>,
    ) -> Result<usize, StoreError> {
        let mut tx = scoped.db.pool.begin().await?;
        let mut entries = Vec::with_capacity(rows.len());
        for (row, change) in &rows {
            let source = format!("（Excel导入第{row}行）");
            entries.push(write_change(&mut tx, &scoped.actor, change, &source).await?);
        }
        commit_audited(scoped, tx, entries).await?;
        Ok(rows.len())
    }
}
