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

/// A small xorshift generator, so the documents are the same from run to run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// The documents whose search terms hold `phrase`'s terms at consecutive positions, found by
/// reading every text.
fn holding(store: &Store, texts: &[(String, String)], phrase: &str) -> Vec<String> {
    let analyzer = store.analyzer();
    let wanted: Vec<(String, u32)> = analyzer
        .terms(phrase)
        .into_iter()
        .map(|t| (t.key, t.position))
        .collect();
    let mut ids: Vec<String> = texts
        .iter()
        .filter(|(_, text)| {
            let terms = analyzer.terms(text);
            terms.iter().any(|start| {
                wanted.iter().all(|(key, offset)| {
                    terms
                        .iter()
                        .any(|t| &t.key == key && t.position == start.position + offset)
                })
            })
        })
        .map(|(id, _)| id.clone())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn phrases_of_common_words_match_exactly_the_documents_that_hold_them() {
    // Common words (their adjacent pairs are indexed as terms of their own), with proclitics,
    // and rarer words between them.
    const WORDS: &[&str] = &[
        "في",
        "من",
        "على",
        "وعلى",
        "عن",
        "مع",
        "قافلة",
        "زيتون",
        "للقافلة",
        "بزيتون",
    ];
    const GAPS: &[&str] = &[" ", " ", " ", "، ", ". "];
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::new(dir.path())).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut texts = Vec::new();
    for i in 0..240 {
        let mut text = String::new();
        for _ in 0..(3 + rng.below(25)) {
            text.push_str(WORDS[rng.below(WORDS.len())]);
            text.push_str(GAPS[rng.below(GAPS.len())]);
        }
        texts.push((format!("doc-{i:03}"), text));
    }
    for chunk in texts.chunks(60) {
        let docs = chunk
            .iter()
            .map(|(id, text)| NewDocument {
                id: id.clone(),
                text: text.clone(),
                ..Default::default()
            })
            .collect();
        for result in store.put(docs).await {
            result.unwrap();
        }
    }
    let phrases = [
        "في من",
        "على عن",
        "من في",
        "عن مع في",
        "في قافلة",
        "قافلة في من",
        "مع زيتون على",
        "وعلى عن",
        "في من على عن",
    ];
    let everything = DocumentFilter::default();
    let check = |texts: &[(String, String)]| {
        for phrase in phrases {
            let expected = holding(&store, texts, phrase);
            let (hits, total, exact) = walk(&store, &format!("\"{phrase}\""), &everything, 1000);
            let mut ids: Vec<String> = hits.into_iter().map(|(id, _)| id).collect();
            ids.sort();
            assert_eq!(ids, expected, "{phrase}");
            assert!(exact, "{phrase}");
            assert_eq!(total, expected.len() as u64, "{phrase}");
        }
    };
    check(&texts);
    assert!(!holding(&store, &texts, "في من على").is_empty());

    // Deleting documents takes their pairs out of the index too.
    for (id, _) in texts.iter().step_by(3) {
        store.delete(id).await.unwrap();
    }
    let kept: Vec<(String, String)> = texts
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(_, t)| t.clone())
        .collect();
    check(&kept);
}
