//! The one reader of uploaded workbooks. An .xlsx is a zip of XML parts that say how much
//! they hold, and a hostile file can say anything: a `sharedStrings.xml` declaring ten
//! billion strings, a cell at XFD1048576, a part that inflates a thousandfold. So the archive
//! is checked against [`SheetLimits`] before any part is parsed, the worksheet is streamed
//! cell by cell (never as a rectangle sized by what it declares), and reading stops at the
//! sheet's row limit. Memory is bounded by the limits, whatever the file claims.

use crate::error::ApiError;
use crate::error::ErrorCode;
use axum::http::StatusCode;
use calamine::{DataRef, Reader, Xlsx};
use luodi_store::sheets::{SheetRow, SheetSpec, SheetUpload, UploadedFile};
use luodi_store::RowError;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Limits on an uploaded workbook (`[server.sheets]` in luodi.toml). Each bounds memory or
/// time; a file beyond one is refused with a message naming it, before anything is written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetLimits {
    /// Largest workbook file accepted, in megabytes (the 100,000-row ledger sheet is ~9 MB).
    pub max_file_mb: u64,
    /// Most parts (files) inside the workbook's zip archive.
    pub max_entries: usize,
    /// Largest total size of the parts once unpacked, in megabytes.
    pub max_unpacked_mb: u64,
    /// Largest unpack ratio of one part above 1 MB (XML compresses ~5–20×; bombs 1000×).
    pub max_ratio: u64,
    /// Most distinct strings a workbook may declare in `sharedStrings.xml`.
    pub max_shared_strings: u64,
    /// Ceiling on the data rows of any one import (an area's own limit may be lower).
    pub max_rows: usize,
    /// Most columns a worksheet may declare or use.
    pub max_columns: u32,
}

impl Default for SheetLimits {
    fn default() -> Self {
        Self {
            max_file_mb: 30,
            max_entries: 1_000,
            max_unpacked_mb: 400,
            max_ratio: 200,
            max_shared_strings: 3_000_000,
            max_rows: 100_000,
            max_columns: 1_000,
        }
    }
}

const MB: u64 = 1024 * 1024;

impl SheetLimits {
    /// Rows a worksheet may declare or reach before it is refused unread: an area's data rows
    /// plus room for blank or formatted rows below them.
    fn row_ceiling(&self, spec: &SheetSpec) -> u64 {
        let rows = self.data_rows(spec) as u64;
        (rows * 2).max(rows + 10_000)
    }

    fn data_rows(&self, spec: &SheetSpec) -> usize {
        spec.max_rows.min(self.max_rows)
    }
}

/// Excel's column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: u32) -> String {
    rust_xlsxwriter::utility::column_number_to_name(index.min(u16::MAX as u32) as u16)
}

fn normalize_header(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .collect()
}

fn cell_text(cell: &DataRef<'_>) -> Result<String, String> {
    Ok(match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        DataRef::DateTime(dt) => excel_serial_to_text(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => return Err(format!("单元格含错误值（{e}），请改为实际内容")),
    })
}

/// Excel stores dates as days since 1899-12-30 (its 1900 leap-year bug included).
fn excel_serial_to_text(serial: f64) -> String {
    let epoch = time::macros::date!(1899 - 12 - 30);
    let days = serial.floor();
    let Some(date) = epoch.checked_add(time::Duration::days(days as i64)) else {
        return serial.to_string();
    };
    let seconds = ((serial - days) * 86_400.0).round() as i64;
    if seconds == 0 {
        date.to_string()
    } else {
        format!(
            "{date} {:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }
}

/// A panic in the workbook parser: the file is malformed (see [`read_off_thread`]).
pub(super) fn panicked() -> ApiError {
    tracing::warn!("the workbook reader panicked on an uploaded file");
    invalid_file()
}

pub(super) fn invalid_file() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidFile,
        "上传的文件不是有效的Excel工作簿（.xlsx），请使用下载的模板填写后上传",
    )
}

fn too_large(message: String) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::SheetTooLarge,
        message,
    )
}

fn too_many_rows(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::TooManyRows,
        format!("一次最多导入{limit}行，请分批导入"),
    )
}

/// [`read`] on a blocking thread: parsing a large workbook takes seconds of CPU. A panic in
/// the parser (calamine 0.38 overflows on a cell reference such as `A99999999999` in builds
/// with overflow checks) means a malformed file, and is answered as one.
async fn read_off_thread(
    spec: &'static SheetSpec,
    limits: SheetLimits,
    bytes: Vec<u8>,
) -> Result<SheetUpload, ApiError> {
    match tokio::task::spawn_blocking(move || read(spec, &limits, bytes)).await {
        Ok(read) => read,
        Err(e) if e.is_panic() => Err(panicked()),
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// Reads the first worksheet of an uploaded workbook against `spec`, within `limits`.
fn read(spec: &SheetSpec, limits: &SheetLimits, bytes: Vec<u8>) -> Result<SheetUpload, ApiError> {
    check_archive(limits, &bytes)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|_| invalid_file())?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(invalid_file)?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|_| invalid_file())?;
    let row_ceiling = limits.row_ceiling(spec);
    let declared = cells.dimensions();
    let (declared_rows, declared_columns) = (
        u64::from(declared.end.0) + 1,
        declared.end.1.saturating_add(1),
    );
    if declared_rows > row_ceiling {
        return Err(too_large(format!(
            "工作表的已用范围达到第{declared_rows}行，超过本表一次导入的上限（{}行数据）；请删除多余的行后再上传，或分批导入",
            limits.data_rows(spec)
        )));
    }
    if declared_columns > limits.max_columns {
        return Err(too_large(format!(
            "工作表的已用范围达到第{declared_columns}列（{}列），超过上限{}列；请删除模板以外的列后再上传",
            column_letter(declared_columns - 1),
            limits.max_columns
        )));
    }

    let mut rows = SheetRows::new(spec, limits);
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(_) => return Err(invalid_file()),
        };
        let (row, column) = cell.get_position();
        if u64::from(row) >= row_ceiling {
            return Err(too_many_rows(limits.data_rows(spec)));
        }
        rows.cell(row, column, cell.get_value())?;
    }
    rows.finish()
}

/// Builds rows from cells as they stream past: the first row with any text is the header,
/// each later row is kept once it holds text in a column of the sheet.
struct SheetRows<'s> {
    spec: &'s SheetSpec,
    max_rows: usize,
    max_columns: u32,
    /// Header cells by column, until the header row is complete.
    header: Vec<(u32, String)>,
    header_row: Option<u32>,
    /// Column index → field, once the header is known.
    by_index: Vec<Option<&'static str>>,
    columns: HashMap<&'static str, String>,
    current: Option<(u32, HashMap<&'static str, String>)>,
    parsed: Vec<SheetRow>,
    cell_errors: Vec<RowError>,
}

impl<'s> SheetRows<'s> {
    fn new(spec: &'s SheetSpec, limits: &SheetLimits) -> Self {
        Self {
            spec,
            max_rows: limits.data_rows(spec),
            max_columns: limits.max_columns,
            header: Vec::new(),
            header_row: None,
            by_index: Vec::new(),
            columns: HashMap::new(),
            current: None,
            parsed: Vec::new(),
            cell_errors: Vec::new(),
        }
    }

    fn cell(&mut self, row: u32, column: u32, value: &DataRef<'_>) -> Result<(), ApiError> {
        if column >= self.max_columns {
            return Ok(());
        }
        match self.header_row {
            None => {
                let text = cell_text(value).unwrap_or_default();
                if !text.is_empty() {
                    self.header_row = Some(row);
                    self.header.push((column, text));
                }
                Ok(())
            }
            Some(header) if row == header => {
                if let Ok(text) = cell_text(value) {
                    self.header.push((column, text));
                }
                Ok(())
            }
            Some(header) if row < header => Err(invalid_file()),
            Some(_) => {
                if self.by_index.is_empty() && !self.header.is_empty() {
                    self.map_header()?;
                }
                self.data_cell(row, column, value)
            }
        }
    }

    fn map_header(&mut self) -> Result<(), ApiError> {
        let width = self.header.iter().map(|(c, _)| *c + 1).max().unwrap_or(0);
        self.by_index = vec![None; width as usize];
        for (column, text) in std::mem::take(&mut self.header) {
            let text = normalize_header(&text);
            if let Some(c) = self
                .spec
                .columns
                .iter()
                .find(|c| normalize_header(c.header) == text)
            {
                self.columns.insert(c.field, column_letter(column));
                self.by_index[column as usize] = Some(c.field);
            }
        }
        let missing: Vec<&str> = self
            .spec
            .columns
            .iter()
            .filter(|c| c.required && !self.columns.contains_key(c.field))
            .map(|c| c.header)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidTemplate,
            format!(
                "第{}行表头缺少必填列：{}。请使用下载的模板填写",
                self.header_row.unwrap_or(0) + 1,
                missing.join("、")
            ),
        ))
    }

    fn data_cell(&mut self, row: u32, column: u32, value: &DataRef<'_>) -> Result<(), ApiError> {
        match &self.current {
            Some((current, _)) if *current == row => {}
            Some((current, _)) if *current > row => return Err(invalid_file()),
            _ => {
                self.flush()?;
                self.current = Some((row, HashMap::new()));
            }
        }
        let Some(field) = self.by_index.get(column as usize).copied().flatten() else {
            return Ok(());
        };
        match cell_text(value) {
            Ok(text) => {
                if let Some((_, values)) = &mut self.current {
                    values.insert(field, text);
                }
            }
            Err(message) => self.cell_errors.push(RowError {
                label: None,
                row: row as usize + 1,
                column: column_letter(column),
                field: field.to_owned(),
                message,
            }),
        }
        Ok(())
    }

    /// Keeps the row just read unless it is blank.
    fn flush(&mut self) -> Result<(), ApiError> {
        let Some((row, values)) = self.current.take() else {
            return Ok(());
        };
        if values.values().all(|v| v.is_empty()) {
            return Ok(());
        }
        if self.parsed.len() == self.max_rows {
            return Err(too_many_rows(self.max_rows));
        }
        self.parsed.push(SheetRow {
            row: row as usize + 1,
            cells: values,
        });
        Ok(())
    }

    fn finish(mut self) -> Result<SheetUpload, ApiError> {
        if self.header_row.is_none() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidTemplate,
                "工作表是空的，请使用下载的模板填写",
            ));
        }
        if self.by_index.is_empty() {
            self.map_header()?;
        }
        self.flush()?;
        Ok(SheetUpload {
            rows: self.parsed,
            columns: self.columns,
            cell_errors: self.cell_errors,
            ..SheetUpload::default()
        })
    }
}

/// Refuses a workbook whose archive is beyond the limits, reading only its directory and the
/// opening tag of its shared strings. The zip reader stops any part at its declared size, so
/// the declared sizes checked here bound what is unpacked later.
pub(super) fn check_archive(limits: &SheetLimits, bytes: &[u8]) -> Result<(), ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidFile,
            "上传的文件是空的",
        ));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidFile,
            "这是旧版Excel（.xls）文件或加了密码的工作簿：请取消密码，在Excel或WPS中另存为 .xlsx 后上传",
        ));
    }
    let size = bytes.len() as u64;
    if size > limits.max_file_mb * MB {
        return Err(too_large(format!(
            "文件有{:.1}MB，超过导入上限{}MB；请分批导入",
            size as f64 / MB as f64,
            limits.max_file_mb
        )));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| invalid_file())?;
    if archive.len() > limits.max_entries {
        return Err(too_large(format!(
            "工作簿内含{}个部件，超过上限{}个，不是正常的Excel文件",
            archive.len(),
            limits.max_entries
        )));
    }
    let mut unpacked: u64 = 0;
    let mut shared_strings = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| invalid_file())?;
        let (name, packed, size) = (
            entry.name().map_err(|_| invalid_file())?.into_owned(),
            entry.compressed_size(),
            entry.size(),
        );
        unpacked = unpacked.saturating_add(size);
        if size > MB && size / packed.max(1) > limits.max_ratio {
            return Err(too_large(format!(
                "工作簿中的“{name}”解压后有{}MB，是压缩前的{}倍，超过上限{}倍；文件可能已损坏，请重新保存后上传",
                size / MB,
                size / packed.max(1),
                limits.max_ratio
            )));
        }
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            shared_strings.push((i, size));
        }
    }
    if unpacked > limits.max_unpacked_mb * MB {
        return Err(too_large(format!(
            "工作簿解压后有{}MB，超过上限{}MB；请分批导入",
            unpacked / MB,
            limits.max_unpacked_mb
        )));
    }
    for (index, size) in shared_strings {
        let part = archive.by_index(index).map_err(|_| invalid_file())?;
        let declared = declared_string_count(part)?;
        // An entry is at least `<si/>`: a part cannot hold more strings than a fifth of its size.
        if declared > limits.max_shared_strings || declared > size / 5 {
            return Err(too_large(format!(
                "工作簿声明了{declared}个不同的文字，超过上限{}个，或与文件实际内容不符；请在Excel或WPS中重新保存后上传",
                limits.max_shared_strings.min(size / 5)
            )));
        }
    }
    Ok(())
}

/// The `uniqueCount` of a shared-strings part's `<sst>` tag (what calamine reserves room for;
/// `count` counts uses and reserves nothing), read from its first 64 KB at most.
fn declared_string_count(part: impl Read) -> Result<u64, ApiError> {
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part.take(64 * 1024)));
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                let declared = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "uniqueCount")
                    .map(|a| a.value.trim().parse::<u64>().unwrap_or(u64::MAX));
                return Ok(declared.unwrap_or(0));
            }
            Ok(Event::Eof) | Err(_) => return Err(invalid_file()),
            _ => buf.clear(),
        }
    }
}

/// A multipart upload as an extractor: a request that is not `multipart/form-data` with a
/// boundary gets the API's JSON error, not axum's plain-text one.
pub struct Upload(axum::extract::Multipart);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Self)
            .map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::InvalidUpload,
                    "请以 multipart/form-data 方式上传文件",
                )
            })
    }
}

impl Upload {
    /// Reads every part; a broken or oversized upload answers with a Chinese message.
    pub async fn read(self) -> Result<UploadForm, ApiError> {
        let mut multipart = self.0;
        let mut form = UploadForm {
            file: None,
            fields: HashMap::new(),
            attachments: Vec::new(),
        };
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| ApiError::bad_request("上传内容不完整，请重新选择文件上传"))?
        {
            let name = field.name().unwrap_or("").to_owned();
            if name == "file" {
                let file_name = field.file_name().unwrap_or("").to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| ApiError::bad_request("文件上传中断或超过大小限制，请重新上传"))?;
                form.file = Some((file_name, bytes.to_vec()));
            } else if let Some(file_name) = field.file_name().map(str::to_owned) {
                // Files sent beside the sheet (receipts), by the name they were sent with.
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| ApiError::bad_request("文件上传中断或超过大小限制，请重新上传"))?;
                form.attachments.push(UploadedFile {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            } else {
                form.fields
                    .insert(name, field.text().await.unwrap_or_default());
            }
        }
        Ok(form)
    }

    /// The uploaded workbook's first sheet read against `spec` (see [`read`]).
    pub async fn sheet(
        self,
        spec: &'static SheetSpec,
        limits: &SheetLimits,
    ) -> Result<SheetUpload, ApiError> {
        self.read().await?.sheet(spec, limits).await
    }
}

/// The parts of a multipart upload: the `file` part and any text fields beside it.
pub struct UploadForm {
    file: Option<(String, Vec<u8>)>,
    fields: HashMap<String, String>,
    /// Other files of the form (receipts sent with a sheet), a .zip not yet unpacked.
    attachments: Vec<UploadedFile>,
}

impl UploadForm {
    /// The uploaded file's name and contents, or a field error with `missing` as its message.
    pub fn file(&mut self, missing: &str) -> Result<(String, Vec<u8>), ApiError> {
        self.file
            .take()
            .ok_or_else(|| ApiError::field("file", missing))
    }

    /// The uploaded workbook's first sheet read against `spec` (see [`read`]).
    pub async fn sheet(
        &mut self,
        spec: &'static SheetSpec,
        limits: &SheetLimits,
    ) -> Result<SheetUpload, ApiError> {
        let (_, bytes) = self.file("请选择要导入的Excel文件")?;
        let attachments = std::mem::take(&mut self.attachments);
        let files = if attachments.is_empty() {
            Vec::new()
        } else {
            let limits = limits.clone();
            match tokio::task::spawn_blocking(move || super::receipts::unpack(&limits, attachments))
                .await
            {
                Ok(files) => files?,
                Err(e) if e.is_panic() => return Err(panicked()),
                Err(e) => return Err(ApiError::internal(e)),
            }
        };
        let mut sheet = read_off_thread(spec, limits.clone(), bytes).await?;
        sheet.fields = std::mem::take(&mut self.fields);
        sheet.files = files;
        Ok(sheet)
    }

    /// Like [`UploadForm::sheet`], keeping the workbook's bytes (to hand back marked).
    pub async fn sheet_and_bytes(
        &mut self,
        spec: &'static SheetSpec,
        limits: &SheetLimits,
    ) -> Result<(SheetUpload, Vec<u8>), ApiError> {
        let (name, bytes) = self.file("请选择要导入的Excel文件")?;
        self.file = Some((name, bytes.clone()));
        let sheet = self.sheet(spec, limits).await?;
        Ok((sheet, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_match_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(6), "G");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn excel_dates_become_iso_dates() {
        assert_eq!(excel_serial_to_text(45658.0), "2025-01-01");
        assert_eq!(excel_serial_to_text(45658.5), "2025-01-01 12:00:00");
    }

    #[test]
    fn headers_match_with_or_without_required_mark() {
        assert_eq!(normalize_header(" *单位 名称 "), "单位名称");
    }
}
