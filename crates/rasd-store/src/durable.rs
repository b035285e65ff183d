//! What sled needs from us to make an acknowledged write durable.
//!
//! Group indexes live in files beside the tree (`index_files.rs`), each fsynced before a
//! pointer to it is applied; a flush here also deletes the files that no pointer names any
//! more, once the flush has made that state durable.
//!
//! `sled::Db::flush` fsyncs sled's log, and the writer acknowledges a group only after it. But sled
//! 0.34 does not keep every page in its log: a page whose serialized form is larger than a quarter
//! of a log segment (a tree leaf holding large values, such as the segments of common terms) goes
//! to a file of its own under `blobs/`, which it writes and never fsyncs. A process killed with
//! SIGKILL loses nothing (the kernel still has the file), but after a power loss the log could
//! point to a blob that never reached the disk, and the leaf, with the acknowledged records in it,
//! would be unreadable. So:
//!
//! - The writer fsyncs the blob files that appeared since its last flush both before and after
//!   each flush of sled's log ([`BlobSync`]), and only then answers: every blob an acknowledged
//!   write depends on is on disk. What is left is a window: sled's own thread also flushes its
//!   log every 500 ms, and may make durable a record that points to a blob written since the
//!   writer's last pass; a power loss before the next pass could leave that page unreadable.
//!   That thread cannot be turned off: it is also what cleans sled's log segments and frees
//!   its memory (without it, the server grew past 16 GiB before 250,000 documents).
//! - Sled's log segments stay at their 512 KiB. 8 MiB segments, which keep most leaves out of
//!   blob files (at 100,000 documents 8 blob files instead of 200), cost more memory at
//!   1,000,000 documents (peak 6.7 against 4.4 GiB) and more disk (28.3 against 26.1 kB per
//!   document), for a slower ingest (1,596 against 1,655 documents/s).

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::index_files::IndexFiles;
use crate::{Result, StoreError};

/// Flushes sled, fsyncs its blob files and deletes unused index files; shared by every
/// thread that flushes.
#[derive(Clone, Debug)]
pub struct Durable {
    db: sled::Db,
    tree: sled::Tree,
    files: Arc<IndexFiles>,
    blobs: Arc<Mutex<BlobSync>>,
}

impl Durable {
    pub fn new(db: sled::Db, tree: sled::Tree, files: Arc<IndexFiles>, store: &Path) -> Durable {
        Durable {
            db,
            tree,
            files,
            blobs: Arc::new(Mutex::new(BlobSync::new(store))),
        }
    }

    /// The group index files.
    pub fn files(&self) -> &Arc<IndexFiles> {
        &self.files
    }

    /// Makes everything applied so far durable, then deletes the index files that nothing
    /// applied before the flush named.
    pub fn flush(&self) -> Result<()> {
        let mut blobs = self.blobs.lock().unwrap_or_else(|e| e.into_inner());
        let garbage = self.files.garbage(&self.tree)?;
        let blob_error = |e: io::Error| StoreError::Engine(format!("cannot fsync a blob: {e}"));
        blobs.sync_new().map_err(blob_error)?;
        self.db.flush()?;
        blobs.sync_new().map_err(blob_error)?;
        self.files.delete(garbage)
    }
}

/// Fsyncs the blob files sled wrote since the last call.
#[derive(Debug)]
struct BlobSync {
    dir: PathBuf,
    synced: HashSet<OsString>,
}

impl BlobSync {
    fn new(store: &Path) -> BlobSync {
        BlobSync {
            dir: store.join("blobs"),
            synced: HashSet::new(),
        }
    }

    /// Fsyncs every blob file not fsynced yet, then the directory if one was new. Files sled
    /// removed meanwhile are forgotten.
    fn sync_new(&mut self) -> io::Result<()> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut present = HashSet::with_capacity(self.synced.len());
        let mut new = false;
        for entry in entries {
            let name = entry?.file_name();
            if !self.synced.contains(&name) {
                match File::open(self.dir.join(&name)) {
                    Ok(file) => file.sync_all()?,
                    // Removed by sled since the directory was read.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                new = true;
            }
            present.insert(name);
        }
        if new {
            File::open(&self.dir)?.sync_all()?;
        }
        self.synced = present;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_files_are_synced_once_and_forgotten_when_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut sync = BlobSync::new(dir.path());
        sync.sync_new().unwrap();
        std::fs::create_dir(dir.path().join("blobs")).unwrap();
        std::fs::write(dir.path().join("blobs/1"), b"a").unwrap();
        std::fs::write(dir.path().join("blobs/2"), b"b").unwrap();
        sync.sync_new().unwrap();
        assert_eq!(sync.synced.len(), 2);
        std::fs::remove_file(dir.path().join("blobs/1")).unwrap();
        sync.sync_new().unwrap();
        assert_eq!(sync.synced.len(), 1);
    }
}
