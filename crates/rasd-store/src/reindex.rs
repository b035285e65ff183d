//! Rebuilding every index from the documents.
//!
//! Indexes are derived data: [`crate::index::apply`] computes them from a document alone. A
//! rebuild deletes every derived keyspace, then adds each document's entries again, in groups
//! of [`GROUP`] documents, each group one atomic batch. It repairs indexes that disagree with
//! the documents, and brings them up to date when the analyzer changes. Interrupted, it leaves
//! partial indexes: run it again.

use crate::analyzer::Analyzer;
use crate::blocks::{BlockBuilder, NEXT_BLOCK_KEY};
use crate::document_terms::TextTerms;
use crate::durable::Durable;
use crate::index::{self, Sign, CORPUS_STATS_KEY};
use crate::keys;
use crate::overlay::Overlay;
use crate::record::{decode, StoredDocument};
use crate::Result;

/// Documents re-indexed per batch (and per block of postings).
const GROUP: usize = 512;

/// Every keyspace that is derived from the documents.
const DERIVED: &[u8] = &[
    keys::SUMMARY,
    keys::BY_TIME,
    keys::ENTITY,
    keys::ENTITY_RANK_BY_TYPE,
    keys::RELATED,
    keys::BLOCK,
    keys::DOC_NUMBER,
    keys::DOC_ID,
    keys::UNIT,
    keys::GROUP_INDEX,
];

/// What a rebuild did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReindexReport {
    /// Documents indexed again.
    pub documents: u64,
    /// Derived keys deleted before.
    pub keys_deleted: u64,
    /// Derived keys written after.
    pub keys_written: u64,
}

/// Runs a rebuild on the tree; the caller holds the only writer.
pub fn rebuild(db: &Durable, tree: &sled::Tree, analyzer: &Analyzer) -> Result<ReindexReport> {
    let mut report = ReindexReport::default();
    for &tag in DERIVED.iter().chain(keys::RETIRED) {
        let mut batch = sled::Batch::default();
        let mut pending = 0;
        for entry in tree.scan_prefix([tag]) {
            let (k, _) = entry?;
            batch.remove(k);
            pending += 1;
            report.keys_deleted += 1;
            if pending == 4096 {
                tree.apply_batch(std::mem::take(&mut batch))?;
                pending = 0;
            }
        }
        tree.apply_batch(batch)?;
    }
    tree.remove(CORPUS_STATS_KEY)?;
    tree.remove(NEXT_BLOCK_KEY)?;

    let mut group = Vec::with_capacity(GROUP);
    let flush_group = |group: &mut Vec<StoredDocument>, report: &mut ReindexReport| -> Result<()> {
        let mut ov = Overlay::new(tree);
        let mut blocks = BlockBuilder::default();
        for doc in group.drain(..) {
            let (terms, _) = TextTerms::new(analyzer, &doc.text);
            index::apply(&mut ov, &doc, Sign::Add)?;
            blocks.add(&mut ov, &doc, terms.with_filters(&doc))?;
            report.documents += 1;
        }
        let pins = blocks.write(&mut ov, db.files())?;
        report.keys_written += ov.len() as u64;
        tree.apply_batch(ov.into_batch())?;
        drop(pins);
        Ok(())
    };
    for entry in tree.scan_prefix([keys::DOC]) {
        let (k, v) = entry?;
        group.push(decode(&k, &v)?);
        if group.len() == GROUP {
            flush_group(&mut group, &mut report)?;
        }
    }
    flush_group(&mut group, &mut report)?;
    db.flush()?;
    Ok(report)
}
