//! The single writer: group commit on a dedicated thread.
//!
//! Every write goes through one thread. It takes all the commands waiting in its queue, stages
//! them in an [`Overlay`] (so later commands of the group see earlier ones), and applies the
//! group as one atomic `sled::Batch`; a second thread calls `Db::flush` (an fsync) and only then
//! answers each caller, while the writer goes on with the next group.
//! One writer means read-modify-write of counters needs no transaction, and one flush serves many
//! writes, which is where the throughput comes from.

use std::cell::RefCell;
use std::sync::{mpsc, Arc};

use tokio::sync::oneshot;

use crate::analyzer::Analyzer;
use crate::blocks::BlockBuilder;
use crate::compaction::CompactionHandle;
use crate::document_terms::{DocumentTerms, TextTerms};
use crate::durable::Durable;
use crate::index::{self, Sign};
use crate::index_files::IndexFiles;
use crate::keys::{self, key};
use crate::known_ids::KnownIds;
use crate::overlay::Overlay;
use crate::read_cache::ReadCache;
use crate::record::{decode, StoredDocument};
use crate::reindex::{self, ReindexReport};
use crate::{Result, StoreError};

/// Commands taken from the queue in one group, at most.
const MAX_GROUP: usize = 512;

/// Entity records the writer keeps in memory, at most (about 200 bytes each).
const CACHED_ENTITIES: usize = 1 << 17;

/// What the writer knows of the tree beyond it: see `known_ids.rs` and `read_cache.rs`.
struct WriterMemory {
    /// `None` until the first put, and when the ids could not be read: every put then looks
    /// its id up.
    known: Option<KnownIds>,
    /// Whether `known` was built. Reading the ids of a million documents takes seconds of
    /// disk reads, so a server that only answers reads never does, and one that ingests does
    /// it with its first write group, not while it starts.
    known_read: bool,
    cache: RefCell<ReadCache>,
}

impl WriterMemory {
    fn new() -> WriterMemory {
        WriterMemory {
            known: None,
            known_read: false,
            cache: RefCell::new(ReadCache::new(CACHED_ENTITIES)),
        }
    }

    /// Reads the ids of the stored documents, once.
    fn read_known(&mut self, tree: &sled::Tree) {
        if self.known_read {
            return;
        }
        self.known_read = true;
        let started = std::time::Instant::now();
        self.known = match KnownIds::load(tree) {
            Ok(known) => {
                tracing::info!(
                    documents = known.len(),
                    seconds = started.elapsed().as_secs_f64(),
                    "read the ids of the stored documents"
                );
                Some(known)
            }
            Err(error) => {
                tracing::error!(%error, "cannot read the stored document ids; every put looks its id up");
                None
            }
        };
    }
}

/// A document ready to be written: its record and its search terms.
pub struct Prepared {
    pub doc: StoredDocument,
    /// The document's record, encoded.
    pub record: Vec<u8>,
    /// Every term it is posted under, in order.
    pub terms: DocumentTerms,
}

/// What a put did.
#[derive(Clone, Debug, PartialEq)]
pub enum PutOutcome {
    /// The document was stored.
    Created(StoredDocument),
    /// A document with this id and the same text was already stored (an idempotent retry).
    Existing(StoredDocument),
}

pub enum Command {
    Put {
        docs: Vec<Prepared>,
        reply: oneshot::Sender<Vec<Result<PutOutcome>>>,
    },
    Delete {
        id: String,
        reply: oneshot::Sender<Result<()>>,
    },
    Flush {
        reply: oneshot::Sender<Result<()>>,
    },
    /// Rebuilds every index from the documents (alone in its group).
    Reindex {
        reply: oneshot::Sender<Result<ReindexReport>>,
    },
    /// Writes one record that no index depends on.
    PutRecord {
        key: Vec<u8>,
        value: Vec<u8>,
        reply: oneshot::Sender<Result<()>>,
    },
}

enum Reply {
    Put(
        oneshot::Sender<Vec<Result<PutOutcome>>>,
        Vec<Result<PutOutcome>>,
    ),
    Delete(oneshot::Sender<Result<()>>, Result<()>),
    Ack(oneshot::Sender<Result<()>>),
}

/// A group applied to the tree, waiting for the flush that makes it durable.
struct Applied {
    replies: Vec<Reply>,
    applied: Result<()>,
}

/// Runs until every sender is dropped; then flushes one last time.
///
/// The fsync of a group overlaps the staging of the next: groups are applied here, in order,
/// and a second thread flushes whatever has been applied and only then answers the callers
/// (one flush may cover several groups). A group's reads see every group applied before it,
/// flushed or not; none is acknowledged before it is on disk.
pub fn run(
    db: Durable,
    tree: sled::Tree,
    analyzer: Analyzer,
    queue: mpsc::Receiver<Command>,
    compaction: CompactionHandle,
) {
    let (to_flusher, applied) = mpsc::channel::<Applied>();
    let flusher = {
        let db = db.clone();
        std::thread::Builder::new()
            .name("rasd-store-flusher".to_owned())
            .spawn(move || flush_and_answer(&db, applied))
    };
    let flusher = match flusher {
        Ok(handle) => Some(handle),
        Err(error) => {
            tracing::error!(%error, "cannot start the flusher thread; flushing on the writer");
            None
        }
    };
    let mut memory = WriterMemory::new();
    let rebuild = |memory: &mut WriterMemory, reply: oneshot::Sender<Result<ReindexReport>>| {
        let held = compaction.lock.lock().unwrap_or_else(|e| e.into_inner());
        let _ = reply.send(reindex::rebuild(&db, &tree, &analyzer));
        *memory = WriterMemory::new();
        drop(held);
        let _ = compaction.wake.send(());
    };
    while let Ok(first) = queue.recv() {
        if let Command::Reindex { reply } = first {
            rebuild(&mut memory, reply);
            continue;
        }
        let mut group = vec![first];
        let mut reindex = None;
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(Command::Reindex { reply }) => {
                    reindex = Some(reply);
                    break;
                }
                Ok(command) => group.push(command),
                Err(_) => break,
            }
        }
        // A delete rewrites segments that the compactor may be merging.
        let deletes = group.iter().any(|c| matches!(c, Command::Delete { .. }));
        let held = deletes.then(|| compaction.lock.lock().unwrap_or_else(|e| e.into_inner()));
        let group = apply_group(&tree, db.files(), &analyzer, &mut memory, group);
        drop(held);
        let _ = compaction.wake.send(());
        match &flusher {
            Some(_) => {
                if let Err(mpsc::SendError(group)) = to_flusher.send(group) {
                    answer(group, Err(StoreError::Closed));
                }
            }
            None => {
                answer(group, db.flush());
            }
        }
        if let Some(reply) = reindex {
            rebuild(&mut memory, reply);
        }
    }
    drop(to_flusher);
    if let Some(handle) = flusher {
        let _ = handle.join();
    }
    if let Err(error) = db.flush() {
        tracing::error!(%error, "final flush failed");
    }
}

/// Flushes what has been applied and answers its callers, until the writer stops.
fn flush_and_answer(db: &Durable, applied: mpsc::Receiver<Applied>) {
    while let Ok(first) = applied.recv() {
        let mut groups = vec![first];
        groups.extend(applied.try_iter());
        let started = std::time::Instant::now();
        let flushed = db.flush();
        tracing::debug!(
            groups = groups.len(),
            flush_ms = started.elapsed().as_secs_f64() * 1e3,
            "flushed"
        );
        for group in groups {
            answer(group, clone_result(&flushed));
        }
    }
}

fn clone_result(result: &Result<()>) -> Result<()> {
    result
        .as_ref()
        .map(|_| ())
        .map_err(|e| StoreError::Engine(e.to_string()))
}

/// Stages a group and applies it as one batch.
fn apply_group(
    tree: &sled::Tree,
    files: &Arc<IndexFiles>,
    analyzer: &Analyzer,
    memory: &mut WriterMemory,
    group: Vec<Command>,
) -> Applied {
    if group.iter().any(|c| matches!(c, Command::Put { .. })) {
        memory.read_known(tree);
    }
    let started = std::time::Instant::now();
    let mut ov = Overlay::with_cache(tree, Some(&memory.cache));
    let known = &mut memory.known;
    let mut blocks = BlockBuilder::default();
    let mut replies = Vec::with_capacity(group.len());
    let mut documents = 0;
    for command in group {
        match command {
            Command::Put { docs, reply } => {
                documents += docs.len();
                let results = docs
                    .into_iter()
                    .map(|p| atomically(&mut ov, |ov| put(ov, &mut blocks, known, p)))
                    .collect();
                replies.push(Reply::Put(reply, results));
            }
            Command::Delete { id, reply } => {
                let result =
                    atomically(&mut ov, |ov| delete(ov, &mut blocks, files, analyzer, &id));
                replies.push(Reply::Delete(reply, result));
            }
            Command::Flush { reply } => replies.push(Reply::Ack(reply)),
            Command::Reindex { reply } => {
                // Taken out of groups by `run`, which never puts one in a group.
                let _ = reply.send(Err(StoreError::Engine(
                    "a rebuild was queued inside a write group".to_owned(),
                )));
            }
            Command::PutRecord { key, value, reply } => {
                ov.insert(key, value);
                replies.push(Reply::Ack(reply));
            }
        }
    }
    // Pinned until the batch that names them is applied.
    let _pins = match blocks.write(&mut ov, files) {
        Ok(pins) => pins,
        // Nothing of the group is applied; every caller gets the error.
        Err(error) => {
            return Applied {
                replies,
                applied: Err(error),
            }
        }
    };
    let staged = started.elapsed();
    let keys = ov.len();
    let by_keyspace = tracing::enabled!(tracing::Level::DEBUG).then(|| {
        let mut by_keyspace = std::collections::BTreeMap::<char, usize>::new();
        for key in ov.keys() {
            *by_keyspace.entry(char::from(key[0])).or_default() += 1;
        }
        by_keyspace
    });
    let applied = if ov.is_empty() {
        Ok(())
    } else {
        ov.update_cache();
        let applied = tree.apply_batch(ov.into_batch()).map_err(StoreError::from);
        if applied.is_err() {
            memory.cache.borrow_mut().clear();
        }
        applied
    };
    tracing::debug!(
        documents,
        keys,
        ?by_keyspace,
        stage_ms = staged.as_secs_f64() * 1e3,
        apply_ms = (started.elapsed() - staged).as_secs_f64() * 1e3,
        "applied a group"
    );
    Applied { replies, applied }
}

/// Answers the callers of a group once its fate is known.
fn answer(group: Applied, flushed: Result<()>) {
    let committed = group.applied.and(flushed);
    for reply in group.replies {
        match reply {
            Reply::Put(tx, results) => {
                let results = match &committed {
                    Ok(()) => results,
                    Err(e) => results
                        .into_iter()
                        .map(|_| Err(StoreError::Engine(e.to_string())))
                        .collect(),
                };
                let _ = tx.send(results);
            }
            Reply::Delete(tx, result) => {
                let _ = tx.send(clone_result(&committed).and(result));
            }
            Reply::Ack(tx) => {
                let _ = tx.send(clone_result(&committed));
            }
        }
    }
}

/// Runs one document's writes: all of them are staged, or none.
fn atomically<T>(
    ov: &mut Overlay<'_>,
    write: impl FnOnce(&mut Overlay<'_>) -> Result<T>,
) -> Result<T> {
    ov.savepoint();
    let result = write(ov);
    if result.is_err() {
        ov.rollback();
    }
    result
}

fn put(
    ov: &mut Overlay<'_>,
    blocks: &mut BlockBuilder,
    known: &mut Option<KnownIds>,
    prepared: Prepared,
) -> Result<PutOutcome> {
    let id = prepared.doc.summary.id.as_bytes();
    let doc_key = key(keys::DOC, &[id]);
    // A stored document has a number, written in the same batch as its record: asking the small
    // number keys first keeps the large document records out of the cache on every put. An id
    // the filter has never seen is not stored, staged or applied.
    let maybe_stored = known.as_ref().is_none_or(|known| known.may_contain(id));
    let stored = match maybe_stored {
        true => match ov.get(&key(keys::DOC_NUMBER, &[id]))? {
            Some(_) => ov.get(&doc_key)?,
            None => None,
        },
        false => None,
    };
    if let Some(bytes) = stored {
        let existing: StoredDocument = decode(&doc_key, &bytes)?;
        return if existing.text == prepared.doc.text {
            Ok(PutOutcome::Existing(existing))
        } else {
            Err(StoreError::Conflict {
                id: prepared.doc.summary.id,
            })
        };
    }
    index::apply(ov, &prepared.doc, Sign::Add)?;
    blocks.add(ov, &prepared.doc, prepared.terms)?;
    ov.insert(doc_key, prepared.record);
    if let Some(known) = known {
        known.insert(id);
    }
    Ok(PutOutcome::Created(prepared.doc))
}

fn delete(
    ov: &mut Overlay<'_>,
    blocks: &mut BlockBuilder,
    files: &Arc<IndexFiles>,
    analyzer: &Analyzer,
    id: &str,
) -> Result<()> {
    let doc_key = key(keys::DOC, &[id.as_bytes()]);
    let Some(bytes) = ov.get(&doc_key)? else {
        return Err(StoreError::DocumentNotFound { id: id.to_owned() });
    };
    let doc: StoredDocument = decode(&doc_key, &bytes)?;
    let terms = TextTerms::new(analyzer, &doc.text).0.with_filters(&doc);
    index::apply(ov, &doc, Sign::Remove)?;
    blocks.remove(ov, files, &doc, &terms)?;
    ov.remove(doc_key);
    Ok(())
}
