//! Receipts sent with a sheet (several files, or one .zip of them), unpacked within limits:
//! the files a row names by its 回单文件 cell are found among these.

use super::SheetLimits;
use crate::error::ApiError;
use axum::http::StatusCode;
use luodi_store::sheets::UploadedFile;
use std::io::{Cursor, Read};

/// Files one sheet may bring at most (after unpacking).
const MAX_FILES: usize = 1_000;
/// A single receipt's size at most (the evidence limit).
const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

fn refused(message: String) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        crate::error::ErrorCode::SheetTooLarge,
        message,
    )
}

fn broken(zip: &str) -> ApiError {
    ApiError::field(
        "receipts",
        format!("压缩包“{zip}”已损坏或无法读取，请重新打包为.zip后上传"),
    )
}

/// The files sent, each .zip replaced by the files in it (folders, hidden files and macOS
/// resource forks left out; names as Windows writes them in GBK read as such).
pub fn unpack(
    limits: &SheetLimits,
    sent: Vec<UploadedFile>,
) -> Result<Vec<UploadedFile>, ApiError> {
    let mut files = Vec::new();
    let mut unpacked: u64 = 0;
    let budget = limits.max_unpacked_mb * 1024 * 1024;
    for file in sent {
        if !file.name.to_lowercase().ends_with(".zip") {
            files.push(file);
            continue;
        }
        let zip_name = file.name.clone();
        let mut archive =
            zip::ZipArchive::new(Cursor::new(file.bytes)).map_err(|_| broken(&zip_name))?;
        if archive.len() > MAX_FILES {
            return Err(refused(format!(
                "压缩包“{}”中有{}个文件，超过上限{MAX_FILES}个",
                file.name,
                archive.len()
            )));
        }
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(|_| broken(&zip_name))?;
            if entry.is_dir() {
                continue;
            }
            let raw = entry.name_raw().to_vec();
            let full = match std::str::from_utf8(&raw) {
                Ok(s) => s.to_owned(),
                Err(_) => encoding_rs::GBK.decode(&raw).0.into_owned(),
            };
            let name = full.rsplit(['/', '\\']).next().unwrap_or("").to_owned();
            if name.is_empty() || name.starts_with('.') || full.starts_with("__MACOSX") {
                continue;
            }
            if entry.size() > MAX_FILE_BYTES {
                return Err(refused(format!("压缩包中的“{name}”超过20MB")));
            }
            unpacked += entry.size();
            if unpacked > budget {
                return Err(refused(format!(
                    "压缩包解压后超过{}MB，请分批上传",
                    limits.max_unpacked_mb
                )));
            }
            // Read no more than declared (plus one byte to tell a lying header).
            let size = entry.size();
            let mut bytes = Vec::with_capacity(size as usize);
            (&mut entry)
                .take(size + 1)
                .read_to_end(&mut bytes)
                .map_err(|_| broken(&zip_name))?;
            if bytes.len() as u64 != size {
                return Err(broken(&zip_name));
            }
            files.push(UploadedFile { name, bytes });
        }
        if files.len() > MAX_FILES {
            return Err(refused(format!(
                "随表上传的文件超过{MAX_FILES}个，请分批上传"
            )));
        }
    }
    if files.len() > MAX_FILES {
        return Err(refused(format!(
            "随表上传的文件超过{MAX_FILES}个，请分批上传"
        )));
    }
    Ok(files)
}
