//! Throughput of the store's write path alone: documents with their mentions already extracted,
//! put by concurrent tasks in batches, as the service's `BatchCreateDocuments` puts them, into a
//! store in a temporary directory. It prints documents/s (durable) and the CPU time per
//! document of the writer thread and of the whole process, so that two builds of the store can
//! be compared in alternating runs without the extraction and the RPC layer in the figures.
//!
//! `cargo run --release -p rasd-store --example writer_throughput [-- CORPUS [DOCUMENTS [TASKS [BATCH]]]]`
//!
//! The default corpus is `shared/data/news/saudinewsnet/syria_subset.jsonl` beside the
//! repository (or `RASD_BENCH_CORPUS`); its articles are extracted once with the built-in
//! knowledge base and tagger, then put again and again under new ids until DOCUMENTS (default
//! 100,000) are stored, by TASKS (default 16) tasks putting BATCH (default 32) documents at a
//! time, on a runtime of two threads, with the server's allocator. The last line is one JSON object with every figure, for
//! scripts.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rasd_extract::{ExtractOptions, Extractor};
use rasd_store::{NewDocument, Store, StoreConfig, StoredMention};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_CORPUS: &str = "../../../shared/data/news/saudinewsnet/syria_subset.jsonl";

/// An article with its mentions, ready to be put under any id.
struct Article {
    text: String,
    title: String,
    source: String,
    mentions: Vec<StoredMention>,
}

fn load(path: &PathBuf, extractor: &Extractor) -> Vec<Article> {
    let data = match std::fs::read_to_string(path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.display());
            std::process::exit(2);
        }
    };
    let options = ExtractOptions::default();
    data.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| {
            let field = |name: &str| v.get(name)?.as_str().map(str::to_owned);
            let text = field("content").filter(|t| !t.is_empty())?;
            let mentions = extractor
                .extract(&text, &options)
                .iter()
                .map(StoredMention::from)
                .collect();
            Some(Article {
                title: field("title").unwrap_or_default(),
                source: field("source").unwrap_or_default(),
                text,
                mentions,
            })
        })
        .collect()
}

/// CPU seconds of this process, and of its threads named `name` (Linux; 0 elsewhere).
fn cpu_seconds(name: &str) -> (f64, f64) {
    // Fields 14 and 15 of `stat` (utime, stime), in clock ticks of 1/100 s on Linux.
    let ticks = |stat: &str| -> f64 {
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        let field = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
        (field(11).unwrap_or(0.0) + field(12).unwrap_or(0.0)) / 100.0
    };
    let read = |path: PathBuf| std::fs::read_to_string(path).unwrap_or_default();
    let process = ticks(&read(PathBuf::from("/proc/self/stat")));
    let mut thread = 0.0;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            if read(task.path().join("comm")).trim_end() == name {
                thread += ticks(&read(task.path().join("stat")));
            }
        }
    }
    (process, thread)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = args
        .first()
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("RASD_BENCH_CORPUS").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CORPUS));
    let number = |i: usize, default: usize| match args.get(i) {
        None => default,
        Some(arg) => arg.parse().unwrap_or_else(|_| {
            eprintln!("argument {} ({arg}) is not a number", i + 1);
            std::process::exit(2);
        }),
    };
    let (documents, tasks, batch) = (number(1, 100_000), number(2, 16), number(3, 32).max(1));
    let extractor = Extractor::builtin().expect("the built-in knowledge base loads");
    let articles = Arc::new(load(&corpus, &extractor));
    if articles.is_empty() {
        eprintln!("no articles in {}", corpus.display());
        std::process::exit(2);
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(
        Store::open(&StoreConfig {
            path: dir.path().to_path_buf(),
            cache_capacity_bytes: 1 << 30,
        })
        .expect("the store opens"),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a runtime");
    let next = Arc::new(AtomicUsize::new(0));
    let (cpu_before, writer_before) = cpu_seconds("rasd-store-writ");
    let started = Instant::now();
    runtime.block_on(async {
        let workers: Vec<_> = (0..tasks)
            .map(|_| {
                let (store, articles, next) = (store.clone(), articles.clone(), next.clone());
                tokio::spawn(async move {
                    loop {
                        let first = next.fetch_add(batch, Ordering::Relaxed);
                        if first >= documents {
                            break;
                        }
                        let docs = (first..(first + batch).min(documents))
                            .map(|i| {
                                let article = &articles[i % articles.len()];
                                NewDocument {
                                    id: format!("r{}-{}", i / articles.len(), i % articles.len()),
                                    text: article.text.clone(),
                                    title: article.title.clone(),
                                    source: article.source.clone(),
                                    url: String::new(),
                                    published_us: Some(1_437_000_000_000_000 + i as i64),
                                    language: "ar".to_owned(),
                                    mentions: article.mentions.clone(),
                                }
                            })
                            .collect();
                        for result in store.put(docs).await {
                            result.expect("a put succeeds");
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.await.expect("a task ends");
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let (cpu_after, writer_after) = cpu_seconds("rasd-store-writ");
    let per_document = |s: f64| s * 1e3 / documents as f64;
    let process_ms = per_document(cpu_after - cpu_before);
    let writer_ms = per_document(writer_after - writer_before);
    let rate = documents as f64 / seconds;
    println!(
        "{documents} documents in {seconds:.1} s: {rate:.0} documents/s; CPU per document: \
         writer {writer_ms:.3} ms, process {process_ms:.3} ms"
    );
    println!(
        "{{\"documents\":{documents},\"seconds\":{seconds:.3},\"documents_per_second\":{rate:.1},\
         \"writer_cpu_ms_per_document\":{writer_ms:.4},\"process_cpu_ms_per_document\":{process_ms:.4}}}"
    );
}
