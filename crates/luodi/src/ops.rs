//! The operator's commands around the data: `audit verify`, `backup`, `restore`, and the
//! server's hourly housekeeping (expired sessions, audit entries past their retention).

use anyhow::{bail, Context};
use luodi_store::{redact, Store};
use std::path::Path;

/// Walks the audit trail's hash chain; fails (exit status 1) at the first broken entry.
pub async fn audit_verify(store: &Store) -> anyhow::Result<()> {
    let v = store.verify_audit_chain().await?;
    match v.broken {
        None => {
            println!(
                "审计日志哈希链完整：共 {} 条记录，链头编号 {}，哈希 {}",
                v.checked, v.head_id, v.head_hash
            );
            if v.anchor_id > 0 {
                println!("（编号 {} 及以前的记录已按保留期清理）", v.anchor_id);
            }
            Ok(())
        }
        Some(b) => {
            println!(
                "审计日志哈希链断裂：第一条有问题的记录是编号 {}{}。{}（此前 {} 条完好）",
                b.id,
                b.at.map(|at| format!("（{at}）")).unwrap_or_default(),
                b.reason,
                v.checked
            );
            bail!("audit chain broken at entry {}", b.id)
        }
    }
}

/// `luodi backup DIR`: the database as one snapshot and the evidence files it names.
pub async fn backup(database_url: &str, files_dir: &str, dir: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let m = luodi_store::backup::create(database_url, Path::new(files_dir), dir)
        .await
        .with_context(|| format!("backing up {}", redact(database_url)))?;
    println!(
        "已备份到 {}：数据库 {}（{} 字节），{} 个佐证材料（{} 字节），{} 条资金到位已确认记录，\
         审计日志链头编号 {}；用时 {:.1} 秒。清单见 manifest.json。",
        dir.display(),
        m.database.path,
        m.database.size,
        m.files.len(),
        m.evidence_bytes(),
        m.counts
            .get("fund_arrivals.confirmed")
            .copied()
            .unwrap_or(0),
        m.audit_head_id,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `luodi restore DIR`: into an empty database and an empty evidence directory only.
pub async fn restore(dir: &Path, database_url: &str, files_dir: &str) -> anyhow::Result<()> {
    let m = luodi_store::backup::restore(dir, database_url, Path::new(files_dir))
        .await
        .with_context(|| format!("restoring {} into {}", dir.display(), redact(database_url)))?;
    println!(
        "已从 {}（{} 备份）恢复到 {}：{} 张表的行数与清单一致，{} 个佐证材料已写入 {}。",
        dir.display(),
        m.created_at,
        redact(database_url),
        m.counts.len() - 1,
        m.files.len(),
        files_dir
    );
    Ok(())
}

/// Every hour: expired sessions are deleted, audit entries older than the retention (when one
/// is configured) removed from the start of the chain, and old outbox rows removed.
pub fn spawn_housekeeping(
    store: Store,
    audit_retention_days: Option<u32>,
    outbox: luodi_store::channels::OutboxRetention,
) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            let chores = store.housekeeping();
            match chores.purge_sessions().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "expired sessions deleted"),
                Err(e) => tracing::warn!(error = %e, "deleting expired sessions failed"),
            }
            if let Some(days) = audit_retention_days {
                match chores.purge_audit(days).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(entries = n, days, "audit entries past retention removed")
                    }
                    Err(e) => tracing::warn!(error = %e, "removing old audit entries failed"),
                }
            }
            match chores.purge_outbox(outbox).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "old outbox rows removed"),
                Err(e) => tracing::warn!(error = %e, "removing old outbox rows failed"),
            }
        }
    });
}
