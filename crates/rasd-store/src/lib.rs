//! Durable storage of documents, mentions and their indexes on sled.
//!
//! The key decision: **one tree, one writer, one flush per group.** Every record (documents,
//! summaries, mentions by entity, documents by type, source and time, entity statistics and
//! ranks, co-occurrence counts, the inverted index) lives in a single sled tree under a
//! one-byte keyspace tag. All writes go through one thread that takes whatever is queued, stages
//! it in an overlay (so later writes of the group see earlier ones and counters need no
//! transaction), applies the whole group as one atomic `sled::Batch`, flushes (fsync), and only
//! then acknowledges. A document and all its index entries therefore become visible and durable
//! together or not at all, and one fsync serves a whole group of writers.
//!
//! Every index entry is derived from the document alone (`index::apply`), with the same function
//! adding and removing, so deleting leaves no trace and an index can be rebuilt from documents. The
//! two indexes that grow with every word and every pair of entities, postings and co-occurrences,
//! are written per group rather than per document (`blocks.rs`): the tree's cost is per key, so a
//! group's postings are one value (`group_index.rs`) and its co-occurrences entries of the same
//! value. Those values are the largest the store writes and never change, so they live in files
//! beside the tree, which keeps their pointers (`index_files.rs`). A background thread
//! (`compaction.rs`) merges the group indexes of aligned runs of 16 blocks into one, and spreads
//! runs of 256 blocks into one segment per term, so that a search reads a few dozen segments of its
//! terms at a million documents, never one per group. What sled needs to make an acknowledged write
//! durable is in `durable.rs`.
//!
//! Being the only writer, the writer thread also remembers what only it writes: which ids are
//! stored (Bloom filters, `known_ids.rs`) and the statistics of recently mentioned entities
//! (`read_cache.rs`), so that the tree lookups of a put are not disk reads on the one thread
//! that every write waits for.
//!
//! Offsets stored here are UTF-8 bytes of the original text, half-open.

mod analyzer;
mod blocks;
mod compaction;
mod document_terms;
mod durable;
mod entities;
mod error;
mod group_index;
mod index;
mod index_files;
mod keys;
mod known_ids;
mod listing;
mod overlay;
mod page;
mod ranked;
mod read_cache;
mod record;
mod reindex;
mod scoring;
mod search;
mod segment;
mod store;
mod writer;

pub use analyzer::{Analyzer, Term};
pub use entities::{EntityMentionHit, RelatedHit};
pub use error::{Result, StoreError};
pub use page::Page;
pub use rasd_extract::EntityType;
pub use record::{
    CorpusStats, DocSummary, EntityStats, StoredDocument, StoredMention, UserEntity, SCHEMA_VERSION,
};
pub use reindex::ReindexReport;
pub use search::{SearchHit, SearchResults};
pub use store::{snippet, DocumentFilter, NewDocument, Store, StoreConfig};
pub use writer::PutOutcome;
