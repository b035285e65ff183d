//! Rebuilding the indexes from the documents gives exactly the indexes that incremental writes
//! and deletes made.

mod common;

use common::mention;
use rasd_extract::EntityType;
use rasd_store::{DocumentFilter, NewDocument, Store, StoreConfig};

fn doc(id: &str, text: &str, source: &str) -> NewDocument {
    let mut mentions = vec![mention(text, "داعش", EntityType::Org, Some("org/isis"))];
    if text.contains("دير الزور") {
        mentions.push(mention(
            text,
            "دير الزور",
            EntityType::Gpe,
            Some("gpe/deir-ez-zor"),
        ));
    }
    mentions.sort_by_key(|m| m.start);
    NewDocument {
        id: id.to_owned(),
        text: text.to_owned(),
        source: source.to_owned(),
        published_us: Some(1_700_000_000_000_000),
        language: "ar".to_owned(),
        mentions,
        ..Default::default()
    }
}

/// Everything the indexes answer, in one comparable value.
fn snapshot(store: &Store) -> String {
    let mut out = String::new();
    for filter in [
        DocumentFilter::default(),
        DocumentFilter {
            entity_id: Some("org/isis".into()),
            ..Default::default()
        },
        DocumentFilter {
            entity_type: Some(EntityType::Gpe),
            ..Default::default()
        },
        DocumentFilter {
            source: Some("b".into()),
            ..Default::default()
        },
    ] {
        let page = store.list(&filter, 100, "").unwrap();
        out += &format!(
            "{:?}\n",
            page.items.iter().map(|s| &s.id).collect::<Vec<_>>()
        );
    }
    for id in ["org/isis", "gpe/deir-ez-zor"] {
        out += &format!("{:?}\n", store.entity(id).unwrap());
        out += &format!(
            "{:?}\n",
            store.related_entities(id, None, 100, "").unwrap().items
        );
    }
    out += &format!("{:?}\n", store.list_entities(None, 100, "").unwrap().items);
    let hits = store
        .search("داعش", &DocumentFilter::default(), 100, "")
        .unwrap();
    out += &format!(
        "{} {:?}\n",
        hits.total_hits,
        hits.page
            .items
            .iter()
            .map(|h| (&h.summary.id, h.score))
            .collect::<Vec<_>>()
    );
    out
}

#[tokio::test]
async fn reindex_rebuilds_the_same_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::new(dir.path())).unwrap();
    let docs = vec![
        doc("d1", "هاجم داعش مواقع في دير الزور", "a"),
        doc("d2", "داعش يتبنى الهجوم", "b"),
        doc("d3", "انسحب داعش من ريف دير الزور الشرقي بعد معارك", "b"),
    ];
    for result in store.put(docs).await {
        result.unwrap();
    }
    store.delete("d2").await.unwrap();
    let incremental = snapshot(&store);
    assert!(incremental.contains("d3"));

    let report = store.reindex().await.unwrap();
    assert_eq!(report.documents, 2);
    assert!(report.keys_deleted > 0 && report.keys_written > 0);
    assert_eq!(snapshot(&store), incremental);
    // Writes after a rebuild go on as before.
    store
        .put(vec![doc("d4", "داعش في دير الزور", "b")])
        .await
        .pop()
        .unwrap()
        .unwrap();
    assert_eq!(store.entity("org/isis").unwrap().unwrap().document_count, 3);
}

/// A store in `dir` of two documents about the same places.
async fn store_of_two(dir: &std::path::Path) -> Store {
    let store = Store::open(&StoreConfig::new(dir)).unwrap();
    let docs = vec![
        doc("d1", "هاجم داعش مواقع في دير الزور", "a"),
        doc("d3", "انسحب داعش من ريف دير الزور الشرقي بعد معارك", "b"),
    ];
    for result in store.put(docs).await {
        result.unwrap();
    }
    store
}

#[tokio::test]
async fn a_store_of_an_older_schema_is_rebuilt_at_open() {
    let (fresh_dir, old_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let fresh = store_of_two(fresh_dir.path()).await;
    // A schema 3 store of the same documents: its version, the documents, postings keys of the
    // old layout (whole ids in postcard, which this build cannot read) and retired keyspaces.
    {
        let db = sled::open(old_dir.path()).unwrap();
        let tree = db.open_tree("rasd").unwrap();
        tree.insert(b"gschema", postcard::to_stdvec(&3u32).unwrap())
            .unwrap();
        for id in ["d1", "d3"] {
            let stored = fresh.get(id).unwrap().unwrap();
            let key = [b"d".as_slice(), id.as_bytes()].concat();
            tree.insert(key, postcard::to_stdvec(&stored).unwrap())
                .unwrap();
        }
        let mut old_block = b"b\xd8\xaf\xd8\xa7\xd8\xb9\xd8\xb4\0".to_vec();
        old_block.extend_from_slice(&0u64.to_be_bytes());
        tree.insert(old_block, &b"\x02\x02d1\xff\xff"[..]).unwrap();
        tree.insert(&b"tstale\0d1"[..], &b""[..]).unwrap();
        tree.insert(&b"morg/isis\0d1"[..], &b"\x01\x00"[..])
            .unwrap();
        db.flush().unwrap();
    }
    let migrated = Store::open(&StoreConfig::new(old_dir.path())).unwrap();
    assert_eq!(snapshot(&migrated), snapshot(&fresh));
    assert_eq!(
        migrated.schema_version().unwrap(),
        rasd_store::SCHEMA_VERSION
    );
    assert_eq!(
        migrated.keyspace_len(b't').unwrap(),
        0,
        "retired keys are deleted"
    );
    assert_eq!(
        migrated.keyspace_len(b'm').unwrap(),
        0,
        "retired keys are deleted"
    );
}

#[tokio::test]
async fn a_store_of_a_schema_read_as_it_is_is_only_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let store = store_of_two(dir.path()).await;
        store.close();
        snapshot(&store)
    };
    {
        let db = sled::open(dir.path()).unwrap();
        let tree = db.open_tree("rasd").unwrap();
        tree.insert(b"gschema", postcard::to_stdvec(&10u32).unwrap())
            .unwrap();
        db.flush().unwrap();
    }
    let upgraded = Store::open(&StoreConfig::new(dir.path())).unwrap();
    assert_eq!(
        upgraded.schema_version().unwrap(),
        rasd_store::SCHEMA_VERSION
    );
    assert_eq!(snapshot(&upgraded), before);
}
