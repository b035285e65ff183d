//! Throughput of the full extraction (normalization, gazetteer, patterns, values, linking) over
//! the `content` fields of a JSON-lines corpus, one `extract` call per article as the service
//! runs it: MB/s of UTF-8 input and articles/s, on one thread and on every core.
//!
//! `cargo run --release -p rasd-extract --example extract_throughput [-- CORPUS [ROUNDS]]`
//!
//! The default corpus is `shared/data/news/saudinewsnet/syria_subset.jsonl` beside the
//! repository (or `RASD_BENCH_CORPUS`). Each figure is the best of ROUNDS passes (default 3)
//! after one warm-up pass. All cores: the articles are cut into as many contiguous slices of
//! about equal bytes as `std::thread::available_parallelism` (or `RASD_BENCH_THREADS`) says,
//! one scoped thread per slice, sharing one `Extractor`. The last line is one JSON object with
//! every figure, for scripts.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use rasd_extract::{ExtractOptions, Extractor};

const DEFAULT_CORPUS: &str = "../../../shared/data/news/saudinewsnet/syria_subset.jsonl";

fn load(path: &PathBuf) -> Vec<String> {
    let data = match std::fs::read_to_string(path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.display());
            std::process::exit(2);
        }
    };
    data.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| v.get("content")?.as_str().map(str::to_owned))
        .collect()
}

/// Cuts `docs` into at most `parts` contiguous slices of about equal bytes.
fn split(docs: &[String], parts: usize) -> Vec<&[String]> {
    let total: usize = docs.iter().map(String::len).sum();
    let share = total.div_ceil(parts.max(1));
    let mut slices = Vec::with_capacity(parts);
    let (mut start, mut acc) = (0, 0);
    for (i, doc) in docs.iter().enumerate() {
        acc += doc.len();
        if acc >= share && slices.len() + 1 < parts {
            slices.push(&docs[start..=i]);
            start = i + 1;
            acc = 0;
        }
    }
    if start < docs.len() {
        slices.push(&docs[start..]);
    }
    slices
}

/// Mentions found in one pass over `docs`.
fn pass(extractor: &Extractor, docs: &[String], options: &ExtractOptions) -> usize {
    docs.iter()
        .map(|doc| black_box(extractor.extract(black_box(doc), options)).len())
        .sum()
}

/// Mentions found in one pass over `slices`, one scoped thread per slice.
fn pass_parallel(extractor: &Extractor, slices: &[&[String]], options: &ExtractOptions) -> usize {
    std::thread::scope(|scope| {
        let handles: Vec<_> = slices
            .iter()
            .map(|slice| scope.spawn(move || pass(extractor, slice, options)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

/// Seconds of the best of `rounds` runs of `f`, after one warm-up run, and what `f` returned.
fn best_of(rounds: usize, f: impl Fn() -> usize) -> (f64, usize) {
    let found = f();
    let best = (0..rounds.max(1))
        .map(|_| {
            let t = Instant::now();
            assert_eq!(f(), found, "extraction is deterministic");
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    (best, found)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .or_else(|| std::env::var("RASD_BENCH_CORPUS").ok())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CORPUS));
    let path = path.canonicalize().unwrap_or(path);
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let threads = std::env::var("RASD_BENCH_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));

    let docs = load(&path);
    if docs.is_empty() {
        eprintln!("no `content` field in {}", path.display());
        std::process::exit(2);
    }
    let bytes: usize = docs.iter().map(String::len).sum();

    let t = Instant::now();
    let extractor = Extractor::builtin().expect("the built-in knowledge base loads");
    let build = t.elapsed().as_secs_f64();
    let kb = extractor.knowledge_base();
    let names: usize = kb.entries().iter().map(|e| e.names().count()).sum();

    let options = ExtractOptions::default();
    let (single, mentions) = best_of(rounds, || pass(&extractor, &docs, &options));
    let without_tagger = ExtractOptions {
        disable_tagger: true,
        ..ExtractOptions::default()
    };
    let (single_kb, mentions_kb) = best_of(rounds, || pass(&extractor, &docs, &without_tagger));
    let slices = split(&docs, threads);
    let (parallel, mentions_parallel) =
        best_of(rounds, || pass_parallel(&extractor, &slices, &options));
    assert_eq!(mentions, mentions_parallel);

    let mb = bytes as f64 / 1e6;
    let n = docs.len() as f64;
    println!(
        "corpus: {} articles, {:.2} MB of UTF-8 content ({})",
        docs.len(),
        mb,
        path.display()
    );
    println!(
        "knowledge base: {} entries, {} names and aliases; extractor built in {:.0} ms",
        kb.len(),
        names,
        build * 1e3
    );
    println!("mentions found: {mentions}");
    println!(
        "single thread  {:>7.1} MB/s  {:>8.0} articles/s  ({:.1} ms per pass, best of {rounds})",
        mb / single,
        n / single,
        single * 1e3
    );
    println!(
        "single thread, tagger off {:>7.1} MB/s  {:>8.0} articles/s  ({:.1} ms per pass; {mentions_kb} mentions; the tagger takes {:.0} % of the time)",
        mb / single_kb,
        n / single_kb,
        single_kb * 1e3,
        100.0 * (1.0 - single_kb / single)
    );
    println!(
        "{} threads      {:>7.1} MB/s  {:>8.0} articles/s  ({:.1} ms per pass, best of {rounds}; {:.2}x)",
        slices.len(),
        mb / parallel,
        n / parallel,
        parallel * 1e3,
        single / parallel
    );
    println!(
        "{{\"articles\": {}, \"bytes\": {bytes}, \"kb_entries\": {}, \"kb_names\": {names}, \"mentions\": {mentions}, \"threads\": {}, \"single_mb_per_s\": {:.3}, \"single_articles_per_s\": {:.1}, \"parallel_mb_per_s\": {:.3}, \"parallel_articles_per_s\": {:.1}, \"single_no_tagger_mb_per_s\": {:.3}, \"mentions_no_tagger\": {mentions_kb}}}",
        docs.len(),
        kb.len(),
        slices.len(),
        mb / single,
        n / single,
        mb / parallel,
        n / parallel,
        mb / single_kb
    );
}
