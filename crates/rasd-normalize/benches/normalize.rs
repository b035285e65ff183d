//! Throughput of normalization over real Arabic news: the `content` fields of
//! `shared/data/news/saudinewsnet/syria_subset.jsonl`, one call per article, as the service
//! runs it. One group per profile; `normalize` records the alignment, `normalize_text` is the
//! fast path without it. Throughput is in bytes of original text.
//!
//! Run: `cargo bench -p rasd-normalize --bench normalize`. Set `RASD_BENCH_CORPUS` to use
//! another JSON-lines file with a `content` field.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rasd_normalize::{Normalizer, Profile};

const DEFAULT_CORPUS: &str = "../../../shared/data/news/saudinewsnet/syria_subset.jsonl";

fn corpus() -> Option<Vec<String>> {
    let path = std::env::var_os("RASD_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CORPUS));
    let data = match std::fs::read_to_string(&path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!(
                "skipping the normalize benchmark: cannot read {}: {e}",
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
    for profile in Profile::ALL {
        let n = Normalizer::for_profile(*profile);
        let mut group = c.benchmark_group(profile.name());
        group.throughput(Throughput::Bytes(bytes as u64));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(8));
        group.bench_function("normalize", |b| {
            b.iter(|| {
                for doc in &docs {
                    black_box(n.normalize(black_box(doc)));
                }
            })
        });
        group.bench_function("normalize_text", |b| {
            b.iter(|| {
                for doc in &docs {
                    black_box(n.normalize_text(black_box(doc)));
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
