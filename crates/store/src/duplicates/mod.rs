//! Duplicate detection (重复签约, domain §14): look-alike pairs found when projects are
//! written (same investor credit code, a similar name in the same county, the same name key
//! anywhere), the review pool, and the reviewers' decisions.

mod matching;
mod queue;

pub(crate) use matching::{
    gram_rows, index_missing, index_projects, place_book, write_grams, write_pairs, Entry, Index,
    Pair, PlaceBook,
};
pub(crate) use queue::{drain, enqueue, in_background, is_waiting, start, take_turn, waiting};

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use crate::kit::text::opt;
use crate::settings::CrossScopeDuplicates;
use luodi_domain::ledger::DuplicateVerdict;
use luodi_domain::{Permission, RegionCode, Scope};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::{IntoParams, ToSchema};

crate::scoped::area_handle!(
    /// The duplicate review pool as the actor may read and decide it.
    Duplicates, duplicates
);

/// Re-indexes project `id` and finds projects anywhere that may be the same (the fair
/// comparison of `luodi_domain::duplicates` over its gram candidates and credit code), and
/// queues them for review, when an edit changes what detection looks at. Nothing is merged or rejected, and a
/// pair already in the pool (raised from either side, whatever its review outcome) is not
/// raised again.
pub(crate) async fn record(
    conn: &mut sqlx::AnyConnection,
    backend: crate::kit::db::Backend,
    book: std::sync::Arc<PlaceBook>,
    entry: Entry,
    now: &str,
) -> Result<Vec<Pair>, StoreError> {
    let id = entry.id;
    let waiting = queue::take_turn(conn).await?;
    let known: HashSet<i64> = sqlx::query_scalar(
        "SELECT other_project_id FROM duplicate_candidates WHERE project_id = $1 \
         UNION SELECT project_id FROM duplicate_candidates WHERE other_project_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    index_projects(conn, backend, &book, std::slice::from_ref(&entry), true).await?;
    // Matched here, a project waiting after a large sheet's import is not matched again.
    queue::dequeue(conn, id).await?;
    let pairs = Index::around(conn, book, &entry, waiting)
        .await?
        .matches_except(&entry, &known);
    write_pairs(conn, backend, &pairs, now).await?;
    Ok(pairs)
}

/// The look-alike pairs just raised whose earlier project lies outside the entering
/// account's reach: that account learns from its pool only that such a project exists (no
/// name or figure), and each such signal is audited with it — on the new project, so that
/// its history shows it too. Under `cross_scope_duplicates = "superior"` the pool shows no
/// such pair to the county, so there is no signal to record.
pub(crate) async fn signal_entries(
    conn: &mut sqlx::AnyConnection,
    actor: &crate::scoped::Actor,
    settings: &crate::settings::AuthSettings,
    pairs: &[Pair],
) -> Result<Vec<audit::OwnedEntry>, StoreError> {
    if pairs.is_empty() || settings.cross_scope_duplicates == CrossScopeDuplicates::Superior {
        return Ok(Vec::new());
    }
    let mut readable = HashSet::new();
    let mut others: Vec<i64> = pairs.iter().map(|p| p.other_project_id).collect();
    others.sort_unstable();
    others.dedup();
    // 100,000 rows of a sheet can raise as many pairs: the ids are written into the statement.
    for list in crate::kit::bulk::id_lists(&others) {
        let mut f = Filter::new("SELECT p.id FROM projects p WHERE 1 = 1");
        f.and(&format!("p.id IN ({list})"));
        f.projects(actor, "p", "p.region_code", None);
        let found: Vec<(i64,)> = f
            .query_as(&f.sql)
            .persistent(false)
            .fetch_all(&mut *conn)
            .await?;
        readable.extend(found.into_iter().map(|(id,)| id));
    }
    Ok(pairs
        .iter()
        .filter(|p| !readable.contains(&p.other_project_id))
        .map(|p| audit::OwnedEntry {
            region: Some(p.region_code.clone()),
            entity: "project",
            entity_id: Some(p.project_id.to_string()),
            action: "duplicate_signal",
            summary: format!(
                "录入的项目与管辖范围外已有项目疑似重复（{}），已提示录入人存在该项目（未显示其名称与数据）",
                p.reasons.join("；")
            ),
            before: None,
            after: Some(serde_json::json!({ "reasons": p.reasons }).to_string()),
        })
        .collect())
}

/// Look-alike pairs of the projects being written: at hand, or being found beside the writes.
pub(crate) enum Matching {
    Ready(Vec<Pair>),
    Beside(AbortOnDrop<Result<Vec<Pair>, StoreError>>),
}

/// A spawned task that is stopped when its owner gives up on it (a failed write returns
/// early), so that it does not go on holding a connection.
pub(crate) struct AbortOnDrop<T>(pub tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    pub async fn join(mut self) -> Result<T, StoreError> {
        (&mut self.0)
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Matches each new project with the index as it stood before it (the stored projects and
/// the rows above it), so that rows of one sheet meet each other (`Index::match_sheet`, on a
/// blocking thread: it is seconds of CPU for a large sheet).
pub(crate) async fn match_in_order(
    index: Index,
    entries: Vec<Entry>,
) -> Result<Vec<Pair>, StoreError> {
    tokio::task::spawn_blocking(move || {
        let t0 = std::time::Instant::now();
        let (rows, indexed) = (entries.len(), index.indexed());
        let matched = index.match_sheet(entries);
        tracing::info!(
            rows,
            indexed,
            pairs = matched.pairs.len(),
            walked = matched.walked,
            compared = matched.compared,
            match_ms = t0.elapsed().as_millis() as u64,
            "sheet matched"
        );
        matched.pairs
    })
    .await
    .map_err(|e| StoreError::Internal(e.to_string()))
}

/// A pair of projects that may be one project entered twice (重复签约), and its review.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct DuplicateCandidate {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub project_region_name: String,
    /// The earlier look-alike; its id, name and county are only given to readers who may see
    /// it (`other_in_scope`): a county is not shown another county's projects, and such a
    /// pair is decided by the level above both.
    pub other_project_id: Option<i64>,
    pub other_project_name: String,
    pub other_region_name: String,
    /// Whether the reader may see the other project.
    #[sqlx(skip)]
    pub other_in_scope: bool,
    /// Whether the reader may decide the pair: it sees both projects and stands above the
    /// regions that entered them (no account decides a pair holding its own region's entry).
    #[sqlx(skip)]
    pub can_decide: bool,
    /// Whether the reader may reopen the decision: the level that made it, or one above.
    #[sqlx(skip)]
    pub can_reopen: bool,
    #[serde(skip)]
    pub project_region_code: String,
    #[serde(skip)]
    pub other_region_code: String,
    #[serde(skip)]
    pub decided_region: Option<String>,
    /// Why they look alike — and the facts that differ — in Chinese.
    #[sqlx(skip)]
    pub reasons: Vec<String>,
    /// How alike they are, 0–100 (the pair is raised from 60); none for pairs raised before
    /// the score was kept.
    pub score: Option<i64>,
    #[serde(skip)]
    pub reasons_json: String,
    /// `pending` 待核查, `duplicate` 确认重复, `not_duplicate` 不是重复.
    pub status: String,
    #[sqlx(skip)]
    pub status_label: String,
    /// The reviewer's note on the decision (withheld with the other project when the
    /// reader may not see that one).
    pub decision_note: Option<String>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<String>,
    pub created_at: String,
}

impl DuplicateCandidate {
    fn finish(mut self) -> Self {
        self.reasons = serde_json::from_str(&self.reasons_json).unwrap_or_default();
        self.status_label = duplicate_status_label(&self.status).to_owned();
        self
    }
}

fn duplicate_status_label(status: &str) -> &'static str {
    match status {
        "pending" => "待核查",
        "duplicate" => "确认重复",
        "not_duplicate" => "不是重复",
        _ => "",
    }
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
pub struct DuplicateFilter {
    /// `pending` (default), `duplicate`, `not_duplicate`, or `all`.
    #[param(pattern = r"^(|pending|duplicate|not_duplicate|all)$")]
    pub status: Option<String>,
}

/// A reviewer's decision on a candidate pair.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DuplicateDecision {
    pub status: DuplicateVerdict,
    /// Required for `not_duplicate`: clearing a suspicion needs a reason.
    pub note: Option<String>,
}

/// Whether an account of `scope` stands above `region` (a project's county): it covers the
/// region and is not the region itself, so the region's own entries are decided by others.
fn stands_above(scope: &Scope, region: &str) -> bool {
    match (scope, RegionCode::parse(region)) {
        (Scope::Nationwide, _) => true,
        (Scope::Region(root), Ok(region)) => root != &region && root.contains(&region),
        (Scope::Region(_), Err(_)) | (Scope::Regions(_), _) => false,
    }
}

/// Whether an account of `scope` is the level `decided` ('' for nationwide) or above it.
fn covers_level(scope: &Scope, decided: &str) -> bool {
    match (scope, RegionCode::parse(decided)) {
        (Scope::Nationwide, _) => true,
        (Scope::Region(root), Ok(level)) => root.contains(&level),
        (Scope::Region(_), Err(_)) | (Scope::Regions(_), _) => false,
    }
}

/// The level an account of `scope` decides at, as kept on the pair.
fn level_of(scope: &Scope) -> String {
    match scope {
        Scope::Nationwide => String::new(),
        Scope::Region(root) => root.to_string(),
        // A group member stands above nothing, so `can_decide` never lets it decide.
        Scope::Regions(_) => "-".to_owned(),
    }
}

/// A request to reopen a decided pair.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DuplicateReopen {
    /// Why the decision is taken back (required).
    pub note: Option<String>,
}

const DUPLICATE_SELECT: &str = "SELECT d.id, d.project_id, p.name AS project_name, \
    pr.name AS project_region_name, d.other_project_id, o.name AS other_project_name, \
    r.name AS other_region_name, d.reasons AS reasons_json, d.score, d.status, d.decision_note, \
    p.region_code AS project_region_code, o.region_code AS other_region_code, d.decided_region, \
    u.display_name AS reviewed_by_name, d.reviewed_at, d.created_at FROM duplicate_candidates d \
    JOIN projects p ON p.id = d.project_id JOIN regions pr ON pr.code = p.region_code \
    JOIN projects o ON o.id = d.other_project_id JOIN regions r ON r.code = o.region_code \
    LEFT JOIN users u ON u.id = d.reviewed_by WHERE 1 = 1";

impl Duplicates<'_> {
    /// The review pool: candidates whose newer project lies in the user's scope, pending ones
    /// unless another status is asked for.
    pub async fn list(
        &self,
        filter: &DuplicateFilter,
        page: PageRequest,
    ) -> Result<Page<DuplicateCandidate>, StoreError> {
        let page: Page<DuplicateCandidate> = self
            .duplicate_filter(filter)?
            .fetch_page(&self.db.pool, "d.id DESC", page)
            .await?;
        Ok(Page {
            items: self.finish_candidates(page.items).await?,
            total: page.total,
        })
    }

    /// The whole pool as filtered (for an export), newest first, at most `limit` pairs.
    pub async fn list_all(
        &self,
        filter: &DuplicateFilter,
        limit: i64,
    ) -> Result<Vec<DuplicateCandidate>, StoreError> {
        let mut f = self.duplicate_filter(filter)?;
        let limit = f.bind(Bind::Int(limit));
        let sql = format!("{} ORDER BY d.id DESC LIMIT {limit}", f.sql);
        let rows: Vec<DuplicateCandidate> = f.query_as(&sql).fetch_all(&self.db.pool).await?;
        self.finish_candidates(rows).await
    }

    /// Reasons and labels of fetched pairs, and the other project hidden where the reader may
    /// not see it.
    async fn finish_candidates(
        &self,
        rows: Vec<DuplicateCandidate>,
    ) -> Result<Vec<DuplicateCandidate>, StoreError> {
        let others: Vec<i64> = rows.iter().filter_map(|d| d.other_project_id).collect();
        let readable = self.readable_projects(&others).await?;
        Ok(rows
            .into_iter()
            .map(|d| {
                let mut d = d.finish();
                d.other_in_scope = d.other_project_id.is_some_and(|id| readable.contains(&id));
                d.can_decide = d.other_in_scope
                    && self
                        .actor
                        .role
                        .can_at(Permission::ManageLedger, &self.actor.scope)
                    && stands_above(&self.actor.scope, &d.project_region_code)
                    && stands_above(&self.actor.scope, &d.other_region_code);
                d.can_reopen = d.status != "pending"
                    && d.other_in_scope
                    && self
                        .actor
                        .role
                        .can_at(Permission::ManageLedger, &self.actor.scope)
                    && d.decided_region
                        .as_deref()
                        .is_some_and(|r| covers_level(&self.actor.scope, r));
                d.other_region_code.clear();
                if !d.other_in_scope {
                    d.other_project_id = None;
                    d.other_project_name.clear();
                    d.other_region_name.clear();
                    // The reviewer above wrote it knowing both projects, and may have named
                    // the other one; the decision itself is shown.
                    d.decision_note = None;
                    // A differing fact names the other project's (年产20万吨, 东区): only
                    // the kind of difference is shown.
                    for r in &mut d.reasons {
                        if let Some((kind, _)) = r.split_once('：') {
                            *r = kind.to_owned();
                        }
                    }
                }
                d
            })
            .collect())
    }

    /// Those of `ids` that this reader may see, by the same rule as every project read.
    async fn readable_projects(&self, ids: &[i64]) -> Result<HashSet<i64>, StoreError> {
        let mut readable = HashSet::new();
        let mut unique: Vec<i64> = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        for chunk in unique.chunks(1000) {
            let mut f = Filter::new("SELECT p.id FROM projects p WHERE 1 = 1");
            let list: Vec<String> = chunk.iter().map(|&id| f.bind(Bind::Int(id))).collect();
            f.and(&format!("p.id IN ({})", list.join(", ")));
            f.projects(&self.actor, "p", "p.region_code", None);
            let found: Vec<(i64,)> = f.query_as(&f.sql).fetch_all(&self.db.pool).await?;
            readable.extend(found.into_iter().map(|(id,)| id));
        }
        Ok(readable)
    }

    fn duplicate_filter(&self, filter: &DuplicateFilter) -> Result<Filter, StoreError> {
        let mut f = Filter::new(DUPLICATE_SELECT);
        match opt(&filter.status).as_deref().unwrap_or("pending") {
            "all" => {}
            status @ ("pending" | "duplicate" | "not_duplicate") => {
                let p = f.bind(Bind::Text(status.to_owned()));
                f.and(&format!("d.status = {p}"));
            }
            _ => {
                return Err(StoreError::field(
                    "status",
                    "核查状态应为待核查、确认重复、不是重复或全部（pending、duplicate、not_duplicate、all）",
                ))
            }
        }
        f.projects(&self.actor, "p", "d.region_code", None);
        self.cross_scope_rule(&mut f);
        Ok(f)
    }

    /// Under `cross_scope_duplicates = "superior"`, only pairs whose other project the reader
    /// also sees.
    fn cross_scope_rule(&self, f: &mut Filter) {
        if self.settings.cross_scope_duplicates == CrossScopeDuplicates::Superior {
            f.projects(&self.actor, "o", "o.region_code", None);
        }
    }

    async fn duplicate_candidate(&self, id: i64) -> Result<DuplicateCandidate, StoreError> {
        let mut f = Filter::new(DUPLICATE_SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("d.id = {p}"));
        f.projects(&self.actor, "p", "d.region_code", None);
        self.cross_scope_rule(&mut f);
        let found: Option<DuplicateCandidate> =
            f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        let found = found.ok_or(StoreError::NotFound("该疑似重复记录"))?;
        Ok(self
            .finish_candidates(vec![found])
            .await?
            .pop()
            .expect("one in, one out"))
    }

    /// Records a reviewer's decision on a pending pair: 确认重复 or 不是重复 (with a reason).
    /// A decided pair leaves the pending list; it is decided once.
    pub async fn decide(
        &self,
        id: i64,
        decision: DuplicateDecision,
    ) -> Result<DuplicateCandidate, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let candidate = self.duplicate_candidate(id).await?;
        if !candidate.other_in_scope {
            return Err(StoreError::forbidden(
                "该疑似重复涉及本级管辖范围以外的项目，须由能同时查看两个项目的共同上级核查",
            ));
        }
        if !candidate.can_decide {
            return Err(StoreError::forbidden(
                "该疑似重复含本级录入的项目，不能由本级核查，须由上一级（两个项目的共同上级）核查",
            ));
        }
        let mut checks = Checks::default();
        let status = decision.status.as_str();
        let note = opt(&decision.note);
        if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            checks.add("note", "核查说明不超过500个字");
        }
        if status == "not_duplicate" && note.is_none() {
            checks.add("note", "判定“不是重复”须说明理由");
        }
        checks.finish()?;
        if candidate.status != "pending" {
            return Err(StoreError::Conflict {
                field: "status".to_owned(),
                message: format!(
                    "该疑似重复已由{}核查（{}），不能再次核查",
                    candidate.reviewed_by_name.as_deref().unwrap_or("他人"),
                    candidate.status_label
                ),
            });
        }
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE duplicate_candidates SET status = $1, decision_note = $2, reviewed_by = $3, \
             reviewed_at = $4, decided_region = $6 WHERE id = $5 AND status = 'pending'",
        )
        .bind(status)
        .bind(&note)
        .bind(self.actor.user_id)
        .bind(&now)
        .bind(id)
        .bind(level_of(&self.actor.scope))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if status == "duplicate" {
            self.mark_copy(&mut tx, &candidate, &now).await?;
        }
        // The decision names both projects: it is filed under the smallest region holding
        // both, so that a county's audit log does not show another county's project.
        let (region, other_region): (String, String) = sqlx::query_as(
            "SELECT p.region_code, o.region_code FROM duplicate_candidates d \
             JOIN projects p ON p.id = d.project_id JOIN projects o ON o.id = d.other_project_id \
             WHERE d.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let region = crate::regions::stored_code(&region)?
            .common_ancestor(&crate::regions::stored_code(&other_region)?);
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "duplicate_candidate",
                entity_id: Some(id.to_string()),
                action: "decide",
                summary: format!(
                    "核查疑似重复：{} 与 {}（{}），结论：{}",
                    candidate.project_name,
                    candidate.other_project_name,
                    candidate.other_region_name,
                    duplicate_status_label(status)
                ),
                region: region.as_ref(),
                before: Some(serde_json::json!({ "status": candidate.status })),
                after: Some(serde_json::json!({ "status": status, "note": note })),
            },
        )
        .await?;
        tx.commit().await?;
        self.duplicate_candidate(id).await
    }

    /// 确认重复: the later entry of the pair becomes a copy of the earlier one, which leaves
    /// every figure; audited on the copy so that its history shows it.
    async fn mark_copy(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        candidate: &DuplicateCandidate,
        now: &str,
    ) -> Result<(), StoreError> {
        let (copy, original) = later_and_earlier(candidate);
        let marked = sqlx::query(
            "UPDATE projects SET duplicate_of = $1, version = version + 1, updated_at = $3 \
             WHERE id = $2 AND duplicate_of IS NULL",
        )
        .bind(original)
        .bind(copy)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if marked.rows_affected() == 0 {
            return Ok(());
        }
        let region: String = sqlx::query_scalar("SELECT region_code FROM projects WHERE id = $1")
            .bind(copy)
            .fetch_one(&mut **tx)
            .await?;
        audit::record(
            tx,
            (&self.actor).into(),
            Change {
                entity: "project",
                entity_id: Some(copy.to_string()),
                action: "mark_duplicate",
                summary: "经上级核查确认为重复录入（重复签约），不再计入任何统计".to_owned(),
                region: Some(&crate::regions::stored_code(&region)?),
                before: Some(serde_json::json!({ "duplicate_of": null })),
                after: Some(serde_json::json!({ "duplicate_of": original, "pair": candidate.id })),
            },
        )
        .await
    }

    /// Takes a decision back (the level that made it, or one above, with a reason): the pair
    /// waits in the pool again and a copy it marked counts again until decided anew.
    pub async fn reopen(
        &self,
        id: i64,
        reopen: DuplicateReopen,
    ) -> Result<DuplicateCandidate, StoreError> {
        self.actor.require(Permission::ManageLedger)?;
        let candidate = self.duplicate_candidate(id).await?;
        let note = opt(&reopen.note);
        let mut checks = Checks::default();
        match &note {
            None => checks.add("note", "撤销核查结论须说明理由"),
            Some(n) if n.chars().count() > 500 => checks.add("note", "撤销理由不超过500个字"),
            Some(_) => {}
        }
        checks.finish()?;
        if candidate.status == "pending" {
            return Err(StoreError::Conflict {
                field: "status".to_owned(),
                message: "该疑似重复尚未核查，无需撤销".to_owned(),
            });
        }
        if !candidate.can_reopen {
            return Err(StoreError::forbidden(
                "核查结论只能由作出结论的层级（或其上级）撤销",
            ));
        }
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE duplicate_candidates SET status = 'pending', decision_note = NULL, \
             reviewed_by = NULL, reviewed_at = NULL, decided_region = NULL \
             WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(&candidate.status)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if candidate.status == "duplicate" {
            let (copy, original) = later_and_earlier(&candidate);
            let cleared = sqlx::query(
                "UPDATE projects SET duplicate_of = NULL, version = version + 1, updated_at = $3 \
                 WHERE id = $1 AND duplicate_of = $2",
            )
            .bind(copy)
            .bind(original)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            if cleared.rows_affected() > 0 {
                audit::record(
                    &mut tx,
                    (&self.actor).into(),
                    Change {
                        entity: "project",
                        entity_id: Some(copy.to_string()),
                        action: "unmark_duplicate",
                        summary: format!(
                            "撤销“确认重复”结论，重新计入统计：{}",
                            note.as_deref().unwrap_or("")
                        ),
                        region: Some(&crate::regions::stored_code(
                            &candidate.project_region_code,
                        )?),
                        before: Some(serde_json::json!({ "duplicate_of": original })),
                        after: Some(serde_json::json!({ "duplicate_of": null })),
                    },
                )
                .await?;
            }
        }
        let region = crate::regions::stored_code(&candidate.project_region_code)?;
        let region = match &candidate.decided_region {
            Some(level) if !level.is_empty() => Some(crate::regions::stored_code(level)?),
            Some(_) => None,
            None => Some(region),
        };
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "duplicate_candidate",
                entity_id: Some(id.to_string()),
                action: "reopen",
                summary: format!(
                    "撤销疑似重复核查结论（原结论：{}），重新待核查：{}",
                    candidate.status_label,
                    note.as_deref().unwrap_or("")
                ),
                region: region.as_ref(),
                before: Some(serde_json::json!({
                    "status": candidate.status,
                    "note": candidate.decision_note,
                })),
                after: Some(serde_json::json!({ "status": "pending", "note": note })),
            },
        )
        .await?;
        tx.commit().await?;
        self.duplicate_candidate(id).await
    }
}

/// The pair's later entry (the copy) and earlier one, by order of entry.
fn later_and_earlier(candidate: &DuplicateCandidate) -> (i64, i64) {
    let other = candidate
        .other_project_id
        .expect("a decided pair's other project is in the reader's view");
    (
        candidate.project_id.max(other),
        candidate.project_id.min(other),
    )
}
