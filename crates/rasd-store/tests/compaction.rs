//! Merging postings segments changes how many keys a search reads, never what it finds.

mod common;
use rasd_store::{DocumentFilter, EntityType, NewDocument, Store, StoreConfig, StoredMention};

const ENTITIES: &[&str] = &["org/isis", "gpe/syria", "gpe/iraq", "org/sdf"];

/// Places named 8 at a time in every 7th article: each is mentioned with few other entities,
/// so its co-occurrence counts go to a rare bucket when spread, while those of the entities
/// above, mentioned with all 40 of them, get keys of their own.
const PLACES: usize = 40;

fn linked(text: &str, word: &str, entity: &str) -> Option<StoredMention> {
    let entity_type = if entity.starts_with("org") {
        EntityType::Org
    } else {
        EntityType::Gpe
    };
    text.contains(word)
        .then(|| common::mention(text, word, entity_type, Some(entity)))
}

fn article(i: usize) -> NewDocument {
    let words = ["داعش", "سوريا", "العراق", "قسد"];
    let mut text = String::new();
    for (k, word) in words.iter().enumerate() {
        if (i >> k) & 1 == 1 || k == i % 4 {
            text.push_str(&format!("خبر عن {word} اليوم "));
        }
    }
    for _ in 0..(i % 5) {
        text.push_str("هجوم في دير الزور ");
    }
    let places: Vec<usize> = match i % 7 {
        0 => (0..8).map(|k| (i / 7 % 5) * 8 + k).collect(),
        _ => Vec::new(),
    };
    for k in &places {
        text.push_str(&format!("place{k:02} "));
    }
    let mut mentions: Vec<StoredMention> = words
        .iter()
        .zip(ENTITIES)
        .filter_map(|(word, entity)| linked(&text, word, entity))
        .collect();
    for k in places {
        let (word, entity) = (format!("place{k:02}"), format!("gpe/place-{k:02}"));
        mentions.extend(linked(&text, &word, &entity));
    }
    NewDocument {
        id: format!("doc-{i:04}"),
        text,
        source: ["a", "b", "c"][i % 3].to_owned(),
        mentions,
        ..Default::default()
    }
}

/// Every page of a search: ids, scores, and the first page's total.
fn search_all(store: &Store, query: &str, filter: &DocumentFilter) -> (Vec<(String, u64)>, u64) {
    let (all, total, _) = common::search_pages(store, query, filter, 5, u64::MAX);
    (all, total)
}

fn related(store: &Store, entity: &str) -> Vec<(String, u64)> {
    let page = store.related_entities(entity, None, 100, "").unwrap();
    page.items
        .into_iter()
        .map(|h| (h.entity.id, h.shared_documents))
        .collect()
}

/// Everything the queries see, to compare two stores.
fn view(store: &Store) -> Vec<String> {
    let mut seen = Vec::new();
    let entity = DocumentFilter {
        entity_id: Some("org/isis".into()),
        ..Default::default()
    };
    let source = DocumentFilter {
        source: Some("b".into()),
        entity_type: Some(EntityType::Gpe),
        ..Default::default()
    };
    for (query, filter) in [
        ("داعش", &DocumentFilter::default()),
        ("هجوم", &entity),
        ("\"دير الزور\"", &source),
        ("خبر سوريا", &DocumentFilter::default()),
    ] {
        seen.push(format!("{query}: {:?}", search_all(store, query, filter)));
    }
    let places = (0..PLACES).map(|k| format!("gpe/place-{k:02}"));
    for entity in ENTITIES.iter().map(|e| e.to_string()).chain(places) {
        seen.push(format!("{entity}: {:?}", related(store, &entity)));
    }
    seen
}

/// The group index files in a store's folder.
fn index_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("indexes")).unwrap().count()
}

/// Every group index file is named by a pointer, and no pointer names a missing file.
fn assert_files_match_pointers(store: &Store, dir: &std::path::Path) {
    assert_eq!(index_files(dir), store.keyspace_len(b'w').unwrap());
}

async fn store_with(dir: &std::path::Path, groups: &[Vec<usize>]) -> Store {
    let store = Store::open(&StoreConfig::new(dir)).unwrap();
    for group in groups {
        for result in store.put(group.iter().map(|&i| article(i)).collect()).await {
            result.unwrap();
        }
    }
    store
}

#[tokio::test]
async fn merged_segments_answer_like_one_block_and_forget_deleted_documents() {
    // 300 write groups of one document: the first 256 blocks are spread into segments, the
    // next 32 merged into two group indexes, and the last 12 groups are left as they are.
    let groups: Vec<Vec<usize>> = (0..300).map(|g| vec![g]).collect();
    let (dir, one_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = store_with(dir.path(), &groups).await;
    store.merge_segments().unwrap();
    let term = store.analyzer().terms("داعش")[0].key.clone();
    let segments = store.segment_count(&term).unwrap();
    let unmerged = (288..300)
        .filter(|&i| article(i).text.contains("داعش"))
        .count();
    assert_eq!(
        segments,
        1 + 2 + unmerged,
        "segments after merging 300 blocks"
    );

    let all: Vec<usize> = (0..300).collect();
    let one = store_with(one_dir.path(), std::slice::from_ref(&all)).await;
    assert_eq!(one.segment_count(&term).unwrap(), 1);
    assert_eq!(view(&store), view(&one));
    // Of the first 256 blocks' co-occurrences, only the four entities mentioned with all the
    // places have keys of their own; the places' counts are in rare buckets.
    assert_eq!(store.keyspace_len(b'r').unwrap(), ENTITIES.len());
    // The files of the group indexes merged and spread are gone.
    assert_eq!(store.keyspace_len(b'w').unwrap(), 2 + 12);
    assert_files_match_pointers(&store, dir.path());

    // Deletes after merging leave what a store that never had the documents has.
    let gone = [
        0usize, 5, 64, 100, 101, 150, 209, 255, 256, 263, 271, 272, 287, 288, 299,
    ];
    for i in gone {
        store.delete(&format!("doc-{i:04}")).await.unwrap();
    }
    let rest: Vec<usize> = all.iter().copied().filter(|i| !gone.contains(i)).collect();
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = store_with(fresh_dir.path(), &[rest]).await;
    assert_eq!(view(&store), view(&fresh));
    store.flush().await.unwrap();
    assert_files_match_pointers(&store, dir.path());

    // And so does a store reopened and rebuilt.
    store.close();
    drop(store);
    let reopened = Store::open(&StoreConfig::new(dir.path())).unwrap();
    assert_eq!(view(&reopened), view(&fresh));
    reopened.reindex().await.unwrap();
    reopened.merge_segments().unwrap();
    assert_eq!(view(&reopened), view(&fresh));
    assert_files_match_pointers(&reopened, dir.path());
}

#[tokio::test]
async fn files_no_pointer_names_are_deleted_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), &[vec![1, 2], vec![3]]).await;
    let before = view(&store);
    store.close();
    drop(store);
    // What a crash can leave: a file written whose batch was never applied; and a stray file.
    std::fs::write(dir.path().join("indexes/00000000000000ff.gidx"), b"x").unwrap();
    std::fs::write(dir.path().join("indexes/0000000000000100.partial"), b"x").unwrap();
    let reopened = Store::open(&StoreConfig::new(dir.path())).unwrap();
    assert_files_match_pointers(&reopened, dir.path());
    assert_eq!(index_files(dir.path()), 2);
    assert_eq!(view(&reopened), before);
}

#[tokio::test]
async fn a_lost_index_file_is_a_corruption_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), &[vec![1, 2]]).await;
    for entry in std::fs::read_dir(dir.path().join("indexes")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    store.close();
    drop(store);
    // Reopened, the file is not in memory any more: reading it fails, naming the key.
    let reopened = Store::open(&StoreConfig::new(dir.path())).unwrap();
    let error = reopened
        .search("داعش", &DocumentFilter::default(), 10, "")
        .unwrap_err();
    assert!(
        matches!(error, rasd_store::StoreError::Corrupt { .. }),
        "{error:?}"
    );
}
