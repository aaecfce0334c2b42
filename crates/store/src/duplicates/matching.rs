//! Duplicate detection (重复签约, domain §14): a new project is compared with the projects
//! already in the ledger — same investor credit code, the same name key anywhere, a similar
//! name in the same county — and every look-alike pair is queued for review. Nothing is merged
//! or rejected.
//!
//! The comparison runs in memory over an [`Index`] of candidate projects: for one project from
//! the form, the index holds what one set of index look-ups returns; for an imported sheet, it
//! holds the counties of the sheet and every project sharing a credit code or name key with
//! it, and each row joins the index once checked, so rows of the same sheet meet each other.

use crate::kit::bulk;
use crate::kit::db::Backend;
use crate::kit::error::StoreError;
use crate::kit::filter::Bind;
use luodi_domain::ledger::Bigrams;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Names either side of a new one, in name-key order within its county, that are compared.
const NEIGHBOURS: usize = 100;
/// Similarity (0–100) from which two names count as alike.
const SIMILAR_FROM: u32 = 80;
/// Pairs queued per new project at most: the strongest ones (same credit code first, then the
/// most similar names, then the newest). A name shared by hundreds of earlier projects needs a
/// reviewer's look, not hundreds of rows in the pool.
const MAX_PAIRS: usize = 10;

/// What duplicate detection knows of a project.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Entry {
    pub id: i64,
    pub name_key: String,
    pub investor_credit_code: Option<String>,
    pub region_code: String,
    pub zone_id: Option<i64>,
    pub event_id: Option<i64>,
}

/// A look-alike pair for the review pool.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub project_id: i64,
    pub other_project_id: i64,
    pub reasons: Vec<String>,
    pub region_code: String,
}

/// Similar names share their first three characters (after normalising); the range of keys
/// with that prefix is `[prefix, upper)`.
fn prefix_range(key: &str) -> (String, String) {
    let prefix: String = key.chars().take(3).collect();
    let mut upper: Vec<char> = prefix.chars().collect();
    if let Some(last) = upper.last_mut() {
        *last = char::from_u32(*last as u32 + 1).unwrap_or(char::MAX);
    }
    (prefix, upper.into_iter().collect())
}

const COLUMNS: &str = "id, name_key, investor_credit_code, region_code, zone_id, event_id";

#[derive(Default)]
pub(crate) struct Index {
    entries: Vec<(Entry, Bigrams)>,
    ids: HashSet<i64>,
    by_code: HashMap<String, Vec<usize>>,
    by_key: HashMap<String, Vec<usize>>,
    by_county: HashMap<String, BTreeSet<(String, usize)>>,
}

impl Index {
    pub fn add(&mut self, e: Entry) {
        if !self.ids.insert(e.id) {
            return;
        }
        let i = self.entries.len();
        if let Some(code) = &e.investor_credit_code {
            self.by_code.entry(code.clone()).or_default().push(i);
        }
        self.by_key.entry(e.name_key.clone()).or_default().push(i);
        self.by_county
            .entry(e.region_code.clone())
            .or_default()
            .insert((e.name_key.clone(), i));
        let grams = Bigrams::of(&e.name_key);
        self.entries.push((e, grams));
    }

    /// The projects in the index that may be the same as `new`, with the reasons in Chinese.
    pub fn matches(&self, new: &Entry) -> Vec<Pair> {
        self.matches_except(new, &HashSet::new())
    }

    /// Like [`Index::matches`], leaving out the projects in `known` (pairs already in the
    /// pool) before the strongest are kept, so that they cannot crowd out new look-alikes.
    pub fn matches_except(&self, new: &Entry, known: &HashSet<i64>) -> Vec<Pair> {
        let mut seen = HashSet::new();
        let mut looked_at = Vec::new();
        let mut consider = |i: usize| {
            if seen.insert(i) {
                looked_at.push(i);
            }
        };
        if let Some(code) = &new.investor_credit_code {
            self.by_code
                .get(code)
                .into_iter()
                .flatten()
                .for_each(|&i| consider(i));
        }
        self.by_key
            .get(&new.name_key)
            .into_iter()
            .flatten()
            .for_each(|&i| consider(i));
        if let Some(county) = self.by_county.get(&new.region_code) {
            let (prefix, upper) = prefix_range(&new.name_key);
            let from = (new.name_key.clone(), 0);
            county
                .range(from.clone()..)
                .take_while(|(k, _)| *k < upper)
                .take(NEIGHBOURS)
                .for_each(|&(_, i)| consider(i));
            county
                .range(..from)
                .rev()
                .take_while(|(k, _)| *k >= prefix)
                .take(NEIGHBOURS)
                .for_each(|&(_, i)| consider(i));
        }
        let grams = Bigrams::of(&new.name_key);
        let mut pairs = Vec::new();
        let mut strength = Vec::new();
        for i in looked_at {
            let (other, other_grams) = &self.entries[i];
            if other.id == new.id || known.contains(&other.id) {
                continue;
            }
            let mut reasons = Vec::new();
            if new.investor_credit_code.is_some()
                && other.investor_credit_code == new.investor_credit_code
            {
                reasons.push("同一投资方统一社会信用代码".to_owned());
            }
            let similarity = grams.similarity(other_grams);
            if similarity >= SIMILAR_FROM {
                reasons.push(format!("项目名称相似度{similarity}%"));
            }
            if reasons.is_empty() {
                continue;
            }
            if other.region_code == new.region_code {
                reasons.push("同一落户地".to_owned());
                if other.zone_id.is_some() && other.zone_id == new.zone_id {
                    reasons.push("同一园区".to_owned());
                }
            }
            if other.event_id.is_some() && new.event_id.is_some() && other.event_id != new.event_id
            {
                reasons.push("在不同签约活动中签约".to_owned());
            }
            let same_code = reasons[0].starts_with("同一投资方");
            strength.push((same_code, similarity, other.id, pairs.len()));
            pairs.push(Pair {
                project_id: new.id,
                other_project_id: other.id,
                reasons,
                region_code: new.region_code.clone(),
            });
        }
        if pairs.len() > MAX_PAIRS {
            strength.sort_unstable_by(|a, b| b.cmp(a));
            let mut keep: Vec<usize> = strength.iter().take(MAX_PAIRS).map(|s| s.3).collect();
            keep.sort_unstable();
            let mut all: Vec<Option<Pair>> = pairs.into_iter().map(Some).collect();
            pairs = keep.into_iter().filter_map(|i| all[i].take()).collect();
        }
        pairs
    }

    /// The candidates of one project, found with index look-ups: the same credit code or name
    /// key anywhere, and the up to 100 names either side of its own in its county. Reading
    /// neighbours in (region_code, name_key) order keeps each look-up logarithmic.
    pub async fn around(conn: &mut sqlx::AnyConnection, new: &Entry) -> Result<Self, StoreError> {
        let (prefix, upper) = prefix_range(&new.name_key);
        // Index look-ups joined by UNION: an OR across columns would make both backends scan
        // the whole table.
        let rows: Vec<Entry> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM projects WHERE investor_credit_code = $2 AND id <> $1 \
             UNION SELECT {COLUMNS} FROM projects WHERE name_key = $3 AND id <> $1 \
             UNION SELECT * FROM (SELECT {COLUMNS} FROM projects WHERE region_code = $4 \
             AND name_key >= $3 AND name_key < $6 AND id <> $1 ORDER BY name_key LIMIT {NEIGHBOURS}) after_key \
             UNION SELECT * FROM (SELECT {COLUMNS} FROM projects WHERE region_code = $4 \
             AND name_key >= $5 AND name_key < $3 AND id <> $1 ORDER BY name_key DESC LIMIT {NEIGHBOURS}) before_key"
        ))
        .bind(new.id)
        .bind(&new.investor_credit_code)
        .bind(&new.name_key)
        .bind(&new.region_code)
        .bind(&prefix)
        .bind(&upper)
        .fetch_all(&mut *conn)
        .await?;
        let mut index = Self::default();
        rows.into_iter().for_each(|e| index.add(e));
        Ok(index)
    }

    /// The candidates of a batch of new projects: every project of their counties, and every
    /// project anywhere sharing a credit code or a name key with one of them.
    pub async fn for_batch(
        conn: &mut sqlx::AnyConnection,
        backend: Backend,
        news: &[Entry],
    ) -> Result<Self, StoreError> {
        let mut index = Self::default();
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
                    .for_each(|e| index.add(e));
            }
        }
        Ok(index)
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
    use luodi_domain::ledger::name_key;

    fn entry(id: i64, name: &str, region: &str, code: Option<&str>, event: Option<i64>) -> Entry {
        Entry {
            id,
            name_key: name_key(name),
            investor_credit_code: code.map(str::to_owned),
            region_code: region.to_owned(),
            zone_id: None,
            event_id: event,
        }
    }

    #[test]
    fn similar_names_in_the_county_same_code_anywhere_and_nothing_else() {
        let mut index = Index::default();
        index.add(entry(
            1,
            "中联重科（南县）产业园项目",
            "430921",
            None,
            Some(7),
        ));
        index.add(entry(
            2,
            "比亚迪电池生产基地",
            "430921",
            Some("91430000MA4L0XXXX1"),
            None,
        ));
        index.add(entry(3, "中联重科产业园", "430102", None, None));
        index.add(entry(4, "洞庭食品加工", "430921", None, None));
        let new = entry(
            9,
            "中联重科产业园二期",
            "430921",
            Some("91430000MA4L0XXXX1"),
            Some(8),
        );
        let mut pairs = index.matches(&new);
        pairs.sort_by_key(|p| p.other_project_id);
        let found: Vec<(i64, Vec<String>)> = pairs
            .into_iter()
            .map(|p| (p.other_project_id, p.reasons))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    1,
                    vec![
                        "项目名称相似度100%".to_owned(),
                        "同一落户地".to_owned(),
                        "在不同签约活动中签约".to_owned()
                    ]
                ),
                (
                    2,
                    vec![
                        "同一投资方统一社会信用代码".to_owned(),
                        "同一落户地".to_owned()
                    ]
                ),
                // the same name key in another county
                (3, vec!["项目名称相似度100%".to_owned()]),
            ]
        );
    }

    #[test]
    fn a_project_is_not_its_own_duplicate_and_is_added_once() {
        let mut index = Index::default();
        let e = entry(1, "洞庭食品加工", "430921", None, None);
        index.add(e.clone());
        index.add(e.clone());
        assert!(index.matches(&e).is_empty());
        assert_eq!(index.entries.len(), 1);
    }

    #[test]
    fn only_the_neighbours_in_key_order_are_compared() {
        // 300 look-alikes in one county: the new name meets those nearest to it in key order,
        // at most 100 on each side, so a flood of similar names cannot make imports quadratic.
        let mut index = Index::default();
        for i in 0..300 {
            index.add(entry(i, &format!("华湘电子{i:03}"), "430921", None, None));
        }
        let pairs = index.matches(&entry(1000, "华湘电子150", "430921", None, None));
        assert!(pairs.len() <= 2 * NEIGHBOURS, "{}", pairs.len());
        assert!(pairs.iter().any(|p| p.other_project_id == 150));
    }

    #[test]
    fn a_flood_of_look_alikes_queues_the_strongest_ten() {
        let mut index = Index::default();
        for i in 0..50 {
            index.add(entry(i, "华湘电子产业园", "430921", None, None));
        }
        index.add(entry(
            50,
            "楚天机械",
            "430102",
            Some("91430000MA4L0XXXX1"),
            None,
        ));
        let new = entry(
            99,
            "华湘电子产业园",
            "430921",
            Some("91430000MA4L0XXXX1"),
            None,
        );
        let pairs = index.matches(&new);
        assert_eq!(pairs.len(), MAX_PAIRS);
        let others: Vec<i64> = pairs.iter().map(|p| p.other_project_id).collect();
        // the same investor first, then the newest of the identical names
        assert!(others.contains(&50));
        assert!(others.contains(&49) && !others.contains(&0), "{others:?}");
    }

    #[test]
    fn pairs_already_in_the_pool_do_not_crowd_out_new_ones() {
        // An edit re-runs detection: the ten pairs already queued are left out before the
        // strongest ten are kept, so the new look-alikes still reach the pool.
        let mut index = Index::default();
        for i in 0..20 {
            index.add(entry(i, "华湘电子产业园", "430921", None, None));
        }
        let new = entry(99, "华湘电子产业园", "430921", None, None);
        let known: HashSet<i64> = (10..20).collect();
        let others: Vec<i64> = index
            .matches_except(&new, &known)
            .iter()
            .map(|p| p.other_project_id)
            .collect();
        assert_eq!(others.len(), MAX_PAIRS);
        assert!(others.iter().all(|id| *id < 10), "{others:?}");
    }
}
