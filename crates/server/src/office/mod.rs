//! Excel in and out, the same way for every list: a template with dropdowns, a reader that
//! maps columns by their header and reports cells by Excel's own row numbers and letters, and
//! a writer for exports.

use crate::error::ApiError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use luodi_domain::rates::Rate;
use luodi_domain::{Fen, UsdCents};
use rust_xlsxwriter::{
    Color, DataValidation, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};

mod document;
mod export;
mod import;
mod marked;
mod read;
mod receipts;
pub use document::{docx_response, OfficialDocument};
pub use export::{all_columns, export_response, ExportColumns, SheetExport};
pub use import::{commit, marked, preview, template_response};
pub use luodi_store::sheets::{Column, Kind, SheetSpec, Value, COUNT};
pub use read::{column_letter, SheetLimits, Upload, UploadForm};

// The multipart form of a sheet import: the filled-in workbook (no doc comment: it would
// become the schema's description in the OpenAPI document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct SheetForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::internal(format!("writing xlsx: {e}"))
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
}

/// The import template: header row (required columns marked *), dropdowns, instructions.
pub fn template(spec: &SheetSpec) -> Result<Vec<u8>, ApiError> {
    template_filled(spec, Vec::new())
}

/// A template with rows already filled in (e.g. the projects a monthly report is due for).
pub fn template_filled(spec: &SheetSpec, rows: Vec<Vec<Cell>>) -> Result<Vec<u8>, ApiError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(spec.sheet_name).map_err(xlsx_error)?;
    let required = header_format().set_font_color(Color::RGB(0xC00000));
    for (i, c) in spec.columns.iter().enumerate() {
        let col = i as u16;
        if c.required {
            sheet
                .write_string_with_format(0, col, format!("*{}", c.header), &required)
                .map_err(xlsx_error)?;
        } else {
            sheet
                .write_string_with_format(0, col, c.header, &header_format())
                .map_err(xlsx_error)?;
        }
        sheet.set_column_width(col, c.width).map_err(xlsx_error)?;
        if !c.choices.is_empty() {
            let validation = DataValidation::new()
                .allow_list_strings(c.choices)
                .map_err(xlsx_error)?
                .set_error_title("取值无效")
                .map_err(xlsx_error)?
                .set_error_message(format!("请从下拉列表中选择：{}", c.choices.join("、")))
                .map_err(xlsx_error)?;
            sheet
                .add_data_validation(1, col, spec.max_rows as u32, col, &validation)
                .map_err(xlsx_error)?;
        }
    }
    let formats = CellFormats::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(sheet, &formats, r as u32 + 1, c as u16, cell, false).map_err(xlsx_error)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    let notes = workbook.add_worksheet();
    notes.set_name("填写说明").map_err(xlsx_error)?;
    notes.set_column_width(0, 16).map_err(xlsx_error)?;
    notes.set_column_width(1, 10).map_err(xlsx_error)?;
    notes.set_column_width(2, 80).map_err(xlsx_error)?;
    for (i, h) in ["列名", "是否必填", "填写要求"].iter().enumerate() {
        notes
            .write_string_with_format(0, i as u16, *h, &header_format())
            .map_err(xlsx_error)?;
    }
    for (i, c) in spec.columns.iter().enumerate() {
        let row = i as u32 + 1;
        notes.write_string(row, 0, c.header).map_err(xlsx_error)?;
        notes
            .write_string(row, 1, if c.required { "必填" } else { "选填" })
            .map_err(xlsx_error)?;
        notes.write_string(row, 2, c.note).map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// The rows of a filled-in template, from each item's value of each column (as
/// [`SheetExport::value`]), written as the columns' kinds say.
pub fn template_rows<T>(
    spec: &SheetSpec,
    items: &[T],
    value: impl Fn(&T, &str) -> Value,
) -> Vec<Vec<Cell>> {
    items
        .iter()
        .map(|item| {
            spec.columns
                .iter()
                .map(|c| Cell::of(c.kind, value(item, c.field)))
                .collect()
        })
        .collect()
}

/// One cell of an export, typed so that Excel and WPS can sum, sort and filter it: amounts
/// are numbers in 万元/万美元 (exact to the 分/cent), rates are percentages, dates are dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A count.
    Count(i64),
    /// An amount in 万元 or 万美元.
    Amount(f64),
    /// A ratio shown as a percentage with two decimals.
    Percent(f64),
    /// An ISO date (YYYY-MM-DD).
    Date(String),
}

impl Cell {
    /// A value written as its column's kind says: a choice by its name, a date as a date,
    /// money in 万元/万美元, yes/no as 是/否 — what an import of the same column reads back.
    pub fn of(kind: Kind, value: Value) -> Cell {
        match (kind, value) {
            (_, Value::Blank) => Cell::Empty,
            (Kind::Date | Kind::PastDate, Value::Text(d)) => Cell::Date(d),
            (Kind::Choice(c), Value::Text(t)) => match (c.parse)(&t).and_then(c.label) {
                Some(label) => Cell::text(label),
                None => Cell::text(t),
            },
            (Kind::Choice(c), Value::Code(code)) => Cell::text((c.label)(code).unwrap_or(code)),
            (_, Value::Text(t)) => Cell::text(t),
            (_, Value::Code(code)) => Cell::text(code),
            (_, Value::Date(d)) => Cell::Date(d.to_string()),
            (_, Value::Month(p)) => Cell::text(p.to_string()),
            // 分 and cents are both a millionth of the 万 the sheet counts in.
            (_, Value::Minor(m)) => Cell::wan_yuan(Fen(m)),
            (_, Value::Int(n)) => Cell::Count(n),
            (_, Value::Bool(b)) => Cell::yes_no(b),
            (_, Value::Credit(c)) => Cell::text(c.to_string()),
            (_, Value::Rate(r)) => Cell::rate(r),
        }
    }

    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    pub fn opt_text(s: Option<String>) -> Cell {
        s.map(Cell::text).unwrap_or(Cell::Empty)
    }

    /// An amount in 万元; the exact decimal (six places at most) parses into an f64 that
    /// prints back as the same decimal, so an exported sheet imports unchanged.
    pub fn wan_yuan(fen: Fen) -> Cell {
        Cell::Amount(fen.exact_wan_yuan().parse().unwrap_or_default())
    }

    pub fn wan_usd(cents: UsdCents) -> Cell {
        Cell::Amount(cents.exact_wan_usd().parse().unwrap_or_default())
    }

    pub fn rate(rate: Option<Rate>) -> Cell {
        rate.map(|r| Cell::Percent(r.to_f64()))
            .unwrap_or(Cell::Empty)
    }

    /// A date cell, or the text as it is when it is not an ISO date.
    pub fn date(s: Option<String>) -> Cell {
        match s {
            Some(d) if !d.is_empty() => Cell::Date(d),
            _ => Cell::Empty,
        }
    }

    pub fn yes_no(b: bool) -> Cell {
        Cell::Text(if b { "是" } else { "否" }.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::text(s)
    }
}

struct CellFormats {
    amount: Format,
    percent: Format,
    date: Format,
    bold: Format,
}

impl CellFormats {
    fn new() -> Self {
        CellFormats {
            amount: Format::new().set_num_format("0.00####"),
            percent: Format::new().set_num_format("0.00%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            bold: Format::new().set_bold(),
        }
    }
}

fn write_cell(
    sheet: &mut Worksheet,
    f: &CellFormats,
    row: u32,
    col: u16,
    cell: &Cell,
    bold: bool,
) -> Result<(), XlsxError> {
    let fmt = |base: &Format| {
        if bold {
            base.clone().set_bold()
        } else {
            base.clone()
        }
    };
    match cell {
        Cell::Empty => {}
        Cell::Text(s) if bold => {
            sheet.write_string_with_format(row, col, s, &f.bold)?;
        }
        Cell::Text(s) => {
            sheet.write_string(row, col, s)?;
        }
        Cell::Count(n) if bold => {
            sheet.write_number_with_format(row, col, *n as f64, &f.bold)?;
        }
        Cell::Count(n) => {
            sheet.write_number(row, col, *n as f64)?;
        }
        Cell::Amount(v) => {
            sheet.write_number_with_format(row, col, *v, &fmt(&f.amount))?;
        }
        Cell::Percent(v) => {
            sheet.write_number_with_format(row, col, *v, &fmt(&f.percent))?;
        }
        Cell::Date(d) => match ExcelDateTime::parse_from_str(d) {
            Ok(dt) => {
                sheet.write_datetime_with_format(row, col, &dt, &fmt(&f.date))?;
            }
            Err(_) => {
                sheet.write_string(row, col, d)?;
            }
        },
    }
    Ok(())
}

/// The header row of an export, with the columns' widths.
fn write_headers(sheet: &mut Worksheet, columns: &[&Column]) -> Result<(), XlsxError> {
    for (i, c) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, c.header, &header_format())?;
        sheet.set_column_width(i as u16, c.width)?;
    }
    Ok(())
}

/// Writes one export sheet: header, rows, then optional bold total rows; frozen header and an
/// autofilter over the data rows.
fn write_table(
    sheet: &mut Worksheet,
    columns: &[&Column],
    rows: impl IntoIterator<Item = Vec<Cell>>,
    totals: &[Vec<Cell>],
) -> Result<(), XlsxError> {
    let formats = CellFormats::new();
    write_headers(sheet, columns)?;
    let mut last = 0;
    for (r, row) in rows.into_iter().enumerate() {
        last = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            write_cell(sheet, &formats, last, c as u16, cell, false)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last, columns.len().saturating_sub(1) as u16)?;
    for (i, row) in totals.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(sheet, &formats, last + 1 + i as u32, c as u16, cell, true)?;
        }
    }
    Ok(())
}

/// An export: one header row, then `rows` of cells in the spec's column order.
pub fn export(
    spec: &SheetSpec,
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<Vec<u8>, ApiError> {
    let columns: Vec<&Column> = spec.columns.iter().collect();
    export_columns(spec.sheet_name, &columns, rows)
}

/// An export of some of a sheet's columns (the ones a user chose), rows given in that order.
pub fn export_columns(
    sheet_name: &str,
    columns: &[&Column],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<Vec<u8>, ApiError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name).map_err(xlsx_error)?;
    write_table(sheet, columns, rows, &[]).map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// A report: a titled table with total rows beneath it, and a second sheet of notes (the
/// definitions and formulas the figures follow), as offices send reports up.
pub struct Report<'a> {
    pub sheet_name: &'a str,
    pub columns: &'a [Column],
    pub rows: Vec<Vec<Cell>>,
    pub totals: Vec<Vec<Cell>>,
    /// (heading, text) pairs for the 口径说明 sheet.
    pub notes: Vec<(String, String)>,
}

pub fn report(r: Report<'_>) -> Result<Vec<u8>, ApiError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(r.sheet_name)?;
        let columns: Vec<&Column> = r.columns.iter().collect();
        write_table(sheet, &columns, r.rows, &r.totals)?;
        if !r.notes.is_empty() {
            let notes = workbook.add_worksheet();
            notes.set_name("口径说明")?;
            notes.set_column_width(0, 18)?;
            notes.set_column_width(1, 90)?;
            let wrap = Format::new().set_text_wrap();
            for (i, (heading, text)) in r.notes.iter().enumerate() {
                notes.write_string_with_format(i as u32, 0, heading, &Format::new().set_bold())?;
                notes.write_string_with_format(i as u32, 1, text, &wrap)?;
            }
        }
        workbook.save_to_buffer()
    };
    build().map_err(xlsx_error)
}

/// A `Content-Disposition` for a download with a Chinese file name (RFC 6266 `filename*`),
/// with an ASCII fallback for old clients.
pub fn content_disposition(file_name: &str, fallback: &str) -> String {
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Marks an answer as an export of a list, which the audit trail records (`trail.rs`) with
/// the request's filter.
#[derive(Debug, Clone)]
pub struct Exported {
    pub file_name: String,
    pub rows: usize,
}

/// An export of `rows` rows of a list as an .xlsx download: audited as it leaves.
pub fn export_download(file_name: &str, bytes: Vec<u8>, rows: usize) -> Response {
    let mut response = xlsx_response(file_name, bytes);
    response.extensions_mut().insert(Exported {
        file_name: file_name.to_owned(),
        rows,
    });
    response
}

/// An .xlsx download with a Chinese file name that every browser keeps.
pub fn xlsx_response(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(file_name, "export.xlsx"),
            ),
        ],
        bytes,
    )
        .into_response()
}
