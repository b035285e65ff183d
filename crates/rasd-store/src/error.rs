//! Errors of the store.

/// What can go wrong reading or writing the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory is locked by another process.
    #[error("the data directory {path} is in use by another process: {detail}")]
    Locked { path: String, detail: String },
    /// The data directory cannot be opened (permissions, not a directory, corrupt files).
    #[error("cannot open the data directory {path}: {detail}")]
    Open { path: String, detail: String },
    /// The data directory was written by a newer, incompatible version.
    #[error("the data directory has schema version {found}, this build reads up to {supported}")]
    SchemaVersion { found: u32, supported: u32 },
    /// The storage engine failed.
    #[error("storage failure: {0}")]
    Engine(String),
    /// A stored record cannot be decoded.
    #[error("corrupt record {key}: {detail}")]
    Corrupt { key: String, detail: String },
    /// A document with this id exists with a different text.
    #[error("document {id:?} already exists with a different text")]
    Conflict { id: String },
    /// No document with this id.
    #[error("document {id:?} not found")]
    DocumentNotFound { id: String },
    /// A page token that this store did not issue, or issued for another request.
    #[error("invalid page token: {reason}")]
    InvalidPageToken { reason: String },
    /// A search query that cannot be run.
    #[error("invalid query: {reason}")]
    InvalidQuery { reason: String },
    /// The store is shutting down.
    #[error("the store is closed")]
    Closed,
}

impl From<sled::Error> for StoreError {
    fn from(error: sled::Error) -> Self {
        StoreError::Engine(error.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
