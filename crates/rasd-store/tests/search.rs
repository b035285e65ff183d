//! Top-k search that stops checking phrases and time filters early returns the same pages as
//! checking every hit, and phrases match exactly the documents that hold them.

mod common;

use rasd_store::{DocumentFilter, NewDocument, Store, StoreConfig};

fn article(i: usize) -> NewDocument {
    // Documents mention «داعش» 1 to 5 times, and «دير الزور» in every third one, with lengths
    // that vary, so impacts differ.
    let mut text = String::new();
    for _ in 0..(i % 5 + 1) {
        text.push_str("هاجم داعش مواقع ");
    }
    if i.is_multiple_of(3) {
        text.push_str("في دير الزور ");
    }
    for _ in 0..(i % 7) * 10 {
        text.push_str("كلام عام ");
    }
    NewDocument {
        id: format!("doc-{i:04}"),
        text,
        source: if i.is_multiple_of(2) { "even" } else { "odd" }.to_owned(),
        published_us: Some(i as i64 * 1_000_000),
        ..Default::default()
    }
}

fn walk(
    store: &Store,
    query: &str,
    filter: &DocumentFilter,
    limit: u64,
) -> (Vec<(String, u64)>, u64, bool) {
    common::search_pages(store, query, filter, 7, limit)
}

#[tokio::test]
async fn early_stopping_returns_the_exhaustive_ranking() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::new(dir.path())).unwrap();
    // Groups of 150 documents: segments longer than the 64 postings between two skips.
    for chunk in (0..300).collect::<Vec<_>>().chunks(150) {
        for result in store.put(chunk.iter().map(|&i| article(i)).collect()).await {
            result.unwrap();
        }
    }
    let mut stopped_somewhere = false;
    for (query, filter) in [
        ("داعش", DocumentFilter::default()),
        ("داعش الزور", DocumentFilter::default()),
        ("\"دير الزور\" داعش", DocumentFilter::default()),
        (
            "داعش",
            DocumentFilter {
                source: Some("odd".into()),
                ..Default::default()
            },
        ),
        (
            "داعش",
            DocumentFilter {
                published_after_us: Some(100_000_000),
                ..Default::default()
            },
        ),
        (
            "داعش",
            DocumentFilter {
                source: Some("odd".into()),
                published_before_us: Some(250_000_000),
                ..Default::default()
            },
        ),
    ] {
        let (exhaustive, total, exact) = walk(&store, query, &filter, u64::MAX);
        assert!(exact);
        assert_eq!(exhaustive.len() as u64, total, "{query}");
        let (early, estimate, early_exact) = walk(&store, query, &filter, 10);
        assert_eq!(
            early, exhaustive,
            "{query}: pages differ when reading stops early"
        );
        // An estimate stays near the true count; an exact count is the true count.
        if early_exact {
            assert_eq!(estimate, total, "{query}");
        } else {
            stopped_somewhere = true;
            assert!(
                estimate.abs_diff(total) <= total / 2 + 1,
                "{query}: estimate {estimate} for {total}"
            );
        }
        let mut scores: Vec<u64> = exhaustive.iter().map(|(_, s)| *s).collect();
        let sorted = {
            let mut s = scores.clone();
            s.sort_by(|a, b| f64::from_bits(*b).total_cmp(&f64::from_bits(*a)));
            s
        };
        assert_eq!(scores, sorted, "{query}: best first");
        scores.dedup();
        assert!(scores.len() > 1, "{query}: scores differ between documents");
    }
    assert!(stopped_somewhere, "no query stopped reading early");

    // Every third document holds «دير الزور»; none holds it the other way round.
    let everything = DocumentFilter::default();
    let (hits, total, exact) = walk(&store, "\"دير الزور\"", &everything, u64::MAX);
    assert!(exact);
    assert_eq!(total, 100);
    let mut ids: Vec<String> = hits.into_iter().map(|(id, _)| id).collect();
    ids.sort();
    let expected: Vec<String> = (0..300)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("doc-{i:04}"))
        .collect();
    assert_eq!(ids, expected);
    let (hits, total, _) = walk(&store, "\"الزور دير\"", &everything, u64::MAX);
    assert!(hits.is_empty());
    assert_eq!(total, 0);
}
