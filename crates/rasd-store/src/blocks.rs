//! Postings in blocks: one key per search term and write group.
//!
//! The key decision of the inverted index. A posting per term and document (two keys, with the
//! impact order) made a document of 250 distinct terms cost some 750 tree writes, and the tree,
//! not extraction, bounded ingest. Documents arrive in groups (the writer's group commit, or a
//! rebuild's batch), and a group's postings of one term are written as one value under
//! `b` + term + block number: a group of a few hundred documents writes a few tens of thousands
//! of keys instead of a few hundred thousand, and a posting no longer repeats its term in a key.
//!
//! A search reads every block of its terms (a prefix scan of adjacent keys). A document's block
//! number is kept under `n` + id, so that deleting the document rewrites exactly the blocks that
//! hold it. Blocks are derived data like every index: `reindex` writes them again from the
//! documents.

use std::collections::BTreeMap;

use crate::index::TermPositions;
use crate::keys::{self, key};
use crate::overlay::Overlay;
use crate::record::{decode, encode, BlockPostings, Posting};
use crate::Result;

/// The next block number (keyspace `g`).
pub const NEXT_BLOCK_KEY: &[u8] = b"gblock";

/// The key of the postings of `term` in block `block`.
pub fn block_key(term: &str, block: u64) -> Vec<u8> {
    key(keys::BLOCK, &[term.as_bytes(), &block.to_be_bytes()])
}

/// The postings of one group of documents, staged until the group is written.
#[derive(Default)]
pub struct BlockBuilder {
    /// This group's block number, taken when its first document is added.
    block: Option<u64>,
    terms: BTreeMap<String, BlockPostings>,
}

impl BlockBuilder {
    /// Stages the postings of a new document. Everything that can fail happens before anything
    /// is staged, so a failed call leaves the builder as it was.
    pub fn add(
        &mut self,
        ov: &mut Overlay<'_>,
        id: &str,
        positions: TermPositions,
        doc_tokens: u32,
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
        ov.insert(
            key(keys::DOC_BLOCK, &[id.as_bytes()]),
            block.to_be_bytes().to_vec(),
        );
        for (term, positions) in positions {
            self.terms.entry(term).or_default().push((
                id.to_owned(),
                Posting {
                    doc_tokens,
                    positions,
                },
            ));
        }
        Ok(())
    }

    /// Removes every posting of document `id`, whose terms are `positions`' keys, whether it
    /// was staged in this group or written in an earlier one.
    pub fn remove(
        &mut self,
        ov: &mut Overlay<'_>,
        id: &str,
        positions: &TermPositions,
    ) -> Result<()> {
        let doc_block_key = key(keys::DOC_BLOCK, &[id.as_bytes()]);
        let Some(bytes) = ov.get(&doc_block_key)? else {
            return Ok(());
        };
        let block = u64::from_be_bytes(bytes.as_slice().try_into().unwrap_or_default());
        ov.remove(doc_block_key);
        if self.block == Some(block) {
            for term in positions.keys() {
                if let Some(postings) = self.terms.get_mut(term) {
                    postings.retain(|(doc, _)| doc != id);
                }
            }
            return Ok(());
        }
        for term in positions.keys() {
            let k = block_key(term, block);
            let Some(bytes) = ov.get(&k)? else {
                continue;
            };
            let mut postings: BlockPostings = decode(&k, &bytes)?;
            postings.retain(|(doc, _)| doc != id);
            if postings.is_empty() {
                ov.remove(k);
            } else {
                ov.insert(k, encode(&postings));
            }
        }
        Ok(())
    }

    /// Stages the group's blocks in `ov`.
    pub fn write(self, ov: &mut Overlay<'_>) {
        let Some(block) = self.block else {
            return;
        };
        for (term, postings) in self.terms {
            if !postings.is_empty() {
                ov.insert(block_key(&term, block), encode(&postings));
            }
        }
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
