//! Fund arrivals from a monthly sheet (资金到位填报表): the template lists the user's signed
//! projects with their contract and confirmed arrival so far; a clerk fills in the month's
//! amounts, and rows left without an amount are passed over. Every filled row is checked like
//! a single entry (plausibility warnings need a 超常说明, counting the rows above it in the
//! same sheet), and all of them are entered for review in one transaction, or none.

use super::Funds;
use crate::audit::{self, OwnedEntry};
use crate::funds::evidence::EvidenceFile;
use crate::funds::{insert_fund, NewFund};
use crate::kit::error::{RowError, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::ledger::stages::PROJECT_ID;
use crate::scoped::Scoped;
use crate::sheets::{
    choice, commit_audited, Cells, CheckedSheet, Choice, Column, Kind, SheetImport, SheetSpec,
    SheetUpload, UploadedFile, PREVIEW_ROWS,
};
use luodi_domain::funds::{plausibility, Currency, Entry, FundChecks, FundKind, Period};
use luodi_domain::Permission;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

/// The monthly fund sheet (资金到位填报表). The project's figures are there to fill in by and
/// are not read back.
pub struct FundsSheet;

pub(crate) const CURRENCIES: &[&str] = &["人民币", "美元"];
pub(crate) const KINDS: &[&str] = &["固定资产投资", "注册资本实缴", "其他"];

/// A currency as users write it.
pub(crate) const CURRENCY: Choice = Choice {
    parse: |s| match s {
        "人民币" | "CNY" | "cny" | "元" | "万元" => Some("CNY"),
        "美元" | "USD" | "usd" | "万美元" => Some("USD"),
        _ => None,
    },
    label: |c| match c {
        "CNY" => Some(Currency::Cny.label()),
        "USD" => Some(Currency::Usd.label()),
        _ => None,
    },
    refused: |s| format!("币种应为人民币或美元，实际为“{s}”"),
};

/// A fund kind from its Chinese name or its code.
pub(crate) const FUND_KIND: Choice = choice!(FundKind, |s| {
    format!("资金类型应为固定资产投资、注册资本实缴或其他，实际为“{s}”")
});

/// An amount in 万元 or 万美元 as the currency says.
pub(crate) const AMOUNT: Kind = Kind::Wan;

const SPEC: SheetSpec = SheetSpec {
    sheet_name: "资金到位填报",
    max_rows: 20_000,
    columns: &[
        Column::new("project_id", "项目编号", 10.0)
            .kind(PROJECT_ID)
            .note("系统中的项目编号，请勿修改；自行添加的行可不填编号、只填项目全称"),
        Column::new("project_name", "项目名称", 36.0)
            .note("与项目编号核对，防止错行；不一致时整表不予导入"),
        Column::new("region", "县市区", 12.0).reference(),
        Column::new("contract_fen", "合同金额（万元）", 14.0)
            .kind(Kind::Wan)
            .reference(),
        Column::new("arrived_fen", "已确认到位（万元）", 16.0)
            .kind(Kind::Wan)
            .reference(),
        Column::new("contract_cents", "合同外资（万美元）", 16.0)
            .kind(Kind::Wan)
            .reference(),
        Column::new("arrived_cents", "已确认到位外资（万美元）", 20.0)
            .kind(Kind::Wan)
            .reference(),
        Column::new("period", "到位月份", 10.0)
            .required()
            .kind(Kind::PastMonth)
            .blank("期间应为“YYYY-MM”格式的年月（2000年至2100年），实际为“”")
            .note("YYYY-MM，资金实际到位的月份"),
        Column::new("currency", "币种", 8.0)
            .kind(Kind::Choice(CURRENCY))
            .choices(CURRENCIES)
            .note("人民币或美元；不填时按项目合同币种"),
        Column::new("amount", "本次到位金额（万元/万美元）", 20.0)
            .kind(AMOUNT)
            .note("按币种以万元或万美元填写，最多6位小数；不填的行不导入（本月无到位）"),
        Column::new("kind", "资金类型", 14.0)
            .kind(Kind::Choice(FUND_KIND))
            .choices(KINDS)
            .note("固定资产投资、注册资本实缴或其他；填写金额时必填"),
        Column::new("receipt", "回单文件", 22.0)
            .note("随表上传的银行回单等佐证材料的文件名（如“回单001.pdf”），或不含扩展名的回单编号；可多个文件打包为一个.zip"),
        Column::new("note", "备注", 24.0)
            .kind(Kind::Text { max: 500 })
            .note("如资金来源账户、银行回单编号"),
        Column::new("override_reason", "超常说明", 30.0)
            .note("累计超过合同金额、较以往月份激增、季末突击或月份在未来时必填，说明数字为何属实"),
    ],
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundPreviewRow {
    pub row: usize,
    pub project_id: i64,
    pub project_name: String,
    pub region_name: String,
    /// YYYY-MM
    pub period: String,
    /// `CNY` or `USD`.
    pub currency: String,
    /// Minor units of the currency.
    pub amount: i64,
    pub kind_label: String,
    /// Plausibility warnings the row's 超常说明 answers.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundImportPreview {
    /// Data rows in the sheet.
    pub total_rows: usize,
    /// Rows with an amount, checked and ready to enter.
    pub valid_rows: usize,
    /// Rows without an amount (no money that month): passed over.
    pub skipped_rows: usize,
    pub errors: Vec<RowError>,
    /// The first 200 rows to be entered.
    pub rows: Vec<FundPreviewRow>,
    /// Receipt files sent with the sheet (a .zip counted by the files in it).
    pub files_sent: usize,
    /// Rows to be entered with their receipt matched.
    pub rows_with_receipt: usize,
    /// Rows to be entered without any receipt (to be attached later, before review).
    pub rows_without_receipt: Vec<RowRef>,
    /// Files sent that no row names.
    pub unused_files: Vec<String>,
}

/// A row of a sheet, by number and what it is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowRef {
    pub row: usize,
    pub label: String,
}

/// A project as the sheet refers to it, within the user's reach.
#[derive(Debug, Clone, sqlx::FromRow)]
struct SheetProject {
    id: i64,
    name: String,
    region_code: String,
    region_name: String,
    contract_fen: i64,
    contract_cents: i64,
}

impl SheetProject {
    fn money(&self) -> MoneyProject {
        MoneyProject {
            id: self.id,
            contract_fen: self.contract_fen,
            contract_cents: self.contract_cents,
        }
    }
}

pub struct CheckedFund {
    row: usize,
    project: SheetProject,
    period: Period,
    money: SheetMoney,
}

/// What the money cells of a row are checked against: the project's contract.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MoneyProject {
    pub id: i64,
    pub contract_fen: i64,
    pub contract_cents: i64,
}

/// A row's money, checked like a single entry and ready to enter for review.
pub(crate) struct SheetMoney {
    pub input: crate::funds::FundInput,
    /// Plausibility warnings its 超常说明 answers.
    pub warnings: Vec<String>,
    /// The receipt sent with the sheet (index into the upload's files), checked.
    pub receipt: Option<(usize, EvidenceFile)>,
}

/// The money cells of a sheet's rows (到位金额, 币种, 资金类型, 回单文件, 备注, 超常说明), checked
/// as a single entry would be: the plausibility rules count what is on record and the rows
/// above in the same sheet. Shared by the fund sheet and the month's dispatch sheet.
pub(crate) struct MoneyCells<'a> {
    history: HashMap<(i64, String), Vec<(Period, i64)>>,
    receipts: Receipts<'a>,
    checks: FundChecks,
}

impl<'a> MoneyCells<'a> {
    /// Loads what the projects have on record; `files` are the receipts sent with the sheet.
    pub(crate) async fn load(
        funds: &Funds<'_>,
        ids: &BTreeSet<i64>,
        files: &'a [UploadedFile],
    ) -> Result<Self, StoreError> {
        Ok(Self {
            history: funds.sheet_history(ids).await?,
            receipts: Receipts::new(files),
            checks: funds.rules().ledger_rules().await?.fund_checks,
        })
    }

    /// Checks the cells of a row with an amount for `project` (unknown when the row's project
    /// did not resolve: the cells are still checked, so every error shows at once) and
    /// `period`; adds every error to the row and answers the money when the whole row is
    /// right.
    pub(crate) fn check(
        &mut self,
        project: Option<MoneyProject>,
        period: Option<Period>,
        cells: &mut Cells,
    ) -> Option<SheetMoney> {
        let currency = match cells.code("currency") {
            // A blank currency is the project's own: 美元 for a foreign-only contract.
            None if !cells.filled("currency") => Some(match project {
                Some(p) if p.contract_fen == 0 && p.contract_cents > 0 => "USD",
                _ => "CNY",
            }),
            code => code,
        };
        let amount = cells.minor("amount").filter(|a| {
            if *a == 0 {
                cells.add("amount", "到位金额须大于0");
            }
            *a > 0
        });
        let kind = cells.code("kind").and_then(FundKind::parse);
        if !cells.filled("kind") {
            cells.add("kind", "资金类型不能为空");
        }
        let receipt = cells
            .text("receipt")
            .and_then(|named| match self.receipts.find(&named) {
                Ok(found) => Some(found),
                Err(m) => {
                    cells.add("receipt", m);
                    None
                }
            });
        let note = cells.text("note");
        let (true, Some(p), Some(period), Some(currency), Some(amount), Some(kind)) =
            (cells.is_clean(), project, period, currency, amount, kind)
        else {
            return None;
        };
        // Checked against what is on record plus the rows above it in this sheet.
        let earlier = self.history.entry((p.id, currency.to_owned())).or_default();
        let (contract, other_contract) = if currency == "USD" {
            (p.contract_cents, p.contract_fen)
        } else {
            (p.contract_fen, p.contract_cents)
        };
        let warnings: Vec<String> = plausibility(
            &Entry {
                amount,
                period,
                history: earlier,
                contract,
                other_contract,
            },
            &self.checks,
        )
        .iter()
        .map(|w| w.message().to_owned())
        .collect();
        let override_reason = cells.text("override_reason");
        if !warnings.is_empty() && override_reason.is_none() {
            cells.add(
                "override_reason",
                format!(
                    "{}；如确认无误，请在“超常说明”中写明理由",
                    warnings.join("；")
                ),
            );
            return None;
        }
        if let Some(problem) = override_reason
            .as_deref()
            .filter(|_| !warnings.is_empty())
            .and_then(|r| self.checks.reason_problem(r))
        {
            cells.add("override_reason", problem);
            return None;
        }
        earlier.push((period, amount));
        Some(SheetMoney {
            input: crate::funds::FundInput {
                period: period.to_string(),
                amount,
                currency: if currency == "USD" {
                    Currency::Usd
                } else {
                    Currency::Cny
                },
                kind,
                note,
                corrects_id: None,
                override_reason,
            },
            warnings,
            receipt,
        })
    }
}

/// What became of the receipts sent with a sheet, for its preview.
pub(crate) struct ReceiptUse {
    /// Rows to be entered with their receipt matched.
    pub rows_with_receipt: usize,
    /// Rows to be entered without any receipt (to be attached later, before review).
    pub rows_without_receipt: Vec<RowRef>,
    /// Files sent that no row names.
    pub unused_files: Vec<String>,
}

impl ReceiptUse {
    /// Of the rows to be entered with money (row, label, money), which have a receipt, and
    /// which files no row names.
    pub(crate) fn of<'m>(
        upload: &SheetUpload,
        rows: impl Iterator<Item = (usize, &'m str, &'m SheetMoney)>,
    ) -> Self {
        let mut used = BTreeSet::new();
        let mut rows_with_receipt = 0;
        let mut rows_without_receipt = Vec::new();
        for (row, label, money) in rows {
            match &money.receipt {
                Some((i, _)) => {
                    used.insert(*i);
                    rows_with_receipt += 1;
                }
                None => rows_without_receipt.push(RowRef {
                    row,
                    label: label.to_owned(),
                }),
            }
        }
        // Files named only by rows with errors count as used: the error says what is wrong.
        let named: BTreeSet<String> = upload
            .rows
            .iter()
            .map(|r| fold(&r.cell("receipt")))
            .filter(|n| !n.is_empty())
            .collect();
        let unused_files = upload
            .files
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                let name = fold(&f.name);
                let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
                !used.contains(i) && !named.contains(&name) && !named.contains(stem)
            })
            .map(|(_, f)| f.name.clone())
            .collect();
        Self {
            rows_with_receipt,
            rows_without_receipt,
            unused_files,
        }
    }
}

/// Stores the contents of the receipts the rows use (each once, named by its hash), before
/// the transaction that enters the rows.
pub(crate) async fn store_receipts<'m>(
    upload: &SheetUpload,
    money: impl Iterator<Item = &'m SheetMoney>,
) -> Result<(), StoreError> {
    let mut stored = BTreeSet::new();
    for (i, file) in money.filter_map(|m| m.receipt.as_ref()) {
        if !stored.insert(*i) {
            continue;
        }
        let objects = upload
            .objects
            .as_ref()
            .ok_or_else(|| StoreError::Internal("no object store for receipts".into()))?;
        file.store(objects.0.as_ref(), upload.files[*i].bytes.clone())
            .await?;
    }
    Ok(())
}

/// A row's project, for writing its money.
pub(crate) struct MoneyRow<'a> {
    pub project_id: i64,
    pub project_name: &'a str,
    pub region_code: &'a str,
    pub period: Period,
    /// The sheet's row, named in the audit.
    pub row: usize,
    /// What the sheet is called in the audit (e.g. “Excel导入”, “月度调度表”).
    pub source: &'a str,
}

/// Enters a row's money for review on the sheet's transaction, with its receipt attached;
/// answers the record's id and its audit entries.
pub(crate) async fn enter_money(
    tx: &mut sqlx::AnyConnection,
    entered_by: i64,
    row: MoneyRow<'_>,
    money: &SheetMoney,
) -> Result<(i64, Vec<OwnedEntry>), StoreError> {
    let id = insert_fund(
        &mut *tx,
        NewFund {
            project_id: row.project_id,
            region: row.region_code,
            period: row.period,
            input: &money.input,
            warnings: &money.warnings,
            entered_by,
        },
    )
    .await?;
    let mut entries = vec![OwnedEntry {
        region: Some(row.region_code.to_owned()),
        entity: "fund_arrival",
        entity_id: Some(id.to_string()),
        action: "create",
        summary: format!(
            "填报项目 {} {} 资金到位（{}第{}行）",
            row.project_name, row.period, row.source, row.row
        ),
        before: None,
        after: audit::compact_json(&money.input),
    }];
    if let Some((_, file)) = &money.receipt {
        file.insert(&mut *tx, id, row.region_code, entered_by)
            .await?;
        entries.push(OwnedEntry {
            region: Some(row.region_code.to_owned()),
            entity: "fund_arrival",
            entity_id: Some(id.to_string()),
            action: "attach",
            summary: format!(
                "为项目 {} {} 资金到位上传佐证材料 {}（随{}上传）",
                row.project_name, row.period, file.file_name, row.source
            ),
            before: None,
            after: Some(file.audit_json().to_string()),
        });
    }
    Ok((id, entries))
}

/// The files sent with a sheet, found by the name a row gives: the whole file name, or its
/// stem (回单001 for 回单001.pdf) when only one file has it; case and width do not matter.
struct Receipts<'a> {
    files: &'a [UploadedFile],
    by_name: HashMap<String, Vec<usize>>,
}

impl<'a> Receipts<'a> {
    fn new(files: &'a [UploadedFile]) -> Self {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            let name = fold(&f.name);
            if let Some((stem, _)) = name.rsplit_once('.') {
                by_name.entry(stem.to_owned()).or_default().push(i);
            }
            by_name.entry(name).or_default().push(i);
        }
        Self { files, by_name }
    }

    /// The file a row names, checked as evidence; or why not.
    fn find(&self, named: &str) -> Result<(usize, EvidenceFile), String> {
        match self.by_name.get(&fold(named)).map(Vec::as_slice) {
            None | Some([]) if self.files.is_empty() => Err(format!(
                "未随表上传名为“{named}”的回单文件；请一并选择回单文件（或打包为.zip），或清空此格"
            )),
            None | Some([]) => Err(format!("随表上传的文件中没有“{named}”")),
            Some([i]) => EvidenceFile::check(&self.files[*i].name, &self.files[*i].bytes)
                .map(|f| (*i, f))
                .map_err(|m| format!("回单文件“{}”：{m}", self.files[*i].name)),
            Some(_) => Err(format!(
                "有多个文件名为“{named}”，请写出完整文件名（含扩展名）"
            )),
        }
    }
}

/// A file name as compared: trimmed, lower case, full-width letters and digits as ASCII.
fn fold(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

impl Funds<'_> {
    /// The projects the user may enter funds for (scope and unit reach) among those with the
    /// given ids or exact names.
    async fn sheet_projects(
        &self,
        column: &str,
        values: Vec<Bind>,
    ) -> Result<Vec<SheetProject>, StoreError> {
        let mut found = Vec::new();
        for chunk in values.chunks(500) {
            let mut f = Filter::new(
                "SELECT p.id, p.name, p.region_code, r.name AS region_name, p.contract_fen, \
                 p.contract_cents FROM projects p JOIN regions r ON r.code = p.region_code \
                 WHERE 1 = 1",
            );
            let list: Vec<String> = chunk.iter().map(|v| f.bind(v.clone())).collect();
            f.and(&format!("p.{column} IN ({})", list.join(", ")));
            f.projects(&self.actor, "p", "p.region_code", None);
            let rows: Vec<SheetProject> = f.query_as(&f.sql).fetch_all(&self.db.pool).await?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// Amounts already entered or confirmed for the projects, by project and currency.
    async fn sheet_history(
        &self,
        ids: &BTreeSet<i64>,
    ) -> Result<HashMap<(i64, String), Vec<(Period, i64)>>, StoreError> {
        let mut history: HashMap<(i64, String), Vec<(Period, i64)>> = HashMap::new();
        let ids: Vec<i64> = ids.iter().copied().collect();
        for chunk in ids.chunks(500) {
            let mut f = Filter::new(
                "SELECT f.project_id, f.currency, f.period, f.amount FROM fund_arrivals f \
                 WHERE f.status IN ('entered', 'confirmed')",
            );
            let list: Vec<String> = chunk.iter().map(|id| f.bind(Bind::Int(*id))).collect();
            f.and(&format!("f.project_id IN ({})", list.join(", ")));
            let rows: Vec<(i64, String, String, i64)> =
                f.query_as(&f.sql).fetch_all(&self.db.pool).await?;
            for (project, currency, period, amount) in rows {
                if let Ok(period) = Period::parse(&period) {
                    history
                        .entry((project, currency))
                        .or_default()
                        .push((period, amount));
                }
            }
        }
        Ok(history)
    }

    async fn check_rows(
        &self,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<CheckedFund>, StoreError> {
        let rows: Vec<Cells> = upload.parse(&SPEC, None).collect();
        let ids: BTreeSet<i64> = rows.iter().filter_map(|r| r.int("project_id")).collect();
        // Rows typed in by hand may name the project instead of giving its number.
        let names: BTreeSet<String> = rows
            .iter()
            .filter(|r| !r.filled("project_id") && r.filled("project_name"))
            .map(|r| r.raw("project_name").to_owned())
            .collect();
        let by_id: HashMap<i64, SheetProject> = self
            .sheet_projects("id", ids.iter().map(|i| Bind::Int(*i)).collect())
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut by_name: HashMap<String, Vec<SheetProject>> = HashMap::new();
        for p in self
            .sheet_projects("name", names.into_iter().map(Bind::Text).collect())
            .await?
        {
            by_name.entry(p.name.clone()).or_default().push(p);
        }
        let all_ids: BTreeSet<i64> = by_id
            .keys()
            .copied()
            .chain(by_name.values().flatten().map(|p| p.id))
            .collect();
        let mut money = MoneyCells::load(self, &all_ids, &upload.files).await?;
        let mut sheet = CheckedSheet::default();
        for mut cells in rows {
            if !cells.filled("amount") {
                sheet.skipped += 1;
                continue;
            }
            let name = cells.raw("project_name").to_owned();
            let project = match cells.int("project_id") {
                Some(id) => by_id.get(&id).or_else(|| {
                    cells.add(
                        "project_id",
                        format!("项目编号{id}不存在或不在您的管辖范围内"),
                    );
                    None
                }),
                // Refused as not a number.
                None if cells.filled("project_id") => None,
                None => match by_name.get(&name).map(Vec::as_slice) {
                    _ if name.is_empty() => {
                        cells.add("project_id", "项目编号和项目名称不能都为空");
                        None
                    }
                    Some([one]) => Some(one),
                    Some(_) => {
                        cells.add(
                            "project_name",
                            format!("有多个名为“{name}”的项目，请填写项目编号"),
                        );
                        None
                    }
                    None => {
                        cells.add(
                            "project_name",
                            format!("未找到名为“{name}”的项目，或不在您的管辖范围内"),
                        );
                        None
                    }
                },
            };
            if let Some(p) = project.filter(|p| !name.is_empty() && name != p.name) {
                cells.add(
                    "project_name",
                    format!(
                        "项目名称“{name}”与编号{}的项目“{}”不符，请核对是否错行",
                        p.id, p.name
                    ),
                );
            }
            let period = cells.month("period");
            let money = money.check(project.map(SheetProject::money), period, &mut cells);
            sheet.add(upload, cells, |cells| {
                Some(CheckedFund {
                    row: cells.row,
                    project: project?.clone(),
                    period: period?,
                    money: money?,
                })
            });
        }
        Ok(sheet)
    }
}

impl SheetImport for FundsSheet {
    const SPEC: &'static SheetSpec = &SPEC;
    const PERMISSION: Permission = Permission::EnterFunds;
    const LABEL: &'static str = "project_name";
    const NOTHING_FILLED: Option<(&'static str, &'static str)> =
        Some(("amount", "表格中没有填写到位金额的行"));
    type Row = CheckedFund;
    type Preview = FundImportPreview;

    async fn check(
        scoped: &Scoped,
        upload: &SheetUpload,
    ) -> Result<CheckedSheet<CheckedFund>, StoreError> {
        scoped.funds().check_rows(upload).await
    }

    fn preview(upload: &SheetUpload, checked: CheckedSheet<CheckedFund>) -> FundImportPreview {
        let receipts = ReceiptUse::of(
            upload,
            checked
                .valid
                .iter()
                .map(|c| (c.row, c.project.name.as_str(), &c.money)),
        );
        FundImportPreview {
            files_sent: upload.files.len(),
            rows_with_receipt: receipts.rows_with_receipt,
            rows_without_receipt: receipts.rows_without_receipt,
            unused_files: receipts.unused_files,
            total_rows: upload.rows.len(),
            valid_rows: checked.valid.len(),
            skipped_rows: checked.skipped,
            errors: checked.errors,
            rows: checked
                .valid
                .iter()
                .take(PREVIEW_ROWS)
                .map(|c| FundPreviewRow {
                    row: c.row,
                    project_id: c.project.id,
                    project_name: c.project.name.clone(),
                    region_name: c.project.region_name.clone(),
                    period: c.period.to_string(),
                    currency: c.money.input.currency.as_str().to_owned(),
                    amount: c.money.input.amount,
                    kind_label: c.money.input.kind.label().to_owned(),
                    warnings: c.money.warnings.clone(),
                })
                .collect(),
        }
    }

    /// Enters every row for review in one transaction, each with its receipt attached (the
    /// receipts' contents are stored first, named by their hash).
    async fn write(
        scoped: &Scoped,
        upload: &SheetUpload,
        rows: Vec<CheckedFund>,
    ) -> Result<usize, StoreError> {
        store_receipts(upload, rows.iter().map(|c| &c.money)).await?;
        let mut tx = scoped.db.pool.begin().await?;
        let mut entries = Vec::with_capacity(rows.len());
        for c in &rows {
            let (_, written) = enter_money(
                &mut tx,
                scoped.actor.user_id,
                MoneyRow {
                    project_id: c.project.id,
                    project_name: &c.project.name,
                    region_code: &c.project.region_code,
                    period: c.period,
                    row: c.row,
                    source: "Excel导入",
                },
                &c.money,
            )
            .await?;
            entries.extend(written);
        }
        commit_audited(scoped, tx, entries).await?;
        Ok(rows.len())
    }
}
