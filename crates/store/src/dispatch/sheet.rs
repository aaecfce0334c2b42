//! The month in one sheet (月度调度表): a reporter downloads one workbook prefilled with the
//! round's projects it reports and last month's words, fills in each project's progress,
//! problem and plan (or 本月无变化), a new stage where one was reached and the month's money
//! with its receipt, and uploads it. Every row is checked as the form would check it — the
//! stage by the ledger's stage rules, the money as a single fund entry — all errors at once,
//! and the whole sheet is submitted in one transaction or not at all. Money entered this way
//! waits for review like any other fund record: an update never confirms money.

use super::{
    complete_tasks, previous_month, write_update, Dispatch, MonthlyUpdate, ProblemInput,
    UpdateWrite, PROBLEM_CATEGORIES, UPDATE_SELECT,
};
use crate::funds::sheet::{
    enter_money, store_receipts, MoneyCells, MoneyProject, MoneyRow, ReceiptUse, RowRef,
    SheetMoney, AMOUNT, CURRENCIES, CURRENCY, FUND_KIND, KINDS,
};
use crate::kit::clock;
use crate::kit::error::{RowError, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::ledger::stages::{self, PlannedChange, NEW_STAGE, PROJECT_ID, STAGE_CHOICES};
use crate::scoped::Scoped;
use crate::sheets::{
    commit_audited, CheckedSheet, Choice, Column, Kind, SheetImport, SheetSpec, SheetUpload,
    PREVIEW_ROWS,
};
use luodi_domain::funds::Period;
use luodi_domain::ledger::Stage;
use luodi_domain::Permission;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

/// The month's dispatch sheet.
pub struct MonthSheet;

const YES_NO: &[&str] = &["是", "否"];

const PROBLEM_CATEGORY: Choice = Choice {
    parse: |s| PROBLEM_CATEGORIES.iter().find(|c| **c == s).copied(),
    label: |c| PROBLEM_CATEGORIES.iter().find(|l| **l == c).copied(),
    refused: |s| {
        format!(
            "问题类别“{s}”无效，应为{}之一",
            PROBLEM_CATEGORIES.join("、")
        )
    },
};

const SPEC: SheetSpec = SheetSpec {
    sheet_name: "月度调度",
    max_rows: 20_000,
    columns: &[
        Column::new("project_id", "项目编号", 10.0)
            .required()
            .kind(PROJECT_ID)
            .blank("项目编号应为数字，实际为“”")
            .note("系统中的项目编号，请勿修改"),
        Column::new("project_name", "项目名称", 32.0)
            .note("与项目编号核对，防止错行；不一致时整表不予导入"),
        Column::new("region", "县市区", 10.0).reference(),
        Column::new("current_stage", "当前阶段", 10.0).reference(),
        Column::new("report_status", "本月报送状态", 12.0).reference(),
        Column::new("last_progress", "上月进展", 30.0).reference(),
        Column::new("last_plan", "上月下步计划", 30.0).reference(),
        Column::new("unchanged", "本月无变化", 10.0)
            .kind(Kind::YesNo)
            .choices(YES_NO)
            .note("填“是”则沿用上月进展、问题和计划，本行其他填写项须留空"),
        Column::new("progress", "本月进展", 40.0)
            .kind(Kind::Text { max: 2000 })
            .note("本月项目推进情况，不超过2000字；未选“本月无变化”时必填"),
        Column::new("problem", "存在问题", 30.0)
            .kind(Kind::Text { max: 500 })
            .note("选填，不超过500字；填写时须选问题类别"),
        Column::new("problem_category", "问题类别", 10.0)
            .kind(Kind::Choice(PROBLEM_CATEGORY))
            .choices(&PROBLEM_CATEGORIES)
            .note("用地、规划、环评、融资、审批、政策兑现、要素保障或其他"),
        Column::new("help_asked", "需上级协调", 10.0)
            .kind(Kind::YesNo)
            .choices(YES_NO)
            .note("问题是否需要上级协调解决"),
        Column::new("next_steps", "下步计划", 30.0)
            .kind(Kind::Text { max: 2000 })
            .note("选填，不超过2000字"),
        Column::new("stage", "新阶段", 10.0)
            .kind(Kind::Choice(NEW_STAGE))
            .choices(STAGE_CHOICES)
            .note("本月达到的新阶段（如已开工）；未变化的留空"),
        Column::new("changed_on", "阶段日期", 12.0)
            .kind(Kind::PastDate)
            .note("YYYY-MM-DD：达到新阶段的日期（供地、交证、开工、竣工、投产日期），不晚于今天"),
        Column::new("amount", "本月到位金额（万元/万美元）", 18.0)
            .kind(AMOUNT)
            .note("本月实际到位资金，按币种以万元或万美元填写；无到位的留空。提交后待上级审核"),
        Column::new("currency", "币种", 8.0)
            .kind(Kind::Choice(CURRENCY))
            .choices(CURRENCIES)
            .note("不填时按项目合同币种"),
        Column::new("kind", "资金类型", 14.0)
            .kind(Kind::Choice(FUND_KIND))
            .choices(KINDS)
            .note("填写到位金额时必填"),
        Column::new("receipt", "回单文件", 20.0)
            .note("随表上传的银行回单文件名（如“回单001.pdf”）；可多个文件打包为一个.zip"),
        Column::new("override_reason", "超常说明", 24.0)
            .note("到位金额累计超过合同、较以往激增或季末突击时必填，说明数字为何属实"),
    ],
};

/// A line of the template: a project the round asks the user about, with last month's words.
#[derive(Debug, Clone)]
pub struct MonthSheetLine {
    pub project_id: i64,
    pub name: String,
    pub region_name: String,
    pub stage_label: String,
    pub report_status: String,
    pub last_progress: Option<String>,
    pub last_plan: Option<String>,
}

/// A project of the round as the sheet refers to it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct RoundProjectRow {
    project_id: i64,
    name: String,
    region_code: String,
    region_name: String,
    stage: String,
    contract_fen: i64,
    contract_cents: i64,
}

/// A row checked and ready to submit.
pub struct CheckedMonthRow {
    row: usize,
    project: RoundProjectRow,
    period: Period,
    before: Option<MonthlyUpdate>,
    unchanged: bool,
    progress: Option<String>,
    problems: Vec<ProblemInput>,
    next_steps: Option<String>,
    stage: Option<PlannedChange>,
    money: Option<SheetMoney>,
    late: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthPreviewRow {
    pub row: usize,
    pub project_id: i64,
    pub project_name: String,
    pub region_name: String,
    pub unchanged: bool,
    pub progress: Option<String>,
    pub problem_count: usize,
    /// e.g. “已签约 → 已开工（2026-11-03）”.
    pub stage_change: Option<String>,
    /// `CNY` or `USD`, with the amount in minor units.
    pub currency: Option<String>,
    pub amount: Option<i64>,
    pub warnings: Vec<String>,
    pub late: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthImportPreview {
    pub round_id: i64,
    /// YYYY-MM
    pub period: String,
    pub total_rows: usize,
    /// Rows to submit.
    pub valid_rows: usize,
    /// Rows left blank: not reported now.
    pub skipped_rows: usize,
    pub errors: Vec<RowError>,
    pub rows: Vec<MonthPreviewRow>,
    /// Of the rows to submit: carried forward unchanged, with a stage change, with money.
    pub unchanged_rows: usize,
    pub stage_changes: usize,
    pub fund_rows: usize,
    /// Submitting now is after the deadline: the updates are marked late.
    pub late: bool,
    pub files_sent: usize,
    pub rows_with_receipt: usize,
    pub rows_without_receipt: Vec<RowRef>,
    pub unused_files: Vec<String>,
}

impl Dispatch<'_> {
    /// The round's projects the actor reports (within its reach), with contract figures.
    async fn sheet_projects(&self, round_id: i64) -> Result<Vec<RoundProjectRow>, StoreError> {
        let mut f = Filter::new(
            "SELECT a.project_id, p.name, a.region_code, c.name AS region_name, p.stage, \
             p.contract_fen, p.contract_cents FROM dispatch_round_projects a \
             JOIN projects p ON p.id = a.project_id JOIN regions c ON c.code = a.region_code \
             WHERE 1 = 1",
        );
        let r = f.bind(Bind::Int(round_id));
        f.and(&format!("a.round_id = {r}"));
        f.projects(&self.actor, "p", "a.region_code", None);
        let sql = format!("{} ORDER BY a.region_code, p.name, p.id", f.sql);
        Ok(f.query_as(&sql).fetch_all(&self.db.pool).await?)
    }

    /// The updates of a month for the round's projects, by project.
    async fn updates_of_month(
        &self,
        round_id: i64,
        period: Period,
    ) -> Result<HashMap<i64, MonthlyUpdate>, StoreError> {
        let mut f = Filter::new(UPDATE_SELECT);
        let m = f.bind(Bind::Text(period.to_string()));
        let r = f.bind(Bind::Int(round_id));
        f.and(&format!(
            "m.period = {m} AND m.project_id IN \
             (SELECT a.project_id FROM dispatch_round_projects a WHERE a.round_id = {r})"
        ));
        f.projects(&self.actor, "p", "m.region_code", None);
        let rows: Vec<MonthlyUpdate> = f.query_as(&f.sql).fetch_all(&self.db.pool).await?;
        Ok(rows
            .into_iter()
            .map(|u| (u.project_id, u.finish()))
            .collect())
    }

    /// The lines of the round's sheet for the actor: its projects, this month's status and
    /// last month's progress and plan.
    pub async fn sheet_lines(&self, round_id: i64) -> Result<Vec<MonthSheetLine>, StoreError> {
        self.actor.require(Permission::ReportProgress)?;
        let round = self.round(round_id).await?;
        let period =
            Period::parse(&round.period).map_err(|e| StoreError::Internal(e.to_string()))?;
        let projects = self.sheet_projects(round_id).await?;
        let current = self.updates_of_month(round_id, period).await?;
        let previous = self
            .updates_of_month(round_id, previous_month(period))
            .await?;
        Ok(projects
            .into_iter()
            .map(|p| {
                let last = previous.get(&p.project_id);
                MonthSheetLine {
                    project_id: p.project_id,
                    stage_label: Stage::parse(&p.stage)
                        .map(Stage::label)
                        .unwrap_or("")
                        .to_owned(),
                    report_status: current
                        .get(&p.project_id)
                        .map_or("未开始", |u| super::status_label(&u.status))
                        .to_owned(),
                    last_progress: last.and_then(|u| u.progress.clone()),
                    last_plan: last.and_then(|u| u.next_steps.clone()),
                    name: p.name,
                    region_name: p.region_name,
                }
            })
            .collect())
    }

    async fn check_month_rows(
        &self,
        upload: &SheetUpload,
    ) -> Result<(i64, Period, CheckedSheet<CheckedMonthRow>), StoreError> {
        let round_id: i64 = upload
            .field("round_id", "请指明调度轮次")?
            .parse()
            .map_err(|_| StoreError::field("round_id", "调度轮次编号应为数字"))?;
        let round = self.round(round_id).await?;
        if round.status != "open" {
            return Err(StoreError::Conflict {
                field: "round_id".into(),
                message: format!("“{}”已结束，不能再报送", round.title),
            });
        }
        let period =
            Period::parse(&round.period).map_err(|e| StoreError::Internal(e.to_string()))?;
        let projects: HashMap<i64, RoundProjectRow> = self
            .sheet_projects(round_id)
            .await?
            .into_iter()
            .map(|p| (p.project_id, p))
            .collect();
        let current = self.updates_of_month(round_id, period).await?;
        let previous = self
            .updates_of_month(round_id, previous_month(period))
            .await?;
        // The earliest deadline of the open rounds asking about each project this month.
        let due: HashMap<i64, String> = {
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT a.project_id, MIN(r.due_on) FROM dispatch_round_projects a \
                 JOIN dispatch_rounds r ON r.id = a.round_id \
                 WHERE r.period = $1 AND r.status = 'open' AND a.project_id IN \
                 (SELECT b.project_id FROM dispatch_round_projects b WHERE b.round_id = $2) \
                 GROUP BY a.project_id",
            )
            .bind(period.to_string())
            .bind(round_id)
            .fetch_all(&self.db.pool)
            .await?;
            rows.into_iter().collect()
        };
        let today = clock::today().to_string();
        let ids: BTreeSet<i64> = projects.keys().copied().collect();
        let mut money_cells = MoneyCells::load(&self.funds(), &ids, &upload.files).await?;
        let rules = self.ledger().project_rules().await?;
        let limit = rules.limit;
        let may_stage = self.actor.require(Permission::ManageLedger).is_ok();
        let may_fund = self.actor.require(Permission::EnterFunds).is_ok();

        let mut sheet = CheckedSheet::default();
        let mut seen: HashMap<i64, usize> = HashMap::new();
        for mut cells in upload.parse(&SPEC, Some(limit)) {
            let unchanged = cells.yes("unchanged");
            let reported = [
                "progress",
                "problem",
                "next_steps",
                "stage",
                "changed_on",
                "amount",
            ]
            .iter()
            .any(|f| cells.filled(f));
            if !unchanged && !reported && !cells.failed("unchanged") {
                sheet.skipped += 1;
                continue;
            }
            let project = match cells.int("project_id") {
                // Refused as not a number.
                None => None,
                Some(id) => projects.get(&id).or_else(|| {
                    cells.add(
                        "project_id",
                        format!("项目编号{id}不在“{}”中，或不由您报送", round.title),
                    );
                    None
                }),
            };
            let name = cells.raw("project_name").to_owned();
            if let Some(p) = project.filter(|p| !name.is_empty() && name != p.name) {
                cells.add(
                    "project_name",
                    format!(
                        "项目名称“{name}”与编号{}的项目“{}”不符，请核对是否错行",
                        p.project_id, p.name
                    ),
                );
            }
            let before = project.and_then(|p| current.get(&p.project_id));
            if let Some(p) = project {
                if let Some(first) = seen.insert(p.project_id, cells.row) {
                    cells.add(
                        "project_id",
                        format!("该项目已在第{first}行填报，一张表中每个项目只能填报一次"),
                    );
                }
                if before.is_some_and(|b| b.status == "submitted") {
                    cells.add(
                        "project_id",
                        "本月进展已报送；如需修改，请联系组织调度的上级退回",
                    );
                }
            }
            // The words of the month, or last month's carried forward.
            let (progress, problems, next_steps) = if unchanged {
                if reported {
                    cells.add(
                        "unchanged",
                        "“本月无变化”填“是”时，本月进展、问题、计划、新阶段和到位金额须留空",
                    );
                }
                let last = project.and_then(|p| previous.get(&p.project_id));
                (
                    Some(format!(
                        "本月无变化。{}",
                        last.and_then(|l| l.progress.clone()).unwrap_or_default()
                    )),
                    last.map(|l| l.problems.clone()).unwrap_or_default(),
                    last.and_then(|l| l.next_steps.clone()),
                )
            } else {
                if !cells.filled("progress") {
                    cells.add("progress", "请填写本月进展，或在“本月无变化”填“是”");
                }
                let help_asked = cells.yes("help_asked");
                let problem = (cells.filled("problem"), cells.filled("problem_category"));
                let problems = match (cells.text("problem"), cells.code("problem_category")) {
                    _ if problem == (false, false) => {
                        if help_asked {
                            cells.add("problem", "选择“需上级协调”时请写明存在问题");
                        }
                        Vec::new()
                    }
                    _ if !problem.0 => {
                        cells.add("problem", "填写了问题类别，请写明存在问题");
                        Vec::new()
                    }
                    _ if !problem.1 => {
                        cells.add("problem_category", "请选择问题类别");
                        Vec::new()
                    }
                    (Some(text), Some(category)) => vec![ProblemInput {
                        text,
                        category: category.to_owned(),
                        help_asked,
                    }],
                    // Refused above, by its column.
                    _ => Vec::new(),
                };
                (cells.text("progress"), problems, cells.text("next_steps"))
            };
            // A new stage, by the ledger's stage rules.
            let stage = match (cells.filled("stage"), cells.filled("changed_on")) {
                (false, false) => None,
                _ if !may_stage => {
                    cells.add(
                        "stage",
                        "您的账号无权变更项目阶段；请在本月进展中说明，由县（市、区）商务主管部门变更",
                    );
                    None
                }
                (false, true) => {
                    cells.add("stage", "填写了阶段日期，请选择新阶段");
                    None
                }
                (true, dated) => {
                    if !dated {
                        cells.add("changed_on", "请填写达到新阶段的日期");
                    }
                    match (project, cells.code("stage").and_then(Stage::parse)) {
                        (Some(p), Some(stage)) if cells.is_clean() => {
                            let found = self.ledger().find_project(p.project_id).await?;
                            match stages::plan(
                                &found,
                                stage,
                                cells.raw("changed_on"),
                                Some(format!("{}月度调度", period)),
                                rules,
                            ) {
                                Ok(planned) => Some(planned),
                                Err((field, messages)) => {
                                    for m in messages {
                                        cells.add(field, m);
                                    }
                                    None
                                }
                            }
                        }
                        _ => None,
                    }
                }
            };
            // The month's money, checked as a single entry; it waits for review.
            let money = match cells.filled("amount") {
                false => None,
                true if !may_fund => {
                    cells.add("amount", "您的账号无权填报到位资金");
                    None
                }
                true => money_cells.check(
                    project.map(|p| MoneyProject {
                        id: p.project_id,
                        contract_fen: p.contract_fen,
                        contract_cents: p.contract_cents,
                    }),
                    Some(period),
                    &mut cells,
                ),
            };
            let late = project.is_some_and(|p| due.get(&p.project_id).is_some_and(|d| today > *d));
            sheet.add(upload, cells, |cells| {
                Some(CheckedMonthRow {
                    row: cells.row,
                    project: project?.clone(),
                    period,
                    before: before.cloned(),
                    unchanged,
                    progress,
                    problems,
                    next_steps,
                    stage,
                    money,
                    late,
                })
            });
        }
        Ok((round_id, period, sheet))
    }
}

impl SheetImport for MonthSheet {
    const SPEC: &'static SheetSpec = &SPEC;
    const PERMISSION: Permission = Permission::ReportProgress;
    const LABEL: &'static str = "project_name";
    const NOTHING_FILLED: Option<(&'static str, &'static str)> = Some((
        "progress",
        "表格中没有填写本月进展的行（每个项目填写本月进展，或在“本月无变化”填“是”）",
    ));
    type Row = CheckedMonthRow;
    type Preview = MonthImportPreview;

    async fn check(
        scoped: &Scoped,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<CheckedMonthRow>, StoreError> {
        Ok(scoped.dispatch().check_month_rows(upload).await?.2)
    }

    fn preview(upload: &SheetUpload, checked: CheckedSheet<CheckedMonthRow>) -> MonthImportPreview {
        let valid = &checked.valid;
        let receipts = ReceiptUse::of(
            upload,
            valid
                .iter()
                .filter_map(|c| Some((c.row, c.project.name.as_str(), c.money.as_ref()?))),
        );
        MonthImportPreview {
            round_id: upload
                .fields
                .get("round_id")
                .and_then(|r| r.trim().parse().ok())
                .unwrap_or_default(),
            period: valid
                .first()
                .map(|c| c.period.to_string())
                .unwrap_or_default(),
            total_rows: upload.rows.len(),
            valid_rows: valid.len(),
            skipped_rows: checked.skipped,
            unchanged_rows: valid.iter().filter(|c| c.unchanged).count(),
            stage_changes: valid.iter().filter(|c| c.stage.is_some()).count(),
            fund_rows: valid.iter().filter(|c| c.money.is_some()).count(),
            late: valid.iter().any(|c| c.late),
            files_sent: upload.files.len(),
            rows_with_receipt: receipts.rows_with_receipt,
            rows_without_receipt: receipts.rows_without_receipt,
            unused_files: receipts.unused_files,
            rows: valid
                .iter()
                .take(PREVIEW_ROWS)
                .map(|c| MonthPreviewRow {
                    row: c.row,
                    project_id: c.project.project_id,
                    project_name: c.project.name.clone(),
                    region_name: c.project.region_name.clone(),
                    unchanged: c.unchanged,
                    progress: c.progress.clone(),
                    problem_count: c.problems.len(),
                    stage_change: c.stage.as_ref().map(|s| {
                        format!(
                            "{} → {}（{}）",
                            s.before_label(),
                            s.stage().label(),
                            s.date()
                        )
                    }),
                    currency: c
                        .money
                        .as_ref()
                        .map(|m| m.input.currency.as_str().to_owned()),
                    amount: c.money.as_ref().map(|m| m.input.amount),
                    warnings: c
                        .money
                        .as_ref()
                        .map(|m| m.warnings.clone())
                        .unwrap_or_default(),
                    late: c.late,
                })
                .collect(),
            errors: checked.errors,
        }
    }

    /// Submits every row in one transaction: its stage change, its money (entered for review,
    /// with its receipt) and its update; a project or update changed by someone else since
    /// the check refuses the whole sheet.
    async fn write(
        scoped: &Scoped,
        upload: &SheetUpload,
        rows: Vec<CheckedMonthRow>,
    ) -> Result<usize, StoreError> {
        store_receipts(upload, rows.iter().filter_map(|c| c.money.as_ref())).await?;
        let mut tx = scoped.db.pool.begin().await?;
        let mut fund_entries = Vec::new();
        let mut ids = Vec::with_capacity(rows.len());
        let mut period = None;
        for c in &rows {
            let source = format!("（月度调度表第{}行）", c.row);
            let region = crate::regions::stored_code(&c.project.region_code)?;
            let mut with = serde_json::Map::new();
            if let Some(change) = &c.stage {
                stages::apply(&mut tx, &scoped.actor, change, &source).await?;
                with.insert("stage".into(), change.stage().as_str().into());
                with.insert("changed_on".into(), change.date().into());
            }
            let period_of_round = c.period;
            period = Some(period_of_round);
            if let Some(money) = &c.money {
                let (fund_id, entries) = enter_money(
                    &mut tx,
                    scoped.actor.user_id,
                    MoneyRow {
                        project_id: c.project.project_id,
                        project_name: &c.project.name,
                        region_code: &c.project.region_code,
                        period: period_of_round,
                        row: c.row,
                        source: "月度调度表",
                    },
                    money,
                )
                .await?;
                fund_entries.extend(entries);
                with.insert("fund_id".into(), fund_id.into());
                with.insert("amount".into(), money.input.amount.into());
                with.insert("currency".into(), money.input.currency.as_str().into());
            }
            write_update(
                &mut tx,
                &scoped.actor,
                UpdateWrite {
                    project_id: c.project.project_id,
                    project_name: &c.project.name,
                    region: &region,
                    period: period_of_round,
                    before: c
                        .before
                        .as_ref()
                        .map(|b| (b.id, b.version, b.status.clone(), b.progress.clone())),
                    submit: true,
                    unchanged: c.unchanged,
                    progress: c.progress.clone(),
                    problems: c.problems.clone(),
                    next_steps: c.next_steps.clone(),
                    late: c.late,
                    extra: (!with.is_empty()).then_some(serde_json::Value::Object(with)),
                    source: &source,
                },
            )
            .await?;
            ids.push(c.project.project_id);
        }
        if let Some(period) = period {
            complete_tasks(&mut tx, &ids, &period.to_string()).await?;
        }
        commit_audited(scoped, tx, fund_entries).await?;
        Ok(rows.len())
    }
}
