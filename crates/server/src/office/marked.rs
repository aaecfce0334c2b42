//! The user's own workbook handed back with its errors marked: every cell at fault filled red
//! with the messages as a note, each row's errors listed in a last column "错误说明", so that a
//! clerk corrects the file they sent instead of hunting row numbers on the screen.

use super::read::{check_archive, invalid_file, panicked};
use super::{xlsx_error, SheetLimits};
use crate::error::ApiError;
use calamine::{DataRef, Reader, Xlsx};
use luodi_store::RowError;
use rust_xlsxwriter::{Color, Format, Note, Workbook};
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

/// Marks `errors` in a copy of the first sheet of `bytes` (already read once within
/// `limits`): values, numbers and dates as they were; formatting of the original is not kept.
pub async fn marked_copy(
    limits: &SheetLimits,
    bytes: Vec<u8>,
    errors: Vec<RowError>,
) -> Result<Vec<u8>, ApiError> {
    let limits = limits.clone();
    match tokio::task::spawn_blocking(move || mark(&limits, bytes, &errors)).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err(panicked()),
        Err(e) => Err(ApiError::internal(e)),
    }
}

fn mark(limits: &SheetLimits, bytes: Vec<u8>, errors: &[RowError]) -> Result<Vec<u8>, ApiError> {
    check_archive(limits, &bytes)?;
    // Errors by 0-based (row, column); those of a whole row (no column) only in the list.
    let mut at: HashMap<(u32, u16), Vec<&str>> = HashMap::new();
    let mut by_row: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for e in errors {
        let row = e.row.saturating_sub(1) as u32;
        if !e.column.is_empty() {
            let column = rust_xlsxwriter::utility::column_name_to_number(&e.column);
            at.entry((row, column)).or_default().push(&e.message);
            by_row
                .entry(row)
                .or_default()
                .push(format!("{}列：{}", e.column, e.message));
        } else {
            by_row.entry(row).or_default().push(e.message.clone());
        }
    }

    let mut source = Xlsx::new(Cursor::new(bytes)).map_err(|_| invalid_file())?;
    let first = source
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(invalid_file)?;
    let mut cells = source
        .worksheet_cells_reader(&first)
        .map_err(|_| invalid_file())?;
    let declared = cells.dimensions();
    let last_column = declared.end.1.min(limits.max_columns.saturating_sub(1));
    let row_limit = u64::from(declared.end.0).min(limits.max_rows as u64 * 2 + 10_000);

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&first).map_err(xlsx_error)?;
    let bad = Format::new()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut header_row = None;
    let mut written_marks = std::collections::HashSet::new();
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(_) => return Err(invalid_file()),
        };
        let (row, column) = cell.get_position();
        if u64::from(row) > row_limit || column > last_column {
            continue;
        }
        let column = column as u16;
        header_row.get_or_insert(row);
        let marked = at.contains_key(&(row, column));
        let value = cell.get_value();
        if marked && !matches!(value, DataRef::Empty) {
            written_marks.insert((row, column));
        }
        let written = match (value, marked) {
            (DataRef::Empty, _) => Ok(&mut *sheet),
            (DataRef::Int(i), false) => sheet.write_number(row, column, *i as f64),
            (DataRef::Int(i), true) => sheet.write_number_with_format(row, column, *i as f64, &bad),
            (DataRef::Float(f), false) => sheet.write_number(row, column, *f),
            (DataRef::Float(f), true) => sheet.write_number_with_format(row, column, *f, &bad),
            (DataRef::DateTime(d), false) => {
                sheet.write_number_with_format(row, column, d.as_f64(), &date)
            }
            (DataRef::DateTime(d), true) => {
                let red_date = bad.clone().set_num_format("yyyy-mm-dd");
                sheet.write_number_with_format(row, column, d.as_f64(), &red_date)
            }
            (DataRef::Bool(b), false) => sheet.write_boolean(row, column, *b),
            (DataRef::Bool(b), true) => sheet.write_boolean_with_format(row, column, *b, &bad),
            (other, false) => sheet.write_string(row, column, text_of(other)),
            (other, true) => sheet.write_string_with_format(row, column, text_of(other), &bad),
        };
        written.map_err(xlsx_error)?;
    }
    // Cells at fault that were blank in the upload (a missing required value) are marked too,
    // and every note is added once, whatever the order of the cells.
    for (&(row, column), messages) in &at {
        if column > last_column as u16 {
            continue;
        }
        if !written_marks.contains(&(row, column)) {
            sheet.write_blank(row, column, &bad).map_err(xlsx_error)?;
        }
        let note = Note::new(messages.join("\n"))
            .set_author("落地")
            .set_width(260);
        sheet.insert_note(row, column, &note).map_err(xlsx_error)?;
    }
    let list_column = last_column as u16 + 1;
    let header = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0xC00000));
    sheet
        .write_string_with_format(header_row.unwrap_or(0), list_column, "错误说明", &header)
        .map_err(xlsx_error)?;
    let red = Format::new()
        .set_font_color(Color::RGB(0xC00000))
        .set_text_wrap();
    for (row, messages) in &by_row {
        sheet
            .write_string_with_format(*row, list_column, messages.join("；"), &red)
            .map_err(xlsx_error)?;
    }
    sheet
        .set_column_width(list_column, 60)
        .map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

fn text_of(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Error(e) => format!("#{e:?}"),
        other => format!("{other:?}"),
    }
}
