//! The one sheet mechanism. An area declares its sheet once — its columns (header, whether
//! required, dropdown choices, width, how to fill it in), how a row is checked into what it
//! writes, what the preview shows and how checked rows are written — by implementing
//! [`SheetImport`]. The template, the preview with row and column errors, the all-or-nothing
//! commit and the HTTP routes all come from that one definition ([`preview`], [`commit`];
//! the server reads the upload and writes the template from [`SheetSpec`]).

use crate::kit::error::{RowError, StoreError};
use crate::kit::objects::ObjectStore;
use crate::scoped::Scoped;
use luodi_domain::Permission;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

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
}

impl Column {
    /// An optional column without a dropdown or a note (export columns, mostly).
    pub const fn new(field: &'static str, header: &'static str, width: f64) -> Self {
        Self {
            field,
            header,
            required: false,
            choices: &[],
            width,
            note: "",
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

/// The area's checks, and the one every sheet shares: it must hold a data row.
async fn check<S: SheetImport>(
    scoped: &Scoped,
    upload: &SheetUpload,
) -> Result<CheckedSheet<S::Row>, StoreError> {
    let mut checked = S::check(scoped, upload).await?;
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
