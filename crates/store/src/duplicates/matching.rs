//! Duplicate detection (重复签约, domain §14, issue 19): a new project is compared with the
//! projects anywhere in the installation that share its rarer name or investor grams or its
//! credit code, with the domain's fair comparison (`luodi_domain::duplicates`), and every pair
//! scoring [`PAIR_FROM`](luodi_domain::duplicates::PAIR_FROM) or more is queued for review with
//! its score and reasons. Nothing is merged or rejected.
//!
//! The candidates come from a character-bigram index (`project_name_grams`): for one project
//! from the form, one grouped look-up returns the 200 projects sharing most of its grams; for
//! an imported sheet, the index holds the counties of the sheet and every project sharing a
//! credit code or name key with it, and each row is matched with the index as it stood
//! before the row (the rows above it included), so rows of the same sheet meet each other.
//! Comparing is most of a large sheet's import: each project's profile is prepared once
//! (`luodi_domain::duplicates::Prepared`), a pair's score is worked out before its reasons,
//! and the rows are matched on every core.

use crate::kit::bulk;
use crate::kit::db::{Backend, Db};
use crate::kit::error::StoreError;
use crate::kit::filter::Bind;
use luodi_domain::duplicates::{
    assess_prepared, generic_gram, grams, investor_core, profile_name, rarest_grams, Candidate,
    Places, Prepared,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Projects sharing the most grams with a new one that are compared with it: the candidate
/// index narrows 50,000 projects to these before any score is computed.
const CANDIDATES: usize = 200;
/// Pairs queued per new project at most: the strongest ones (highest score, then the newest).
/// A name shared by hundreds of earlier projects needs a reviewer's look, not hundreds of rows
/// in the pool.
const MAX_PAIRS: usize = 10;
/// A sheet up to this many rows looks up each row in the gram index, as the form does; a
/// larger one (a ledger moved in from another system) reads its counties, credit codes and
/// name keys only, so that a 100,000-row import does not make 100,000 look-ups.
const LOOKED_UP_ROWS: usize = 2_000;
/// The marker gram of a project indexed with this version of the normalisation.
const INDEXED: &str = "#2";

/// What duplicate detection knows of a project.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct Entry {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub investor_name: String,
    pub investor_credit_code: Option<String>,
    pub region_code: String,
    pub zone_id: Option<i64>,
    pub event_id: Option<i64>,
    pub industry_code: Option<String>,
    pub contract_fen: i64,
    pub contract_cents: i64,
    pub signed_on: Option<String>,
}

/// A look-alike pair for the review pool.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub project_id: i64,
    pub other_project_id: i64,
    pub score: u32,
    pub reasons: Vec<String>,
    pub region_code: String,
}

const COLUMNS: &str = "id, name, name_key, investor_name, investor_credit_code, region_code, \
    zone_id, event_id, industry_code, contract_fen, contract_cents, signed_on";

/// The place names of each province's region directory (by the first two digits of a code),
/// which are taken off the front of names entered there; and how many projects each gram
/// indexes, as last counted, for choosing the grams a new project looks up.
#[derive(Default)]
pub(crate) struct PlaceBook {
    places: HashMap<String, Places>,
    counts: GramCounts,
}

/// How long a gram's count serves: it only chooses which grams are looked up, so an hour-old
/// count chooses as well as a fresh one.
const COUNTED_FOR: std::time::Duration = std::time::Duration::from_secs(3600);
/// Grams whose counts are kept at most, per process; past it the counts start again.
const COUNTS_KEPT: usize = 200_000;
/// Counts below this are not kept but counted again at each look-up: counting a rare gram
/// costs next to nothing, and a kept "0" would hide the project that takes the gram next.
const KEPT_FROM: i64 = 100;

#[derive(Default)]
struct GramCounts(std::sync::Mutex<HashMap<String, (i64, std::time::Instant)>>);

impl PlaceBook {
    fn of(&self, region: &str) -> &Places {
        static NONE: std::sync::OnceLock<Places> = std::sync::OnceLock::new();
        region
            .get(..2)
            .and_then(|p| self.places.get(p))
            .unwrap_or_else(|| NONE.get_or_init(Places::default))
    }

    /// A project's profile as compared.
    pub fn candidate(&self, e: &Entry) -> Candidate {
        let places = self.of(&e.region_code);
        Candidate {
            name: profile_name(&e.name, places),
            investor: investor_core(&e.investor_name, places),
            credit_code: e.investor_credit_code.clone(),
            industry_code: e.industry_code.clone(),
            contract_fen: e.contract_fen,
            contract_cents: e.contract_cents,
            signed_on: e.signed_on.clone(),
        }
    }
}

impl PlaceBook {
    /// The grams of `looked_up` worth looking up (`luodi_domain::duplicates::rarest_grams`),
    /// from the counts kept (common grams, counted in the last hour), counting the others in
    /// one grouped read.
    async fn rarest(
        &self,
        conn: &mut sqlx::AnyConnection,
        looked_up: Vec<String>,
    ) -> Result<Vec<String>, StoreError> {
        let now = std::time::Instant::now();
        let mut counted = Vec::with_capacity(looked_up.len());
        let mut uncounted = Vec::new();
        {
            let kept = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
            for g in looked_up {
                match kept.get(&g) {
                    Some(&(n, at)) if now.duration_since(at) < COUNTED_FOR => counted.push((g, n)),
                    _ => uncounted.push(g),
                }
            }
        }
        if !uncounted.is_empty() {
            let list: Vec<String> = (1..=uncounted.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT gram, CAST(COUNT(*) AS BIGINT) FROM project_name_grams \
                 WHERE gram IN ({}) GROUP BY gram",
                list.join(", ")
            );
            let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
            for g in &uncounted {
                q = q.bind(g);
            }
            let found: HashMap<String, i64> = q.fetch_all(&mut *conn).await?.into_iter().collect();
            let mut kept = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
            if kept.len() + uncounted.len() > COUNTS_KEPT {
                kept.clear();
            }
            for g in uncounted {
                let n = found.get(&g).copied().unwrap_or(0);
                if n >= KEPT_FROM {
                    kept.insert(g.clone(), (n, now));
                }
                counted.push((g, n));
            }
        }
        Ok(rarest_grams(counted))
    }
}

/// The grams a project is indexed by: its name core's bigrams and its investor core's, marked.
fn index_grams(c: &Candidate) -> Vec<String> {
    let mut v = grams(&c.name.core);
    v.extend(grams(&c.investor).into_iter().map(|g| format!("@{g}")));
    v.sort_unstable();
    v.dedup();
    v
}

/// The grams looked up for a project: the generic ones (产业, 项目) only when it has fewer than
/// three others, as they lead to thousands of projects.
fn lookup_grams(c: &Candidate) -> Vec<String> {
    let all = index_grams(c);
    let rare: Vec<String> = all
        .iter()
        .filter(|g| !generic_gram(g.trim_start_matches('@')))
        .cloned()
        .collect();
    if rare.len() >= 3 {
        rare
    } else {
        all
    }
}

/// The place book, built once per process from the region directory.
pub(crate) async fn place_book(db: &Db) -> Result<Arc<PlaceBook>, StoreError> {
    let cell = db.memo.get::<tokio::sync::OnceCell<Arc<PlaceBook>>>();
    cell.get_or_try_init(|| async {
        let dir = crate::regions::directory(db).await?;
        let mut names: HashMap<String, Vec<&str>> = HashMap::new();
        for r in dir.all() {
            if let Some(p) = r.code.get(..2) {
                names.entry(p.to_owned()).or_default().push(r.name.as_str());
            }
        }
        let book = names
            .into_iter()
            .map(|(p, n)| (p, Places::new(n)))
            .collect();
        Ok(Arc::new(PlaceBook {
            places: book,
            counts: GramCounts::default(),
        }))
    })
    .await
    .cloned()
}

#[derive(Default)]
pub(crate) struct Index {
    book: Arc<PlaceBook>,
    /// The projects indexed, and apart from them (read for every candidate compared, where
    /// the rest is read for pairs only) their ids and what comparing them needs.
    entries: Vec<Entry>,
    entry_ids: Vec<i64>,
    prepared: Vec<Prepared>,
    ids: HashSet<i64>,
    by_code: HashMap<String, Vec<usize>>,
    by_gram: HashMap<String, Vec<usize>>,
}

/// What one look-up at a time works in: a count of shared grams per entry (kept at zero
/// between look-ups) and the entries counted; and the work done so far, postings walked and
/// pairs compared (logged for a sheet).
#[derive(Default)]
struct Scratch {
    hits: Vec<u32>,
    touched: Vec<usize>,
    walked: u64,
    compared: u64,
}

/// The look-alike pairs of a sheet's rows, and the work it took.
pub(crate) struct SheetMatches {
    pub pairs: Vec<Pair>,
    pub walked: u64,
    pub compared: u64,
}

/// The start of `postings` (positions in the index, rising) before position `before`.
fn earlier(postings: &[usize], before: usize) -> &[usize] {
    &postings[..postings.partition_point(|&i| i < before)]
}

impl Index {
    pub fn new(book: Arc<PlaceBook>) -> Self {
        Self {
            book,
            ..Self::default()
        }
    }

    /// Projects in the index.
    pub fn indexed(&self) -> usize {
        self.entries.len()
    }

    pub fn add(&mut self, e: Entry) {
        let prepared = Prepared::new(self.book.candidate(&e));
        self.add_prepared(e, prepared);
    }

    /// Adds a project unless it is in the index already; whether it was added.
    fn add_prepared(&mut self, e: Entry, prepared: Prepared) -> bool {
        if !self.ids.insert(e.id) {
            return false;
        }
        let i = self.entries.len();
        if let Some(code) = &e.investor_credit_code {
            self.by_code.entry(code.clone()).or_default().push(i);
        }
        for g in index_grams(prepared.candidate()) {
            self.by_gram.entry(g).or_default().push(i);
        }
        self.entry_ids.push(e.id);
        self.entries.push(e);
        self.prepared.push(prepared);
        true
    }

    /// The projects in the index that may be the same as `new`, with the reasons in Chinese.
    pub fn matches(&self, new: &Entry) -> Vec<Pair> {
        self.matches_except(new, &HashSet::new())
    }

    /// Like [`Index::matches`], leaving out the projects in `known` (pairs already in the
    /// pool) before the strongest are kept, so that they cannot crowd out new look-alikes.
    pub fn matches_except(&self, new: &Entry, known: &HashSet<i64>) -> Vec<Pair> {
        let mine = Prepared::new(self.book.candidate(new));
        let mut scratch = Scratch::default();
        self.matches_prepared(new, &mine, known, self.entries.len(), &mut scratch)
    }

    /// The pairs of a sheet's rows, each matched with the index as it stood before the row
    /// (the projects stored and the rows above it), as if they joined it one by one. The rows
    /// are matched on as many threads as there are cores (at most four), each taking every
    /// n-th row; the pairs are the same as one thread's and in the rows' order.
    pub fn match_sheet(mut self, rows: Vec<Entry>) -> SheetMatches {
        let mut positions = Vec::with_capacity(rows.len());
        for e in rows {
            let prepared = Prepared::new(self.book.candidate(&e));
            let before = self.entries.len();
            if self.add_prepared(e, prepared) {
                positions.push(before);
            }
        }
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4)
            .min(positions.len().max(1));
        let index = &self;
        let positions = &positions;
        let done: Vec<(Vec<Pair>, Scratch)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    s.spawn(move || {
                        let mut scratch = Scratch::default();
                        let mut pairs = Vec::new();
                        let none = HashSet::new();
                        for &at in positions.iter().skip(w).step_by(workers) {
                            let (new, mine) = (&index.entries[at], &index.prepared[at]);
                            pairs.extend(index.matches_prepared(
                                new,
                                mine,
                                &none,
                                at,
                                &mut scratch,
                            ));
                        }
                        (pairs, scratch)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut out = SheetMatches {
            pairs: Vec::new(),
            walked: 0,
            compared: 0,
        };
        for (pairs, scratch) in done {
            out.pairs.extend(pairs);
            out.walked += scratch.walked;
            out.compared += scratch.compared;
        }
        // rows in order (ids rise with them), each row's pairs strongest first, as they came
        out.pairs.sort_by_key(|p| p.project_id);
        out
    }

    /// The pairs of `new` among the entries before position `before`.
    fn matches_prepared(
        &self,
        new: &Entry,
        mine: &Prepared,
        known: &HashSet<i64>,
        before: usize,
        scratch: &mut Scratch,
    ) -> Vec<Pair> {
        if scratch.hits.len() < before {
            scratch.hits.resize(before, 0);
        }
        // The rarest grams, as the gram index is looked up (`sharing_grams`), here with the
        // exact counts of the entries in memory: a sheet of 100,000 rows over a province would
        // otherwise walk every 基地 and 智能 for every row.
        let counted = lookup_grams(mine.candidate())
            .into_iter()
            .map(|g| {
                let n = self.by_gram.get(&g).map_or(0, |p| earlier(p, before).len()) as i64;
                (g, n)
            })
            .collect();
        for g in rarest_grams(counted) {
            let postings = self.by_gram.get(&g).map_or(&[][..], |p| earlier(p, before));
            scratch.walked += postings.len() as u64;
            for &i in postings {
                if scratch.hits[i] == 0 {
                    scratch.touched.push(i);
                }
                scratch.hits[i] += 1;
            }
        }
        let mut looked_at: Vec<(u32, usize)> = Vec::with_capacity(scratch.touched.len());
        for i in scratch.touched.drain(..) {
            looked_at.push((std::mem::take(&mut scratch.hits[i]), i));
        }
        // the strongest CANDIDATES, without sorting the rest
        if looked_at.len() > CANDIDATES {
            looked_at.select_nth_unstable_by(CANDIDATES, |a, b| b.cmp(a));
            looked_at.truncate(CANDIDATES);
        }
        let mut consider: BTreeSet<usize> = looked_at.into_iter().map(|(_, i)| i).collect();
        if let Some(code) = &new.investor_credit_code {
            consider.extend(
                self.by_code
                    .get(code)
                    .map_or(&[][..], |p| earlier(p, before)),
            );
        }
        let mut pairs = Vec::new();
        for i in consider {
            let id = self.entry_ids[i];
            if id == new.id || known.contains(&id) {
                continue;
            }
            scratch.compared += 1;
            let Some(assessment) = assess_prepared(mine, &self.prepared[i]) else {
                continue;
            };
            let other = &self.entries[i];
            let mut reasons = assessment.reasons;
            if other.region_code == new.region_code {
                reasons.push("同一落户地".to_owned());
                if other.zone_id.is_some() && other.zone_id == new.zone_id {
                    reasons.push("同一园区".to_owned());
                }
            } else {
                reasons.push("落户地不同".to_owned());
            }
            if other.event_id.is_some() && new.event_id.is_some() && other.event_id != new.event_id
            {
                reasons.push("在不同签约活动中签约".to_owned());
            }
            pairs.push(Pair {
                project_id: new.id,
                other_project_id: other.id,
                score: assessment.score,
                reasons,
                region_code: new.region_code.clone(),
            });
        }
        pairs.sort_by_key(|p| std::cmp::Reverse((p.score, p.other_project_id)));
        pairs.truncate(MAX_PAIRS);
        pairs
    }

    /// The candidates of one project anywhere in the installation, found through the gram
    /// index: the projects sharing most of its rarer name and investor grams, and those with
    /// its credit code; and when projects `waiting` for their matching (`queue::take_turn`
    /// says), the waiting ones of its county and name key.
    pub async fn around(
        conn: &mut sqlx::AnyConnection,
        book: Arc<PlaceBook>,
        new: &Entry,
        waiting: bool,
    ) -> Result<Self, StoreError> {
        let ids = sharing_grams(conn, &book, new).await?;
        let mut index = Self::new(book);
        index.load(conn, &ids).await?;
        // Projects of a large sheet still waiting for their matching are not in the gram
        // index yet: those of the same county or name key are compared as a sheet's are.
        if waiting {
            for e in queued_near(conn, new).await? {
                index.add(e);
            }
        }
        if new.investor_credit_code.is_some() {
            let rows: Vec<Entry> = sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM projects WHERE investor_credit_code = $1 AND id <> $2"
            ))
            .bind(&new.investor_credit_code)
            .bind(new.id)
            .fetch_all(&mut *conn)
            .await?;
            rows.into_iter().for_each(|e| index.add(e));
        }
        Ok(index)
    }

    /// Adds the stored projects of `ids`.
    async fn load(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        ids: &[i64],
    ) -> Result<(), StoreError> {
        entries_by_id(conn, ids)
            .await?
            .into_iter()
            .for_each(|e| self.add(e));
        Ok(())
    }

    /// The candidates of a batch of new projects: every project of their counties, every
    /// project anywhere sharing a credit code or a name key with one of them, and — for a
    /// sheet of up to [`LOOKED_UP_ROWS`] rows — each row's candidates in the gram index, as
    /// the form looks them up, so that a copy in another county is met whatever its name.
    /// Projects in `apart` are left out (the batch itself, when it is stored already: the
    /// queued rows of a large sheet).
    pub async fn for_batch(
        conn: &mut sqlx::AnyConnection,
        backend: Backend,
        book: Arc<PlaceBook>,
        news: &[Entry],
        apart: &HashSet<i64>,
    ) -> Result<Self, StoreError> {
        let t0 = std::time::Instant::now();
        let mut index = Self::new(book);
        let counties: BTreeSet<&str> = news.iter().map(|e| e.region_code.as_str()).collect();
        let codes: BTreeSet<&str> = news
            .iter()
            .filter_map(|e| e.investor_credit_code.as_deref())
            .collect();
        let keys: BTreeSet<&str> = news.iter().map(|e| e.name_key.as_str()).collect();
        for (column, values) in [
            ("region_code", counties),
            ("investor_credit_code", codes),
            ("name_key", keys),
        ] {
            let values: Vec<&str> = values.into_iter().collect();
            for chunk in values.chunks(500) {
                let list: Vec<String> = (1..=chunk.len())
                    .map(|i| match backend {
                        Backend::Sqlite => "?".to_owned(),
                        Backend::Postgres => format!("${i}"),
                    })
                    .collect();
                let sql = format!(
                    "SELECT {COLUMNS} FROM projects WHERE {column} IN ({})",
                    list.join(", ")
                );
                let mut q = sqlx::query_as::<_, Entry>(&sql);
                for v in chunk {
                    q = q.bind(*v);
                }
                q.fetch_all(&mut *conn)
                    .await?
                    .into_iter()
                    .filter(|e| !apart.contains(&e.id))
                    .for_each(|e| index.add(e));
            }
        }
        if news.len() <= LOOKED_UP_ROWS {
            let mut ids = BTreeSet::new();
            for e in news {
                ids.extend(sharing_grams(conn, &index.book, e).await?);
            }
            let ids: Vec<i64> = ids
                .into_iter()
                .filter(|id| !index.ids.contains(id) && !apart.contains(id))
                .collect();
            index.load(conn, &ids).await?;
        }
        tracing::info!(
            rows = news.len(),
            indexed = index.indexed(),
            load_ms = t0.elapsed().as_millis() as u64,
            "sheet's look-alike index loaded"
        );
        Ok(index)
    }
}

/// The stored projects sharing the most of `new`'s looked-up grams (its rarest, see
/// [`PlaceBook::rarest`]): the [`CANDIDATES`] strongest, by one grouped read of the gram index.
async fn sharing_grams(
    conn: &mut sqlx::AnyConnection,
    book: &PlaceBook,
    new: &Entry,
) -> Result<Vec<i64>, StoreError> {
    let looked_up = book
        .rarest(conn, lookup_grams(&book.candidate(new)))
        .await?;
    if looked_up.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..looked_up.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT project_id FROM project_name_grams WHERE gram IN ({}) AND project_id <> $1 \
         GROUP BY project_id ORDER BY COUNT(*) DESC, project_id DESC LIMIT {CANDIDATES}",
        list.join(", ")
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(new.id);
    for g in &looked_up {
        q = q.bind(g);
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

/// The stored projects of `ids` (rising), by id.
pub(crate) async fn entries_by_id(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
) -> Result<Vec<Entry>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    for list in bulk::id_lists(ids) {
        let rows: Vec<Entry> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM projects WHERE id IN ({list}) ORDER BY id"
        ))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// The projects waiting in the look-alike queue in `new`'s county or with its name key.
async fn queued_near(
    conn: &mut sqlx::AnyConnection,
    new: &Entry,
) -> Result<Vec<Entry>, StoreError> {
    let queued = "EXISTS (SELECT 1 FROM look_alike_queue q WHERE q.project_id = p.id)";
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM projects p WHERE p.region_code = $1 AND p.id <> $3 AND {queued} \
         UNION SELECT {COLUMNS} FROM projects p WHERE p.name_key = $2 AND p.id <> $3 AND {queued}"
    ))
    .bind(&new.region_code)
    .bind(&new.name_key)
    .bind(new.id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Writes the gram index of projects (replacing what they had), so later projects meet them.
pub(crate) async fn index_projects(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    book: &PlaceBook,
    entries: &[Entry],
    replace: bool,
) -> Result<(), StoreError> {
    if replace {
        for e in entries {
            sqlx::query("DELETE FROM project_name_grams WHERE project_id = $1")
                .bind(e.id)
                .execute(&mut *conn)
                .await?;
        }
    }
    write_grams(conn, backend, gram_rows(book, entries)).await
}

/// The gram index's rows of projects, to be written by [`write_grams`] (worked out apart, so
/// that a sheet's are worked out on another core while its projects are written).
pub(crate) fn gram_rows(book: &PlaceBook, entries: &[Entry]) -> Vec<Vec<Bind>> {
    // Project by project, as the ids rise: measured on a 100,000-row sheet (1.6 million
    // grams into a province's index), this order writes in 1.9 s what the gram order takes
    // 2.8 s for (`sqlite3`, 64 MB cache): the index by project then only grows at its end.
    let mut rows = Vec::new();
    for e in entries {
        let mut gs = index_grams(&book.candidate(e));
        gs.push(INDEXED.to_owned());
        gs.dedup();
        for g in gs {
            rows.push(vec![Bind::Text(g), Bind::Int(e.id)]);
        }
    }
    rows
}

/// Writes rows of [`gram_rows`] (projects not indexed before).
pub(crate) async fn write_grams(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    rows: Vec<Vec<Bind>>,
) -> Result<(), StoreError> {
    bulk::insert_rows(
        conn,
        backend,
        "project_name_grams",
        &["gram", "project_id"],
        rows,
    )
    .await
}

/// Indexes the projects that are not yet (stored before the index, loaded in bulk, or indexed
/// by an older normalisation), a thousand per transaction. Run on start-up and after bulk loads.
/// Projects waiting in the look-alike queue are left to their matching, which indexes them.
pub(crate) async fn index_missing(db: &Db) -> Result<usize, StoreError> {
    let book = place_book(db).await?;
    let mut done = 0;
    loop {
        let mut tx = db.pool.begin().await?;
        let rows: Vec<Entry> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM projects p WHERE NOT EXISTS (SELECT 1 FROM project_name_grams g \
             WHERE g.gram = $1 AND g.project_id = p.id) AND NOT EXISTS (SELECT 1 FROM \
             look_alike_queue q WHERE q.project_id = p.id) ORDER BY id LIMIT 1000"
        ))
        .bind(INDEXED)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        index_projects(&mut tx, db.backend(), &book, &rows, true).await?;
        tx.commit().await?;
        done += rows.len();
    }
}

/// Queues the pairs for review.
pub(crate) async fn write_pairs(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    pairs: &[Pair],
    now: &str,
) -> Result<(), StoreError> {
    let rows = pairs
        .iter()
        .map(|p| {
            vec![
                Bind::Int(p.project_id),
                Bind::Int(p.other_project_id),
                Bind::Text(serde_json::to_string(&p.reasons).unwrap_or_default()),
                Bind::Int(i64::from(p.score)),
                Bind::Text(p.region_code.clone()),
                Bind::Text("pending".into()),
                Bind::Text(now.to_owned()),
            ]
        })
        .collect();
    bulk::insert_rows(
        conn,
        backend,
        "duplicate_candidates",
        &[
            "project_id",
            "other_project_id",
            "reasons",
            "score",
            "region_code",
            "status",
            "created_at",
        ],
        rows,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Arc<PlaceBook> {
        let mut m = HashMap::new();
        m.insert(
            "43".to_owned(),
            Places::new(["湖南省", "益阳市", "南县", "沅江市", "桃江县"]),
        );
        Arc::new(PlaceBook {
            places: m,
            counts: GramCounts::default(),
        })
    }

    fn entry(id: i64, name: &str, region: &str, investor: &str, code: Option<&str>) -> Entry {
        Entry {
            id,
            name: name.to_owned(),
            investor_name: investor.to_owned(),
            investor_credit_code: code.map(str::to_owned),
            region_code: region.to_owned(),
            industry_code: Some("C38".to_owned()),
            contract_fen: 100_000_000,
            ..Entry::default()
        }
    }

    #[test]
    fn a_copy_in_another_county_is_found_and_a_second_phase_is_not() {
        let mut index = Index::new(book());
        index.add(entry(
            1,
            "华湘锂电新材料产业园项目",
            "430981",
            "湖南华湘锂电科技有限公司",
            None,
        ));
        index.add(entry(2, "洞庭食品加工", "430921", "洞庭食品", None));
        index.add(entry(
            3,
            "华湘锂电新材料产业园二期",
            "430981",
            "华湘锂电科技",
            None,
        ));
        let copy = entry(9, "南县華湘鋰電新材料產業園", "430921", "華湘鋰電", None);
        let pairs = index.matches(&copy);
        let found: Vec<i64> = pairs.iter().map(|p| p.other_project_id).collect();
        assert_eq!(found, vec![1], "{pairs:?}");
        assert!(pairs[0].score >= 90, "{pairs:?}");
        assert!(pairs[0]
            .reasons
            .contains(&"投资方简称与全称一致".to_owned()));
        assert!(pairs[0].reasons.contains(&"落户地不同".to_owned()));
    }

    #[test]
    fn a_project_is_not_its_own_duplicate_and_is_added_once() {
        let mut index = Index::new(book());
        let e = entry(1, "洞庭食品加工", "430921", "洞庭食品", None);
        index.add(e.clone());
        index.add(e.clone());
        assert!(index.matches(&e).is_empty());
        assert_eq!(index.entries.len(), 1);
    }

    #[test]
    fn a_flood_of_look_alikes_queues_the_strongest_ten() {
        let mut index = Index::new(book());
        for i in 0..50 {
            index.add(entry(i, "华湘电子产业园", "430921", "华湘电子", None));
        }
        let pairs = index.matches(&entry(99, "华湘电子产业园", "430921", "华湘电子", None));
        assert_eq!(pairs.len(), MAX_PAIRS);
        let others: Vec<i64> = pairs.iter().map(|p| p.other_project_id).collect();
        assert!(others.contains(&49) && !others.contains(&0), "{others:?}");
    }

    #[test]
    fn pairs_already_in_the_pool_do_not_crowd_out_new_ones() {
        let mut index = Index::new(book());
        for i in 0..20 {
            index.add(entry(i, "华湘电子产业园", "430921", "华湘电子", None));
        }
        let new = entry(99, "华湘电子产业园", "430921", "华湘电子", None);
        let known: HashSet<i64> = (10..20).collect();
        let others: Vec<i64> = index
            .matches_except(&new, &known)
            .iter()
            .map(|p| p.other_project_id)
            .collect();
        assert_eq!(others.len(), MAX_PAIRS);
        assert!(others.iter().all(|id| *id < 10), "{others:?}");
    }

    #[test]
    fn a_sheet_matched_on_several_threads_pairs_as_rows_added_one_by_one() {
        let stored = [
            entry(1, "华湘锂电新材料产业园", "430981", "华湘锂电科技", None),
            entry(2, "洞庭食品加工", "430921", "洞庭食品", None),
        ];
        let names = [
            "华湘锂电新材料产业园项目",
            "南县華湘鋰電新材料產業園",
            "洞庭食品加工项目",
            "华湘锂电新材料产业园二期",
            "沅江洞庭食品加工",
            "楚天电子产业园",
            "楚天电子产业园项目",
        ];
        let investors = [
            "华湘锂电",
            "華湘鋰電",
            "洞庭食品",
            "华湘锂电",
            "洞庭食品",
            "楚天",
            "楚天",
        ];
        let rows: Vec<Entry> = (0..40)
            .map(|i| {
                let k = i % names.len();
                entry(100 + i as i64, names[k], "430921", investors[k], None)
            })
            .collect();
        let mut one_by_one = Index::new(book());
        stored.iter().for_each(|e| one_by_one.add(e.clone()));
        let mut expected = Vec::new();
        for e in &rows {
            expected.extend(one_by_one.matches(e));
            one_by_one.add(e.clone());
        }
        let mut index = Index::new(book());
        stored.iter().for_each(|e| index.add(e.clone()));
        let got = index.match_sheet(rows).pairs;
        let key = |p: &Pair| (p.project_id, p.other_project_id, p.score, p.reasons.clone());
        assert_eq!(
            got.iter().map(key).collect::<Vec<_>>(),
            expected.iter().map(key).collect::<Vec<_>>()
        );
        // rows meet the stored projects and the rows above them, never a row below
        assert!(got.iter().any(|p| p.other_project_id == 1));
        assert!(got.iter().any(|p| p.other_project_id >= 100));
        assert!(got.iter().all(|p| p.other_project_id < p.project_id));
        // more than one thread's worth of rows, each with its MAX_PAIRS at most
        assert!(got.len() > MAX_PAIRS, "{}", got.len());
    }

    #[test]
    fn generic_grams_are_not_looked_up_when_rarer_ones_exist() {
        let b = book();
        let c = b.candidate(&entry(
            1,
            "华湘锂电智能制造产业园",
            "430921",
            "华湘锂电",
            None,
        ));
        let looked = lookup_grams(&c);
        assert!(looked.contains(&"华湘".to_owned()));
        assert!(!looked.contains(&"产业".to_owned()), "{looked:?}");
    }
}
