//! Background merging of postings segments and co-occurrence blocks.
//!
//! Every write group adds one group index, all its terms' segments in one value
//! (`group_index.rs`). Blocks are grouped into aligned runs: 16 blocks make a unit of level 1,
//! 16 units of level 1 one of level 2, the last level ([`MAX_LEVEL`]). When the writer has
//! committed the last block of a unit of level 1, this thread spreads its 8 group indexes into
//! one segment per term, keyed by term and first block, and one co-occurrence block per entity;
//! for the units above, it merges, term by
//! term, the segments of the unit into one, and sums the co-occurrence counts the same way. A
//! unit's list of terms (`v` keys) says which terms to look at; a term in only one of its
//! children's lists has a single segment and is left as it is. Each posting is rewritten once
//! per level, and a common term has at most 15 segments at level 1 plus one per top-level
//! unit, and up to 15 group indexes not spread yet. Every level rewrites every posting once
//! more, on disk too (sled rewrites a leaf when it consolidates it and reclaims a log segment
//! only when half of it is dead), so the levels are few and wide.
//!
//! Merging never changes what a query finds, only how many keys it reads, so the thread works
//! from what is committed and needs no bookkeeping of its own: on every wake-up it looks at the
//! unit lists, and a unit whose blocks are all written is due. A merge interrupted by a crash is
//! done again (merging a term with one segment is a no-op). The writer holds [`SegmentLock`]
//! while it stages and commits a delete or a rebuild, the only writes that touch existing
//! segments; this thread holds it for each batch of merges.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use crate::blocks::{self, group_key, related_key, segment_key, unit_key, NEXT_BLOCK_KEY};
use crate::group_index::GroupIndex;
use crate::keys;
use crate::record::{decode, encode, BlockRelated, UnitList};
use crate::segment::{self, Segment};
use crate::Result;

/// Units of this level are never merged further.
pub const MAX_LEVEL: u8 = 2;
/// Units of one level per unit of the next.
pub const FANOUT: u64 = 16;
/// Terms merged per batch (and per hold of the lock).
const BATCH_TERMS: usize = 256;
/// Bytes of segments a spread writes per batch: sled applies a batch under a lock that every
/// read and write waits for, so a unit is spread in many short batches, not one long one.
const SPREAD_BATCH_BYTES: usize = 2 << 20;

/// Held by whoever rewrites existing segments.
pub type SegmentLock = Arc<Mutex<()>>;

/// Blocks in a unit of `level`.
pub fn unit_blocks(level: u8) -> u64 {
    FANOUT.pow(u32::from(level))
}

/// What the writer keeps to wake the compactor and share its lock.
#[derive(Clone)]
pub struct CompactionHandle {
    pub lock: SegmentLock,
    pub wake: mpsc::Sender<()>,
}

/// Runs until `wake`'s senders are gone or `stop` is set.
pub fn run(tree: sled::Tree, lock: SegmentLock, wake: mpsc::Receiver<()>, stop: Arc<AtomicBool>) {
    while wake.recv().is_ok() {
        while wake.try_recv().is_ok() {}
        // A panic must not end the thread quietly: reads would slow down as unmerged groups
        // pile up. It is logged, and the merge is tried again at the next wake-up.
        let merged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            merge_due(&tree, &lock, &stop)
        }));
        match merged {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::error!(%error, "merging postings failed"),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %message, "merging postings panicked");
            }
        }
    }
}

/// Merges every unit that is due, lowest levels first; returns how many.
pub fn merge_due(tree: &sled::Tree, lock: &SegmentLock, stop: &AtomicBool) -> Result<u64> {
    let mut merged = 0;
    while !stop.load(Ordering::Relaxed) {
        let Some((level, first)) = due_unit(tree)? else {
            break;
        };
        merge_unit(tree, lock, stop, level, first)?;
        merged += 1;
    }
    Ok(merged)
}

/// The lowest-level unit whose blocks are all committed and whose children are not merged.
fn due_unit(tree: &sled::Tree) -> Result<Option<(u8, u64)>> {
    let next_block: u64 = match tree.get(NEXT_BLOCK_KEY)? {
        Some(bytes) => decode(NEXT_BLOCK_KEY, &bytes)?,
        None => return Ok(None),
    };
    for level in 0..MAX_LEVEL {
        let size = unit_blocks(level + 1);
        for entry in tree.scan_prefix([keys::UNIT, level]) {
            let (k, _) = entry?;
            let Some(first) = k.get(2..10).and_then(|b| b.try_into().ok()) else {
                continue;
            };
            let parent = u64::from_be_bytes(first) / size * size;
            if parent + size <= next_block {
                return Ok(Some((level + 1, parent)));
            }
        }
    }
    Ok(None)
}

/// Merges the segments and co-occurrence blocks of the unit of `level` that starts at `first`.
fn merge_unit(
    tree: &sled::Tree,
    lock: &SegmentLock,
    stop: &AtomicBool,
    level: u8,
    first: u64,
) -> Result<()> {
    let end = first + unit_blocks(level);
    let started = std::time::Instant::now();
    let mut children = Vec::new();
    let mut terms: BTreeMap<String, u32> = BTreeMap::new();
    let mut entities: BTreeMap<String, u32> = BTreeMap::new();
    for entry in tree.range(unit_key(level - 1, first)..unit_key(level - 1, end)) {
        let (k, v) = entry?;
        let list: UnitList = decode(&k, &v)?;
        for term in list.terms {
            *terms.entry(term).or_default() += 1;
        }
        for entity in list.entities {
            *entities.entry(entity).or_default() += 1;
        }
        children.push(k);
    }
    let shared = |counts: &BTreeMap<String, u32>| -> Vec<String> {
        counts
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(t, _)| t.clone())
            .collect()
    };
    if level == 1 {
        let spread = spread_groups(tree, lock, first, end)?;
        for term in spread.terms {
            *terms.entry(term).or_default() += 1;
        }
        for entity in spread.entities {
            *entities.entry(entity).or_default() += 1;
        }
    }
    // A spread interrupted before the children lists were removed left the unit's own list.
    if let Some(bytes) = tree.get(unit_key(level, first))? {
        let list: UnitList = decode(&unit_key(level, first), &bytes)?;
        for term in list.terms {
            terms.entry(term).or_default();
        }
        for entity in list.entities {
            entities.entry(entity).or_default();
        }
    }
    // At level 1 the spread made one segment per term and one block per entity already.
    let (merge_terms, merge_entities) = if level == 1 {
        (Vec::new(), Vec::new())
    } else {
        (shared(&terms), shared(&entities))
    };
    for chunk in merge_terms.chunks(BATCH_TERMS) {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let _held = lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut batch = sled::Batch::default();
        for term in chunk {
            merge_segments(tree, &mut batch, term, first, end)?;
        }
        tree.apply_batch(batch)?;
    }
    for chunk in merge_entities.chunks(BATCH_TERMS) {
        let _held = lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut batch = sled::Batch::default();
        for entity in chunk {
            merge_related(tree, &mut batch, entity, first, end)?;
        }
        tree.apply_batch(batch)?;
    }
    let mut batch = sled::Batch::default();
    for child in children {
        batch.remove(child);
    }
    if level < MAX_LEVEL {
        let list = UnitList {
            terms: terms.into_keys().collect(),
            entities: entities.into_keys().collect(),
        };
        batch.insert(unit_key(level, first), encode(&list));
    }
    tree.apply_batch(batch)?;
    tracing::debug!(
        level,
        first,
        terms = merge_terms.len(),
        entities = merge_entities.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "merged a unit"
    );
    Ok(())
}

/// Replaces the group indexes of blocks `first..end` by one segment per term and one
/// co-occurrence block per entity, and writes the unit's list of them; returns the list.
///
/// The segments and blocks go in batches of about [`SPREAD_BATCH_BYTES`], and the last batch
/// removes the group indexes and writes the list. Readers skip the group entries of a run that
/// has a segment (`blocks::segments`), so they never count a posting twice; a spread cut short
/// by a crash is done again from the group indexes, writing the same keys. The lock is held
/// throughout: a delete between two batches would change group indexes already read.
fn spread_groups(tree: &sled::Tree, lock: &SegmentLock, first: u64, end: u64) -> Result<UnitList> {
    let _held = lock.lock().unwrap_or_else(|e| e.into_inner());
    let groups: Vec<(sled::IVec, sled::IVec)> = tree
        .range(group_key(first)..group_key(end))
        .collect::<std::result::Result<_, _>>()?;
    let mut by_term: BTreeMap<&str, Vec<(u64, Segment<'_>)>> = BTreeMap::new();
    let mut by_entity: BTreeMap<&str, (u64, BTreeMap<String, u64>)> = BTreeMap::new();
    for (key, value) in &groups {
        let corrupt = || corrupt(key);
        let block = blocks::block_in_key(key).ok_or_else(corrupt)?;
        let group = GroupIndex::parse(value).ok_or_else(corrupt)?;
        for entry in group.entries() {
            let (term, range) = entry.ok_or_else(corrupt)?;
            if let Some(entity) = term.strip_prefix(blocks::RELATED_ENTRY) {
                let counts: BlockRelated = decode(key, &value[range])?;
                let (_, sum) = by_entity
                    .entry(entity)
                    .or_insert_with(|| (block, BTreeMap::new()));
                for (other, count) in counts {
                    *sum.entry(other).or_default() += count;
                }
                continue;
            }
            let segment = Segment::parse(&value[range]).ok_or_else(corrupt)?;
            by_term.entry(term).or_default().push((block, segment));
        }
    }
    let mut batch = sled::Batch::default();
    let mut batch_bytes = 0;
    let flush = |batch: &mut sled::Batch, bytes: &mut usize, added: usize| -> Result<()> {
        *bytes += added;
        if *bytes >= SPREAD_BATCH_BYTES {
            tree.apply_batch(std::mem::take(batch))?;
            *bytes = 0;
        }
        Ok(())
    };
    for (term, parts) in &by_term {
        let key = segment_key(term, parts[0].0);
        let segments: Vec<Segment<'_>> = parts.iter().map(|(_, s)| *s).collect();
        let merged = segment::merge(&segments).ok_or_else(|| corrupt(&key))?;
        let added = key.len() + merged.len();
        batch.insert(key, merged);
        flush(&mut batch, &mut batch_bytes, added)?;
    }
    for (entity, (block, sum)) in &by_entity {
        let sum: BlockRelated = sum.iter().map(|(o, c)| (o.clone(), *c)).collect();
        let (key, value) = (related_key(entity, *block), encode(&sum));
        let added = key.len() + value.len();
        batch.insert(key, value);
        flush(&mut batch, &mut batch_bytes, added)?;
    }
    for (key, _) in &groups {
        batch.remove(key.clone());
    }
    let list = UnitList {
        terms: by_term.into_keys().map(str::to_owned).collect(),
        entities: by_entity.into_keys().map(str::to_owned).collect(),
    };
    if !groups.is_empty() {
        batch.insert(unit_key(1, first), encode(&list));
    }
    tree.apply_batch(batch)?;
    Ok(list)
}

fn corrupt(key: &[u8]) -> crate::StoreError {
    crate::StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        detail: "malformed postings".to_owned(),
    }
}

/// Replaces the keys in `from..to` by one under the first key, with the value `merge` makes of
/// them, when there are at least two.
fn replace_run(
    tree: &sled::Tree,
    batch: &mut sled::Batch,
    (from, to): (Vec<u8>, Vec<u8>),
    merge: impl FnOnce(&[(sled::IVec, sled::IVec)]) -> Result<Vec<u8>>,
) -> Result<()> {
    let found: Vec<(sled::IVec, sled::IVec)> = tree
        .range(from..to)
        .collect::<std::result::Result<_, _>>()?;
    if found.len() < 2 {
        return Ok(());
    }
    let merged = merge(&found)?;
    for (k, _) in &found[1..] {
        batch.remove(k.clone());
    }
    batch.insert(found[0].0.clone(), merged);
    Ok(())
}

/// Replaces the segments of `term` in blocks `first..end` by one.
fn merge_segments(
    tree: &sled::Tree,
    batch: &mut sled::Batch,
    term: &str,
    first: u64,
    end: u64,
) -> Result<()> {
    let run = (segment_key(term, first), segment_key(term, end));
    replace_run(tree, batch, run, |found| {
        let parts = found
            .iter()
            .map(|(k, v)| blocks::parse(k, v))
            .collect::<Result<Vec<Segment<'_>>>>()?;
        segment::merge(&parts).ok_or_else(|| corrupt(&found[0].0))
    })
}

/// Replaces the co-occurrence blocks of `entity` in blocks `first..end` by their sum.
fn merge_related(
    tree: &sled::Tree,
    batch: &mut sled::Batch,
    entity: &str,
    first: u64,
    end: u64,
) -> Result<()> {
    let run = (related_key(entity, first), related_key(entity, end));
    replace_run(tree, batch, run, |found| {
        let mut sum: BTreeMap<String, u64> = BTreeMap::new();
        for (k, v) in found {
            let counts: BlockRelated = decode(k, v)?;
            for (other, count) in counts {
                *sum.entry(other).or_default() += count;
            }
        }
        Ok(encode(&sum.into_iter().collect::<BlockRelated>()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewDocument, Store, StoreConfig};

    /// The state a spread cut short leaves: a term's segment written, the group indexes it was
    /// made from still there. Readers take the segment and skip the group entries.
    #[tokio::test]
    async fn a_spread_cut_short_counts_no_posting_twice() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::new(dir.path())).unwrap();
        // Fewer groups than a unit, so the compactor leaves them alone.
        for group in 0..4 {
            let docs = (0..10)
                .map(|i| NewDocument {
                    id: format!("d{group}-{i}"),
                    text: format!("هاجم داعش مواقع في الرقة {i}"),
                    ..Default::default()
                })
                .collect();
            for result in store.put(docs).await {
                result.unwrap();
            }
        }
        let term = store.analyzer().terms("داعش")[0].key.clone();
        let before = decoded(&store, &term);
        assert_eq!(before.len(), 40);
        assert!(store.segment_count(&term).unwrap() >= 2);

        // What the first batches of the spread write for this term.
        let groups: Vec<(sled::IVec, sled::IVec)> = store
            .tree
            .scan_prefix([keys::GROUP_INDEX])
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        let mut parts = Vec::new();
        for (key, value) in &groups {
            let group = GroupIndex::parse(value).unwrap();
            let range = group.find(&term).unwrap().unwrap();
            parts.push((
                blocks::block_in_key(key).unwrap(),
                Segment::parse(&value[range]).unwrap(),
            ));
        }
        let segments: Vec<Segment<'_>> = parts.iter().map(|(_, s)| *s).collect();
        store
            .tree
            .insert(
                segment_key(&term, parts[0].0),
                segment::merge(&segments).unwrap(),
            )
            .unwrap();

        assert_eq!(store.segment_count(&term).unwrap(), 1);
        assert_eq!(decoded(&store, &term), before);
        let hits = store.search("داعش", &Default::default(), 100, "").unwrap();
        assert_eq!(hits.total_hits, 40);
    }

    fn decoded(store: &Store, term: &str) -> Vec<u64> {
        let (mut docs, mut impacts) = (Vec::new(), Vec::new());
        for segment in blocks::segments(&store.tree, term).unwrap() {
            segment
                .parse()
                .unwrap()
                .decode_into(&mut docs, &mut impacts)
                .unwrap();
        }
        docs
    }
}
