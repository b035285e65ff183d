//! Derives the store's list of common search terms (`data/search/common-terms.txt`) from the
//! SaudiNewsNet articles: the terms of the search analyzer that the most articles contain.
//!
//! ```text
//! cargo run --release -p rasd-bench --bin common-terms -- ../shared/data/news/saudinewsnet N > data/search/common-terms.txt
//! ```
//!
//! The store indexes each pair of adjacent common terms as a term of its own, so a phrase of
//! two common words reads one posting list instead of two long ones. On standard error the
//! tool prints, for several sizes of the list, what the pairs would add to the index: distinct
//! pair terms per article against distinct word terms.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use rasd_store::Analyzer;

#[allow(dead_code)]
#[path = "../corpus.rs"]
mod corpus;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(size)) = (args.next(), args.next()) else {
        bail!("usage: common-terms SAUDINEWSNET_DIR LIST_SIZE");
    };
    let size: usize = size.parse().context("LIST_SIZE is a number")?;
    let corpus = corpus::load(&PathBuf::from(dir))?;
    let analyzer = Analyzer::default();
    let docs: Vec<Vec<(String, u32)>> = corpus
        .articles
        .iter()
        .map(|a| {
            analyzer
                .terms(&a.content)
                .into_iter()
                .map(|t| (t.key, t.position))
                .collect()
        })
        .collect();
    let mut df: HashMap<&str, u64> = HashMap::new();
    for doc in &docs {
        let distinct: HashSet<&str> = doc.iter().map(|(k, _)| k.as_str()).collect();
        for term in distinct {
            *df.entry(term).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&str, u64)> = df.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));

    let n = docs.len() as f64;
    let words: f64 = docs
        .iter()
        .map(|d| d.iter().map(|(k, _)| k).collect::<HashSet<_>>().len() as f64)
        .sum::<f64>()
        / n;
    eprintln!(
        "{} articles, {words:.1} distinct word terms an article",
        docs.len()
    );
    for probe in [100, 200, 300, 500, 1000, 2000, size] {
        let common: HashSet<&str> = ranked.iter().take(probe).map(|(t, _)| *t).collect();
        let mut pairs_total = 0usize;
        for doc in &docs {
            let pairs: HashSet<(&str, &str)> = doc
                .windows(2)
                .filter(|w| w[1].1 == w[0].1 + 1)
                .filter(|w| common.contains(w[0].0.as_str()) && common.contains(w[1].0.as_str()))
                .map(|w| (w[0].0.as_str(), w[1].0.as_str()))
                .collect();
            pairs_total += pairs.len();
        }
        let least = ranked.get(probe.min(ranked.len()) - 1).map_or(0, |r| r.1);
        eprintln!(
            "{probe:>5} common terms (the last in {:.1}% of articles): {:.1} distinct pair terms an article",
            100.0 * least as f64 / n,
            pairs_total as f64 / n
        );
    }
    println!(
        "# The {size} search terms (after the search analyzer) that the most SaudiNewsNet articles contain,"
    );
    println!(
        "# most frequent first. Derived by `crates/rasd-bench/src/bin/common_terms.rs`; source and"
    );
    println!(
        "# license in data/search/SOURCES.md. Changing this list changes the index: raise the"
    );
    println!("# store's schema version with it.");
    for (term, _) in ranked.iter().take(size) {
        println!("{term}");
    }
    Ok(())
}
