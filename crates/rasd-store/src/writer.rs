//! The single writer: group commit on a dedicated thread.
//!
//! Every write goes through one thread. It takes all the commands waiting in its queue, stages
//! them in an [`Overlay`] (so later commands of the group see earlier ones), applies the group as
//! one atomic `sled::Batch`, calls `Db::flush` (an fsync), and only then answers each caller.
//! One writer means read-modify-write of counters needs no transaction, and one flush serves many
//! writes, which is where the throughput comes from.

use std::sync::mpsc;

use tokio::sync::oneshot;

use crate::analyzer::Analyzer;
use crate::blocks::BlockBuilder;
use crate::compaction::CompactionHandle;
use crate::index::{self, Sign, TermPositions};
use crate::keys::{self, key};
use crate::overlay::Overlay;
use crate::record::{decode, encode, StoredDocument};
use crate::reindex::{self, ReindexReport};
use crate::{Result, StoreError};

/// Commands taken from the queue in one group, at most.
const MAX_GROUP: usize = 512;

/// A document ready to be written: its record and its search terms.
pub struct Prepared {
    pub doc: StoredDocument,
    pub positions: TermPositions,
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

/// Runs until every sender is dropped; then flushes one last time.
pub fn run(
    db: sled::Db,
    tree: sled::Tree,
    analyzer: Analyzer,
    queue: mpsc::Receiver<Command>,
    compaction: CompactionHandle,
) {
    let rebuild = |reply: oneshot::Sender<Result<ReindexReport>>| {
        let held = compaction.lock.lock().unwrap_or_else(|e| e.into_inner());
        let _ = reply.send(reindex::rebuild(&db, &tree, &analyzer));
        drop(held);
        let _ = compaction.wake.send(());
    };
    while let Ok(first) = queue.recv() {
        if let Command::Reindex { reply } = first {
            rebuild(reply);
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
        commit_group(&db, &tree, &analyzer, group);
        drop(held);
        let _ = compaction.wake.send(());
        if let Some(reply) = reindex {
            rebuild(reply);
        }
    }
    if let Err(error) = db.flush() {
        tracing::error!(%error, "final flush failed");
    }
}

fn commit_group(db: &sled::Db, tree: &sled::Tree, analyzer: &Analyzer, group: Vec<Command>) {
    let mut ov = Overlay::new(tree);
    let mut blocks = BlockBuilder::default();
    let mut replies = Vec::with_capacity(group.len());
    for command in group {
        match command {
            Command::Put { docs, reply } => {
                let results = docs
                    .into_iter()
                    .map(|p| atomically(&mut ov, |ov| put(ov, &mut blocks, p)))
                    .collect();
                replies.push(Reply::Put(reply, results));
            }
            Command::Delete { id, reply } => {
                let result = atomically(&mut ov, |ov| delete(ov, &mut blocks, analyzer, &id));
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
    blocks.write(&mut ov);
    if tracing::enabled!(tracing::Level::DEBUG) {
        let mut by_keyspace = std::collections::BTreeMap::<char, usize>::new();
        for key in ov.keys() {
            *by_keyspace.entry(char::from(key[0])).or_default() += 1;
        }
        tracing::debug!(keys = ov.len(), ?by_keyspace, "committing a group");
    }
    let committed = commit(db, tree, ov);
    for reply in replies {
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
                let _ = tx.send(
                    committed
                        .as_ref()
                        .map_err(|e| StoreError::Engine(e.to_string()))
                        .and(result),
                );
            }
            Reply::Ack(tx) => {
                let _ = tx.send(
                    committed
                        .as_ref()
                        .map(|_| ())
                        .map_err(|e| StoreError::Engine(e.to_string())),
                );
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

fn commit(db: &sled::Db, tree: &sled::Tree, ov: Overlay<'_>) -> Result<()> {
    if !ov.is_empty() {
        tree.apply_batch(ov.into_batch())?;
    }
    db.flush()?;
    Ok(())
}

fn put(ov: &mut Overlay<'_>, blocks: &mut BlockBuilder, prepared: Prepared) -> Result<PutOutcome> {
    let doc_key = key(keys::DOC, &[prepared.doc.summary.id.as_bytes()]);
    if let Some(bytes) = ov.get(&doc_key)? {
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
    blocks.add(ov, &prepared.doc, prepared.positions)?;
    ov.insert(doc_key, encode(&prepared.doc));
    Ok(PutOutcome::Created(prepared.doc))
}

fn delete(
    ov: &mut Overlay<'_>,
    blocks: &mut BlockBuilder,
    analyzer: &Analyzer,
    id: &str,
) -> Result<()> {
    let doc_key = key(keys::DOC, &[id.as_bytes()]);
    let Some(bytes) = ov.get(&doc_key)? else {
        return Err(StoreError::DocumentNotFound { id: id.to_owned() });
    };
    let doc: StoredDocument = decode(&doc_key, &bytes)?;
    let (positions, _) = index::term_positions(analyzer, &doc.text);
    index::apply(ov, &doc, Sign::Remove)?;
    blocks.remove(ov, &doc, &positions)?;
    ov.remove(doc_key);
    Ok(())
}
