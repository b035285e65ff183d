//! EntityService: GetEntity, ListEntities, ListEntityMentions, ListRelatedEntities.

use std::collections::BTreeSet;

use rasd_proto::v1::{self, OffsetUnit};
use rasd_tests::{assert_bad_field, example_articles, get_entity, ingest_examples, TestServer};
use tonic::Code;

#[tokio::test]
async fn get_entity_merges_knowledge_base_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut client = server.entities();
    // Known to the knowledge base before any document mentions it.
    let before = get_entity(&server, "org/sdf").await;
    assert!(before.in_knowledge_base);
    assert_eq!(before.document_count, 0);
    assert!(!before.aliases.is_empty());
    assert_eq!(before.r#type, v1::EntityType::Org as i32);

    ingest_examples(&server, |_| String::new()).await;
    let after = get_entity(&server, "org/sdf").await;
    assert!(after.document_count >= 2, "{after:?}");
    assert!(after.mention_count >= after.document_count);

    let place = get_entity(&server, "gpe/deir-ez-zor").await;
    assert!(place.location.is_some(), "places have coordinates");

    let status = client
        .get_entity(v1::GetEntityRequest {
            entity_id: "org/no-such-entity".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let status = client
        .get_entity(v1::GetEntityRequest {
            entity_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "entity_id");
    server.stop().await;
}

#[tokio::test]
async fn list_entities_orders_by_document_count_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    ingest_examples(&server, |_| String::new()).await;
    let mut client = server.entities();
    let mut all = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_entities(v1::ListEntitiesRequest {
                page_size: 3,
                page_token: token.clone(),
                r#type: 0,
            })
            .await
            .unwrap()
            .into_inner();
        all.extend(page.entities);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert!(all.len() >= 5, "{all:?}");
    for pair in all.windows(2) {
        assert!(pair[0].document_count >= pair[1].document_count);
    }
    let unique: BTreeSet<_> = all.iter().map(|e| e.entity_id.clone()).collect();
    assert_eq!(unique.len(), all.len(), "no entity on two pages");

    let orgs = client
        .list_entities(v1::ListEntitiesRequest {
            page_size: 100,
            page_token: String::new(),
            r#type: v1::EntityType::Org as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!orgs.entities.is_empty());
    assert!(orgs
        .entities
        .iter()
        .all(|e| e.r#type == v1::EntityType::Org as i32));

    let status = client
        .list_entities(v1::ListEntitiesRequest {
            page_size: 10,
            page_token: String::new(),
            r#type: 99,
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "type");
    server.stop().await;
}

#[tokio::test]
async fn entity_mentions_and_related_entities() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    ingest_examples(&server, |_| String::new()).await;
    let mut client = server.entities();
    let stats = get_entity(&server, "org/isis").await;

    let mut mentions = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_entity_mentions(v1::ListEntityMentionsRequest {
                entity_id: "org/isis".into(),
                page_size: 1,
                page_token: token.clone(),
                offset_unit: OffsetUnit::Utf8Byte as i32,
            })
            .await
            .unwrap()
            .into_inner();
        mentions.extend(page.mentions);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(mentions.len() as u64, stats.mention_count);
    let texts: Vec<(String, String)> = example_articles();
    for m in &mentions {
        let mention = m.mention.as_ref().unwrap();
        assert_eq!(mention.entity_id, "org/isis");
        let span = mention.span.unwrap();
        let text = &texts
            .iter()
            .find(|(name, _)| *name == m.document_id)
            .unwrap()
            .1;
        assert_eq!(&text[span.start as usize..span.end as usize], mention.text);
        assert!(m.snippet.contains(&mention.text) || !m.snippet.is_empty());
    }

    let related = client
        .list_related_entities(v1::ListRelatedEntitiesRequest {
            entity_id: "org/isis".into(),
            page_size: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!related.related.is_empty());
    for pair in related.related.windows(2) {
        assert!(pair[0].document_count >= pair[1].document_count);
    }
    assert!(related
        .related
        .iter()
        .all(|r| r.entity.as_ref().unwrap().entity_id != "org/isis"));
    assert!(related
        .related
        .iter()
        .all(|r| r.document_count <= stats.document_count));

    let places = client
        .list_related_entities(v1::ListRelatedEntitiesRequest {
            entity_id: "org/isis".into(),
            page_size: 100,
            r#type: v1::EntityType::Gpe as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(places
        .related
        .iter()
        .all(|r| r.entity.as_ref().unwrap().r#type == v1::EntityType::Gpe as i32));

    let status = client
        .list_related_entities(v1::ListRelatedEntitiesRequest {
            entity_id: "org/no-such-entity".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    server.stop().await;
}

async fn linked_ids(server: &TestServer, text: &str) -> Vec<(String, String)> {
    server
        .extraction()
        .extract_entities(v1::ExtractEntitiesRequest {
            text: text.to_owned(),
            options: None,
        })
        .await
        .unwrap()
        .into_inner()
        .mentions
        .into_iter()
        .map(|m| (m.text, m.entity_id))
        .collect()
}

#[tokio::test]
async fn the_knowledge_base_grows_at_run_time_and_keeps_what_it_learned() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let text = "هاجمت كتيبة صقور البادية مواقع للدولة المزعومة قرب تدمر.";
    let before = linked_ids(&server, text).await;
    assert!(!before.iter().any(|(_, id)| id == "org/saqour-al-badia"));

    let mut client = server.entities();
    let created = client
        .create_entity(v1::CreateEntityRequest {
            entity_id: "org/saqour-al-badia".into(),
            r#type: v1::EntityType::Org as i32,
            subtype: "militia".into(),
            name_ar: "صقور البادية".into(),
            name_en: "Saqour al-Badia".into(),
            aliases: vec!["كتيبة صقور البادية".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .entity
        .unwrap();
    assert!(created.in_knowledge_base && created.user_defined);
    client
        .add_entity_aliases(v1::AddEntityAliasesRequest {
            entity_id: "org/isis".into(),
            aliases: vec!["الدولة المزعومة".into()],
        })
        .await
        .unwrap();

    let expected = [
        (
            "كتيبة صقور البادية".to_owned(),
            "org/saqour-al-badia".to_owned(),
        ),
        // One proclitic is stripped: «للدولة» keeps the article's ل, as the contract says.
        ("لدولة المزعومة".to_owned(), "org/isis".to_owned()),
    ];
    let after = linked_ids(&server, text).await;
    for pair in &expected {
        assert!(after.contains(pair), "{pair:?} not in {after:?}");
    }

    // Refused changes name the field and change nothing.
    let status = client
        .create_entity(v1::CreateEntityRequest {
            entity_id: "org/saqour-al-badia".into(),
            r#type: v1::EntityType::Org as i32,
            name_ar: "اسم آخر".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::AlreadyExists, "entity_id");
    for (id, entity_type, field) in [
        ("gpe/saqour", v1::EntityType::Org, "entity_id"),
        ("org/Bad Slug", v1::EntityType::Org, "entity_id"),
        ("norp/x", v1::EntityType::Norp, "type"),
    ] {
        let status = client
            .create_entity(v1::CreateEntityRequest {
                entity_id: id.into(),
                r#type: entity_type as i32,
                name_ar: "اسم".into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_bad_field(&status, Code::InvalidArgument, field);
    }
    let status = client
        .add_entity_aliases(v1::AddEntityAliasesRequest {
            entity_id: "org/no-such-entity".into(),
            aliases: vec!["اسم".into()],
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    server.stop().await;

    // A restart keeps what was learned.
    let server = TestServer::start(dir.path()).await;
    let restarted = linked_ids(&server, text).await;
    for pair in &expected {
        assert!(
            restarted.contains(pair),
            "{pair:?} not in {restarted:?} after a restart"
        );
    }
    let isis = get_entity(&server, "org/isis").await;
    assert!(isis.user_defined && isis.aliases.iter().any(|a| a == "الدولة المزعومة"));
    server.stop().await;
}

#[tokio::test]
async fn bad_entity_requests_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    ingest_examples(&server, |_| String::new()).await;
    let mut client = server.entities();
    let status = client
        .list_entity_mentions(v1::ListEntityMentionsRequest {
            entity_id: "org/isis".into(),
            page_token: "forged".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "page_token");
    let status = client
        .list_entity_mentions(v1::ListEntityMentionsRequest {
            entity_id: "org/no-such-entity".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let status = client
        .list_related_entities(v1::ListRelatedEntitiesRequest {
            entity_id: "org/isis".into(),
            page_size: -3,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "page_size");
    // A token for one entity's mentions is refused for another's.
    let page = client
        .list_entity_mentions(v1::ListEntityMentionsRequest {
            entity_id: "org/isis".into(),
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let status = client
        .list_entity_mentions(v1::ListEntityMentionsRequest {
            entity_id: "org/sdf".into(),
            page_token: page.next_page_token,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "page_token");
    server.stop().await;
}
