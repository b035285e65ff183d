//! Pending writes of one group commit, readable before they are applied.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;

use crate::read_cache::ReadCache;
use crate::Result;

/// A staged write: `Some(value)` to insert, `None` to remove.
type Staged = Option<Vec<u8>>;

/// Writes staged over the tree: reads see them, and they become one atomic `sled::Batch`.
///
/// A failed document must not leave half its entries in the group: [`Overlay::savepoint`] starts
/// an undo log and [`Overlay::rollback`] restores the staged writes to that point.
///
/// With a [`ReadCache`], reads of the keys it covers are answered from it when they can be,
/// and fill it when they reach the tree.
pub struct Overlay<'a> {
    tree: &'a sled::Tree,
    cache: Option<&'a RefCell<ReadCache>>,
    pending: BTreeMap<Vec<u8>, Staged>,
    /// Previous staged state of every key written since the savepoint (`None`: not staged).
    undo: Vec<(Vec<u8>, Option<Staged>)>,
}

impl<'a> Overlay<'a> {
    pub fn new(tree: &'a sled::Tree) -> Self {
        Overlay::with_cache(tree, None)
    }

    /// An overlay that reads through `cache` (the writer's, see `read_cache.rs`).
    pub fn with_cache(tree: &'a sled::Tree, cache: Option<&'a RefCell<ReadCache>>) -> Self {
        Overlay {
            tree,
            cache,
            pending: BTreeMap::new(),
            undo: Vec::new(),
        }
    }

    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(value) = self.pending.get(key) {
            return Ok(value.clone());
        }
        let Some(cache) = self.cache.filter(|_| ReadCache::covers(key)) else {
            return Ok(self.tree.get(key)?.map(|v| v.to_vec()));
        };
        if let Some(value) = cache.borrow().get(key) {
            return Ok(value.clone());
        }
        let value = self.tree.get(key)?.map(|v| v.to_vec());
        cache.borrow_mut().fill(key, value.clone());
        Ok(value)
    }

    /// Once the group is applied: its writes of cached keys become what the cache holds.
    pub fn update_cache(&self) {
        if let Some(cache) = self.cache {
            let mut cache = cache.borrow_mut();
            // The cache keeps the keys it covers and ignores the others.
            for (key, value) in &self.pending {
                cache.fill(key, value.clone());
            }
        }
    }

    /// The last key in `prefix..=at`, with its value, as staged.
    pub fn last_at_or_before(
        &self,
        prefix: &[u8],
        at: &[u8],
    ) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let staged = self
            .pending
            .range::<[u8], _>((Bound::Included(prefix), Bound::Included(at)))
            .next_back();
        let stored = self.tree.range(prefix..=at).next_back().transpose()?;
        Ok(match (staged, stored) {
            (Some((k, v)), Some((stored_key, _))) if k.as_slice() >= stored_key.as_ref() => {
                v.clone().map(|v| (k.clone(), v))
            }
            (_, Some((k, v))) => match self.pending.get(k.as_ref()) {
                Some(staged) => staged.clone().map(|v| (k.to_vec(), v)),
                None => Some((k.to_vec(), v.to_vec())),
            },
            (Some((k, v)), None) => v.clone().map(|v| (k.clone(), v)),
            (None, None) => None,
        })
    }

    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.stage(key, Some(value));
    }

    pub fn remove(&mut self, key: Vec<u8>) {
        self.stage(key, None);
    }

    fn stage(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        let previous = self.pending.insert(key.clone(), value);
        self.undo.push((key, previous));
    }

    /// Forgets the undo log: what is staged now stays.
    pub fn savepoint(&mut self) {
        self.undo.clear();
    }

    /// Undoes every write staged since the last savepoint.
    pub fn rollback(&mut self) {
        while let Some((key, previous)) = self.undo.pop() {
            match previous {
                Some(value) => {
                    self.pending.insert(key, value);
                }
                None => {
                    self.pending.remove(&key);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Number of keys staged.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// The staged keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.pending.keys().map(Vec::as_slice)
    }

    pub fn into_batch(self) -> sled::Batch {
        let mut batch = sled::Batch::default();
        for (key, value) in self.pending {
            match value {
                Some(value) => batch.insert(key, value),
                None => batch.remove(key),
            }
        }
        batch
    }
}
