//! Evidence files (银行回单、验资报告…) behind an object-store interface: local disk by
//! default; an S3-compatible store can implement the same trait for clusters.

use super::Funds;
use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::StoreError;
use crate::kit::filter::{Bind, Filter};
use crate::kit::objects::ObjectStore;
use luodi_domain::Permission;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by_name: String,
    pub uploaded_at: String,
    #[serde(skip)]
    pub storage_key: String,
}

/// Accepted evidence: scans and photos of receipts, PDFs and OFD (the national e-document
/// format), office documents.
fn content_type_of(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "ofd" => "application/ofd",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => return None,
    })
}

const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// Whether the contents are what the extension says (an executable renamed 回单.pdf is not
/// kept): PDF by its header, JPEG and PNG by their signatures, OFD and the office formats as
/// zip archives holding their own main part.
fn contents_match(ext: &str, bytes: &[u8]) -> bool {
    let zip_with = |part: &[u8]| {
        bytes.starts_with(b"PK\x03\x04") && bytes.windows(part.len()).any(|w| w == part)
    };
    match ext {
        "pdf" => bytes.windows(5).take(1024).any(|w| w == b"%PDF-"),
        "jpg" | "jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "ofd" => zip_with(b"OFD.xml"),
        "xlsx" => zip_with(b"xl/"),
        "docx" => zip_with(b"word/"),
        _ => false,
    }
}

/// An evidence file checked and named by its contents: what its attachment row records.
#[derive(Debug, Clone)]
pub(crate) struct EvidenceFile {
    pub file_name: String,
    content_type: &'static str,
    size: i64,
    sha256: String,
    key: String,
    /// Before the contents were put in the object store: a removal of the same key after this
    /// may have taken them away again (see `insert_for`).
    checked_at: time::OffsetDateTime,
}

impl EvidenceFile {
    /// Checks a file's name (its kind) and size; the message says what is wrong, in Chinese.
    pub fn check(file_name: &str, bytes: &[u8]) -> Result<Self, String> {
        let file_name = file_name
            .trim()
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .to_owned();
        let content_type = content_type_of(&file_name)
            .ok_or("佐证材料须为 PDF、OFD、JPG、PNG、XLSX 或 DOCX 文件")?;
        if bytes.is_empty() {
            return Err("上传的文件是空的".into());
        }
        if bytes.len() > MAX_EVIDENCE_BYTES {
            return Err("单个佐证材料不能超过20MB".into());
        }
        let ext = file_name
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !contents_match(&ext, bytes) {
            return Err(format!(
                "文件内容与扩展名不符：{file_name} 不是有效的 {} 文件，请上传原始文件",
                ext.to_uppercase()
            ));
        }
        let sha256 = hex::encode(Sha256::digest(bytes));
        let key = format!("sha256/{}/{}", &sha256[..2], sha256);
        Ok(Self {
            file_name,
            content_type,
            size: bytes.len() as i64,
            sha256,
            key,
            checked_at: time::OffsetDateTime::now_utc(),
        })
    }

    /// Puts the contents in the object store (named by their hash, so twice is harmless).
    pub async fn store(&self, files: &dyn ObjectStore, bytes: Vec<u8>) -> Result<(), StoreError> {
        files
            .put(&self.key, bytes)
            .await
            .map_err(|e| StoreError::Internal(format!("storing evidence: {e}")))
    }

    /// The attachment row of this file behind fund record `fund_id`, on the caller's
    /// transaction.
    pub async fn insert(
        &self,
        conn: &mut sqlx::AnyConnection,
        fund_id: i64,
        region: &str,
        user_id: i64,
    ) -> Result<i64, StoreError> {
        self.insert_for(conn, "fund_arrival", fund_id, region, user_id)
            .await
    }

    /// The attachment row of this file behind `owner_kind` `owner_id` (a fund record, a
    /// meeting), on the caller's transaction.
    pub async fn insert_for(
        &self,
        conn: &mut sqlx::AnyConnection,
        owner_kind: &str,
        owner_id: i64,
        region: &str,
        user_id: i64,
    ) -> Result<i64, StoreError> {
        lock_stored_object(conn, &self.key).await?;
        // A withdrawal that removed this key after the contents were put (its lock released
        // just now) took them away: refuse rather than name a file that is gone. Both times
        // are wall clocks, which instances sharing a database keep synchronised.
        let deleted: Option<String> =
            sqlx::query_scalar("SELECT deleted_at FROM stored_objects WHERE storage_key = $1")
                .bind(&self.key)
                .fetch_one(&mut *conn)
                .await?;
        let put_after = clock::format(self.checked_at);
        if deleted.is_some_and(|at| at >= put_after) {
            return Err(StoreError::Conflict {
                field: "file".into(),
                message: format!(
                    "文件 {} 的同一份内容刚刚随撤回的记录删除，请重新上传",
                    self.file_name
                ),
            });
        }
        Ok(sqlx::query_scalar(
            "INSERT INTO attachments (owner_kind, owner_id, region_code, file_name, content_type, \
             size, sha256, storage_key, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(owner_kind)
        .bind(owner_id)
        .bind(region)
        .bind(&self.file_name)
        .bind(self.content_type)
        .bind(self.size)
        .bind(&self.sha256)
        .bind(&self.key)
        .bind(user_id)
        .bind(clock::now())
        .fetch_one(&mut *conn)
        .await?)
    }

    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({ "file_name": self.file_name, "sha256": self.sha256, "size": self.size })
    }
}

/// Takes the row lock of a stored key (creating its row on first use) on the caller's
/// transaction: an attachment of the key and the removal of its file hold it in turn.
async fn lock_stored_object(conn: &mut sqlx::AnyConnection, key: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO stored_objects (storage_key, touched_at) VALUES ($1, $2) \
         ON CONFLICT (storage_key) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(key)
    .bind(clock::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A file an attachment named until its record went: what `Funds::erase_unused` may remove
/// once the transaction that dropped the attachment has committed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Unlinked {
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub storage_key: String,
}

impl Unlinked {
    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({ "file_name": self.file_name, "sha256": self.sha256, "size": self.size })
    }
}

/// Deletes the attachment rows of fund record `fund_id` on the caller's transaction and
/// returns the files they named. Their contents stay until `Funds::erase_unused` runs after
/// the commit: a rolled-back withdrawal keeps every file.
pub(crate) async fn unlink(
    conn: &mut sqlx::AnyConnection,
    fund_id: i64,
) -> Result<Vec<Unlinked>, StoreError> {
    let files: Vec<Unlinked> = sqlx::query_as(
        "SELECT file_name, sha256, size, storage_key FROM attachments \
         WHERE owner_kind = 'fund_arrival' AND owner_id = $1 ORDER BY id",
    )
    .bind(fund_id)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM attachments WHERE owner_kind = 'fund_arrival' AND owner_id = $1")
        .bind(fund_id)
        .execute(&mut *conn)
        .await?;
    Ok(files)
}

/// Evidence is read with the project it proves (`p`), so that a unit account gets the files of
/// its own projects only; an attachment of another kind has no project and no unit reads it.
const ATTACHMENT_SELECT: &str = "SELECT a.id, a.file_name, a.content_type, a.size, a.sha256, \
    u.display_name AS uploaded_by_name, a.uploaded_at, a.storage_key \
    FROM attachments a JOIN users u ON u.id = a.uploaded_by \
    LEFT JOIN fund_arrivals fa ON a.owner_kind = 'fund_arrival' AND fa.id = a.owner_id \
    LEFT JOIN projects p ON p.id = fa.project_id WHERE 1 = 1";

impl Funds<'_> {
    /// Attaches an evidence file to a fund record in the user's scope.
    pub async fn attach_evidence(
        &self,
        files: &dyn ObjectStore,
        fund_id: i64,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<Attachment, StoreError> {
        self.actor.require(Permission::EnterFunds)?;
        let fund = self.get(fund_id).await?;
        let file =
            EvidenceFile::check(file_name, &bytes).map_err(|m| StoreError::field("file", m))?;
        file.store(files, bytes).await?;
        let region = crate::regions::stored_code(&fund.region_code)?;
        let mut tx = self.db.pool.begin().await?;
        let id = file
            .insert(&mut tx, fund_id, region.as_str(), self.actor.user_id)
            .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "fund_arrival",
                entity_id: Some(fund_id.to_string()),
                action: "attach",
                summary: format!(
                    "为项目 {} {} 资金到位上传佐证材料 {}",
                    fund.project_name, fund.period, file.file_name
                ),
                region: Some(&region),
                before: None,
                after: Some(file.audit_json()),
            },
        )
        .await?;
        tx.commit().await?;
        self.attachment(id).await
    }

    pub async fn evidence(&self, fund_id: i64) -> Result<Vec<Attachment>, StoreError> {
        self.get(fund_id).await?;
        let mut f = Filter::new(ATTACHMENT_SELECT);
        let p = f.bind(Bind::Int(fund_id));
        f.and(&format!(
            "a.owner_kind = 'fund_arrival' AND a.owner_id = {p}"
        ));
        f.projects(&self.actor, "p", "a.region_code", None);
        let sql = format!("{} ORDER BY a.id", f.sql);
        Ok(f.query_as(&sql).fetch_all(&self.db.pool).await?)
    }

    pub async fn attachment(&self, id: i64) -> Result<Attachment, StoreError> {
        let mut f = Filter::new(ATTACHMENT_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("a.id = {p} AND a.owner_kind = 'fund_arrival'"));
        f.projects(&self.actor, "p", "a.region_code", None);
        let row: Option<Attachment> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        row.ok_or(StoreError::NotFound("该附件"))
    }

    /// Removes from the object store the files of a withdrawn record (`unlinked`, after the
    /// withdrawal committed) that no attachment names any more — one that a confirmed record,
    /// another pending one or a meeting still names stays. Each removal is audited with the
    /// file's SHA-256, beside the withdrawal's entry that lists the same hashes. A failure
    /// leaves the file in place (logged), never a record without its file.
    pub(crate) async fn erase_unused(
        &self,
        files: &dyn ObjectStore,
        fund_id: i64,
        region: &luodi_domain::RegionCode,
        unlinked: Vec<Unlinked>,
    ) {
        let mut seen = std::collections::BTreeSet::new();
        for file in unlinked {
            if !seen.insert(file.storage_key.clone()) {
                continue;
            }
            if let Err(e) = self.erase_one(files, fund_id, region, &file).await {
                tracing::warn!(
                    error = %e, key = %file.storage_key, "removing a withdrawn evidence file failed"
                );
            }
        }
    }

    async fn erase_one(
        &self,
        files: &dyn ObjectStore,
        fund_id: i64,
        region: &luodi_domain::RegionCode,
        file: &Unlinked,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.pool.begin().await?;
        lock_stored_object(&mut tx, &file.storage_key).await?;
        // A fresh statement after the lock: it sees every attachment committed before it.
        let named: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE storage_key = $1")
                .bind(&file.storage_key)
                .fetch_one(&mut *tx)
                .await?;
        if named > 0 {
            tx.commit().await?;
            return Ok(());
        }
        files
            .delete(&file.storage_key)
            .await
            .map_err(|e| StoreError::Internal(format!("removing evidence: {e}")))?;
        // Stamped after the removal, under the lock: an upload of the same contents waiting
        // for it sees that its copy may be gone.
        sqlx::query("UPDATE stored_objects SET deleted_at = $1 WHERE storage_key = $2")
            .bind(clock::now())
            .bind(&file.storage_key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // In a transaction of its own: an upload holding the audit chain's head may be waiting
        // for the key's lock.
        let mut tx = self.db.pool.begin().await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "fund_arrival",
                entity_id: Some(fund_id.to_string()),
                action: "delete",
                summary: format!(
                    "删除撤回记录的佐证材料文件 {}（SHA-256 {}）",
                    file.file_name, file.sha256
                ),
                region: Some(region),
                before: Some(file.audit_json()),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An attachment's contents, only when it lies in the user's scope.
    pub async fn attachment_bytes(
        &self,
        files: &dyn ObjectStore,
        id: i64,
    ) -> Result<(Attachment, Vec<u8>), StoreError> {
        let a = self.attachment(id).await?;
        let bytes = files.get(&a.storage_key).await.map_err(|e| {
            StoreError::Internal(format!("reading evidence {}: {e}", a.storage_key))
        })?;
        Ok((a, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_must_be_what_the_extension_says() {
        let ok = |name: &str, bytes: &[u8]| EvidenceFile::check(name, bytes).is_ok();
        assert!(ok("回单.pdf", b"%PDF-1.7\n..."));
        assert!(ok("回单.PDF", b"\n\n%PDF-1.4 after a little junk"));
        assert!(ok("照片.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]));
        assert!(ok("照片.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(ok("报告.docx", b"PK\x03\x04....word/document.xml...."));
        assert!(ok("表.xlsx", b"PK\x03\x04....xl/workbook.xml...."));
        assert!(ok("回单.ofd", b"PK\x03\x04....OFD.xml...."));
        let refused = EvidenceFile::check("回单.pdf", b"MZ\x90\0 an executable").unwrap_err();
        assert!(refused.contains("内容与扩展名不符"), "{refused}");
        assert!(!ok("照片.jpg", b"%PDF-1.4"));
        assert!(!ok("报告.docx", b"PK\x03\x04....xl/workbook.xml...."));
        assert!(!ok("报告.docx", b"<html>word/</html>"));
        assert!(!ok("setup.exe", b"MZ"));
    }
}
