//! What every service shares: the limits, the extraction pipeline and the store, each ready
//! once it has been built or opened.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use rasd_extract::Extractor;
use rasd_proto::ApiError;
use rasd_store::Store;
use tokio::sync::OnceCell;
use tonic::{Response, Status};
use tracing::Instrument;

use crate::config::Limits;

/// Shared state of the services.
#[derive(Debug)]
pub struct AppState {
    pub limits: Limits,
    /// Replaced whole when the knowledge base changes; requests in flight keep the one they took.
    extractor: RwLock<Option<Arc<Extractor>>>,
    store: OnceCell<Arc<Store>>,
    /// Held while the knowledge base is changed, so changes apply one after another.
    pub knowledge_updates: tokio::sync::Mutex<()>,
    /// One permit per request whose CPU-bound part may run now (see [`AppState::blocking`]).
    work_slots: tokio::sync::Semaphore,
}

impl AppState {
    /// `work_threads` requests at most run their CPU-bound part at once.
    pub fn new(limits: Limits, work_threads: usize) -> Self {
        AppState {
            limits,
            extractor: RwLock::new(None),
            store: OnceCell::new(),
            knowledge_updates: tokio::sync::Mutex::new(()),
            work_slots: tokio::sync::Semaphore::new(work_threads.max(1)),
        }
    }

    /// Runs CPU-bound or blocking work off the async threads, once a work slot is free.
    ///
    /// With more requests in flight than CPUs, letting all of them run would share the CPUs
    /// among them, and every request would take as long as the slowest mix allows: a search
    /// that costs 5 ms of CPU beside seven others would answer after 20 ms. In line, first come
    /// first served, each one runs at full speed once its turn comes, which keeps short requests
    /// short and the tail of the latency distribution close to the cost of the requests
    /// themselves.
    ///
    /// Two kinds of work do not queue ([`blocking_unqueued`]): the extraction of documents to
    /// store (the writer commits whatever documents are ready in one group, and many
    /// extractions finishing together make large groups, which is what makes ingest fast), and
    /// rebuilding the extraction pipeline after a change of the knowledge base (seconds of work
    /// that would hold a slot from the reads).
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let _slot = self
            .work_slots
            .acquire()
            .await
            .map_err(|_| ApiError::Unavailable("the server is shutting down".to_owned()))?;
        blocking_unqueued(work).await
    }

    /// Installs a new extraction pipeline for the requests that start from now on.
    pub fn set_extractor(&self, extractor: Arc<Extractor>) {
        let mut slot = self
            .extractor
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Some(extractor);
    }

    pub fn set_store(&self, store: Arc<Store>) {
        let _ = self.store.set(store);
    }

    /// The extraction pipeline, or UNAVAILABLE while it is being built.
    pub fn extractor(&self) -> Result<Arc<Extractor>, ApiError> {
        self.extractor
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
            .ok_or_else(|| ApiError::Unavailable("the extraction pipeline is starting".to_owned()))
    }

    /// The store, or UNAVAILABLE while it is being opened.
    pub fn store(&self) -> Result<Arc<Store>, ApiError> {
        self.store
            .get()
            .cloned()
            .ok_or_else(|| ApiError::Unavailable("the store is opening".to_owned()))
    }

    pub fn store_if_open(&self) -> Option<Arc<Store>> {
        self.store.get().cloned()
    }
}

/// Runs one RPC inside a tracing span and logs its outcome and latency.
pub async fn traced<T>(
    rpc: &'static str,
    call: impl Future<Output = Result<T, ApiError>>,
) -> Result<Response<T>, Status> {
    let span = tracing::info_span!("rpc", rpc);
    async move {
        let started = Instant::now();
        let result = call.await;
        let latency_us = started.elapsed().as_micros() as u64;
        match &result {
            Ok(_) => tracing::info!(code = "OK", latency_us, "rpc finished"),
            Err(e @ ApiError::Internal(_)) => {
                tracing::error!(code = ?e.code(), latency_us, error = %e, "rpc failed")
            }
            Err(e) => tracing::info!(code = ?e.code(), latency_us, error = %e, "rpc rejected"),
        }
        result.map(Response::new).map_err(Status::from)
    }
    .instrument(span)
    .await
}

/// Runs blocking work off the async threads at once, without a work slot (see
/// [`AppState::blocking`] for what goes here).
pub async fn blocking_unqueued<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?
}
