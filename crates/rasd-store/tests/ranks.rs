//! Entities are listed by exact document count, then id, across pages, whatever the rank index
//! groups together.

mod common;

use rasd_extract::EntityType;
use rasd_store::{NewDocument, Store, StoreConfig};

/// (entity, type, documents that mention it): counts on both sides of the ranks that group
/// several counts, and ties.
const ENTITIES: &[(&str, EntityType, usize)] = &[
    ("org/a", EntityType::Org, 70),
    ("gpe/b", EntityType::Gpe, 69),
    ("org/c", EntityType::Org, 69),
    ("gpe/d", EntityType::Gpe, 45),
    ("pers/e", EntityType::Pers, 44),
    ("org/f", EntityType::Org, 33),
    ("gpe/g", EntityType::Gpe, 32),
    ("org/h", EntityType::Org, 31),
    ("pers/i", EntityType::Pers, 5),
];

fn document(i: usize) -> NewDocument {
    let text = "خبر".to_owned();
    let mentions = ENTITIES
        .iter()
        .filter(|(_, _, n)| i < *n)
        .map(|(id, entity_type, _)| common::mention(&text, &text, *entity_type, Some(id)))
        .collect();
    NewDocument {
        id: format!("doc-{i:03}"),
        text,
        mentions,
        ..Default::default()
    }
}

fn all_pages(store: &Store, entity_type: Option<EntityType>) -> Vec<(String, u64)> {
    let (mut all, mut token) = (Vec::new(), String::new());
    loop {
        let page = store.list_entities(entity_type, 2, &token).unwrap();
        all.extend(page.items.into_iter().map(|e| (e.id, e.document_count)));
        match page.next_token {
            Some(next) => token = next,
            None => return all,
        }
    }
}

#[tokio::test]
async fn entities_are_listed_by_exact_count_across_ranks_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::new(dir.path())).unwrap();
    for chunk in (0..70).collect::<Vec<_>>().chunks(7) {
        for result in store
            .put(chunk.iter().map(|&i| document(i)).collect())
            .await
        {
            result.unwrap();
        }
    }
    let expected: Vec<(String, u64)> = ENTITIES
        .iter()
        .map(|(id, _, n)| ((*id).to_owned(), *n as u64))
        .collect();
    assert_eq!(all_pages(&store, None), expected);
    let orgs: Vec<(String, u64)> = expected
        .iter()
        .filter(|(id, _)| id.starts_with("org/"))
        .cloned()
        .collect();
    assert_eq!(all_pages(&store, Some(EntityType::Org)), orgs);

    // Deleting documents moves counts down across ranks; the order follows.
    for i in 40..70 {
        store.delete(&format!("doc-{i:03}")).await.unwrap();
    }
    let mut expected: Vec<(String, u64)> = ENTITIES
        .iter()
        .map(|(id, _, n)| ((*id).to_owned(), (*n).min(40) as u64))
        .collect();
    expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    assert_eq!(all_pages(&store, None), expected);
}
