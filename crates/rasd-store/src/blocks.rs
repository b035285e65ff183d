//! Postings in blocks: one key per search term and write group, merged in the background.
//!
//! The key decision of the inverted index. A posting per term and document made a document of
//! 250 distinct terms cost hundreds of tree writes, and the tree, not extraction, bounded
//! ingest. Documents arrive in groups (the writer's group commit, or a rebuild's batch), and a
//! group's postings of one term are written as one segment under `b` + term + block number: a
//! group of a few hundred documents writes a few tens of thousands of keys instead of a few
//! hundred thousand. Each document gets a number, its block in the high 32 bits and its place in
//! the group in the low ones, so numbers ascend in write order and a posting is a few bytes
//! (`segment.rs`), not an id.
//!
//! Left alone, a common term would have one segment per group ever written, and a search reads
//! them all. `compaction.rs` merges the group indexes of aligned runs of 16 blocks into one,
//! and spreads runs of 256 blocks into one segment per term, so a term has a few dozen
//! segments at a million documents. A segment is keyed by the first block it covers; the
//! segment that holds a document's postings is the last one keyed at or before its block, which
//! is how a delete finds exactly what to rewrite. A term with fewer than [`RARE_POSTINGS`]
//! postings in a run of 256 blocks gets no key there: its segment is an entry of the run's rare
//! bucket for its hash ([`rare_bucket`]), a directory like a group index's, keyed like a
//! segment by the bucket's name and the run's first block.
//!
//! Co-occurrence counts are kept the same way: a group's counts (the entities mentioned with an
//! entity in the group's documents and how many documents they share) are entries of its group
//! index, written without reading anything; spread, `r` + entity + first block holds them (or
//! the rare bucket of their entry name, for an entity with fewer than [`RARE_RELATED`] partners
//! in the run), and merging sums them.
//!
//! Filters are postings too: a document has a posting, without positions, for each linked
//! entity, each entity type and its source ([`filter_terms`]), so a search filtered by entity
//! intersects one more list instead of reading a summary per hit.

use std::collections::binary_heap::PeekMut;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::compaction;
use crate::document_terms::{self, DocumentTerms, TermPosting};
use crate::group_index::{self, GroupIndex};
use crate::index;
use crate::index_files::{IndexFiles, Pin};
use crate::keys::{self, key};
use crate::overlay::Overlay;
use crate::ranked::Ranked;
use crate::record::{decode, encode, BlockRelated, StoredDocument};
use crate::segment::{self, Segment, SegmentBuilder};
use crate::{Result, StoreError};

/// The next block number (keyspace `g`).
pub const NEXT_BLOCK_KEY: &[u8] = b"gblock";

/// The key of the segment of `term` whose first block is `block`.
pub fn segment_key(term: &str, block: u64) -> Vec<u8> {
    key(keys::BLOCK, &[term.as_bytes(), &block.to_be_bytes()])
}

/// A term with fewer postings than this in a unit of the last level is written in its unit's
/// rare bucket (`rare_bucket`) instead of under a key of its own.
pub const RARE_POSTINGS: usize = 8;

/// An entity mentioned with fewer entities than this in a unit of the last level has its
/// co-occurrence counts there in the unit's rare bucket of its entry name ([`related_entry`])
/// instead of under a key of its own: most entities are the tagger's new ones, named in one or
/// two documents, and were two fifths of the keys a spread wrote.
pub const RARE_RELATED: usize = 32;

/// Rare buckets per unit of the last level: 2 to the power of this.
const RARE_BUCKET_BITS: u32 = 12;

/// The name of the rare bucket of `term`: U+0003 and a number from a hash of the term, the
/// same on every machine (the high bits of FNV-1a: its low bits depend on the low bits of the
/// bytes alone). No analyzer or filter term starts with U+0003.
pub fn rare_bucket(term: &str) -> String {
    let number = crate::page::fnv64(&[term.as_bytes()]) >> (64 - RARE_BUCKET_BITS);
    format!("\u{3}{number:03x}")
}

/// The key of the postings of the write group of block `block`.
pub fn group_key(block: u64) -> Vec<u8> {
    let mut k = vec![keys::GROUP_INDEX];
    k.extend_from_slice(&block.to_be_bytes());
    k
}

/// The key of the entities related to `entity` from block `block`.
pub fn related_key(entity: &str, block: u64) -> Vec<u8> {
    key(keys::RELATED, &[entity.as_bytes(), &block.to_be_bytes()])
}

/// The key of the list of terms and entities that have segments in the run of blocks of
/// `level` starting at `first` (see `compaction.rs`).
pub fn unit_key(level: u8, first: u64) -> Vec<u8> {
    let mut k = vec![keys::UNIT, level];
    k.extend_from_slice(&first.to_be_bytes());
    k
}

/// The document number of the `index`-th document of block `block`.
pub fn document_number(block: u64, index: u32) -> u64 {
    (block << 32) | u64::from(index)
}

/// The block of a document number.
pub fn block_of(document: u64) -> u64 {
    document >> 32
}

/// The search term of documents that mention `entity`.
pub fn entity_term(entity: &str) -> String {
    format!("\u{1}e{entity}")
}

/// The search term of documents with a mention of `code`'s type.
pub fn type_term(code: u8) -> String {
    format!("\u{1}y{code}")
}

/// The search term of documents from `source`.
pub fn source_term(source: &str) -> String {
    format!("\u{1}o{source}")
}

/// The filter terms of a document: its linked entities, its mentions' types and its source,
/// each once, in order. No analyzer term starts with U+0001.
pub fn filter_terms(doc: &StoredDocument) -> Vec<String> {
    // A document has a few dozen mentions of a dozen entities: each term is made once.
    let mut entities: Vec<&str> = doc
        .mentions
        .iter()
        .filter_map(|m| m.entity_id.as_deref())
        .collect();
    entities.sort_unstable();
    entities.dedup();
    let mut codes: Vec<u8> = doc.mentions.iter().map(|m| m.entity_type.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut terms: Vec<String> = entities
        .into_iter()
        .map(entity_term)
        .chain(codes.into_iter().map(type_term))
        .collect();
    if !doc.summary.source.is_empty() {
        terms.push(source_term(&doc.summary.source));
    }
    // Type terms in the order of their names ("\u{1}y10" before "\u{1}y2").
    terms.sort_unstable();
    terms
}

fn corrupt(key: &[u8]) -> StoreError {
    StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        detail: "malformed postings segment".to_owned(),
    }
}

/// The postings and co-occurrences of one group of documents, staged until the group is
/// written.
///
/// A group has tens of thousands of distinct terms, most in one document. Each document comes
/// with its terms in byte order (`document_terms.rs`), so adding a document only keeps them,
/// and writing the group merges the documents' lists: a term's postings come out together, in
/// document order, and are encoded straight into the group index. The writer hashes no term
/// and sorts none.
#[derive(Default)]
pub struct BlockBuilder {
    /// This group's block number, taken when its first document is added.
    block: Option<u64>,
    next_index: u32,
    /// The terms of each document added, with its index in the group, in the order added.
    documents: Vec<(u32, DocumentTerms)>,
    /// Documents of the group deleted after they were added, by index in the group.
    removed: Vec<bool>,
    /// The group's linked entities, numbered in the order first seen.
    entities: FxHashMap<String, u32>,
    entity_names: Vec<String>,
    /// Documents shared by two entities (by number), both ways.
    pairs: FxHashMap<(u32, u32), u64>,
    /// Group indexes rewritten by deletes, by key: written to files with the group's own.
    rewritten: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl BlockBuilder {
    /// Stages the postings and co-occurrences of a new document and numbers it; `terms` are
    /// all its terms ([`TextTerms::with_filters`](crate::document_terms::TextTerms::with_filters)).
    /// Everything that can fail happens before anything is staged, so a failed call leaves the
    /// builder as it was.
    pub fn add(
        &mut self,
        ov: &mut Overlay<'_>,
        doc: &StoredDocument,
        terms: DocumentTerms,
    ) -> Result<u64> {
        let block = match self.block {
            Some(block) => block,
            None => {
                let block = match ov.get(NEXT_BLOCK_KEY)? {
                    Some(bytes) => decode(NEXT_BLOCK_KEY, &bytes)?,
                    None => 0u64,
                };
                ov.insert(NEXT_BLOCK_KEY.to_vec(), encode(&(block + 1)));
                self.block = Some(block);
                block
            }
        };
        let index = self.next_index;
        let number = document_number(block, index);
        self.next_index += 1;
        let id = doc.summary.id.as_bytes();
        ov.insert(key(keys::DOC_NUMBER, &[id]), number.to_be_bytes().to_vec());
        ov.insert(key(keys::DOC_ID, &[&number.to_be_bytes()]), id.to_vec());
        self.documents.push((index, terms));
        let entities: Vec<u32> = index::related_entities(doc)
            .into_iter()
            .map(|e| self.entity_number(e))
            .collect();
        for &a in &entities {
            for &b in entities.iter().filter(|b| **b != a) {
                *self.pairs.entry((a, b)).or_default() += 1;
            }
        }
        Ok(number)
    }

    fn entity_number(&mut self, entity: &str) -> u32 {
        if let Some(&n) = self.entities.get(entity) {
            return n;
        }
        let n = self.entity_names.len() as u32;
        self.entities.insert(entity.to_owned(), n);
        self.entity_names.push(entity.to_owned());
        n
    }

    /// Removes every posting and co-occurrence of `doc`, whose terms are `terms`, whether it
    /// was staged in this group or written in an earlier one.
    pub fn remove(
        &mut self,
        ov: &mut Overlay<'_>,
        files: &Arc<IndexFiles>,
        doc: &StoredDocument,
        terms: &DocumentTerms,
    ) -> Result<()> {
        let number_key = key(keys::DOC_NUMBER, &[doc.summary.id.as_bytes()]);
        let Some(bytes) = ov.get(&number_key)? else {
            return Ok(());
        };
        let number = u64::from_be_bytes(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| corrupt(&number_key))?,
        );
        ov.remove(number_key);
        ov.remove(key(keys::DOC_ID, &[&number.to_be_bytes()]));
        let block = block_of(number);
        // In order, as `rewrite_group` wants them.
        let terms: Vec<String> = terms.iter().map(|t| t.term.to_owned()).collect();
        let entities = index::related_entities(doc);
        if self.block == Some(block) {
            // Its postings are left out when the group is written.
            let index = (number - document_number(block, 0)) as usize;
            if self.removed.len() <= index {
                self.removed.resize(index + 1, false);
            }
            self.removed[index] = true;
            let numbers: Vec<u32> = entities
                .iter()
                .filter_map(|e| self.entities.get(*e).copied())
                .collect();
            for &a in &numbers {
                for &b in numbers.iter().filter(|b| **b != a) {
                    if let Some(count) = self.pairs.get_mut(&(a, b)) {
                        *count = count.saturating_sub(1);
                    }
                }
            }
            return Ok(());
        }
        // A document's postings are in its group's index, then in the index its group was
        // merged into (under the first block of the unit), then in the segments of its terms.
        let holder = ov
            .last_at_or_before(&[keys::GROUP_INDEX], &group_key(block))?
            .filter(|(k, _)| {
                block_in_key(k).is_some_and(|b| b == block || b == compaction::unit_first(1, block))
            });
        let in_group = match holder {
            Some((k, pointer)) => {
                let rewritten = match self.rewritten.get(&k) {
                    Some(bytes) => rewrite_group(&k, bytes, &terms, &entities, number)?,
                    None => {
                        // The pointer is current (merges wait for the writer's lock), so its
                        // file is there.
                        let bytes = files.read(&k, &pointer)?.ok_or_else(|| corrupt(&k))?;
                        rewrite_group(&k, &bytes, &terms, &entities, number)?
                    }
                };
                self.rewritten.insert(k, rewritten);
                true
            }
            None => false,
        };
        for term in terms.iter().filter(|_| !in_group) {
            let prefix = keys::prefix(keys::BLOCK, term.as_bytes());
            let Some((k, bytes)) = ov.last_at_or_before(&prefix, &segment_key(term, block))? else {
                continue;
            };
            let segment = Segment::parse(&bytes).ok_or_else(|| corrupt(&k))?;
            let left = segment::without(&segment, number).ok_or_else(|| corrupt(&k))?;
            if left.len() != segment.len() {
                stage_segment(ov, k, left);
            }
        }
        // The rare buckets of the document's unit, each read and rewritten once for all the
        // document's terms that hash there (in order, as `rewrite_group` wants them).
        let mut by_bucket: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for term in terms.iter().filter(|_| !in_group) {
            by_bucket
                .entry(rare_bucket(term))
                .or_default()
                .push(term.clone());
        }
        // And those of the co-occurrence entries of its entities (`RARE_RELATED`).
        for a in entities.iter().filter(|_| !in_group) {
            by_bucket.entry(rare_bucket(&related_entry(a))).or_default();
        }
        for (bucket, terms) in by_bucket {
            let prefix = keys::prefix(keys::BLOCK, bucket.as_bytes());
            let Some((k, bytes)) = ov.last_at_or_before(&prefix, &segment_key(&bucket, block))?
            else {
                continue;
            };
            if block_in_key(&k).map(spread_unit) != Some(spread_unit(block)) {
                continue;
            }
            let rewritten = rewrite_group(&k, &bytes, &terms, &entities, number)?;
            if rewritten == bytes {
                continue;
            }
            if GroupIndex::parse(&rewritten).is_some_and(|d| d.len() == 0) {
                ov.remove(k);
            } else {
                ov.insert(k, rewritten);
            }
        }
        for a in entities.iter().filter(|_| !in_group) {
            let prefix = keys::prefix(keys::RELATED, a.as_bytes());
            let Some((k, bytes)) = ov.last_at_or_before(&prefix, &related_key(a, block))? else {
                continue;
            };
            // The entity's counts in an earlier unit, when its own are in a bucket.
            if block_in_key(&k).map(spread_unit) != Some(spread_unit(block)) {
                continue;
            }
            let mut counts: BlockRelated = decode(&k, &bytes)?;
            uncount(&mut counts, a, &entities);
            stage_related(ov, k, &counts);
        }
        Ok(())
    }

    /// Writes the files of the group's index and of the group indexes its deletes rewrote,
    /// and stages their pointers (and the group's unit marker) in `ov`; returns the pins of
    /// the files, to drop once `ov` is applied.
    pub fn write(mut self, ov: &mut Overlay<'_>, files: &Arc<IndexFiles>) -> Result<Vec<Pin>> {
        let mut pins = Vec::with_capacity(self.rewritten.len() + 1);
        for (key, bytes) in std::mem::take(&mut self.rewritten) {
            let (pointer, pin) = files.write(bytes)?;
            ov.insert(key, pointer);
            pins.push(pin);
        }
        let Some(block) = self.block else {
            return Ok(pins);
        };
        // Encoded like a `BlockRelated`, in entity order (the order of their entry names), the
        // counts of each in the order of the other's id. The entities are ranked by id once, so
        // ordering the pairs compares numbers, not ids.
        let names = &self.entity_names;
        let mut by_id: Vec<u32> = (0..names.len() as u32).collect();
        by_id.sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        let mut rank = vec![0u32; by_id.len()];
        for (r, &n) in by_id.iter().enumerate() {
            rank[n as usize] = r as u32;
        }
        let mut pairs: Vec<(u32, u32, u64)> = self
            .pairs
            .iter()
            .filter(|(_, &count)| count > 0)
            .map(|(&(a, b), &count)| (rank[a as usize], rank[b as usize], count))
            .collect();
        pairs.sort_unstable();
        let name = |rank: u32| names[by_id[rank as usize] as usize].as_str();
        let mut related: Vec<(String, Vec<u8>)> = Vec::new();
        let mut counts: Vec<(&str, u64)> = Vec::new();
        for run in pairs.chunk_by(|x, y| x.0 == y.0) {
            counts.clear();
            counts.extend(run.iter().map(|&(_, b, count)| (name(b), count)));
            related.push((related_entry(name(run[0].0)), encode(&counts)));
        }

        let related_len: usize = related
            .iter()
            .map(|(name, v)| name.len() + v.len() + 4)
            .sum();
        let mut index = group_index::Writer::with_entries(related);
        index.reserve(
            related_len
                + self
                    .documents
                    .iter()
                    .map(|(_, terms)| terms.encoded_len_hint())
                    .sum::<usize>(),
        );
        let mut segment = SegmentBuilder::default();
        let mut header = Vec::new();
        // A term's segment, once all its postings are in (an empty one is left out).
        let mut finish = |term: Option<&str>, segment: &SegmentBuilder| {
            if let Some(term) = term.filter(|_| !segment.is_empty()) {
                index.push(term, &segment.parts(&mut header));
            }
        };
        // The documents' ordered terms, merged: equal terms come out in document order, the
        // order the documents were added in. Most comparisons are of the terms' first eight
        // bytes as numbers, with no `memcmp`.
        let mut heads: BinaryHeap<Head<'_>> = self
            .documents
            .iter()
            .enumerate()
            .filter_map(|(document, (_, terms))| {
                Some(Head {
                    posting: terms.get(0)?,
                    document,
                    at: 0,
                })
            })
            .collect();
        let mut term: Option<&str> = None;
        while let Some(mut head) = heads.peek_mut() {
            let posting = head.posting;
            if term != Some(posting.term) {
                finish(term, &segment);
                segment.clear();
                term = Some(posting.term);
            }
            let (index_in_group, terms) = &self.documents[head.document];
            if self.removed.get(*index_in_group as usize) != Some(&true) {
                segment.push_raw(
                    document_number(block, *index_in_group),
                    posting.impact,
                    posting.raw_positions,
                );
            }
            head.at += 1;
            match terms.get(head.at) {
                Some(next) => head.posting = next,
                None => {
                    PeekMut::pop(head);
                }
            }
        }
        finish(term, &segment);
        let (pointer, pin) = files.write(index.finish())?;
        ov.insert(group_key(block), pointer);
        ov.insert(unit_key(0, block), Vec::new());
        pins.push(pin);
        Ok(pins)
    }
}

/// The next term of one document in a group's merge; the heap's greatest is the smallest term,
/// and of equal terms the first document's.
struct Head<'a> {
    posting: TermPosting<'a>,
    /// The document's place in [`BlockBuilder::documents`].
    document: usize,
    /// The term's place in the document's terms.
    at: usize,
}

impl Ord for Head<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        document_terms::term_order(&other.posting, &self.posting)
            .then_with(|| other.document.cmp(&self.document))
    }
}

impl PartialOrd for Head<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Head<'_> {}

/// Writes a segment, or removes it when it is empty.
fn stage_segment(ov: &mut Overlay<'_>, key: Vec<u8>, builder: SegmentBuilder) {
    if builder.is_empty() {
        ov.remove(key);
    } else {
        ov.insert(key, builder.finish());
    }
}

/// Takes one document mentioning `entities` out of `entity`'s co-occurrence counts.
fn uncount(counts: &mut BlockRelated, entity: &str, entities: &[&str]) {
    for (other, count) in counts.iter_mut() {
        if other.as_str() != entity && entities.contains(&other.as_str()) {
            *count = count.saturating_sub(1);
        }
    }
    counts.retain(|(_, count)| *count > 0);
}

/// Group index entries of co-occurrence counts start with this, which no search term does.
pub const RELATED_ENTRY: char = '\u{2}';

/// The group index entry of `entity`'s co-occurrence counts.
pub fn related_entry(entity: &str) -> String {
    format!("{RELATED_ENTRY}{entity}")
}

/// Writes co-occurrence counts, or removes them when there are none.
fn stage_related(ov: &mut Overlay<'_>, key: Vec<u8>, counts: &BlockRelated) {
    if counts.is_empty() {
        ov.remove(key);
    } else {
        ov.insert(key, encode(counts));
    }
}

/// The group index `bytes` (under `k`) without the postings of document `number`, whose
/// terms are `terms` (sorted); also a rare bucket, which has no co-occurrence entries.
fn rewrite_group(
    k: &[u8],
    bytes: &[u8],
    terms: &[String],
    entities: &[&str],
    number: u64,
) -> Result<Vec<u8>> {
    let group = GroupIndex::parse(bytes).ok_or_else(|| corrupt(k))?;
    let mut kept = Vec::with_capacity(group.len());
    for entry in group.entries() {
        let (term, range) = entry.ok_or_else(|| corrupt(k))?;
        let raw = &bytes[range];
        if let Some(entity) = term.strip_prefix(RELATED_ENTRY) {
            if entities.contains(&entity) {
                let mut counts: BlockRelated = decode(k, raw)?;
                uncount(&mut counts, entity, entities);
                if !counts.is_empty() {
                    kept.push((term, encode(&counts)));
                }
            } else {
                kept.push((term, raw.to_vec()));
            }
        } else if terms.binary_search_by(|t| t.as_str().cmp(term)).is_ok() {
            let segment = Segment::parse(raw).ok_or_else(|| corrupt(k))?;
            let left = segment::without(&segment, number).ok_or_else(|| corrupt(k))?;
            if !left.is_empty() {
                kept.push((term, left.finish()));
            }
        } else {
            kept.push((term, raw.to_vec()));
        }
    }
    Ok(group_index::encode(kept))
}

/// Bytes read from the tree or from an index file.
#[derive(Clone)]
pub enum Held {
    Tree(sled::IVec),
    File(Arc<[u8]>),
}

impl std::ops::Deref for Held {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Held::Tree(bytes) => bytes,
            Held::File(bytes) => bytes,
        }
    }
}

/// A segment in a value: a `b` value whole, or a part of a group index.
pub struct SegmentBytes {
    /// The key it was read under (for error messages).
    pub key: sled::IVec,
    pub value: Held,
    pub range: std::ops::Range<usize>,
}

impl SegmentBytes {
    pub fn parse(&self) -> Result<Segment<'_>> {
        self.value
            .get(self.range.clone())
            .and_then(Segment::parse)
            .ok_or_else(|| corrupt(&self.key))
    }
}

/// The first block of the run whose group indexes are spread together into segments (a unit
/// of the last level, see `compaction.rs`).
fn spread_unit(block: u64) -> u64 {
    compaction::unit_first(compaction::MAX_LEVEL, block)
}

/// Every segment of `term`, in block order: the spread ones and the ones in group indexes not
/// spread yet.
///
/// A spread writes its terms' segments in several batches and removes the group indexes
/// last, so for a while (or after a crash, until the spread is done again) a term can have a
/// segment and group index entries for the same run of blocks; the segment holds all of them,
/// and the entries are skipped.
pub fn segments(tree: &sled::Tree, files: &IndexFiles, term: &str) -> Result<Vec<SegmentBytes>> {
    // The group indexes first: a spread writes segments before it removes group indexes, so
    // every posting read here is in one or the other.
    let groups = group_indexes(tree, files, all_groups())?;
    let prefix = keys::prefix(keys::BLOCK, term.as_bytes());
    let mut found: Vec<(u64, SegmentBytes)> = Vec::new();
    for entry in tree.scan_prefix(&prefix) {
        let (key, value) = entry?;
        let block = block_in_key(&key).ok_or_else(|| corrupt(&key))?;
        let range = 0..value.len();
        let value = Held::Tree(value);
        found.push((block, SegmentBytes { key, value, range }));
    }
    // The term's entries in the rare buckets of the units where it had few postings. A unit
    // has either a segment of its own for a term or an entry in a bucket, except after a
    // spread cut short and done again once a delete had taken a term under the limit: the
    // bucket is the later, and wins.
    let bucket = keys::prefix(keys::BLOCK, rare_bucket(term).as_bytes());
    for entry in tree.scan_prefix(&bucket) {
        let (key, value) = entry?;
        let block = block_in_key(&key).ok_or_else(|| corrupt(&key))?;
        let directory = GroupIndex::parse(&value).ok_or_else(|| corrupt(&key))?;
        if let Some(range) = directory.find(term).map_err(|()| corrupt(&key))? {
            found.retain(|(b, _)| spread_unit(*b) != spread_unit(block));
            let value = Held::Tree(value);
            found.push((block, SegmentBytes { key, value, range }));
        }
    }
    let spread: Vec<u64> = found.iter().map(|(b, _)| spread_unit(*b)).collect();
    for (key, value) in groups {
        let block = block_in_key(&key).ok_or_else(|| corrupt(&key))?;
        if spread.contains(&spread_unit(block)) {
            continue;
        }
        let group = GroupIndex::parse(&value).ok_or_else(|| corrupt(&key))?;
        if let Some(range) = group.find(term).map_err(|()| corrupt(&key))? {
            let value = Held::File(value);
            found.push((block, SegmentBytes { key, value, range }));
        }
    }
    if !found.is_sorted_by_key(|(block, _)| *block) {
        found.sort_by_key(|(block, _)| *block);
    }
    Ok(found.into_iter().map(|(_, segment)| segment).collect())
}

/// The group indexes whose `w` keys are in `range`, in key order, read from their files.
///
/// A merge that replaces group indexes deletes their files once that is durable, so a file can
/// be gone by the time a pointer read before is followed: the pointers are then read again.
pub fn group_indexes(
    tree: &sled::Tree,
    files: &IndexFiles,
    range: std::ops::Range<Vec<u8>>,
) -> Result<Vec<(sled::IVec, Arc<[u8]>)>> {
    // A pointer found twice to a missing file is not a race but a lost file.
    let mut missing: Option<(sled::IVec, sled::IVec)> = None;
    'again: for _ in 0..8 {
        let mut groups = Vec::new();
        for entry in tree.range(range.clone()) {
            let (key, pointer) = entry?;
            match files.read(&key, &pointer)? {
                Some(bytes) => groups.push((key, bytes)),
                None if missing.as_ref() == Some(&(key.clone(), pointer.clone())) => {
                    return Err(StoreError::Corrupt {
                        key: String::from_utf8_lossy(&key).into_owned(),
                        detail: "its group index file is missing".to_owned(),
                    });
                }
                None => {
                    missing = Some((key, pointer));
                    continue 'again;
                }
            }
        }
        return Ok(groups);
    }
    Err(StoreError::Engine(
        "group indexes kept changing while they were read".to_owned(),
    ))
}

/// Every `w` key.
pub fn all_groups() -> std::ops::Range<Vec<u8>> {
    vec![keys::GROUP_INDEX]..vec![keys::GROUP_INDEX + 1]
}

/// The block number in the last 8 bytes of a key.
pub fn block_in_key(key: &[u8]) -> Option<u64> {
    let tail = key.len().checked_sub(8).map(|at| &key[at..])?;
    Some(u64::from_be_bytes(tail.try_into().ok()?))
}

/// The entities mentioned with `entity` and the number of documents they share, summed over
/// its merged blocks and the group indexes not spread yet; `visit` takes them most shared
/// first (then by id), ranked as far as it reads, without a copy of the ids. Only the pairs
/// after `after` (a count and an id, the last of a previous page) are there.
pub fn related<R>(
    tree: &sled::Tree,
    files: &IndexFiles,
    entity: &str,
    after: Option<(u64, &[u8])>,
    visit: impl FnOnce(&mut RelatedRanked<'_>) -> Result<R>,
) -> Result<R> {
    let groups = group_indexes(tree, files, all_groups())?;
    let prefix = keys::prefix(keys::RELATED, entity.as_bytes());
    let mut values: Vec<(sled::IVec, Held, std::ops::Range<usize>)> = Vec::new();
    let mut spread = Vec::new();
    for entry in tree.scan_prefix(&prefix) {
        let (k, v) = entry?;
        spread.push(spread_unit(block_in_key(&k).ok_or_else(|| corrupt(&k))?));
        let range = 0..v.len();
        values.push((k, Held::Tree(v), range));
    }
    let wanted = related_entry(entity);
    // The entity's entries in the rare buckets of the units where it had few partners: as in
    // `segments`, a bucket entry is the later of the two, and wins.
    let bucket = keys::prefix(keys::BLOCK, rare_bucket(&wanted).as_bytes());
    for entry in tree.scan_prefix(&bucket) {
        let (k, v) = entry?;
        let unit = spread_unit(block_in_key(&k).ok_or_else(|| corrupt(&k))?);
        let directory = GroupIndex::parse(&v).ok_or_else(|| corrupt(&k))?;
        if let Some(range) = directory.find(&wanted).map_err(|()| corrupt(&k))? {
            values.retain(|(k, _, _)| block_in_key(k).map(spread_unit) != Some(unit));
            spread.push(unit);
            values.push((k, Held::Tree(v), range));
        }
    }
    // Group entries of a run already spread are in its blocks (see `segments`).
    for (k, v) in groups {
        if spread.contains(&spread_unit(block_in_key(&k).ok_or_else(|| corrupt(&k))?)) {
            continue;
        }
        let group = GroupIndex::parse(&v).ok_or_else(|| corrupt(&k))?;
        if let Some(range) = group.find(&wanted).map_err(|()| corrupt(&k))? {
            values.push((k, Held::File(v), range));
        }
    }
    let mut sums: FxHashMap<&[u8], u64> = FxHashMap::default();
    for (k, v, range) in &values {
        // A postcard string is its length and bytes, like a byte string: the ids are checked
        // for UTF-8 only when they are read, not for every partner summed.
        let counts: Vec<(&[u8], u64)> = decode(k, &v[range.clone()])?;
        for (other, count) in counts {
            *sums.entry(other).or_default() += count;
        }
    }
    let mut pairs: Vec<(u64, &[u8])> = sums
        .into_iter()
        .map(|(other, n)| (n, other))
        .filter(|pair| after.is_none_or(|a| rank_order(&a, pair).is_lt()))
        .collect();
    visit(&mut Ranked::new(&mut pairs, 64, rank_order))
}

/// Most shared first, then by id.
fn rank_order(a: &(u64, &[u8]), b: &(u64, &[u8])) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1))
}

/// Pairs of (shared documents, entity id) in rank order, sorted a chunk at a time as they are
/// read: a page of partners costs a selection over all of them, not a sort.
pub type RelatedRanked<'a> = Ranked<'a, (u64, &'a [u8]), RankOrder>;

type RankOrder = fn(&(u64, &[u8]), &(u64, &[u8])) -> std::cmp::Ordering;

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str) -> StoredDocument {
        crate::record::test_document(id, "", Vec::new())
    }

    type Postings = Vec<(u64, u16, Vec<u32>)>;

    /// Terms of a document and their positions.
    type Words<'a> = &'a [(&'a str, &'a [u32])];

    fn terms(words: Words<'_>, doc: &StoredDocument) -> DocumentTerms {
        let words: Vec<(&str, u16, &[u32])> = words
            .iter()
            .map(|&(term, positions)| (term, 7 * positions.len() as u16, positions))
            .collect();
        crate::document_terms::TextTerms::from_words(&words).with_filters(doc)
    }

    #[test]
    fn a_group_index_holds_each_terms_postings_in_order_without_removed_documents() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree("t").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = IndexFiles::open(dir.path().to_path_buf()).unwrap();
        let mut ov = Overlay::new(&tree);
        let mut builder = BlockBuilder::default();
        let added: [(&str, Words<'_>); 3] = [
            ("a", &[("سوريا", &[0, 4]), ("دمشق", &[1])]),
            ("b", &[("دمشق", &[2]), ("حلب", &[0])]),
            ("c", &[("سوريا", &[3]), ("حلب", &[1, 2])]),
        ];
        let numbers: Vec<u64> = added
            .iter()
            .map(|(id, words)| {
                builder
                    .add(&mut ov, &doc(id), terms(words, &doc(id)))
                    .unwrap()
            })
            .collect();
        builder
            .remove(&mut ov, &files, &doc("b"), &DocumentTerms::default())
            .unwrap();
        let _pins = builder.write(&mut ov, &files).unwrap();

        let key = group_key(block_of(numbers[0]));
        let pointer = ov.get(&key).unwrap().unwrap();
        let bytes = files.read(&key, &pointer).unwrap().unwrap();
        let group = GroupIndex::parse(&bytes).unwrap();
        let mut terms = Vec::new();
        let mut got: BTreeMap<String, Postings> = BTreeMap::new();
        for entry in group.entries() {
            let (term, range) = entry.unwrap();
            terms.push(term.to_owned());
            let segment = Segment::parse(&bytes[range]).unwrap();
            let postings = segment
                .entries()
                .map(|e| {
                    let e = e.unwrap();
                    let positions = segment::decode_positions(e.raw_positions).unwrap();
                    (e.doc, e.impact, positions)
                })
                .collect();
            got.insert(term.to_owned(), postings);
        }
        assert!(terms.windows(2).all(|w| w[0] < w[1]), "{terms:?}");
        let (a, c) = (numbers[0], numbers[2]);
        let expected: BTreeMap<String, Postings> = [
            (source_term("wire"), vec![(a, 0, vec![]), (c, 0, vec![])]),
            ("حلب".to_owned(), vec![(c, 14, vec![1, 2])]),
            ("دمشق".to_owned(), vec![(a, 7, vec![1])]),
            (
                "سوريا".to_owned(),
                vec![(a, 14, vec![0, 4]), (c, 7, vec![3])],
            ),
        ]
        .into_iter()
        .collect();
        assert_eq!(got, expected);
    }
}
