//! Background merging of group indexes into larger ones, then into segments per term.
//!
//! Every write group adds one group index, all its terms' segments in one value
//! (`group_index.rs`). Blocks are grouped into aligned runs: 16 blocks make a unit of level 1,
//! 16 units of level 1 one of level 2, the last level ([`MAX_LEVEL`]). When the writer has
//! committed the last block of a unit of level 1, this thread merges its 16 group indexes into
//! one group index under the unit's first block: a new file, its pointer and the removal of
//! the 16 others in one batch (their files are deleted once that is durable). When the last
//! unit of level 1 of a unit of level 2 is merged, it spreads the unit's 16 merged indexes into
//! one segment per term, keyed by term and first block, and one co-occurrence block per entity;
//! those are never merged again.
//!
//! The key decision is where the key per term appears. The tree's cost is per key: a sled
//! insert copies its leaf and a leaf missing from the cache is read from disk, and the keys of
//! a spread land all over the tree. A unit of level 1 (some 3,000 documents at the usual
//! group size) has some 45,000 distinct terms; spreading every such unit, then merging the
//! segments of the terms found in several of them at level 2, made the background thread cost
//! twice the writer's time, most of it inside sled. Merging at level 1 writes one key, and the
//! level 2 spread writes a term once for its 40,000 or so documents; the terms with only a few
//! postings there, most of them, share 4,096 keys (`blocks::rare_bucket`), which a search reads
//! besides the term's own keys and a delete rewrites. Every posting is still rewritten once
//! per level, in memory; a search reads at most 15 group indexes and 15 merged ones besides a
//! term's segments, a binary search in each directory.
//!
//! Merging never changes what a query finds, only how many values it reads, so the thread
//! works from what is committed and needs no bookkeeping of its own: on every wake-up it looks
//! at the unit markers (`v` keys, one per written unit), and a unit whose blocks are all written
//! is due. A merge at level 1 is one batch; a spread interrupted by a crash is done again from
//! the merged indexes, which its last batch removes (readers skip the group entries of a unit
//! that has a segment: `blocks::segments`). The writer holds [`SegmentLock`] while it stages and
//! commits a delete or a rebuild, the only writes that touch existing group indexes and
//! segments; this thread holds it for each merge.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use crate::blocks::{self, group_key, related_key, segment_key, unit_key, NEXT_BLOCK_KEY};
use crate::document_terms::byte_prefix;
use crate::durable::Durable;
use crate::group_index::{self, GroupIndex};
use crate::index_files::Pin;
use crate::keys;
use crate::record::{decode, encode};
use crate::segment::{self, Segment};
use crate::Result;

/// Units of this level are never merged further.
pub const MAX_LEVEL: u8 = 2;
/// Units of one level per unit of the next.
pub const FANOUT: u64 = 16;
/// Bytes of segments a spread writes per batch: sled applies a batch under a lock that every
/// read and write waits for, so a unit is spread in many short batches, not one long one.
const SPREAD_BATCH_BYTES: usize = 2 << 20;

/// Held by whoever rewrites existing segments.
pub type SegmentLock = Arc<Mutex<()>>;

/// Blocks in a unit of `level`.
pub fn unit_blocks(level: u8) -> u64 {
    FANOUT.pow(u32::from(level))
}

/// The first block of the unit of `level` that holds `block`.
pub fn unit_first(level: u8, block: u64) -> u64 {
    let size = unit_blocks(level);
    block / size * size
}

/// What the writer keeps to wake the compactor and share its lock.
#[derive(Clone)]
pub struct CompactionHandle {
    pub lock: SegmentLock,
    pub wake: mpsc::Sender<()>,
}

/// Runs until `wake`'s senders are gone or `stop` is set.
pub fn run(
    durable: Durable,
    tree: sled::Tree,
    lock: SegmentLock,
    wake: mpsc::Receiver<()>,
    stop: Arc<AtomicBool>,
) {
    while wake.recv().is_ok() {
        while wake.try_recv().is_ok() {}
        // A panic must not end the thread quietly: reads would slow down as unmerged groups
        // pile up. It is logged, and the merge is tried again at the next wake-up.
        let merged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            merge_due(&durable, &tree, &lock, &stop)
        }));
        match merged {
            // The files of the group indexes merged are deleted once that is durable.
            Ok(Ok(merged)) if merged > 0 => {
                if let Err(error) = durable.flush() {
                    tracing::error!(%error, "flushing after a merge failed");
                }
            }
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
pub fn merge_due(
    durable: &Durable,
    tree: &sled::Tree,
    lock: &SegmentLock,
    stop: &AtomicBool,
) -> Result<u64> {
    let mut merged = 0;
    while !stop.load(Ordering::Relaxed) {
        let Some((level, first)) = due_unit(tree)? else {
            break;
        };
        merge_unit(durable, tree, lock, stop, level, first)?;
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
        for entry in tree.scan_prefix([keys::UNIT, level]) {
            let (k, _) = entry?;
            let Some(first) = k.get(2..10).and_then(|b| b.try_into().ok()) else {
                continue;
            };
            let parent = unit_first(level + 1, u64::from_be_bytes(first));
            if parent + unit_blocks(level + 1) <= next_block {
                return Ok(Some((level + 1, parent)));
            }
        }
    }
    Ok(None)
}

/// Merges the unit of `level` that starts at `first`: its group indexes into one at level 1,
/// its merged group indexes into segments at the last level.
fn merge_unit(
    durable: &Durable,
    tree: &sled::Tree,
    lock: &SegmentLock,
    stop: &AtomicBool,
    level: u8,
    first: u64,
) -> Result<()> {
    let end = first + unit_blocks(level);
    let started = std::time::Instant::now();
    // The children's markers go in the last batch, with the group indexes.
    let children: Vec<sled::IVec> = tree
        .range(unit_key(level - 1, first)..unit_key(level - 1, end))
        .keys()
        .collect::<std::result::Result<_, _>>()?;
    if stop.load(Ordering::Relaxed) {
        return Ok(());
    }
    let _held = lock.lock().unwrap_or_else(|e| e.into_inner());
    let groups = blocks::group_indexes(tree, durable.files(), group_key(first)..group_key(end))?;
    let entries = MergedEntries::new(&groups)?;
    // The merged index's file is kept from collection until its pointer is applied.
    let (mut batch, pin, terms): (sled::Batch, Option<Pin>, usize) = if level < MAX_LEVEL {
        let (batch, pin, terms) = merge_groups(durable, &groups, first, entries)?;
        (batch, Some(pin), terms)
    } else {
        match spread_groups(tree, stop, &groups, first, entries)? {
            Some((batch, terms)) => (batch, None, terms),
            // Done again at the next start.
            None => return Ok(()),
        }
    };
    for child in children {
        batch.remove(child);
    }
    if level < MAX_LEVEL {
        batch.insert(unit_key(level, first), Vec::new());
    }
    tree.apply_batch(batch)?;
    drop(pin);
    tracing::debug!(
        level,
        first,
        groups = groups.len(),
        terms,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "merged a unit"
    );
    Ok(())
}

/// The entries of a run of group indexes merged by name, in name order (the order of every
/// directory): each term with its segments in block order, each entity with its co-occurrence
/// counts summed.
///
/// A k-way merge of the sorted directories, a heap of one head per group: a few comparisons
/// of names per entry read. Collecting the entries in a map of every name first cost about
/// half of this thread's time in comparing names; merging a unit of level 1 took 692 ms on
/// average that way and 434 ms this way (300,000 documents, `rasd-bench`).
struct MergedEntries<'a> {
    groups: &'a [(sled::IVec, Arc<[u8]>)],
    cursors: Vec<(GroupIndex<'a>, u64, usize)>,
    /// The next entry of each group not read to its end: its name's first eight bytes as a
    /// number (`document_terms::byte_prefix`, so that most comparisons call no `memcmp`), its
    /// name and the group's index.
    heads: BinaryHeap<Reverse<(u64, &'a str, usize)>>,
}

/// One entry of [`MergedEntries`].
enum MergedEntry<'a> {
    Term(&'a str, Vec<Part<'a>>),
    /// An entity, the first block that counts it, and its counts by entity id (the ids' UTF-8
    /// bytes, which postcard encodes as it encodes the ids).
    Related(&'a str, u64, Vec<(&'a [u8], u64)>),
}

impl<'a> MergedEntries<'a> {
    fn new(groups: &'a [(sled::IVec, Arc<[u8]>)]) -> Result<MergedEntries<'a>> {
        let mut merged = MergedEntries {
            groups,
            cursors: Vec::with_capacity(groups.len()),
            heads: BinaryHeap::with_capacity(groups.len()),
        };
        for (key, value) in groups {
            let block = blocks::block_in_key(key).ok_or_else(|| corrupt(key))?;
            let group = GroupIndex::parse(value).ok_or_else(|| corrupt(key))?;
            merged.cursors.push((group, block, 0));
        }
        for g in 0..merged.cursors.len() {
            merged.advance(g)?;
        }
        Ok(merged)
    }

    /// Puts the next entry of group `g` among the heads.
    fn advance(&mut self, g: usize) -> Result<()> {
        let (group, _, next) = &mut self.cursors[g];
        if *next < group.len() {
            let (name, _) = group
                .entry(*next)
                .ok_or_else(|| corrupt(&self.groups[g].0))?;
            self.heads.push(Reverse((byte_prefix(name), name, g)));
        }
        Ok(())
    }

    /// The next entry in name order; `None` at the end.
    fn next_entry(&mut self) -> Result<Option<MergedEntry<'a>>> {
        let Some(Reverse((_, name, _))) = self.heads.peek().copied() else {
            return Ok(None);
        };
        // Equal names come out in group order (the heap breaks ties by index), which is
        // block order.
        let mut parts = Vec::new();
        while let Some(Reverse((_, head, g))) = self.heads.peek().copied() {
            if head != name {
                break;
            }
            self.heads.pop();
            let (group, block, next) = &mut self.cursors[g];
            let (group, block) = (*group, *block);
            let at = *next;
            *next += 1;
            let (_, range) = group.entry(at).ok_or_else(|| corrupt(&self.groups[g].0))?;
            parts.push((g, block, range));
            self.advance(g)?;
        }
        if let Some(entity) = name.strip_prefix(blocks::RELATED_ENTRY) {
            let mut counts: Vec<(&[u8], u64)> = Vec::new();
            for &(g, _, ref range) in &parts {
                let (key, value) = &self.groups[g];
                // Encoded like a `BlockRelated`; read without a copy of the ids, nor a check
                // of their UTF-8 (they were checked when written, and are only copied here).
                let part: Vec<(&[u8], u64)> = decode(key, &value[range.clone()])?;
                counts.extend(part);
            }
            // Runs ordered by id, one per part: a stable sort merges them.
            counts.sort_by(|a, b| a.0.cmp(b.0));
            counts.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    kept.1 += later.1;
                }
                same
            });
            return Ok(Some(MergedEntry::Related(entity, parts[0].1, counts)));
        }
        let mut term_parts = Vec::with_capacity(parts.len());
        for (g, block, range) in parts {
            let bytes = &self.groups[g].1[range];
            let segment = Segment::parse(bytes).ok_or_else(|| corrupt(&self.groups[g].0))?;
            term_parts.push(Part {
                block,
                segment,
                bytes,
            });
        }
        Ok(Some(MergedEntry::Term(name, term_parts)))
    }
}

/// A term's segment in one group index.
struct Part<'a> {
    block: u64,
    segment: Segment<'a>,
    bytes: &'a [u8],
}

/// The segment of a term's parts: the one as it is, or several merged.
fn merged<'a>(term: &str, parts: &[Part<'a>]) -> Result<Cow<'a, [u8]>> {
    if let [only] = parts {
        return Ok(Cow::Borrowed(only.bytes));
    }
    let segments: Vec<Segment<'_>> = parts.iter().map(|p| p.segment).collect();
    segment::merge(&segments)
        .map(Cow::Owned)
        .ok_or_else(|| corrupt(&segment_key(term, parts[0].block)))
}

/// A batch that replaces the group indexes of a unit of level 1 by one, under the unit's
/// first block, with every term's segments merged and the co-occurrence counts summed.
///
/// One value, one key: the spread into a key per term waits for the last level, where a term
/// found in many of the unit's groups is written once instead of once per unit of level 1.
fn merge_groups(
    durable: &Durable,
    groups: &[(sled::IVec, Arc<[u8]>)],
    first: u64,
    mut entries: MergedEntries<'_>,
) -> Result<(sled::Batch, Pin, usize)> {
    let mut index = group_index::Writer::default();
    index.reserve(groups.iter().map(|(_, bytes)| bytes.len()).sum());
    let mut terms = 0;
    while let Some(entry) = entries.next_entry()? {
        match entry {
            MergedEntry::Term(term, parts) => {
                terms += 1;
                index.push(term, &[&merged(term, &parts)?]);
            }
            MergedEntry::Related(entity, _, counts) => {
                index.push(&blocks::related_entry(entity), &[&encode(&counts)]);
            }
        }
    }
    let mut batch = sled::Batch::default();
    for (key, _) in groups {
        batch.remove(key.clone());
    }
    let (pointer, pin) = durable.files().write(index.finish())?;
    batch.insert(group_key(first), pointer);
    Ok((batch, pin, terms))
}

/// An entry of a rare bucket: a term or a co-occurrence entry's name, and its value.
type Named<'a> = (Cow<'a, str>, Vec<u8>);

/// Writes one segment per term and one co-occurrence block per entity for the group indexes
/// of a unit of the last level (merged ones, from units of level 1); returns the last batch,
/// which removes the group indexes, and the number of terms, or `None` when `stop` was set
/// before the end.
///
/// A term with fewer than [`blocks::RARE_POSTINGS`] postings in the unit goes into one of 4,096
/// rare buckets instead, chosen by a hash of the term, and so do the co-occurrence counts of an
/// entity with fewer than [`blocks::RARE_RELATED`] partners in the unit (under its entry name,
/// `blocks::related_entry`): most of a unit's terms are in one or two
/// of its documents, and each key costs the tree an insert (a leaf copied, and read from disk
/// when the cache misses it), so a unit's spread wrote some 220,000 keys at 1,000,000
/// documents, and took 11.5 s.
///
/// The segments and blocks go in batches of about [`SPREAD_BATCH_BYTES`]. Readers skip the
/// group entries of a unit that has a segment (`blocks::segments`), so they never count a
/// posting twice; a spread cut short by a crash is done again from the group indexes, writing
/// the same keys. The caller holds the lock throughout: a delete between two batches would
/// change group indexes already read.
fn spread_groups(
    tree: &sled::Tree,
    stop: &AtomicBool,
    groups: &[(sled::IVec, Arc<[u8]>)],
    first: u64,
    mut entries: MergedEntries<'_>,
) -> Result<Option<(sled::Batch, usize)>> {
    let mut batch = sled::Batch::default();
    let mut batch_bytes = 0;
    let mut terms = 0;
    // The rare terms and co-occurrence entries of each bucket, in name order (the order they
    // come in).
    let mut rare: BTreeMap<String, Vec<Named<'_>>> = BTreeMap::new();
    let mut add = |batch: &mut sled::Batch, key: Vec<u8>, value: Vec<u8>| -> Result<bool> {
        batch_bytes += key.len() + value.len();
        batch.insert(key, value);
        if batch_bytes >= SPREAD_BATCH_BYTES {
            tree.apply_batch(std::mem::take(batch))?;
            batch_bytes = 0;
            return Ok(!stop.load(Ordering::Relaxed));
        }
        Ok(true)
    };
    while let Some(entry) = entries.next_entry()? {
        let (key, value) = match entry {
            MergedEntry::Term(term, parts) => {
                terms += 1;
                let value = merged(term, &parts)?.into_owned();
                let postings: usize = parts.iter().map(|p| p.segment.len()).sum();
                if postings < blocks::RARE_POSTINGS {
                    rare.entry(blocks::rare_bucket(term))
                        .or_default()
                        .push((Cow::Borrowed(term), value));
                    continue;
                }
                (segment_key(term, parts[0].block), value)
            }
            MergedEntry::Related(entity, block, counts) => {
                if counts.len() < blocks::RARE_RELATED {
                    let name = blocks::related_entry(entity);
                    rare.entry(blocks::rare_bucket(&name))
                        .or_default()
                        .push((Cow::Owned(name), encode(&counts)));
                    continue;
                }
                (related_key(entity, block), encode(&counts))
            }
        };
        if !add(&mut batch, key, value)? {
            return Ok(None);
        }
    }
    // Each bucket whole, once all its terms are known: a reader that finds a term in a bucket
    // skips the unit's group indexes, so a bucket is never written in part.
    for (bucket, entries) in rare {
        if !add(
            &mut batch,
            segment_key(&bucket, first),
            group_index::encode(entries),
        )? {
            return Ok(None);
        }
    }
    for (key, _) in groups {
        batch.remove(key.clone());
    }
    Ok(Some((batch, terms)))
}

fn corrupt(key: &[u8]) -> crate::StoreError {
    crate::StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        detail: "malformed postings".to_owned(),
    }
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
        let groups =
            blocks::group_indexes(&store.tree, store.files(), blocks::all_groups()).unwrap();
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

    /// A word of family `f` (0 to 3) found in documents `3k`, `3k + 1` and `3k + 2` only.
    fn rare_word_of(f: usize, i: usize) -> String {
        let letters = ["ج", "د", "ر", "ز", "س", "ش", "ص", "ض", "ط", "ظ"];
        let k = i / 3;
        format!(
            "{}{}{}{}م",
            ["ق", "غ", "ع", "ن"][f],
            letters[k / 100 % 10],
            letters[k / 10 % 10],
            letters[k % 10]
        )
    }

    fn rare_word(i: usize) -> String {
        rare_word_of(0, i)
    }

    #[tokio::test]
    async fn rare_terms_of_a_spread_unit_share_buckets_and_leave_them_when_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::new(dir.path())).unwrap();
        // One document per group: the first 256 blocks make a unit of the last level.
        for i in 0..260 {
            let doc = NewDocument {
                id: format!("d{i:03}"),
                text: format!(
                    "هاجم داعش مواقع {} {} {} {}",
                    rare_word_of(0, i),
                    rare_word_of(1, i),
                    rare_word_of(2, i),
                    rare_word_of(3, i)
                ),
                ..Default::default()
            };
            store.put(vec![doc]).await.remove(0).unwrap();
        }
        store.merge_segments().unwrap();
        let key_of = |word: &str| store.analyzer().terms(word)[0].key.clone();
        let (common, rare) = (key_of("داعش"), key_of(&rare_word(30)));
        assert_eq!(decoded(&store, &rare).len(), 3);
        let own = |term: &str| {
            store
                .tree
                .scan_prefix(keys::prefix(keys::BLOCK, term.as_bytes()))
                .count()
        };
        assert_eq!(own(&common), 1, "a common term has a segment of its own");
        assert_eq!(own(&rare), 0, "a rare term has none");
        assert_eq!(own(&blocks::rare_bucket(&rare)), 1, "its bucket holds it");
        let hits = store
            .search(&rare_word(30), &Default::default(), 10, "")
            .unwrap();
        assert_eq!(hits.total_hits, 3);

        // A delete takes the document out of the bucket, and the last one the term.
        store.delete("d031").await.unwrap();
        assert_eq!(decoded(&store, &rare).len(), 2);
        store.delete("d030").await.unwrap();
        store.delete("d032").await.unwrap();
        assert!(decoded(&store, &rare).is_empty());
        let hits = store
            .search(&rare_word(30), &Default::default(), 10, "")
            .unwrap();
        assert_eq!(hits.total_hits, 0);
        assert_eq!(decoded(&store, &common).len(), 257);

        // Two rare terms of one bucket: deleting the documents of one leaves the other.
        let words: Vec<(usize, String)> = (33..256)
            .step_by(3)
            .flat_map(|i| (0..4).map(move |f| (i, f)))
            .map(|(i, f)| (i, key_of(&rare_word_of(f, i))))
            .collect();
        let (gone, kept) = words
            .iter()
            .flat_map(|a| words.iter().map(move |b| (a, b)))
            .find(|(a, b)| a.0 < b.0 && blocks::rare_bucket(&a.1) == blocks::rare_bucket(&b.1))
            .expect("two of the rare words share a bucket");
        for i in gone.0..gone.0 + 3 {
            store.delete(&format!("d{i:03}")).await.unwrap();
        }
        assert!(decoded(&store, &gone.1).is_empty());
        assert_eq!(decoded(&store, &kept.1).len(), 3);
        assert_eq!(own(&blocks::rare_bucket(&kept.1)), 1);
    }

    fn decoded(store: &Store, term: &str) -> Vec<u64> {
        let (mut docs, mut impacts) = (Vec::new(), Vec::new());
        for segment in blocks::segments(&store.tree, store.files(), term).unwrap() {
            segment
                .parse()
                .unwrap()
                .decode_into(&mut docs, &mut impacts)
                .unwrap();
        }
        docs
    }
}
