//! The writer's cache of the records it alone writes: entity statistics.
//!
//! Every document reads and rewrites the statistics of each entity it mentions, a dozen tree
//! lookups per document on the writer's thread, most of them for the same few thousand
//! entities. Only the writer writes these records (a rebuild runs on its thread too), so a
//! copy of what it read or wrote stays exact as long as it is updated with every group that
//! reaches the tree, and dropped when a group fails to.
//!
//! The cache is bounded: when it holds [`ReadCache::capacity`] records it is emptied, and
//! fills again with the entities that are still mentioned.

use std::collections::HashMap;

use crate::keys;

/// Staged or stored value of a key: `None` when absent.
type Value = Option<Vec<u8>>;

pub struct ReadCache {
    entries: HashMap<Vec<u8>, Value>,
    capacity: usize,
}

impl ReadCache {
    pub fn new(capacity: usize) -> ReadCache {
        ReadCache {
            entries: HashMap::new(),
            capacity,
        }
    }

    /// Whether the cache keeps `key`: entity statistics only.
    pub fn covers(key: &[u8]) -> bool {
        key.first() == Some(&keys::ENTITY)
    }

    /// The value of `key` in the tree, if cached.
    pub fn get(&self, key: &[u8]) -> Option<&Value> {
        self.entries.get(key)
    }

    /// Records the value of `key` in the tree (read, or written by a group that was applied).
    pub fn fill(&mut self, key: &[u8], value: Value) {
        if !ReadCache::covers(key) {
            return;
        }
        if self.entries.len() >= self.capacity && !self.entries.contains_key(key) {
            self.entries.clear();
        }
        self.entries.insert(key.to_vec(), value);
    }

    /// Forgets everything: after a group failed to apply, or a rebuild.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_entity_records_only_and_stays_bounded() {
        let mut cache = ReadCache::new(2);
        let entity = |id: &str| keys::key(keys::ENTITY, &[id.as_bytes()]);
        cache.fill(&keys::key(keys::DOC, &[b"d"]), Some(vec![1]));
        assert_eq!(cache.len(), 0);
        cache.fill(&entity("a"), Some(vec![1]));
        cache.fill(&entity("b"), None);
        assert_eq!(cache.get(&entity("b")), Some(&None));
        cache.fill(&entity("a"), Some(vec![2]));
        assert_eq!(cache.get(&entity("a")), Some(&Some(vec![2])));
        cache.fill(&entity("c"), Some(vec![3]));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(&entity("a")), None);
    }
}
