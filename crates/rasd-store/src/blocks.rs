//! Postings in blocks: one key per search term and write group.
//!
//! The key decision of the inverted index. A posting per term and document (two keys, with the
//! impact order) made a document of 250 distinct terms cost some 750 tree writes, and the tree,
//! not extraction, bounded ingest. Documents arrive in groups (the writer's group commit, or a
//! rebuild's batch), and a group's postings of one term are written as one value under
//! `b` + term + block number: a group of a few hundred documents writes a few tens of thousands
//! of keys instead of a few hundred thousand, and a posting no longer repeats its term in a key.
//!
//! Co-occurrence counts are kept the same way: `r` + entity + block number holds the entities
//! mentioned with it in the block's documents and how many documents they share, written once
//! per group without reading anything (a counter per pair of entities was a read and a write
//! per pair and document).
//!
//! A search reads every block of its terms (a prefix scan of adjacent keys), and the entities
//! related to one are summed over its blocks. A document's block number is kept under `n` + id,
//! so that deleting the document rewrites exactly the blocks that hold it. Blocks are derived
//! data like every index: `reindex` writes them again from the documents.

use std::collections::BTreeMap;

use crate::index::{self, TermPositions};
use crate::keys::{self, key};
use crate::overlay::Overlay;
use crate::record::{decode, encode, BlockPostings, BlockRelated, Posting, StoredDocument};
use crate::Result;

/// The next block number (keyspace `g`).
pub const NEXT_BLOCK_KEY: &[u8] = b"gblock";

/// The key of the postings of `term` in block `block`.
pub fn block_key(term: &str, block: u64) -> Vec<u8> {
    key(keys::BLOCK, &[term.as_bytes(), &block.to_be_bytes()])
}

/// The key of the entities related to `entity` in block `block`.
pub fn related_key(entity: &str, block: u64) -> Vec<u8> {
    key(keys::RELATED, &[entity.as_bytes(), &block.to_be_bytes()])
}

/// The postings and co-occurrences of one group of documents, staged until the group is
/// written.
#[derive(Default)]
pub struct BlockBuilder {
    /// This group's block number, taken when its first document is added.
    block: Option<u64>,
    terms: BTreeMap<String, BlockPostings>,
    related: BTreeMap<String, BTreeMap<String, u64>>,
}

impl BlockBuilder {
    /// Stages the postings and co-occurrences of a new document. Everything that can fail
    /// happens before anything is staged, so a failed call leaves the builder as it was.
    pub fn add(
        &mut self,
        ov: &mut Overlay<'_>,
        doc: &StoredDocument,
        positions: TermPositions,
    ) -> Result<()> {
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
        let id = &doc.summary.id;
        ov.insert(
            key(keys::DOC_BLOCK, &[id.as_bytes()]),
            block.to_be_bytes().to_vec(),
        );
        for (term, positions) in positions {
            self.terms.entry(term).or_default().push((
                id.clone(),
                Posting {
                    doc_tokens: doc.summary.token_count,
                    positions,
                },
            ));
        }
        let entities = index::related_entities(doc);
        for a in &entities {
            let counts = self.related.entry((*a).to_owned()).or_default();
            for b in entities.iter().filter(|b| *b != a) {
                *counts.entry((*b).to_owned()).or_default() += 1;
            }
        }
        Ok(())
    }

    /// Removes every posting and co-occurrence of `doc`, whose terms are `positions`' keys,
    /// whether it was staged in this group or written in an earlier one.
    pub fn remove(
        &mut self,
        ov: &mut Overlay<'_>,
        doc: &StoredDocument,
        positions: &TermPositions,
    ) -> Result<()> {
        let id = doc.summary.id.as_str();
        let doc_block_key = key(keys::DOC_BLOCK, &[id.as_bytes()]);
        let Some(bytes) = ov.get(&doc_block_key)? else {
            return Ok(());
        };
        let block = u64::from_be_bytes(bytes.as_slice().try_into().unwrap_or_default());
        ov.remove(doc_block_key);
        let entities = index::related_entities(doc);
        if self.block == Some(block) {
            for term in positions.keys() {
                if let Some(postings) = self.terms.get_mut(term) {
                    postings.retain(|(d, _)| d != id);
                }
            }
            for a in &entities {
                if let Some(counts) = self.related.get_mut(*a) {
                    for b in entities.iter().filter(|b| *b != a) {
                        if let Some(count) = counts.get_mut(*b) {
                            *count = count.saturating_sub(1);
                        }
                    }
                }
            }
            return Ok(());
        }
        for term in positions.keys() {
            rewrite(
                ov,
                block_key(term, block),
                |postings: &mut BlockPostings| {
                    postings.retain(|(d, _)| d != id);
                },
            )?;
        }
        for a in &entities {
            rewrite(ov, related_key(a, block), |counts: &mut BlockRelated| {
                for (other, count) in counts.iter_mut() {
                    if other.as_str() != *a && entities.contains(&other.as_str()) {
                        *count = count.saturating_sub(1);
                    }
                }
                counts.retain(|(_, count)| *count > 0);
            })?;
        }
        Ok(())
    }

    /// Stages the group's blocks in `ov`.
    pub fn write(self, ov: &mut Overlay<'_>) {
        let Some(block) = self.block else {
            return;
        };
        for (term, postings) in self.terms {
            stage(ov, block_key(&term, block), &postings);
        }
        for (entity, counts) in self.related {
            let counts: BlockRelated = counts.into_iter().filter(|(_, c)| *c > 0).collect();
            stage(ov, related_key(&entity, block), &counts);
        }
    }
}

/// Edits a written block, if there is one, and stages it again.
fn rewrite<T: serde::Serialize + serde::de::DeserializeOwned>(
    ov: &mut Overlay<'_>,
    key: Vec<u8>,
    edit: impl FnOnce(&mut Vec<T>),
) -> Result<()> {
    let Some(bytes) = ov.get(&key)? else {
        return Ok(());
    };
    let mut items: Vec<T> = decode(&key, &bytes)?;
    edit(&mut items);
    stage(ov, key, &items);
    Ok(())
}

/// Writes a block, or removes it when it is empty.
fn stage<T: serde::Serialize>(ov: &mut Overlay<'_>, key: Vec<u8>, items: &[T]) {
    if items.is_empty() {
        ov.remove(key);
    } else {
        ov.insert(key, encode(&items));
    }
}

/// Every posting of `term`, block after block.
pub fn postings(tree: &sled::Tree, term: &str) -> Result<BlockPostings> {
    let prefix = keys::prefix(keys::BLOCK, term.as_bytes());
    let mut all = BlockPostings::new();
    for entry in tree.scan_prefix(&prefix) {
        let (k, v) = entry?;
        let block: BlockPostings = decode(&k, &v)?;
        all.extend(block);
    }
    Ok(all)
}

/// The entities mentioned with `entity` and the number of documents they share, summed over
/// its blocks.
pub fn related(tree: &sled::Tree, entity: &str) -> Result<BTreeMap<String, u64>> {
    let prefix = keys::prefix(keys::RELATED, entity.as_bytes());
    let mut all = BTreeMap::new();
    for entry in tree.scan_prefix(&prefix) {
        let (k, v) = entry?;
        let block: BlockRelated = decode(&k, &v)?;
        for (other, count) in block {
            *all.entry(other).or_default() += count;
        }
    }
    Ok(all)
}
