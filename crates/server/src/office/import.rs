//! The HTTP side of the sheet mechanism: every area's template, preview and commit routes are
//! one call each to these, with the area's [`SheetImport`] declaration.

use super::{template, xlsx_response, Upload};
use crate::error::{ApiError, ApiResult, Json};
use crate::AppState;
use axum::response::Response;
use luodi_store::sheets::{self, Objects, SheetImport, SheetUpload};
use luodi_store::Scoped;

/// The blank import template of sheet `S`.
pub fn template_response<S: SheetImport>(file_name: &str) -> ApiResult<Response> {
    Ok(xlsx_response(file_name, template(S::SPEC)?))
}

/// Checks an uploaded sheet `S` row by row and answers the preview; writes nothing. The
/// permission is checked before the upload is read.
pub async fn preview<S: SheetImport>(
    store: &Scoped,
    state: &AppState,
    upload: Upload,
) -> ApiResult<Json<S::Preview>> {
    store.actor().require(S::PERMISSION)?;
    let sheet = read::<S>(state, upload).await?;
    Ok(Json(sheets::preview::<S>(store, &sheet).await?))
}

/// Writes an uploaded sheet `S` whole, or nothing (422 `import_rejected` with every row's
/// errors); answers how many rows were written.
pub async fn commit<S: SheetImport>(
    store: &Scoped,
    state: &AppState,
    upload: Upload,
) -> ApiResult<usize> {
    store.actor().require(S::PERMISSION)?;
    let sheet = read::<S>(state, upload).await?;
    Ok(sheets::commit::<S>(store, &sheet).await?)
}

/// The uploaded workbook `S` handed back with every error marked (red cells with notes and a
/// column "错误说明"), named after the upload; 422 when the sheet has no error to mark.
pub async fn marked<S: SheetImport>(
    store: &Scoped,
    state: &AppState,
    upload: Upload,
) -> ApiResult<Response> {
    store.actor().require(S::PERMISSION)?;
    let mut form = upload.read().await?;
    let limits = &state.settings.sheets;
    let (sheet, bytes) = form.sheet_and_bytes(S::SPEC, limits).await?;
    let errors = sheets::errors::<S>(store, &sheet).await?;
    if errors.is_empty() {
        return Err(ApiError::field("file", "表格检查无误，没有需要标注的错误"));
    }
    let marked = super::marked::marked_copy(limits, bytes, errors).await?;
    Ok(xlsx_response(
        &format!("{}（已标注错误）.xlsx", S::SPEC.sheet_name),
        marked,
    ))
}

async fn read<S: SheetImport>(state: &AppState, upload: Upload) -> ApiResult<SheetUpload> {
    let started = std::time::Instant::now();
    let mut sheet = upload.sheet(S::SPEC, &state.settings.sheets).await?;
    // Files sent with the sheet are kept where attachments go.
    sheet.objects = Some(Objects(state.files.clone()));
    tracing::info!(
        sheet = S::SPEC.sheet_name,
        rows = sheet.rows.len(),
        read_ms = started.elapsed().as_millis() as u64,
        "sheet read"
    );
    Ok(sheet)
}
