//! The cost of each kind of read on a store, on one thread, without gRPC: what a query costs
//! the machine, as opposed to the latency under concurrent load that `rasd-bench` reports.
//!
//! ```text
//! cargo run --release -p rasd-bench --bin query-cost -- DATA_DIR [ROUNDS [KIND]]
//! ```
//!
//! `DATA_DIR` is a store no server has open (for example one kept by `rasd-bench --data-dir`).
//! Every query runs once to warm the cache, then `ROUNDS` times (default 20); the mean time of
//! each query and of each kind is printed, with queries per second on one core. `KIND` keeps
//! the kinds whose name contains it (`phrase`, `Related`, …). The queries are `rasd-bench`'s.
//! Before them it prints the group indexes and unit lists not merged yet and the segments of
//! each word; with `RASD_MERGE_FIRST` set it first merges whatever is due and says how long
//! that took (otherwise the store's background merge runs beside the queries).

use std::time::Instant;

use rasd_store::{DocumentFilter, Store, StoreConfig};

#[path = "../query_sets.rs"]
mod query_sets;

use query_sets::{FILTERED, LIST_ENTITIES, PAGE_SIZE, PHRASES, RELATED, WORDS};

type Query<'a> = Box<dyn Fn(&Store) -> rasd_store::Result<usize> + 'a>;

fn entity_filter(entity: &str) -> DocumentFilter {
    DocumentFilter {
        entity_id: Some(entity.to_owned()),
        ..DocumentFilter::default()
    }
}

fn kinds() -> Vec<(&'static str, Vec<(String, Query<'static>)>)> {
    let search = |query: &'static str, filter: DocumentFilter| -> Query<'static> {
        Box::new(move |store: &Store| {
            Ok(store
                .search(query, &filter, PAGE_SIZE, "")?
                .page
                .items
                .len())
        })
    };
    vec![
        (
            "ListDocuments by entity",
            LIST_ENTITIES
                .iter()
                .map(|&e| {
                    let q: Query = Box::new(move |store: &Store| {
                        Ok(store.list(&entity_filter(e), PAGE_SIZE, "")?.items.len())
                    });
                    (e.to_owned(), q)
                })
                .collect(),
        ),
        (
            "SearchDocuments, one word",
            WORDS
                .iter()
                .map(|&w| (w.to_owned(), search(w, DocumentFilter::default())))
                .collect(),
        ),
        (
            "SearchDocuments, two-word phrase",
            PHRASES
                .iter()
                .map(|&p| (p.to_owned(), search(p, DocumentFilter::default())))
                .collect(),
        ),
        (
            "SearchDocuments + entity filter",
            FILTERED
                .iter()
                .map(|&(w, e)| (format!("{w} + {e}"), search(w, entity_filter(e))))
                .collect(),
        ),
        (
            "ListRelatedEntities",
            RELATED
                .iter()
                .map(|&e| {
                    let q: Query = Box::new(move |store: &Store| {
                        Ok(store.related_entities(e, None, PAGE_SIZE, "")?.items.len())
                    });
                    (e.to_owned(), q)
                })
                .collect(),
        ),
    ]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        return Err("usage: query-cost DATA_DIR [ROUNDS [KIND]]".into());
    };
    let rounds: u32 = args.next().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let only = args.next().unwrap_or_default();
    let store = Store::open(&StoreConfig::new(dir))?;
    if std::env::var_os("RASD_MERGE_FIRST").is_some() {
        let started = Instant::now();
        let merged = store.merge_segments()?;
        println!(
            "merged {merged} units in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    println!(
        "{} documents; mean time of one query on one thread, {rounds} rounds after one to warm up",
        store.document_count()?
    );
    for (tag, what) in [(b'w', "group indexes"), (b'v', "unit lists")] {
        println!("    {what} ({}): {}", tag as char, store.keyspace_len(tag)?);
    }
    for word in WORDS {
        if let Some(term) = store.analyzer().terms(word).first() {
            println!(
                "    segments of {word}: {}",
                store.segment_count(&term.key)?
            );
        }
    }
    for (kind, queries) in kinds() {
        if !kind.contains(only.as_str()) {
            continue;
        }
        let mut total = 0.0;
        let mut lines = Vec::new();
        for (name, query) in &queries {
            query(&store)?;
            let started = Instant::now();
            let mut items = 0;
            for _ in 0..rounds {
                items = query(&store)?;
            }
            let ms = started.elapsed().as_secs_f64() * 1e3 / f64::from(rounds);
            total += ms;
            lines.push(format!("    {name:<32} {ms:>8.2} ms  {items} items"));
        }
        let mean = total / queries.len() as f64;
        println!("{kind:<34} {mean:>8.2} ms  {:>8.0} queries/s", 1e3 / mean);
        for line in lines {
            println!("{line}");
        }
    }
    store.close();
    Ok(())
}
