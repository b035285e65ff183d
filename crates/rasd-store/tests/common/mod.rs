//! Helpers shared by the store's test files.

#![allow(dead_code)]

use rasd_extract::{Component, EntityType};
use rasd_store::{DocumentFilter, Store, StoredMention};

/// A knowledge-base mention of `entity` over the first occurrence of `word` in `text`.
pub fn mention(
    text: &str,
    word: &str,
    entity_type: EntityType,
    entity: Option<&str>,
) -> StoredMention {
    let start = text
        .find(word)
        .unwrap_or_else(|| panic!("{word} is not in {text}"));
    StoredMention {
        start: start as u32,
        end: (start + word.len()) as u32,
        entity_type,
        entity_id: entity.map(str::to_owned),
        name_ar: word.to_owned(),
        name_en: String::new(),
        subtype: String::new(),
        location: None,
        value: None,
        confidence: 0.9,
        component: Component::Gazetteer,
    }
}

/// Every page of a search (ids and score bits), with the first page's total and exactness.
pub fn search_pages(
    store: &Store,
    query: &str,
    filter: &DocumentFilter,
    page_size: usize,
    exact_limit: u64,
) -> (Vec<(String, u64)>, u64, bool) {
    let (mut all, mut token, mut first) = (Vec::new(), String::new(), None);
    loop {
        let results = store
            .search_with_limit(query, filter, page_size, &token, exact_limit)
            .unwrap();
        first.get_or_insert((results.total_hits, results.total_hits_exact));
        all.extend(
            results
                .page
                .items
                .iter()
                .map(|h| (h.summary.id.clone(), h.score.to_bits())),
        );
        match results.page.next_token {
            Some(next) => token = next,
            None => break,
        }
    }
    let (total, exact) = first.unwrap_or_default();
    (all, total, exact)
}
