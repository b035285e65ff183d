//! Many clients at once: writers and readers together, and pages that stay stable while
//! documents are written between them.

use std::collections::BTreeSet;

use rasd_proto::v1;
use rasd_tests::{batch_create, example_articles, get_entity, list_all, TestServer};

fn request(id: String, text: &str) -> v1::CreateDocumentRequest {
    v1::CreateDocumentRequest {
        document_id: id,
        text: text.to_owned(),
        source: "concurrent".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_and_readers_at_once_see_consistent_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let articles = example_articles();
    let mut tasks = Vec::new();
    for writer in 0..6 {
        let mut client = server.documents();
        let articles = articles.clone();
        tasks.push(tokio::spawn(async move {
            for batch in 0..10 {
                let requests = (0..4)
                    .map(|i| {
                        let (_, text) = &articles[(writer + batch + i) % articles.len()];
                        request(format!("c{writer}-{batch}-{i}"), text)
                    })
                    .collect();
                let response = client
                    .batch_create_documents(v1::BatchCreateDocumentsRequest { requests })
                    .await
                    .unwrap()
                    .into_inner();
                assert!(response.results.iter().all(|r| matches!(
                    r.result,
                    Some(v1::batch_create_documents_result::Result::Response(_))
                )));
            }
        }));
    }
    for reader in 0..6 {
        let mut documents = server.documents();
        let mut entities = server.entities();
        tasks.push(tokio::spawn(async move {
            for round in 0..15 {
                if (reader + round) % 2 == 0 {
                    documents
                        .search_documents(v1::SearchDocumentsRequest {
                            query: "داعش".into(),
                            page_size: 5,
                            ..Default::default()
                        })
                        .await
                        .unwrap();
                } else {
                    entities
                        .list_entities(v1::ListEntitiesRequest {
                            page_size: 10,
                            ..Default::default()
                        })
                        .await
                        .unwrap();
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let stored = list_all(&server, v1::DocumentFilter::default(), 100).await;
    assert_eq!(stored.len(), 6 * 10 * 4);
    // Counts agree with the documents after the storm.
    let isis = get_entity(&server, "org/isis").await;
    let with_isis = list_all(
        &server,
        v1::DocumentFilter {
            entity_id: "org/isis".into(),
            ..Default::default()
        },
        100,
    )
    .await;
    assert_eq!(isis.document_count as usize, with_isis.len());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_neither_repeat_nor_skip_while_documents_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (_, text) = &example_articles()[0];
    let before: Vec<String> = (0..30).map(|i| format!("m{i:03}")).collect();
    batch_create(
        &server,
        before.iter().map(|id| request(id.clone(), text)).collect(),
    )
    .await;

    let mut seen = Vec::new();
    let mut token = String::new();
    let mut written = 0;
    loop {
        let page = server
            .documents()
            .list_documents(v1::ListDocumentsRequest {
                page_size: 4,
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        seen.extend(page.documents.into_iter().map(|d| d.document_id));
        // Between pages, documents arrive before, among and after the ones already listed.
        let ids = [
            format!("a{written:03}"),
            format!("m{written:03}x"),
            format!("z{written:03}"),
        ];
        batch_create(
            &server,
            ids.iter().map(|id| request(id.clone(), text)).collect(),
        )
        .await;
        written += 1;
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a document was listed twice");
    for id in &before {
        assert!(
            unique.contains(id),
            "{id} existed before the first page and was skipped"
        );
    }
    server.stop().await;
}
