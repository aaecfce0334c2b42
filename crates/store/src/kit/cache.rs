//! Short-lived copies of rows every request needs (the caller's session, the ledger rules).
//!
//! Each server instance keeps its own copies for at most [`FRESH`]; a change made through this
//! instance clears them at once, and one made through another instance of a cluster is seen
//! within that time. Nothing is kept that cannot be read back from the database, so the
//! instances stay stateless.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::error::StoreError;
use sqlx::AnyPool;

/// How long a copy is used before the database is asked again.
pub(crate) const FRESH: Duration = Duration::from_secs(1);

/// Copies older than this many entries are swept out when a new one is stored.
const SWEEP_ABOVE: usize = 10_000;

pub(crate) struct FreshCache<V> {
    inner: Mutex<Inner<V>>,
}

struct Inner<V> {
    /// Bumped by every clear, so that a read which began before a change cannot store what
    /// it read after the change.
    generation: u64,
    entries: HashMap<String, (Instant, V)>,
}

impl<V> Default for FreshCache<V> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                generation: 0,
                entries: HashMap::new(),
            }),
        }
    }
}

/// A miss: the moment and generation the caller's read of the database starts in.
pub(crate) struct Miss {
    generation: u64,
    at: Instant,
}

impl<V: Clone> FreshCache<V> {
    fn lock(&self) -> MutexGuard<'_, Inner<V>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The fresh copy under `key`, or a [`Miss`] to hand to [`FreshCache::put`] after
    /// reading the database.
    pub(crate) fn get(&self, key: &str) -> Result<V, Miss> {
        let guard = self.lock();
        match guard.entries.get(key) {
            Some((read_at, value)) if read_at.elapsed() < FRESH => Ok(value.clone()),
            _ => Err(Miss {
                generation: guard.generation,
                at: Instant::now(),
            }),
        }
    }

    /// Stores what was read after `miss`, unless the cache was cleared in the meantime.
    pub(crate) fn put(&self, miss: Miss, key: &str, value: V) {
        let mut guard = self.lock();
        if guard.generation != miss.generation {
            return;
        }
        if guard.entries.len() >= SWEEP_ABOVE {
            guard
                .entries
                .retain(|_, (read_at, _)| read_at.elapsed() < FRESH);
        }
        guard.entries.insert(key.to_owned(), (miss.at, value));
    }

    /// Forgets every copy (after a change through this instance).
    pub(crate) fn clear(&self) {
        let mut guard = self.lock();
        guard.generation += 1;
        guard.entries.clear();
    }
}

/// At most this many figures are kept per version; more are not stored.
const VERSIONED_MAX: usize = 2_000;

/// Figures computed from the data as it stood at one version (see [`data_version`]), kept
/// until the data changes. Unlike [`FreshCache`] a kept figure is never stale: any change, made
/// through any instance, moves the version, and a figure is only served for the version it was
/// computed at. Reports that aggregate a whole province are computed once per change instead
/// of once per request.
pub(crate) struct VersionedCache<V> {
    inner: Mutex<Versioned<V>>,
}

struct Versioned<V> {
    version: i64,
    entries: HashMap<String, V>,
}

impl<V> Default for VersionedCache<V> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Versioned {
                version: i64::MIN,
                entries: HashMap::new(),
            }),
        }
    }
}

impl<V: Clone> VersionedCache<V> {
    fn lock(&self) -> MutexGuard<'_, Versioned<V>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The figure under `key` computed at `version`, if there is one.
    pub(crate) fn get(&self, version: i64, key: &str) -> Option<V> {
        let guard = self.lock();
        if guard.version != version {
            return None;
        }
        guard.entries.get(key).cloned()
    }

    /// Keeps a figure computed after `version` was read. A newer version drops every older
    /// figure; a figure of an older version than the newest seen is not kept.
    pub(crate) fn put(&self, version: i64, key: &str, value: V) {
        let mut guard = self.lock();
        if version < guard.version {
            return;
        }
        if version > guard.version {
            guard.version = version;
            guard.entries.clear();
        }
        if guard.entries.len() < VERSIONED_MAX {
            guard.entries.insert(key.to_owned(), value);
        }
    }
}

/// The version of everything stored: the id of the audit trail's newest entry. Every change is
/// audited, and the trail's head row moves in the change's own transaction (`audit_chain`,
/// serialised across instances), so no change can commit without moving it. One row read.
pub(crate) async fn data_version(pool: &AnyPool) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT head_id FROM audit_chain WHERE id = 1")
            .fetch_optional(pool)
            .await?
            .unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_served_until_cleared() {
        let cache = FreshCache::<i32>::default();
        let miss = cache.get("k").unwrap_err();
        cache.put(miss, "k", 1);
        assert_eq!(cache.get("k").ok(), Some(1));
        cache.clear();
        assert!(cache.get("k").is_err());
    }

    #[test]
    fn a_read_that_began_before_a_clear_is_not_stored() {
        let cache = FreshCache::<i32>::default();
        let miss = cache.get("k").unwrap_err();
        cache.clear();
        cache.put(miss, "k", 1);
        assert!(cache.get("k").is_err());
    }

    #[test]
    fn a_figure_is_served_only_at_its_version() {
        let cache = VersionedCache::<i32>::default();
        cache.put(5, "k", 1);
        assert_eq!(cache.get(5, "k"), Some(1));
        assert_eq!(cache.get(6, "k"), None);
        cache.put(6, "k", 2);
        assert_eq!(cache.get(5, "k"), None);
        assert_eq!(cache.get(6, "k"), Some(2));
        // computed by a request that read the version before the change: not kept
        cache.put(5, "k", 1);
        assert_eq!(cache.get(6, "k"), Some(2));
    }

    #[test]
    fn a_copy_goes_stale() {
        let cache = FreshCache::<i32>::default();
        let mut miss = cache.get("k").unwrap_err();
        miss.at -= FRESH;
        cache.put(miss, "k", 1);
        assert!(cache.get("k").is_err());
    }
}

/// What one instance keeps in memory on behalf of the areas, one slot per type, made on first
/// use: the region tree, the short-lived copies above. The database handle carries it
/// without knowing what the areas keep in it.
#[derive(Default)]
pub struct Memo {
    slots: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Memo {
    /// Puts `value` in the slot of its type, before first use (for a slot made from settings).
    pub fn set<T: Send + Sync + 'static>(&self, value: T) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The slot of type `T`, made with `T::default()` the first time it is asked for.
    pub fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        slot.downcast::<T>()
            .expect("a slot holds the type it is keyed by")
    }
}
