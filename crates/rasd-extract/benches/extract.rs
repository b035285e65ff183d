//! Throughput of the full extraction over real Arabic news: the `content` fields of
//! `shared/data/news/saudinewsnet/syria_subset.jsonl`, one `extract` call per article on one
//! thread, as the service runs it (normalization, gazetteer, patterns, values, tagger, linking),
//! and the same with the tagger turned off (`syria_subset_tagger_off`).
//! Throughput is in bytes of original UTF-8 text.
//!
//! Run: `cargo bench -p rasd-extract --bench extract`. Set `RASD_BENCH_CORPUS` to use another
//! JSON-lines file with a `content` field; without a readable corpus the benchmark is skipped.
//! `bench/extract/run.sh` adds all cores and the Python comparison.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rasd_extract::{ExtractOptions, Extractor};

const DEFAULT_CORPUS: &str = "../../../shared/data/news/saudinewsnet/syria_subset.jsonl";

fn corpus() -> Option<Vec<String>> {
    let path = std::env::var_os("RASD_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CORPUS));
    let data = match std::fs::read_to_string(&path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!(
                "skipping the extract benchmark: cannot read {}: {e}",
                path.display()
            );
            return None;
        }
    };
    let docs: Vec<String> = data
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| v.get("content")?.as_str().map(str::to_owned))
        .collect();
    if docs.is_empty() {
        eprintln!(
            "skipping the extract benchmark: no `content` field in {}",
            path.display()
        );
        return None;
    }
    Some(docs)
}

fn bench(c: &mut Criterion) {
    let Some(docs) = corpus() else { return };
    let bytes: usize = docs.iter().map(String::len).sum();
    eprintln!(
        "corpus: {} articles, {:.1} MB of content",
        docs.len(),
        bytes as f64 / 1e6
    );
    let extractor = Extractor::builtin().expect("the built-in knowledge base loads");
    let options = ExtractOptions::default();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("syria_subset", |b| {
        b.iter(|| {
            for doc in &docs {
                black_box(extractor.extract(black_box(doc), &options));
            }
        })
    });
    let without_tagger = ExtractOptions {
        disable_tagger: true,
        ..ExtractOptions::default()
    };
    group.bench_function("syria_subset_tagger_off", |b| {
        b.iter(|| {
            for doc in &docs {
                black_box(extractor.extract(black_box(doc), &without_tagger));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
