//! Opening the store, writing through the group-commit writer, and reading documents.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::analyzer::Analyzer;
use crate::compaction;
use crate::document_terms::TextTerms;
use crate::durable::Durable;
use crate::index;
use crate::index_files::IndexFiles;
use crate::keys::{self, key};
use crate::page::fnv64;
use crate::record::{
    decode, encode, DocSummary, StoredDocument, StoredMention, UserEntity, READ_AS_IS_SINCE,
    SCHEMA_VERSION,
};
use crate::reindex::{self, ReindexReport};
use crate::writer::{self, Command, Prepared, PutOutcome};
use crate::{EntityType, Result, StoreError};

/// Keys of the schema version and of the page-token secret (keyspace `g`).
const SCHEMA_KEY: &[u8] = b"gschema";
const SECRET_KEY: &[u8] = b"gsecret";

/// How to open a store.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// The data directory (created if missing).
    pub path: PathBuf,
    /// Size of sled's page cache in bytes.
    pub cache_capacity_bytes: u64,
}

impl StoreConfig {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        StoreConfig {
            path: path.into(),
            cache_capacity_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// A document to store: its metadata, text and extracted mentions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewDocument {
    pub id: String,
    pub text: String,
    pub title: String,
    pub source: String,
    pub url: String,
    /// Microseconds since the Unix epoch.
    pub published_us: Option<i64>,
    pub language: String,
    pub mentions: Vec<StoredMention>,
}

/// Filters of document listings and searches; every filter that is set must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentFilter {
    pub entity_id: Option<String>,
    pub entity_type: Option<EntityType>,
    pub source: Option<String>,
    /// Inclusive, microseconds since the Unix epoch.
    pub published_after_us: Option<i64>,
    /// Exclusive, microseconds since the Unix epoch.
    pub published_before_us: Option<i64>,
}

/// The document store: documents, their mentions, and every index over them, in one sled tree.
///
/// Reads go straight to sled and never wait for writes. Writes go to one writer thread that
/// commits them in groups and acknowledges a write only once it is flushed to disk.
#[derive(Debug)]
pub struct Store {
    pub(crate) db: sled::Db,
    pub(crate) tree: sled::Tree,
    pub(crate) analyzer: Analyzer,
    pub(crate) secret: Vec<u8>,
    durable: Durable,
    queue: Mutex<Option<mpsc::Sender<Command>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    compactor: Mutex<Option<JoinHandle<()>>>,
    stop_compactor: Arc<AtomicBool>,
    lock: compaction::SegmentLock,
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or_default()
}

fn open_error(path: &Path, error: sled::Error) -> StoreError {
    let detail = error.to_string();
    let path = path.display().to_string();
    if detail.contains("lock")
        || detail.contains("WouldBlock")
        || detail.contains("Resource temporarily unavailable")
    {
        StoreError::Locked { path, detail }
    } else {
        StoreError::Open { path, detail }
    }
}

impl Store {
    /// Opens (or creates) the store in `config.path`. Fails with [`StoreError::Locked`] when
    /// another process holds it, and [`StoreError::Open`] when it cannot be read.
    pub fn open(config: &StoreConfig) -> Result<Store> {
        let path = &config.path;
        std::fs::create_dir_all(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(config.cache_capacity_bytes)
            .open()
            .map_err(|e| open_error(path, e))?;
        let tree = db.open_tree("rasd").map_err(|e| open_error(path, e))?;
        let files = IndexFiles::open(path.join("indexes"))?;
        // Its flushes delete the index files no pointer names: here, those a crash left.
        let durable = Durable::new(db.clone(), tree.clone(), files, path);
        let analyzer = Analyzer::default();
        match tree.get(SCHEMA_KEY)? {
            Some(bytes) => {
                let found: u32 = decode(SCHEMA_KEY, &bytes)?;
                if found > SCHEMA_VERSION {
                    return Err(StoreError::SchemaVersion {
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                if (READ_AS_IS_SINCE..SCHEMA_VERSION).contains(&found) {
                    tracing::info!(from = found, to = SCHEMA_VERSION, "store upgraded");
                    tree.insert(SCHEMA_KEY, encode(&SCHEMA_VERSION))?;
                } else if found < SCHEMA_VERSION {
                    // Documents keep their layout across versions; indexes are rebuilt.
                    let report = reindex::rebuild(&durable, &tree, &analyzer)?;
                    tracing::info!(
                        from = found,
                        to = SCHEMA_VERSION,
                        documents = report.documents,
                        "store migrated"
                    );
                    tree.insert(SCHEMA_KEY, encode(&SCHEMA_VERSION))?;
                }
            }
            None => {
                tree.insert(SCHEMA_KEY, encode(&SCHEMA_VERSION))?;
            }
        }
        let secret = match tree.get(SECRET_KEY)? {
            Some(secret) => secret.to_vec(),
            None => {
                let seed = format!("{}:{}:{:p}", now_us(), std::process::id(), &db);
                let secret = fnv64(&[seed.as_bytes()]).to_be_bytes().to_vec();
                tree.insert(SECRET_KEY, secret.clone())?;
                secret
            }
        };
        durable.flush()?;
        let lock = compaction::SegmentLock::default();
        let stop_compactor = Arc::new(AtomicBool::new(false));
        let (wake, woken) = mpsc::channel();
        // Units left unmerged by the last run are merged now.
        let _ = wake.send(());
        let compactor = {
            let (tree, lock, stop) = (tree.clone(), lock.clone(), stop_compactor.clone());
            let durable = durable.clone();
            std::thread::Builder::new()
                .name("rasd-store-compactor".to_owned())
                .spawn(move || compaction::run(durable, tree, lock, woken, stop))
                .map_err(|e| StoreError::Engine(e.to_string()))?
        };
        let (sender, receiver) = mpsc::channel();
        let writer = {
            let (durable, tree, analyzer) = (durable.clone(), tree.clone(), analyzer.clone());
            let handle = compaction::CompactionHandle {
                lock: lock.clone(),
                wake,
            };
            std::thread::Builder::new()
                .name("rasd-store-writer".to_owned())
                .spawn(move || writer::run(durable, tree, analyzer, receiver, handle))
                .map_err(|e| StoreError::Engine(e.to_string()))?
        };
        Ok(Store {
            db,
            tree,
            analyzer,
            secret,
            durable,
            queue: Mutex::new(Some(sender)),
            writer: Mutex::new(Some(writer)),
            compactor: Mutex::new(Some(compactor)),
            stop_compactor,
            lock,
        })
    }

    /// Bytes the store occupies on disk: the tree and the group index files.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()? + self.files().bytes())
    }

    /// The group index files.
    pub(crate) fn files(&self) -> &IndexFiles {
        self.durable.files()
    }

    /// The analyzer that turns documents and queries into search terms.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    fn send(&self, command: Command) -> Result<()> {
        let queue = self.queue.lock().map_err(|_| StoreError::Closed)?;
        queue
            .as_ref()
            .ok_or(StoreError::Closed)?
            .send(command)
            .map_err(|_| StoreError::Closed)
    }

    /// Stores documents; each result says whether it was created, already there, or failed.
    /// Returns once every document is durable on disk.
    pub async fn put(&self, docs: Vec<NewDocument>) -> Vec<Result<PutOutcome>> {
        let count = docs.len();
        let created_us = now_us();
        let prepared = docs
            .into_iter()
            .map(|doc| {
                let (terms, token_count) = TextTerms::new(&self.analyzer, &doc.text);
                let doc = StoredDocument {
                    summary: DocSummary {
                        id: doc.id,
                        title: doc.title,
                        source: doc.source,
                        url: doc.url,
                        published_us: doc.published_us,
                        language: doc.language,
                        created_us,
                        text_chars: doc.text.chars().count() as u32,
                        mention_count: doc.mentions.len() as u32,
                        token_count,
                    },
                    text: doc.text,
                    mentions: doc.mentions,
                };
                Prepared {
                    terms: terms.with_filters(&doc),
                    record: encode(&doc),
                    doc,
                }
            })
            .collect();
        let (reply, answer) = oneshot::channel();
        if let Err(e) = self.send(Command::Put {
            docs: prepared,
            reply,
        }) {
            return (0..count).map(|_| Err(clone_error(&e))).collect();
        }
        match answer.await {
            Ok(results) => results,
            Err(_) => (0..count).map(|_| Err(StoreError::Closed)).collect(),
        }
    }

    /// Deletes a document and every index entry it made; durable on return.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Delete {
            id: id.to_owned(),
            reply,
        })?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Rebuilds every index from the documents; other writes wait until it is done.
    pub async fn reindex(&self) -> Result<ReindexReport> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Reindex { reply })?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Stores an addition to the knowledge base; durable on return.
    pub async fn put_user_entity(&self, entity: &UserEntity) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::PutRecord {
            key: key(keys::USER_ENTITY, &[entity.id.as_bytes()]),
            value: encode(entity),
            reply,
        })?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// The addition to the knowledge base with this id.
    pub fn user_entity(&self, id: &str) -> Result<Option<UserEntity>> {
        let k = key(keys::USER_ENTITY, &[id.as_bytes()]);
        self.tree
            .get(&k)?
            .map(|bytes| decode(&k, &bytes))
            .transpose()
    }

    /// Every addition to the knowledge base, by id.
    pub fn user_entities(&self) -> Result<Vec<UserEntity>> {
        self.tree
            .scan_prefix([keys::USER_ENTITY])
            .map(|entry| {
                let (k, v) = entry?;
                decode(&k, &v)
            })
            .collect()
    }

    /// Waits until every acknowledged write is on disk (they already are) and flushes sled.
    pub async fn flush(&self) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Flush { reply })?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Merges, on the caller's thread, the postings of every run of blocks that is complete and
    /// not merged yet (the background thread does the same after each write group); returns the
    /// number of runs merged. Searches find the same documents before and after.
    pub fn merge_segments(&self) -> Result<u64> {
        let merged = compaction::merge_due(
            &self.durable,
            &self.tree,
            &self.lock,
            &AtomicBool::new(false),
        )?;
        self.durable.flush()?;
        Ok(merged)
    }

    /// The schema version of the store (its records and keyspaces).
    pub fn schema_version(&self) -> Result<u32> {
        match self.tree.get(SCHEMA_KEY)? {
            Some(bytes) => decode(SCHEMA_KEY, &bytes),
            None => Ok(SCHEMA_VERSION),
        }
    }

    /// Number of keys of a keyspace (see `keys.rs`), for tests and diagnostics.
    #[doc(hidden)]
    pub fn keyspace_len(&self, tag: u8) -> Result<usize> {
        let mut count = 0;
        for entry in self.tree.scan_prefix([tag]) {
            entry?;
            count += 1;
        }
        Ok(count)
    }

    /// Number of postings segments of a search term (an analyzed key), for tests and
    /// diagnostics.
    #[doc(hidden)]
    pub fn segment_count(&self, term: &str) -> Result<usize> {
        Ok(crate::blocks::segments(&self.tree, self.files(), term)?.len())
    }

    /// Stops the writer after the writes already queued, and flushes; stops merging (what is
    /// left is merged at the next open). Idempotent.
    pub fn close(&self) {
        self.stop_compactor.store(true, Ordering::Relaxed);
        if let Ok(mut queue) = self.queue.lock() {
            queue.take();
        }
        for thread in [&self.writer, &self.compactor] {
            if let Ok(mut thread) = thread.lock() {
                if let Some(handle) = thread.take() {
                    let _ = handle.join();
                }
            }
        }
    }

    /// One document with its text and mentions.
    pub fn get(&self, id: &str) -> Result<Option<StoredDocument>> {
        let k = key(keys::DOC, &[id.as_bytes()]);
        self.tree
            .get(&k)?
            .map(|bytes| decode(&k, &bytes))
            .transpose()
    }

    /// The metadata and text of one document in one read, without decoding its mentions.
    ///
    /// The text is read as bytes (postcard writes a string as its bytes) and checked with a
    /// SIMD UTF-8 validator: for the twenty hits of a search page, the standard library's check
    /// of mostly non-ASCII text cost a tenth of the request.
    pub fn summary_and_text(&self, id: &str) -> Result<Option<(DocSummary, String)>> {
        /// The leading fields of a [`StoredDocument`].
        #[derive(Deserialize)]
        struct Leading<'a> {
            summary: DocSummary,
            text: &'a [u8],
        }
        let k = key(keys::DOC, &[id.as_bytes()]);
        let Some(bytes) = self.tree.get(&k)? else {
            return Ok(None);
        };
        let corrupt = |detail: String| StoreError::Corrupt {
            key: String::from_utf8_lossy(&k).into_owned(),
            detail,
        };
        let (leading, _rest): (Leading<'_>, _) =
            postcard::take_from_bytes(&bytes).map_err(|e| corrupt(e.to_string()))?;
        let text = simdutf8::basic::from_utf8(leading.text)
            .map_err(|_| corrupt("the text is not UTF-8".to_owned()))?;
        Ok(Some((leading.summary, text.to_owned())))
    }

    /// The metadata of one document.
    pub fn summary(&self, id: &str) -> Result<Option<DocSummary>> {
        let k = key(keys::SUMMARY, &[id.as_bytes()]);
        self.tree
            .get(&k)?
            .map(|bytes| decode(&k, &bytes))
            .transpose()
    }

    /// Number of stored documents.
    pub fn document_count(&self) -> Result<u64> {
        Ok(self.corpus_stats()?.document_count)
    }

    pub(crate) fn corpus_stats(&self) -> Result<crate::record::CorpusStats> {
        match self.tree.get(index::CORPUS_STATS_KEY)? {
            Some(bytes) => decode(index::CORPUS_STATS_KEY, &bytes),
            None => Ok(Default::default()),
        }
    }

    /// True when the document's publication time is in the filter's range (the only part of a
    /// filter that is not a posting list).
    pub(crate) fn in_time_range(summary: &DocSummary, filter: &DocumentFilter) -> bool {
        if filter.published_after_us.is_none() && filter.published_before_us.is_none() {
            return true;
        }
        summary.published_us.is_some_and(|published| {
            filter
                .published_after_us
                .is_none_or(|after| published >= after)
                && filter
                    .published_before_us
                    .is_none_or(|before| published < before)
        })
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.close();
    }
}

fn clone_error(error: &StoreError) -> StoreError {
    match error {
        StoreError::Closed => StoreError::Closed,
        other => StoreError::Engine(other.to_string()),
    }
}

/// A short excerpt of `text` around the byte range `at`: up to `before` characters before it and
/// `after` characters after it, with an ellipsis where text was cut.
pub fn snippet(text: &str, at: std::ops::Range<usize>, before: usize, after: usize) -> String {
    let start = text[..at.start.min(text.len())]
        .char_indices()
        .rev()
        .nth(before.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let end_from = at.end.min(text.len());
    let end = text[end_from..]
        .char_indices()
        .nth(after)
        .map_or(text.len(), |(i, _)| end_from + i);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(text[start..end].trim());
    if end < text.len() {
        out.push('…');
    }
    out
}
