//! The one sheet mechanism. An area declares its sheet once — its columns (header, whether
//! required, dropdown choices, width, how to fill it in, and the [`Kind`] of value each cell
//! holds), how a row is checked into what it writes, what the preview shows and how checked
//! rows are written — by implementing [`SheetImport`]. The template, the preview with row and
//! column errors, the all-or-nothing commit, the export and the HTTP routes all come from that
//! one definition ([`preview`], [`commit`]; the server reads the upload and writes the
//! template and the export from [`SheetSpec`]). Every cell of a row is parsed by its column's
//! kind ([`SheetUpload::parse`]), so an area's `check` sees typed values and adds only the
//! rules that span cells or look things up; all errors of a row come at once.

use crate::audit::{self, OwnedEntry};
use crate::kit::clock;
use crate::kit::error::{RowError, StoreError};
use crate::kit::objects::ObjectStore;
use crate::scoped::Scoped;
use luodi_domain::funds::Period;
use luodi_domain::rates::Rate;
use luodi_domain::{parse_date, parse_yes_no, CreditCode, DateLimit, Fen, Permission};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// One of a list, written by its Chinese name or its code (a dropdown in the template).
#[derive(Debug, Clone, Copy)]
pub struct Choice {
    /// The code of what a cell says, if it is one of the list.
    pub parse: fn(&str) -> Option<&'static str>,
    /// The name a code is written as (exports, filled templates).
    pub label: fn(&str) -> Option<&'static str>,
    /// Why a cell's text is not one of the list.
    pub refused: fn(&str) -> String,
}

/// The [`Choice`] of a domain enum with `parse` (its code or Chinese name), `as_str` and
/// `label`, refused with the message `refused` makes of the cell's text.
macro_rules! choice {
    ($enum:ty, $refused:expr) => {
        $crate::sheets::Choice {
            parse: |s| <$enum>::parse(s).map(<$enum>::as_str),
            label: |code| <$enum>::parse(code).map(<$enum>::label),
            refused: $refused,
        }
    };
}
pub(crate) use choice;

/// What a cell holds: how its text parses into a value with a Chinese message when it does
/// not, and how a value is written back (exports, filled templates).
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Text as written, trimmed; at most `max` characters unless `max` is 0.
    Text { max: usize },
    /// A date as users type it (2026-03-05, 2026/3/5) within 2000–2100.
    Date,
    /// A date that has happened: no later than today but for the rules' grace.
    PastDate,
    /// A month (YYYY-MM) no later than this one.
    PastMonth,
    /// An amount in 万元 or 万美元 (six decimals at most), read as 分 or cents.
    Wan,
    /// 是/否 by the one yes/no rule; a blank cell is no.
    YesNo,
    /// A whole number within `min..=max`; `refused` says why a cell is not one.
    Int {
        min: i64,
        max: i64,
        refused: fn(&str) -> String,
    },
    /// One of a list.
    Choice(Choice),
    /// A 统一社会信用代码 with its check digit.
    CreditCode,
    /// Exports only: a ratio, shown as a percentage.
    Rate,
}

/// A count in an export.
pub const COUNT: Kind = Kind::Int {
    min: 0,
    max: i64::MAX,
    refused: |s| format!("应为非负整数，实际为“{s}”"),
};

/// A cell's value: parsed from an upload by its column's [`Kind`], or handed to an export.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Blank,
    Text(String),
    Int(i64),
    Date(time::Date),
    Month(Period),
    /// Money in minor units (分 or cents).
    Minor(i64),
    Bool(bool),
    /// The code of a [`Kind::Choice`].
    Code(&'static str),
    Credit(CreditCode),
    Rate(Option<Rate>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::from(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        if s.is_empty() {
            Value::Blank
        } else {
            Value::Text(s)
        }
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        s.map_or(Value::Blank, Value::from)
    }
}

impl From<&Option<String>> for Value {
    fn from(s: &Option<String>) -> Self {
        s.clone().into()
    }
}

impl Kind {
    /// Reads a cell's text (trimmed; blank cells are [`Value::Blank`], but for yes/no, where
    /// blank is no).
    fn parse(self, text: &str, limit: &DateLimit) -> Result<Value, String> {
        if text.is_empty() && !matches!(self, Kind::YesNo) {
            return Ok(Value::Blank);
        }
        match self {
            Kind::Text { max } if max > 0 && text.chars().count() > max => {
                Err(format!("内容过长：不超过{max}个字"))
            }
            Kind::Text { .. } | Kind::Rate => Ok(Value::Text(text.to_owned())),
            Kind::Date => parse_date(text).map(Value::Date),
            Kind::PastDate => limit.parse(text).map(Value::Date),
            Kind::PastMonth => Period::parse(text)
                .map_err(|e| e.to_string())
                .and_then(|p| p.not_after_month_of(limit.today))
                .map(Value::Month),
            Kind::Wan => Fen::parse_wan_yuan(text)
                .map(|f| Value::Minor(f.0))
                .map_err(|e| e.to_string()),
            Kind::YesNo => parse_yes_no(text).map(Value::Bool),
            Kind::Int { min, max, refused } => whole_number(text)
                .filter(|n| (min..=max).contains(n))
                .map(Value::Int)
                .ok_or_else(|| refused(text)),
            Kind::Choice(c) => (c.parse)(text)
                .map(Value::Code)
                .ok_or_else(|| (c.refused)(text)),
            Kind::CreditCode => CreditCode::parse(text)
                .map(Value::Credit)
                .map_err(|e| e.to_string()),
        }
    }
}

/// A whole number as written, or as Excel stores one (`12.0`).
fn whole_number(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|v| v.fract() == 0.0 && v.abs() < 9e15)
            .map(|v| v as i64)
    })
}

/// One column of a sheet (import template or export).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub field: &'static str,
    pub header: &'static str,
    pub required: bool,
    /// Allowed values, offered as a dropdown in the template.
    pub choices: &'static [&'static str],
    pub width: f64,
    /// How to fill it in, shown on the template's instructions sheet.
    pub note: &'static str,
    /// What its cells hold.
    pub kind: Kind,
    /// The message for a blank cell, when a blank cell is an error whatever else the row says.
    pub blank: Option<&'static str>,
    /// The message for any cell its kind refuses, instead of the kind's own.
    pub refused: Option<&'static str>,
    /// Printed for the user to fill in by, never read back from an upload.
    pub reference: bool,
}

/// The note of a column printed for reference.
pub const FOR_REFERENCE: &str = "仅供参考，不导入";

impl Column {
    /// An optional text column without a dropdown or a note (export columns, mostly).
    pub const fn new(field: &'static str, header: &'static str, width: f64) -> Self {
        Self {
            field,
            header,
            required: false,
            choices: &[],
            width,
            note: "",
            kind: Kind::Text { max: 0 },
            blank: None,
            refused: None,
            reference: false,
        }
    }

    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub const fn choices(mut self, choices: &'static [&'static str]) -> Self {
        self.choices = choices;
        self
    }

    pub const fn note(mut self, note: &'static str) -> Self {
        self.note = note;
        self
    }

    pub const fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// A blank cell is refused with `message`.
    pub const fn blank(mut self, message: &'static str) -> Self {
        self.blank = Some(message);
        self
    }

    /// Any refusal of the cell reads `message`.
    pub const fn refused(mut self, message: &'static str) -> Self {
        self.refused = Some(message);
        self
    }

    /// Printed for reference only ([`FOR_REFERENCE`]): an upload's cells are not read.
    pub const fn reference(mut self) -> Self {
        self.reference = true;
        self.note = FOR_REFERENCE;
        self
    }
}

/// A sheet: its name in the workbook, its columns and how many data rows one import takes.
#[derive(Debug)]
pub struct SheetSpec {
    pub sheet_name: &'static str,
    pub columns: &'static [Column],
    /// Largest number of data rows accepted in one import (0 for export-only sheets).
    pub max_rows: usize,
}

/// One data row of an uploaded sheet: its Excel row number and its cells by field.
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub row: usize,
    pub cells: HashMap<&'static str, String>,
}

impl SheetRow {
    /// The cell of `field`, trimmed; empty when the column is absent or blank.
    pub fn cell(&self, field: &str) -> String {
        self.cells
            .get(field)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }
}

/// A file sent beside a sheet (a bank receipt …), named as uploaded (a .zip already unpacked).
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Where files sent with a sheet are kept once it is written.
#[derive(Clone)]
pub struct Objects(pub Arc<dyn ObjectStore>);

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Objects")
    }
}

/// An uploaded sheet as read against its [`SheetSpec`], with the form fields and files sent
/// beside it.
#[derive(Debug, Default)]
pub struct SheetUpload {
    pub rows: Vec<SheetRow>,
    /// Field → the column letter it was found in.
    pub columns: HashMap<&'static str, String>,
    /// Cells that could not be read (formula errors).
    pub cell_errors: Vec<RowError>,
    /// Text fields of the upload form (e.g. the region a units sheet goes into).
    pub fields: HashMap<String, String>,
    /// Files sent beside the sheet (receipts of the monthly fund sheet).
    pub files: Vec<UploadedFile>,
    /// The object store the files go to when the sheet is written.
    pub objects: Option<Objects>,
}

impl SheetUpload {
    /// An error of `row` in the column of `field`, as the user sees it in Excel.
    pub fn error(&self, row: usize, field: &str, message: impl Into<String>) -> RowError {
        RowError {
            row,
            column: self.columns.get(field).cloned().unwrap_or_default(),
            field: field.to_owned(),
            message: message.into(),
            label: None,
        }
    }

    /// A non-blank form field, or a field error with `missing` as its message.
    pub fn field(&self, name: &str, missing: &str) -> Result<&str, StoreError> {
        self.fields
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| StoreError::field(name, missing))
    }
}

impl SheetUpload {
    /// Every row read cell by cell by its column's [`Kind`] (columns printed for reference
    /// are not read): typed values and each cell's error, for the area's own checks to add
    /// to. `limit` is the latest date a [`Kind::PastDate`] may carry (today when not given).
    pub fn parse<'a>(
        &'a self,
        spec: &'static SheetSpec,
        limit: Option<DateLimit>,
    ) -> impl Iterator<Item = Cells> + 'a {
        let limit = limit.unwrap_or_else(|| DateLimit {
            today: clock::today(),
            grace_days: 0,
        });
        self.rows.iter().map(move |r| Cells::parse(spec, r, &limit))
    }
}

/// One row of an upload, parsed: its cells' values by column and the errors of the row so
/// far. An area adds its own errors ([`Cells::add`]) and hands it to [`CheckedSheet::add`].
#[derive(Debug)]
pub struct Cells {
    /// Row number as Excel shows it.
    pub row: usize,
    spec: &'static SheetSpec,
    /// The cell as written (trimmed), then its value, by column.
    cells: Vec<(String, Value)>,
    errors: Vec<(String, String)>,
}

impl Cells {
    fn parse(spec: &'static SheetSpec, r: &SheetRow, limit: &DateLimit) -> Self {
        let mut errors = Vec::new();
        let cells = spec
            .columns
            .iter()
            .map(|c| {
                if c.reference {
                    return (String::new(), Value::Blank);
                }
                let text = r.cells.get(c.field).map_or("", |s| s.trim()).to_owned();
                let value = match (c.blank, text.is_empty()) {
                    (Some(message), true) => Err(message.to_owned()),
                    _ => c.kind.parse(&text, limit),
                };
                let value = value.unwrap_or_else(|m| {
                    errors.push((c.field.to_owned(), c.refused.map_or(m, str::to_owned)));
                    Value::Blank
                });
                (text, value)
            })
            .collect();
        Self {
            row: r.row,
            spec,
            cells,
            errors,
        }
    }

    fn at(&self, field: &str) -> Option<&(String, Value)> {
        let i = self.spec.columns.iter().position(|c| c.field == field)?;
        Some(&self.cells[i])
    }

    /// The value of a cell (blank when it failed, or when the sheet has no such column).
    pub fn value(&self, field: &str) -> &Value {
        self.at(field).map_or(&Value::Blank, |(_, v)| v)
    }

    /// The cell as written, trimmed (for messages and names looked up).
    pub fn raw(&self, field: &str) -> &str {
        self.at(field).map_or("", |(t, _)| t.as_str())
    }

    /// Whether anything is written in the cell.
    pub fn filled(&self, field: &str) -> bool {
        !self.raw(field).is_empty()
    }

    /// A text cell, or none when blank.
    pub fn text(&self, field: &str) -> Option<String> {
        match self.value(field) {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        }
    }

    pub fn date(&self, field: &str) -> Option<time::Date> {
        match self.value(field) {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn month(&self, field: &str) -> Option<Period> {
        match self.value(field) {
            Value::Month(p) => Some(*p),
            _ => None,
        }
    }

    /// Money in minor units, or none when blank or refused.
    pub fn minor(&self, field: &str) -> Option<i64> {
        match self.value(field) {
            Value::Minor(m) => Some(*m),
            _ => None,
        }
    }

    /// A yes/no cell: no when blank or refused.
    pub fn yes(&self, field: &str) -> bool {
        matches!(self.value(field), Value::Bool(true))
    }

    pub fn int(&self, field: &str) -> Option<i64> {
        match self.value(field) {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The code of a choice cell.
    pub fn code(&self, field: &str) -> Option<&'static str> {
        match self.value(field) {
            Value::Code(c) => Some(c),
            _ => None,
        }
    }

    /// Whether the cell (or a rule about it) has been refused.
    pub fn failed(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _)| f == field)
    }

    /// Whether the row has no error so far.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// An error of the row in the column of `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_owned(), message.into()));
    }

    /// The outcome of a check shared with the form: its value, or none with its field errors
    /// added (`column` names the sheet's column of a form field), leaving out what they say
    /// about a cell already refused. Errors other than field errors are handed back.
    pub fn absorb<T>(
        &mut self,
        checked: Result<T, StoreError>,
        column: impl Fn(&str) -> &str,
    ) -> Result<Option<T>, StoreError> {
        let fields = match checked {
            Ok(value) => return Ok(Some(value)),
            Err(StoreError::Validation(fields)) => fields,
            Err(e) => return Err(e),
        };
        let refused: Vec<String> = self.errors.iter().map(|(f, _)| f.clone()).collect();
        for (field, messages) in fields {
            let field = column(&field).to_owned();
            if !refused.contains(&field) {
                self.errors
                    .extend(messages.into_iter().map(|m| (field.clone(), m)));
            }
        }
        Ok(None)
    }
}

/// Rows that passed every check, the errors of the others, and how many were passed over
/// as intentionally blank.
#[derive(Debug)]
pub struct CheckedSheet<R> {
    pub valid: Vec<R>,
    pub errors: Vec<RowError>,
    pub skipped: usize,
}

impl<R> Default for CheckedSheet<R> {
    fn default() -> Self {
        Self {
            valid: Vec::new(),
            errors: Vec::new(),
            skipped: 0,
        }
    }
}

impl<R> CheckedSheet<R> {
    /// A checked row: what `make` builds of it when the row has no error (none when it has
    /// nothing to write), else its errors by Excel row and column.
    pub fn add(
        &mut self,
        upload: &SheetUpload,
        cells: Cells,
        make: impl FnOnce(Cells) -> Option<R>,
    ) {
        if cells.is_clean() {
            self.valid.extend(make(cells));
        } else {
            let row = cells.row;
            self.errors.extend(
                cells
                    .errors
                    .into_iter()
                    .map(|(field, message)| upload.error(row, &field, message)),
            );
        }
    }
}

/// Ends a sheet's write: the rows' audit entries on the same transaction, then the commit.
pub(crate) async fn commit_audited(
    scoped: &Scoped,
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    entries: Vec<OwnedEntry>,
) -> Result<(), StoreError> {
    audit::record_many(
        &mut tx,
        scoped.db.backend(),
        (&scoped.actor).into(),
        entries,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many checked rows a preview shows.
pub const PREVIEW_ROWS: usize = 200;

/// An area's sheet, declared once.
pub trait SheetImport: 'static {
    /// The columns of the template and of the upload.
    const SPEC: &'static SheetSpec;
    /// Who may import it (checked before the upload is read).
    const PERMISSION: Permission;
    /// The column that names a row (its project, event or unit), for error lists.
    const LABEL: &'static str;
    /// For a sheet whose rows may all be intentionally blank (a list sent out to be filled
    /// in): the column and message naming what a sheet without one filled row lacks.
    const NOTHING_FILLED: Option<(&'static str, &'static str)> = None;
    /// A row checked and ready to write.
    type Row: Send + Sync;
    /// What the preview shows.
    type Preview: serde::Serialize + Send;

    /// Checks every row (all errors at once), looking up what it refers to within the actor's
    /// scope. Writes nothing.
    fn check<'a>(
        scoped: &'a Scoped,
        upload: &'a SheetUpload,
    ) -> impl Future<Output = Result<CheckedSheet<Self::Row>, StoreError>> + Send + 'a;

    /// The preview of a checked sheet (its errors include the unreadable cells).
    fn preview(upload: &SheetUpload, checked: CheckedSheet<Self::Row>) -> Self::Preview;

    /// Writes the rows of a sheet without errors in one transaction with an audit entry each.
    fn write<'a>(
        scoped: &'a Scoped,
        upload: &'a SheetUpload,
        rows: Vec<Self::Row>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send + 'a;
}

/// Checks an uploaded sheet row by row; writes nothing.
pub async fn preview<S: SheetImport>(
    scoped: &Scoped,
    upload: &SheetUpload,
) -> Result<S::Preview, StoreError> {
    scoped.actor().require(S::PERMISSION)?;
    let mut checked = check::<S>(scoped, upload).await?;
    checked.errors.extend(upload.cell_errors.iter().cloned());
    checked.errors.sort_by_key(|e| e.row);
    label::<S>(upload, &mut checked.errors);
    Ok(S::preview(upload, checked))
}

/// Every error of an uploaded sheet (unreadable cells and failed checks), by row; writes
/// nothing. For the copy of the user's workbook with its bad cells marked.
pub async fn errors<S: SheetImport>(
    scoped: &Scoped,
    upload: &SheetUpload,
) -> Result<Vec<RowError>, StoreError> {
    scoped.actor().require(S::PERMISSION)?;
    let mut errors = check::<S>(scoped, upload).await?.errors;
    errors.extend(upload.cell_errors.iter().cloned());
    errors.sort_by_key(|e| e.row);
    label::<S>(upload, &mut errors);
    Ok(errors)
}

/// Names each error's row by its [`SheetImport::LABEL`] cell.
fn label<S: SheetImport>(upload: &SheetUpload, errors: &mut [RowError]) {
    let names: HashMap<usize, String> = upload
        .rows
        .iter()
        .map(|r| (r.row, r.cell(S::LABEL)))
        .filter(|(_, name)| !name.is_empty())
        .collect();
    for e in errors {
        if e.label.is_none() {
            e.label = names.get(&e.row).cloned();
        }
    }
}

/// Writes every row of an uploaded sheet in one transaction, or none when any row is wrong
/// (`StoreError::Rows` with every error).
pub async fn commit<S: SheetImport>(
    scoped: &Scoped,
    upload: &SheetUpload,
) -> Result<usize, StoreError> {
    scoped.actor().require(S::PERMISSION)?;
    if !upload.cell_errors.is_empty() {
        let mut errors = upload.cell_errors.clone();
        label::<S>(upload, &mut errors);
        return Err(StoreError::Rows(errors));
    }
    let mut checked = check::<S>(scoped, upload).await?;
    if !checked.errors.is_empty() {
        label::<S>(upload, &mut checked.errors);
        return Err(StoreError::Rows(checked.errors));
    }
    S::write(scoped, upload, checked.valid).await
}

/// The area's checks, and the ones every sheet shares: it must hold a data row, and a sheet
/// sent out to be filled in must have one filled.
async fn check<S: SheetImport>(
    scoped: &Scoped,
    upload: &SheetUpload,
) -> Result<CheckedSheet<S::Row>, StoreError> {
    let mut checked = S::check(scoped, upload).await?;
    if let Some((field, message)) = S::NOTHING_FILLED {
        if !upload.rows.is_empty() && checked.valid.is_empty() && checked.errors.is_empty() {
            checked.errors.push(upload.error(2, field, message));
        }
    }
    if upload.rows.is_empty() && checked.errors.is_empty() {
        let first = S::SPEC.columns.first().map_or("", |c| c.field);
        let mut error = upload.error(2, first, "表格中没有数据行");
        if error.column.is_empty() {
            error.column = "A".into();
        }
        checked.errors.push(error);
    }
    Ok(checked)
}
