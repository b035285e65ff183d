//! The ingest phase: the corpus, repeated under new ids (`r{round}-{n}`), through
//! `BatchCreateDocuments` from many concurrent clients, each on its own connection. A document
//! counts once the server acknowledges it, which by the server's contract means it is durable.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use rasd_proto::v1::batch_create_documents_result::Result as ItemResult;
use rasd_proto::v1::document_service_client::DocumentServiceClient;
use rasd_proto::v1::{BatchCreateDocumentsRequest, CreateDocumentRequest, DocumentView};
use serde_json::{json, Value};
use tokio::task::JoinSet;
use tonic::transport::Channel;

use crate::corpus::Article;
use crate::stats::Latency;

/// Attempts of one batch before the run is abandoned (a retry with the same ids and texts is
/// idempotent on the server).
const ATTEMPTS: usize = 3;
/// Item errors kept as examples for the report.
const KEPT_ERRORS: usize = 5;

#[derive(Debug, Clone)]
pub struct IngestConfig {
    pub documents: u64,
    pub batch_size: usize,
    /// No new batch starts after this long.
    pub max_duration: Duration,
    pub request_timeout: Duration,
    pub progress_every: Duration,
    /// No new batch starts once the server's resident memory exceeds this (protects a shared
    /// machine from a server whose memory grows without bound).
    pub max_server_rss: u64,
    /// No new batch starts once the file system of the data directory has less free space.
    pub min_free_disk: u64,
    pub data_dir: PathBuf,
}

#[derive(Debug, Default)]
struct Counters {
    acknowledged: AtomicU64,
    created: AtomicU64,
    already_stored: AtomicU64,
    failed_items: AtomicU64,
    text_bytes: AtomicU64,
    mentions: AtomicU64,
    requests: AtomicU64,
    retries: AtomicU64,
}

#[derive(Debug)]
pub struct IngestResult {
    pub documents_requested: u64,
    /// Corpus positions sent: ids of positions `0..issued` are stored (when no item failed).
    pub issued: u64,
    pub acknowledged: u64,
    pub created: u64,
    pub already_stored: u64,
    pub failed_items: u64,
    pub failed_examples: Vec<String>,
    pub text_bytes: u64,
    pub mentions: u64,
    pub requests: u64,
    pub retries: u64,
    pub elapsed: Duration,
    /// Why the phase ended before the store held every document asked for.
    pub stop_reason: Option<String>,
    pub batch_latency: Latency,
    /// Largest server VmRSS seen by the progress sampler.
    pub max_rss_sampled: u64,
}

impl IngestResult {
    /// No ingest: the store already holds the first `documents` corpus positions.
    pub fn skipped(documents: u64) -> IngestResult {
        IngestResult {
            documents_requested: 0,
            issued: documents,
            acknowledged: 0,
            created: 0,
            already_stored: 0,
            failed_items: 0,
            failed_examples: Vec::new(),
            text_bytes: 0,
            mentions: 0,
            requests: 0,
            retries: 0,
            elapsed: Duration::ZERO,
            stop_reason: Some(
                "skipped (--skip-ingest): the store in --data-dir was reused".to_owned(),
            ),
            batch_latency: Latency::of(Vec::new()),
            max_rss_sampled: 0,
        }
    }

    pub fn docs_per_second(&self) -> f64 {
        self.acknowledged as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn megabytes_per_second(&self) -> f64 {
        self.text_bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn json(&self) -> Value {
        json!({
            "documents_requested": self.documents_requested,
            "documents_acknowledged": self.acknowledged,
            "created": self.created,
            "already_stored": self.already_stored,
            "failed_items": self.failed_items,
            "failed_examples": self.failed_examples,
            "text_bytes": self.text_bytes,
            "mentions": self.mentions,
            "mentions_per_document": if self.acknowledged > 0 {
                crate::sys::round2(self.mentions as f64 / self.acknowledged as f64)
            } else { 0.0 },
            "requests": self.requests,
            "retries": self.retries,
            "seconds": crate::sys::round2(self.elapsed.as_secs_f64()),
            "stopped_early_because": self.stop_reason,
            "documents_per_second": crate::sys::round2(self.docs_per_second()),
            "text_megabytes_per_second": crate::sys::round2(self.megabytes_per_second()),
            "batch_latency": self.batch_latency.json(),
            "max_server_rss_sampled_bytes": self.max_rss_sampled,
        })
    }
}

/// The request for corpus position `k`: article `k mod len`, round `k div len`.
fn request(articles: &[Article], k: u64) -> CreateDocumentRequest {
    let len = articles.len() as u64;
    let (round, n) = (k / len, k % len);
    let a = &articles[n as usize];
    CreateDocumentRequest {
        document_id: document_id(round, n),
        text: a.content.clone(),
        title: a.title.clone(),
        source: a.source.clone(),
        url: a.url.clone(),
        published_time: a
            .published_s
            .map(|seconds| prost_types::Timestamp { seconds, nanos: 0 }),
        language: String::new(),
        offset_unit: 0,
        // A bulk load: the answers say whether each document was created, without its text
        // and mentions.
        view: DocumentView::Basic as i32,
    }
}

pub fn document_id(round: u64, n: u64) -> String {
    format!("r{round}-{n}")
}

struct Shared {
    articles: Arc<Vec<Article>>,
    config: IngestConfig,
    next: AtomicU64,
    counters: Counters,
    stop: AtomicBool,
    stop_reason: Mutex<Option<String>>,
    deadline: Instant,
    latencies: Mutex<Vec<Duration>>,
    failed_examples: Mutex<Vec<String>>,
}

impl Shared {
    /// Ends the phase early: workers finish the batch in flight and start no other.
    fn stop_early(&self, reason: String) {
        let mut current = self.stop_reason.lock().unwrap();
        if current.is_none() {
            eprintln!("ingest: stopping early: {reason}");
            *current = Some(reason);
        }
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Free bytes of the file system holding `dir` (`df`).
fn free_disk(dir: &Path) -> Option<u64> {
    let out = std::process::Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)?
        .trim()
        .parse()
        .ok()
}

async fn send(
    client: &mut DocumentServiceClient<Channel>,
    shared: &Shared,
    batch: Vec<CreateDocumentRequest>,
) -> Result<()> {
    let sizes: Vec<u64> = batch.iter().map(|r| r.text.len() as u64).collect();
    let message = BatchCreateDocumentsRequest { requests: batch };
    let mut last_error = None;
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            shared.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(500 * attempt as u64)).await;
        }
        let mut request = tonic::Request::new(message.clone());
        request.set_timeout(shared.config.request_timeout);
        let started = Instant::now();
        shared.counters.requests.fetch_add(1, Ordering::Relaxed);
        match client.batch_create_documents(request).await {
            Ok(response) => {
                let latency = started.elapsed();
                shared.latencies.lock().unwrap().push(latency);
                let results = response.into_inner().results;
                if results.len() != sizes.len() {
                    bail!(
                        "BatchCreateDocuments answered {} results for {} requests",
                        results.len(),
                        sizes.len()
                    );
                }
                let c = &shared.counters;
                for (result, bytes) in results.into_iter().zip(&sizes) {
                    match result.result {
                        Some(ItemResult::Response(r)) => {
                            c.acknowledged.fetch_add(1, Ordering::Relaxed);
                            c.text_bytes.fetch_add(*bytes, Ordering::Relaxed);
                            if r.created {
                                c.created.fetch_add(1, Ordering::Relaxed);
                            } else {
                                c.already_stored.fetch_add(1, Ordering::Relaxed);
                            }
                            let mentions = r.document.map(|d| d.mention_count).unwrap_or(0);
                            c.mentions.fetch_add(mentions as u64, Ordering::Relaxed);
                        }
                        Some(ItemResult::Error(status)) => {
                            c.failed_items.fetch_add(1, Ordering::Relaxed);
                            let mut examples = shared.failed_examples.lock().unwrap();
                            if examples.len() < KEPT_ERRORS {
                                examples.push(format!("code {}: {}", status.code, status.message));
                            }
                        }
                        None => {
                            c.failed_items.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                return Ok(());
            }
            Err(status) => last_error = Some(status),
        }
    }
    let status = last_error.expect("at least one attempt");
    Err(anyhow!(
        "BatchCreateDocuments failed {ATTEMPTS} times: {:?}: {}",
        status.code(),
        status.message()
    ))
}

async fn worker(mut client: DocumentServiceClient<Channel>, shared: Arc<Shared>) -> Result<()> {
    let batch_size = shared.config.batch_size as u64;
    let total = shared.config.documents;
    loop {
        if shared.stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        if Instant::now() >= shared.deadline {
            shared.stop_early(format!(
                "the time bound of {} s",
                shared.config.max_duration.as_secs()
            ));
            return Ok(());
        }
        let start = shared.next.fetch_add(batch_size, Ordering::Relaxed);
        if start >= total {
            return Ok(());
        }
        let end = (start + batch_size).min(total);
        let batch = (start..end).map(|k| request(&shared.articles, k)).collect();
        if let Err(error) = send(&mut client, &shared, batch).await {
            shared.stop.store(true, Ordering::Relaxed);
            return Err(error);
        }
    }
}

fn human_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.2}M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.1}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

/// Runs the ingest phase against `channels` (one per client).
pub async fn run(
    channels: Vec<Channel>,
    articles: Arc<Vec<Article>>,
    config: IngestConfig,
    server_pid: u32,
) -> Result<IngestResult> {
    let started = Instant::now();
    let shared = Arc::new(Shared {
        articles,
        deadline: started + config.max_duration,
        config: config.clone(),
        next: AtomicU64::new(0),
        counters: Counters::default(),
        stop: AtomicBool::new(false),
        stop_reason: Mutex::new(None),
        latencies: Mutex::new(Vec::new()),
        failed_examples: Mutex::new(Vec::new()),
    });
    let mut tasks = JoinSet::new();
    for channel in channels {
        let client = DocumentServiceClient::new(channel)
            .max_decoding_message_size(64 * 1024 * 1024)
            .max_encoding_message_size(64 * 1024 * 1024);
        tasks.spawn(worker(client, Arc::clone(&shared)));
    }

    // Progress on standard error, and the server's resident memory, every few seconds.
    let done = Arc::new(AtomicBool::new(false));
    let progress = {
        let shared = Arc::clone(&shared);
        let done = Arc::clone(&done);
        let every = config.progress_every;
        tokio::spawn(async move {
            let mut max_rss = 0u64;
            let mut last = (Instant::now(), 0u64);
            let mut last_disk_check = Instant::now();
            while !done.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let rss = crate::server::memory_of(server_pid)
                    .map(|(_, rss)| rss)
                    .unwrap_or(0);
                max_rss = max_rss.max(rss);
                if rss > shared.config.max_server_rss {
                    shared.stop_early(format!(
                        "the server's resident memory reached {} MiB (bound {} MiB)",
                        rss >> 20,
                        shared.config.max_server_rss >> 20
                    ));
                }
                if last_disk_check.elapsed() >= Duration::from_secs(5) {
                    last_disk_check = Instant::now();
                    let dir = shared.config.data_dir.clone();
                    let free = tokio::task::spawn_blocking(move || free_disk(&dir))
                        .await
                        .ok()
                        .flatten();
                    if let Some(free) = free.filter(|&f| f < shared.config.min_free_disk) {
                        shared.stop_early(format!(
                            "free disk space fell to {} MiB (bound {} MiB)",
                            free >> 20,
                            shared.config.min_free_disk >> 20
                        ));
                    }
                }
                if last.0.elapsed() < every {
                    continue;
                }
                let acked = shared.counters.acknowledged.load(Ordering::Relaxed);
                let total = shared.config.documents;
                let elapsed = started.elapsed().as_secs_f64();
                let recent = (acked - last.1) as f64 / last.0.elapsed().as_secs_f64();
                let overall = acked as f64 / elapsed;
                let eta = if overall > 0.0 {
                    (total.saturating_sub(acked)) as f64 / overall
                } else {
                    0.0
                };
                eprintln!(
                    "ingest: {acked}/{total} documents ({:.1}%), {}/s (last {:.0} s: {}/s), \
                     {:.1} MB/s, server RSS {:.0} MiB, {:.0} s elapsed, eta {:.0} s",
                    100.0 * acked as f64 / total as f64,
                    human_count(overall),
                    last.0.elapsed().as_secs_f64(),
                    human_count(recent),
                    shared.counters.text_bytes.load(Ordering::Relaxed) as f64 / 1e6 / elapsed,
                    rss as f64 / (1024.0 * 1024.0),
                    elapsed,
                    eta,
                );
                last = (Instant::now(), acked);
            }
            max_rss
        })
    };

    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined.context("an ingest client panicked").and_then(|r| r);
        if let Err(error) = outcome {
            first_error.get_or_insert(error);
        }
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let max_rss_sampled = progress.await.unwrap_or(0);
    if let Some(error) = first_error {
        return Err(error);
    }
    let c = &shared.counters;
    let latencies = std::mem::take(&mut *shared.latencies.lock().unwrap());
    let failed_examples = shared.failed_examples.lock().unwrap().clone();
    let stop_reason = shared.stop_reason.lock().unwrap().clone();
    Ok(IngestResult {
        documents_requested: config.documents,
        issued: shared.next.load(Ordering::Relaxed).min(config.documents),
        acknowledged: c.acknowledged.load(Ordering::Relaxed),
        created: c.created.load(Ordering::Relaxed),
        already_stored: c.already_stored.load(Ordering::Relaxed),
        failed_items: c.failed_items.load(Ordering::Relaxed),
        failed_examples,
        text_bytes: c.text_bytes.load(Ordering::Relaxed),
        mentions: c.mentions.load(Ordering::Relaxed),
        requests: c.requests.load(Ordering::Relaxed),
        retries: c.retries.load(Ordering::Relaxed),
        elapsed,
        stop_reason,
        batch_latency: Latency::of(latencies),
        max_rss_sampled,
    })
}
