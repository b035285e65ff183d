//! The query phase: each kind of read in turn, from many concurrent clients, each on its own
//! connection, a fixed number of requests bounded in time, over a rotating set of realistic
//! queries for the news of the corpus (Syria, Iraq, Yemen, the Islamic State, the Gulf).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rasd_proto::v1::document_service_client::DocumentServiceClient;
use rasd_proto::v1::entity_service_client::EntityServiceClient;
use rasd_proto::v1::{
    DocumentFilter, GetDocumentRequest, ListDocumentsRequest, ListRelatedEntitiesRequest,
    SearchDocumentsRequest,
};
use serde_json::{json, Value};
use tokio::task::JoinSet;
use tonic::transport::Channel;

use crate::query_sets::{self, FILTERED, LIST_ENTITIES, PHRASES, RELATED, WORDS};
use crate::stats::Latency;
use crate::sys::CpuSample;

/// Page size of every listing and search.
const PAGE_SIZE: i32 = query_sets::PAGE_SIZE as i32;

/// The kinds of read measured, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    GetDocument,
    ListByEntity,
    SearchWord,
    SearchPhrase,
    SearchWithEntity,
    RelatedEntities,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::GetDocument,
        Kind::ListByEntity,
        Kind::SearchWord,
        Kind::SearchPhrase,
        Kind::SearchWithEntity,
        Kind::RelatedEntities,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::GetDocument => "GetDocument (random id)",
            Kind::ListByEntity => "ListDocuments by entity",
            Kind::SearchWord => "SearchDocuments, one word",
            Kind::SearchPhrase => "SearchDocuments, two-word phrase",
            Kind::SearchWithEntity => "SearchDocuments + entity filter",
            Kind::RelatedEntities => "ListRelatedEntities",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Kind::GetDocument => "get_document",
            Kind::ListByEntity => "list_documents_by_entity",
            Kind::SearchWord => "search_one_word",
            Kind::SearchPhrase => "search_phrase",
            Kind::SearchWithEntity => "search_with_entity_filter",
            Kind::RelatedEntities => "list_related_entities",
        }
    }

    /// Size of the rotating set of queries (GetDocument draws random ids instead).
    fn rotation(self) -> usize {
        match self {
            Kind::GetDocument => 8,
            Kind::ListByEntity => LIST_ENTITIES.len(),
            Kind::SearchWord => WORDS.len(),
            Kind::SearchPhrase => PHRASES.len(),
            Kind::SearchWithEntity => FILTERED.len(),
            Kind::RelatedEntities => RELATED.len(),
        }
    }

    fn queries(self) -> Vec<String> {
        match self {
            Kind::GetDocument => vec!["random ids r{round}-{n}".to_owned()],
            Kind::ListByEntity => LIST_ENTITIES.iter().map(|s| s.to_string()).collect(),
            Kind::SearchWord => WORDS.iter().map(|s| s.to_string()).collect(),
            Kind::SearchPhrase => PHRASES.iter().map(|s| s.to_string()).collect(),
            Kind::SearchWithEntity => FILTERED.iter().map(|(q, e)| format!("{q} + {e}")).collect(),
            Kind::RelatedEntities => RELATED.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// A small deterministic generator (xorshift64*), enough to pick random document ids.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
}

/// What one request returned: items on the page, and the total a search reports.
struct Answer {
    items: usize,
    total_hits: u64,
}

#[derive(Clone)]
struct Clients {
    documents: DocumentServiceClient<Channel>,
    entities: EntityServiceClient<Channel>,
}

impl Clients {
    fn new(channel: Channel) -> Clients {
        let max = 64 * 1024 * 1024;
        Clients {
            documents: DocumentServiceClient::new(channel.clone())
                .max_decoding_message_size(max)
                .max_encoding_message_size(max),
            entities: EntityServiceClient::new(channel)
                .max_decoding_message_size(max)
                .max_encoding_message_size(max),
        }
    }
}

/// Where the stored documents are: ids `r{k / corpus}-{k % corpus}` for `k < stored`.
#[derive(Debug, Clone, Copy)]
pub struct IdSpace {
    pub corpus: u64,
    pub stored: u64,
}

fn filter_entity(entity: &str) -> Option<DocumentFilter> {
    Some(DocumentFilter {
        entity_id: entity.to_owned(),
        ..Default::default()
    })
}

async fn one(
    clients: &mut Clients,
    kind: Kind,
    i: usize,
    rng: &mut Rng,
    ids: IdSpace,
    timeout: Duration,
) -> std::result::Result<Answer, tonic::Status> {
    let slot = i % kind.rotation();
    macro_rules! call {
        ($client:expr, $method:ident, $message:expr) => {{
            let mut request = tonic::Request::new($message);
            request.set_timeout(timeout);
            $client.$method(request).await?.into_inner()
        }};
    }
    Ok(match kind {
        Kind::GetDocument => {
            let k = rng.below(ids.stored);
            let id = crate::ingest::document_id(k / ids.corpus, k % ids.corpus);
            let response = call!(
                clients.documents,
                get_document,
                GetDocumentRequest {
                    document_id: id,
                    ..Default::default()
                }
            );
            Answer {
                items: usize::from(response.document.is_some()),
                total_hits: 0,
            }
        }
        Kind::ListByEntity => {
            let response = call!(
                clients.documents,
                list_documents,
                ListDocumentsRequest {
                    page_size: PAGE_SIZE,
                    filter: filter_entity(LIST_ENTITIES[slot]),
                    ..Default::default()
                }
            );
            Answer {
                items: response.documents.len(),
                total_hits: 0,
            }
        }
        Kind::SearchWord | Kind::SearchPhrase | Kind::SearchWithEntity => {
            let (query, filter) = match kind {
                Kind::SearchWord => (WORDS[slot], None),
                Kind::SearchPhrase => (PHRASES[slot], None),
                _ => (FILTERED[slot].0, filter_entity(FILTERED[slot].1)),
            };
            let response = call!(
                clients.documents,
                search_documents,
                SearchDocumentsRequest {
                    query: query.to_owned(),
                    filter,
                    page_size: PAGE_SIZE,
                    ..Default::default()
                }
            );
            Answer {
                items: response.hits.len(),
                total_hits: response.total_hits,
            }
        }
        Kind::RelatedEntities => {
            let response = call!(
                clients.entities,
                list_related_entities,
                ListRelatedEntitiesRequest {
                    entity_id: RELATED[slot].to_owned(),
                    page_size: PAGE_SIZE,
                    ..Default::default()
                }
            );
            Answer {
                items: response.related.len(),
                total_hits: 0,
            }
        }
    })
}

#[derive(Debug, Clone)]
pub struct QueryConfig {
    pub requests: u64,
    pub max_duration: Duration,
    pub request_timeout: Duration,
    pub seed: u64,
    /// Keys of the kinds to run (all when empty).
    pub kinds: Vec<String>,
}

#[derive(Debug)]
pub struct KindResult {
    pub kind: Kind,
    pub latency: Latency,
    pub elapsed: Duration,
    pub errors: u64,
    pub error_examples: Vec<String>,
    pub empty: u64,
    pub mean_items: f64,
    pub mean_total_hits: f64,
    pub stopped_by_time: bool,
    /// Latency of each query of the rotating set (not for GetDocument's random ids).
    pub by_query: Vec<(String, Latency)>,
    /// Average cores used by the server, the benchmark and other processes during this kind.
    pub cpu: Value,
}

impl KindResult {
    pub fn requests_per_second(&self) -> f64 {
        self.latency.count as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn json(&self) -> Value {
        let mut v = json!({
            "kind": self.kind.key(),
            "name": self.kind.name(),
            "queries": self.kind.queries(),
            "latency": self.latency.json(),
            "seconds": crate::sys::round2(self.elapsed.as_secs_f64()),
            "requests_per_second": crate::sys::round2(self.requests_per_second()),
            "errors": self.errors,
            "error_examples": self.error_examples,
            "empty_responses": self.empty,
            "mean_items_per_response": crate::sys::round2(self.mean_items),
            "stopped_by_time_bound": self.stopped_by_time,
            "cpu": self.cpu,
        });
        if self.kind != Kind::GetDocument {
            v["by_query"] = self
                .by_query
                .iter()
                .map(|(q, l)| json!({"query": q, "latency": l.json()}))
                .collect();
        }
        if matches!(
            self.kind,
            Kind::SearchWord | Kind::SearchPhrase | Kind::SearchWithEntity
        ) {
            v["mean_total_hits"] = json!(self.mean_total_hits.round());
        }
        v
    }
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    /// Latencies by position in the rotating set of queries.
    by_query: Vec<Vec<Duration>>,
    errors: u64,
    error_examples: Vec<String>,
    empty: u64,
    items: u64,
    total_hits: u64,
}

/// Runs every kind of read in turn with one client per channel.
pub async fn run(
    channels: Vec<Channel>,
    ids: IdSpace,
    config: QueryConfig,
    server_pid: u32,
) -> Result<Vec<KindResult>> {
    let ticks = crate::sys::clock_ticks_per_second();
    let server_stat = format!("/proc/{server_pid}/stat");
    let sample = || CpuSample::take(crate::sys::process_cpu_ticks(&server_stat).unwrap_or(0));
    let clients: Vec<Clients> = channels.into_iter().map(Clients::new).collect();
    let mut results = Vec::new();
    let chosen = Kind::ALL
        .into_iter()
        .filter(|k| config.kinds.is_empty() || config.kinds.iter().any(|c| c == k.key()));
    for (round, kind) in chosen.enumerate() {
        // One unmeasured pass over the rotating set first, so the figures are of a warm server.
        let mut warm = clients[0].clone();
        let mut rng = Rng::new(config.seed ^ 0xFFFF);
        for i in 0..kind.rotation() {
            let _ = one(&mut warm, kind, i, &mut rng, ids, config.request_timeout).await;
        }

        let next = Arc::new(AtomicU64::new(0));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let cpu_before = sample();
        let started = Instant::now();
        let deadline = started + config.max_duration;
        let mut tasks = JoinSet::new();
        for (c, client) in clients.iter().enumerate() {
            let mut client = client.clone();
            let next = Arc::clone(&next);
            let tally = Arc::clone(&tally);
            let config = config.clone();
            let mut rng = Rng::new(config.seed + 1000 * round as u64 + c as u64);
            tasks.spawn(async move {
                let mut local = Tally::default();
                let mut stopped_by_time = false;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= config.requests {
                        break;
                    }
                    if Instant::now() >= deadline {
                        stopped_by_time = true;
                        break;
                    }
                    let t0 = Instant::now();
                    let answer = one(
                        &mut client,
                        kind,
                        i as usize,
                        &mut rng,
                        ids,
                        config.request_timeout,
                    )
                    .await;
                    let latency = t0.elapsed();
                    match answer {
                        Ok(answer) => {
                            local.latencies.push(latency);
                            let slot = i as usize % kind.rotation();
                            if local.by_query.len() <= slot {
                                local.by_query.resize(slot + 1, Vec::new());
                            }
                            local.by_query[slot].push(latency);
                            local.items += answer.items as u64;
                            local.total_hits += answer.total_hits;
                            if answer.items == 0 {
                                local.empty += 1;
                            }
                        }
                        Err(status) => {
                            local.errors += 1;
                            if local.error_examples.len() < 3 {
                                local.error_examples.push(format!(
                                    "{:?}: {}",
                                    status.code(),
                                    status.message()
                                ));
                            }
                        }
                    }
                }
                let mut tally = tally.lock().unwrap();
                tally.latencies.append(&mut local.latencies);
                if tally.by_query.len() < local.by_query.len() {
                    tally.by_query.resize(local.by_query.len(), Vec::new());
                }
                for (all, mine) in tally.by_query.iter_mut().zip(&mut local.by_query) {
                    all.append(mine);
                }
                tally.errors += local.errors;
                tally.empty += local.empty;
                tally.items += local.items;
                tally.total_hits += local.total_hits;
                for e in local.error_examples {
                    if tally.error_examples.len() < 5 {
                        tally.error_examples.push(e);
                    }
                }
                stopped_by_time
            });
        }
        let mut stopped_by_time = false;
        while let Some(joined) = tasks.join_next().await {
            stopped_by_time |= joined.context("a query client panicked")?;
        }
        let elapsed = started.elapsed();
        let cpu = sample().since(&cpu_before, ticks, elapsed.as_secs_f64());
        let tally = std::mem::take(&mut *tally.lock().unwrap());
        let ok = tally.latencies.len().max(1) as f64;
        let result = KindResult {
            kind,
            mean_items: tally.items as f64 / ok,
            mean_total_hits: tally.total_hits as f64 / ok,
            latency: Latency::of(tally.latencies),
            elapsed,
            errors: tally.errors,
            error_examples: tally.error_examples,
            empty: tally.empty,
            stopped_by_time,
            by_query: kind
                .queries()
                .into_iter()
                .zip(tally.by_query.into_iter().map(Latency::of))
                .collect(),
            cpu,
        };
        eprintln!(
            "query: {:<34} {:>6} ok {:>4} errors  p50 {:>8.2} ms  p99 {:>8.2} ms  {:>8.1}/s  server {:.2} cores",
            kind.name(),
            result.latency.count,
            result.errors,
            result.latency.p50_ms,
            result.latency.p99_ms,
            result.requests_per_second(),
            result.cpu["server_cores"].as_f64().unwrap_or(0.0),
        );
        results.push(result);
    }
    Ok(results)
}
