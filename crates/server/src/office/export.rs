//! A list exported in its sheet's layout, declared once per area: the sheet's own columns
//! first, so that an export edited in Excel imports back unchanged, then the figures the
//! system derives. Each cell is written as its column's [`Kind`](super::Kind) says (the same
//! declaration the import parses by), so template, import and export cannot drift. The
//! ledger, events and units exports are one implementation each of [`SheetExport`] and one
//! call to [`export_response`].

use super::{export_columns, export_download, Cell, Column, Value};
use crate::error::{ApiError, ApiResult, ErrorCode};
use axum::http::StatusCode;
use axum::response::Response;
use luodi_store::sheets::SheetImport;
use serde::Deserialize;
use utoipa::IntoParams;

/// An area's export.
pub trait SheetExport: SheetImport {
    /// What one row shows (a project, an event, a unit).
    type Item: Send + 'static;
    /// The file name of the download.
    const FILE_NAME: &'static str;
    /// The derived figures, after the sheet's own columns.
    const DERIVED: &'static [Column];

    /// The value of `field` (a column of the sheet or of [`SheetExport::DERIVED`]) for
    /// `item`; its column's kind says how it is written.
    fn value(item: &Self::Item, field: &str) -> Value;
}

/// Which columns an export holds: all of them when not given.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportColumns {
    /// Comma-separated field names of the export's columns (e.g. the columns shown in the
    /// list), in the order wanted; the sheet's first column (the name) always comes first.
    pub columns: Option<String>,
}

/// Every column of the export of `S`, in order.
pub fn all_columns<S: SheetExport>() -> Vec<&'static Column> {
    S::SPEC.columns.iter().chain(S::DERIVED).collect()
}

impl ExportColumns {
    /// The columns chosen, or a 400 naming an unknown field.
    fn pick<S: SheetExport>(&self) -> Result<Vec<&'static Column>, ApiError> {
        let all = all_columns::<S>();
        let Some(list) = self.columns.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(all);
        };
        let mut picked = vec![all[0]];
        for field in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let column = all.iter().find(|c| c.field == field).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadQuery,
                    format!("导出列“{field}”不存在"),
                )
            })?;
            if !picked.iter().any(|c| c.field == column.field) {
                picked.push(column);
            }
        }
        Ok(picked)
    }
}

/// The export of `items` as a workbook download: the chosen columns, amounts as numbers in
/// 万元/万美元, rates as percentages, dates as dates.
pub async fn export_response<S: SheetExport>(
    items: Vec<S::Item>,
    chosen: &ExportColumns,
) -> ApiResult<Response> {
    let columns = chosen.pick::<S>()?;
    let rows = items.len();
    let bytes = tokio::task::spawn_blocking(move || {
        let rows = items.iter().map(|item| {
            columns
                .iter()
                .map(|c| Cell::of(c.kind, S::value(item, c.field)))
                .collect()
        });
        export_columns(S::SPEC.sheet_name, &columns, rows)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(export_download(S::FILE_NAME, bytes, rows))
}
