//! Group indexes in files of their own, beside the tree.
//!
//! A group index is the largest value the store writes (hundreds of kilobytes for a write
//! group, megabytes for a merged unit), and it is never changed in place: a merge or a delete
//! writes a new one. Kept in the tree, such values made sled's leaves of `w` keys megabytes
//! long, and sled rewrites a whole leaf every tenth change to it, into a blob file of its own:
//! at 400,000 documents the server wrote some 100 kB to disk for every document ingested, most
//! of it leaves of group indexes written again, and the merge thread spent most of its time
//! there. So the bytes go to a file written once (`indexes/<id>.gidx`) and the tree keeps a
//! 16-byte pointer under the same `w` key, written in the same batch as everything else of the
//! group: the key-value separation of WiscKey (Lu et al., FAST 2016) for immutable values.
//!
//! The invariants that keep it crash-safe:
//!
//! - **A file is on disk before any pointer to it is.** [`IndexFiles::write`] fsyncs the file
//!   and the directory before it returns the pointer the caller puts in its batch.
//! - **A file is deleted only when no durable state can point to it.** After a flush, files
//!   that no pointer in the tree named when the flush began are deleted: a pointer, once
//!   removed, never comes back (ids are never reused), so the durable state after that flush
//!   does not name them either. A file written but not yet in an applied batch is *pinned*
//!   ([`Pin`]) and never a candidate.
//! - Files named by no pointer after a crash (written, their batch never applied) are deleted
//!   when the store opens.
//!
//! Readers keep every live file in memory once read (the writer's and the merge's own bytes go
//! there as they are written): the files not spread into per-term segments yet are at most 15
//! group indexes and 15 merged ones, the postings of one unit of the last level. A reader
//! holding a pointer removed since it read it may find the file gone: it reads the pointers
//! again ([`IndexFiles::read`] says `None`).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::keys;
use crate::{Result, StoreError};

/// The bytes of a pointer: file id and length, both big-endian u64.
const POINTER_LEN: usize = 16;
/// The extension of an index file.
const EXTENSION: &str = "gidx";

/// Where a group index is: the value of its `w` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRef {
    pub id: u64,
    pub len: u64,
}

impl FileRef {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(POINTER_LEN);
        out.extend_from_slice(&self.id.to_be_bytes());
        out.extend_from_slice(&self.len.to_be_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<FileRef> {
        let bytes: &[u8; POINTER_LEN] = bytes.try_into().ok()?;
        let (id, len) = bytes.split_at(8);
        Some(FileRef {
            id: u64::from_be_bytes(id.try_into().ok()?),
            len: u64::from_be_bytes(len.try_into().ok()?),
        })
    }
}

/// The folder of index files, the ones known to exist, and the ones read.
pub struct IndexFiles {
    dir: PathBuf,
    next_id: AtomicU64,
    state: Mutex<State>,
}

impl std::fmt::Debug for IndexFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexFiles")
            .field("dir", &self.dir)
            .finish()
    }
}

#[derive(Default)]
struct State {
    /// Every file on disk (written, or found at open, and not deleted), with its length.
    existing: BTreeMap<u64, u64>,
    /// Files written whose pointer is not in an applied batch yet.
    pinned: HashSet<u64>,
    /// The bytes of files read or written, until they are deleted.
    cache: FxHashMap<u64, Arc<[u8]>>,
}

/// Keeps a file just written from being collected until the batch naming it is applied.
pub struct Pin {
    files: Arc<IndexFiles>,
    id: u64,
}

impl Drop for Pin {
    fn drop(&mut self) {
        self.files.lock().pinned.remove(&self.id);
    }
}

/// Files to delete once a flush has made the tree's state durable.
pub struct Garbage {
    ids: Vec<u64>,
}

fn io_error(what: &str, path: &Path, error: io::Error) -> StoreError {
    StoreError::Engine(format!("cannot {what} {}: {error}", path.display()))
}

impl IndexFiles {
    /// Opens the folder `dir`, creating it if needed.
    pub fn open(dir: PathBuf) -> Result<Arc<IndexFiles>> {
        std::fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, e))?;
        let mut existing = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).map_err(|e| io_error("read", &dir, e))? {
            let entry = entry.map_err(|e| io_error("read", &dir, e))?;
            let name = entry.file_name();
            let id = name
                .to_str()
                .and_then(|n| n.strip_suffix(EXTENSION))
                .and_then(|n| n.strip_suffix('.'))
                .and_then(|n| u64::from_str_radix(n, 16).ok());
            match id {
                Some(id) => {
                    let len = entry
                        .metadata()
                        .map_err(|e| io_error("read", &dir, e))?
                        .len();
                    existing.insert(id, len);
                }
                // Not a file of ours (or of an earlier version, written under another name).
                None => {
                    let path = entry.path();
                    std::fs::remove_file(&path).map_err(|e| io_error("remove", &path, e))?;
                }
            }
        }
        let next_id = existing.last_key_value().map_or(1, |(last, _)| last + 1);
        Ok(Arc::new(IndexFiles {
            dir,
            next_id: AtomicU64::new(next_id),
            state: Mutex::new(State {
                existing,
                ..State::default()
            }),
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn path(&self, id: u64) -> PathBuf {
        self.dir.join(format!("{id:016x}.{EXTENSION}"))
    }

    /// Writes `bytes` to a new file and makes it durable; returns the pointer to store and the
    /// pin that keeps the file until the batch with the pointer is applied.
    pub fn write(self: &Arc<Self>, bytes: Vec<u8>) -> Result<(Vec<u8>, Pin)> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().pinned.insert(id);
        let pin = Pin {
            files: Arc::clone(self),
            id,
        };
        // A file cut short by a crash has no pointer (the pointer comes after the fsync), so it
        // is deleted at the next open like any file no pointer names.
        let path = self.path(id);
        let mut file = File::create(&path).map_err(|e| io_error("create", &path, e))?;
        if let Err(e) = file.write_all(&bytes).and_then(|()| file.sync_data()) {
            // Not left for the next open to find (a full disk would fill up with them).
            let _ = std::fs::remove_file(&path);
            return Err(io_error("write", &path, e));
        }
        File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| io_error("fsync", &self.dir, e))?;
        let pointer = FileRef {
            id,
            len: bytes.len() as u64,
        };
        let mut state = self.lock();
        state.existing.insert(id, bytes.len() as u64);
        state.cache.insert(id, Arc::from(bytes));
        Ok((pointer.encode(), pin))
    }

    /// The bytes a pointer names; `None` when the file was deleted (the pointer was removed
    /// since it was read).
    pub fn read(&self, key: &[u8], pointer: &[u8]) -> Result<Option<Arc<[u8]>>> {
        let corrupt = |detail: String| StoreError::Corrupt {
            key: String::from_utf8_lossy(key).into_owned(),
            detail,
        };
        let at = FileRef::decode(pointer).ok_or_else(|| corrupt("malformed pointer".into()))?;
        if let Some(bytes) = self.lock().cache.get(&at.id) {
            return Ok(Some(Arc::clone(bytes)));
        }
        let path = self.path(at.id);
        let bytes: Arc<[u8]> = match std::fs::read(&path) {
            Ok(bytes) => Arc::from(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("read", &path, e)),
        };
        if bytes.len() as u64 != at.len {
            return Err(corrupt(format!(
                "index file {} has {} bytes, not {}",
                path.display(),
                bytes.len(),
                at.len
            )));
        }
        let mut state = self.lock();
        // Deleted while it was read: the caller reads the pointers again.
        if !state.existing.contains_key(&at.id) {
            return Ok(None);
        }
        state.cache.insert(at.id, Arc::clone(&bytes));
        Ok(Some(bytes))
    }

    /// The files no pointer in `tree` names and no pin holds: to delete once the tree's
    /// current state is durable. Call before the flush.
    pub fn garbage(&self, tree: &sled::Tree) -> Result<Garbage> {
        // Pins first: a file unpinned after this has its pointer applied, and the scan sees it.
        let (mut candidates, pinned) = {
            let state = self.lock();
            let existing: BTreeSet<u64> = state.existing.keys().copied().collect();
            (existing, state.pinned.clone())
        };
        for entry in tree.scan_prefix([keys::GROUP_INDEX]) {
            let (key, value) = entry?;
            if let Some(at) = FileRef::decode(&value) {
                candidates.remove(&at.id);
            } else {
                return Err(StoreError::Corrupt {
                    key: String::from_utf8_lossy(&key).into_owned(),
                    detail: "malformed pointer".to_owned(),
                });
            }
        }
        candidates.retain(|id| !pinned.contains(id));
        Ok(Garbage {
            ids: candidates.into_iter().collect(),
        })
    }

    /// Deletes the files of `garbage`; call after the flush that followed [`IndexFiles::garbage`].
    pub fn delete(&self, garbage: Garbage) -> Result<()> {
        for id in garbage.ids {
            {
                let mut state = self.lock();
                state.cache.remove(&id);
                state.existing.remove(&id);
            }
            let path = self.path(id);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("remove", &path, e)),
            }
        }
        Ok(())
    }

    /// Number of files on disk.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().existing.len()
    }

    /// Bytes of the files on disk.
    pub fn bytes(&self) -> u64 {
        self.lock().existing.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_back_and_collected_only_when_unnamed_and_unpinned() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree("t").unwrap();
        let files = IndexFiles::open(dir.path().join("indexes")).unwrap();
        let (named, pin_named) = files.write(b"first".to_vec()).unwrap();
        let (unnamed, pin_unnamed) = files.write(b"second".to_vec()).unwrap();
        tree.insert([keys::GROUP_INDEX, 1], named.clone()).unwrap();
        drop(pin_named);
        // Pinned: kept although no pointer names it.
        let garbage = files.garbage(&tree).unwrap();
        assert!(garbage.ids.is_empty());
        drop(pin_unnamed);
        let garbage = files.garbage(&tree).unwrap();
        assert_eq!(garbage.ids, vec![FileRef::decode(&unnamed).unwrap().id]);
        files.delete(garbage).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files.bytes(), 5);
        assert_eq!(files.read(b"w", &unnamed).unwrap(), None);

        // Opened again, the named file is read from disk.
        drop(files);
        let files = IndexFiles::open(dir.path().join("indexes")).unwrap();
        let bytes = files.read(b"w", &named).unwrap().unwrap();
        assert_eq!(&bytes[..], b"first");
        let (third, _pin) = files.write(b"third".to_vec()).unwrap();
        assert!(FileRef::decode(&third).unwrap().id > FileRef::decode(&named).unwrap().id);
        assert!(files.read(b"w", b"short").is_err());
    }
}
