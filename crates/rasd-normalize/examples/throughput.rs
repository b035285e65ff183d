//! Quick throughput and alignment-size figures over a JSON-lines corpus (`content` fields),
//! best of several rounds; a faster companion of the criterion benchmark.
//!
//! `cargo run --release -p rasd-normalize --example throughput [-- CORPUS [ROUNDS]]`

use std::hint::black_box;
use std::time::Instant;

use rasd_normalize::{Normalizer, Profile};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/news/saudinewsnet/syria_subset.jsonl"
        )
        .to_owned()
    });
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(10);
    let data = match std::fs::read_to_string(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let docs: Vec<String> = data
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("content")?.as_str().map(str::to_owned))
        .collect();
    let bytes: usize = docs.iter().map(String::len).sum();
    println!("{} articles, {:.1} MB", docs.len(), bytes as f64 / 1e6);
    let only = std::env::var("ONLY").ok();
    for profile in Profile::ALL
        .iter()
        .filter(|p| only.as_deref().is_none_or(|o| o == p.name()))
    {
        let mut n = Normalizer::for_profile(*profile);
        if std::env::var_os("NO_OBF").is_some() {
            n = Normalizer::new(n.rules().without(rasd_normalize::Rule::Obfuscation));
        }
        let best = |f: &dyn Fn()| {
            (0..rounds)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64()
                })
                .fold(f64::INFINITY, f64::min)
        };
        let aligned = best(&|| {
            for d in &docs {
                black_box(n.normalize(d));
            }
        });
        let plain = best(&|| {
            for d in &docs {
                black_box(n.normalize_text(d));
            }
        });
        let segments: usize = docs
            .iter()
            .map(|d| n.normalize(d).alignment.segment_count())
            .sum();
        let heap: usize = docs
            .iter()
            .map(|d| n.normalize(d).alignment.heap_size())
            .sum();
        println!(
            "{:<11} normalize {:>6.1} MB/s   normalize_text {:>6.1} MB/s   alignment {:.1} segments/KB, {:.3} bytes per input byte",
            profile.name(),
            bytes as f64 / aligned / 1e6,
            bytes as f64 / plain / 1e6,
            segments as f64 * 1000.0 / bytes as f64,
            heap as f64 / bytes as f64,
        );
    }
}
