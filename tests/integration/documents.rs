//! DocumentService: create (idempotent), batch, get, list with filters and pages, delete, search.

use std::collections::BTreeSet;

use rasd_proto::v1::{self, OffsetUnit};
use rasd_server::Limits;
use rasd_tests::{
    assert_bad_field, batch_create, example_articles, get_document, get_entity, list_all,
    TestServer,
};
use tonic::Code;

fn create(
    id: &str,
    text: &str,
    source: &str,
    published_seconds: Option<i64>,
) -> v1::CreateDocumentRequest {
    v1::CreateDocumentRequest {
        document_id: id.to_owned(),
        text: text.to_owned(),
        title: format!("title of {id}"),
        source: source.to_owned(),
        url: format!("https://example.org/{id}"),
        published_time: published_seconds
            .map(|seconds| prost_types::Timestamp { seconds, nanos: 0 }),
        language: String::new(),
        offset_unit: OffsetUnit::CodePoint as i32,
        view: v1::DocumentView::Unspecified as i32,
    }
}

/// Stores the example articles as `a0`…; returns their ids.
async fn store_examples(server: &TestServer) -> Vec<String> {
    let requests: Vec<_> = example_articles()
        .iter()
        .enumerate()
        .map(|(i, (_, text))| {
            create(
                &format!("a{i}"),
                text,
                if i % 2 == 0 { "even" } else { "odd" },
                Some(1_700_000_000 + i as i64 * 86_400),
            )
        })
        .collect();
    batch_create(server, requests).await
}

#[tokio::test]
async fn create_is_idempotent_and_conflicts_are_already_exists() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (_, text) = &example_articles()[0];
    let mut client = server.documents();
    let first = client
        .create_document(create("doc-1", text, "s", None))
        .await
        .unwrap()
        .into_inner();
    assert!(first.created);
    let doc = first.document.unwrap();
    assert_eq!(doc.document_id, "doc-1");
    assert_eq!(doc.language, "ar");
    assert!(!doc.mentions.is_empty());
    assert_eq!(doc.mention_count as usize, doc.mentions.len());
    assert_eq!(doc.text_length as usize, text.chars().count());

    let retry = client
        .create_document(create("doc-1", text, "s", None))
        .await
        .unwrap()
        .into_inner();
    assert!(!retry.created);
    assert_eq!(retry.document.unwrap().mentions, doc.mentions);

    let status = client
        .create_document(create("doc-1", "نص آخر مختلف", "s", None))
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::AlreadyExists, "document_id");
    // The conflict changed nothing.
    let stored = get_document(&server, "doc-1").await;
    assert_eq!(stored.text, *text);

    // Without an id the server makes one.
    let generated = client
        .create_document(create("", text, "s", None))
        .await
        .unwrap()
        .into_inner();
    assert!(!generated.document.unwrap().document_id.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn creates_answer_in_the_requested_view() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (_, text) = &example_articles()[0];
    let mut client = server.documents();
    let basic = |id: &str| v1::CreateDocumentRequest {
        view: v1::DocumentView::Basic as i32,
        ..create(id, text, "s", None)
    };
    use v1::batch_create_documents_result::Result as R;
    let response = client
        .batch_create_documents(v1::BatchCreateDocumentsRequest {
            requests: vec![
                basic("b1"),
                v1::CreateDocumentRequest {
                    view: 7,
                    ..create("b2", text, "s", None)
                },
                create("b3", text, "s", None),
            ],
        })
        .await
        .unwrap()
        .into_inner();
    let Some(R::Response(first)) = &response.results[0].result else {
        panic!("{:?}", response.results[0]);
    };
    let doc = first.document.as_ref().unwrap();
    assert!(first.created);
    assert!(doc.text.is_empty() && doc.mentions.is_empty());
    assert_eq!(doc.document_id, "b1");
    assert_eq!(doc.text_length as usize, text.chars().count());
    match &response.results[1].result {
        Some(R::Error(e)) => {
            assert_eq!(e.code, Code::InvalidArgument as i32);
            assert!(e.message.contains("requests[1].view"), "{}", e.message);
        }
        other => panic!("expected an error, got {other:?}"),
    }
    let Some(R::Response(third)) = &response.results[2].result else {
        panic!("{:?}", response.results[2]);
    };
    let full = third.document.as_ref().unwrap();
    assert_eq!(full.text, *text);
    assert!(!full.mentions.is_empty());
    // The BASIC answer counts the mentions it leaves out, and they were all stored.
    assert_eq!(doc.mention_count as usize, full.mentions.len());
    let stored = get_document(&server, "b1").await;
    assert_eq!(stored.mentions, full.mentions);

    // A retry in the BASIC view is answered in it too; a bad view of one request is named.
    let retry = client
        .create_document(basic("b1"))
        .await
        .unwrap()
        .into_inner();
    assert!(!retry.created && retry.document.unwrap().mentions.is_empty());
    let status = client
        .create_document(v1::CreateDocumentRequest {
            view: -1,
            ..create("b4", text, "s", None)
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "view");
    server.stop().await;
}

#[tokio::test]
async fn get_returns_mentions_in_the_chosen_unit_and_views() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    store_examples(&server).await;
    let mut client = server.documents();
    let full = client
        .get_document(v1::GetDocumentRequest {
            document_id: "a0".into(),
            view: v1::DocumentView::Unspecified as i32,
            offset_unit: OffsetUnit::Utf16CodeUnit as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .document
        .unwrap();
    let units: Vec<u16> = full.text.encode_utf16().collect();
    for m in &full.mentions {
        let span = m.span.unwrap();
        assert_eq!(span.unit, OffsetUnit::Utf16CodeUnit as i32);
        assert_eq!(
            String::from_utf16(&units[span.start as usize..span.end as usize]).unwrap(),
            m.text
        );
    }
    assert!(full.published_time.is_some() && full.create_time.is_some());
    let basic = client
        .get_document(v1::GetDocumentRequest {
            document_id: "a0".into(),
            view: v1::DocumentView::Basic as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .document
        .unwrap();
    assert!(basic.text.is_empty() && basic.mentions.is_empty());
    assert_eq!(basic.mention_count, full.mention_count);

    let status = client
        .get_document(v1::GetDocumentRequest {
            document_id: "missing".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    server.stop().await;
}

#[tokio::test]
async fn list_pages_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let ids = store_examples(&server).await;
    let mut sorted = ids.clone();
    sorted.sort();

    // Every page size walks all documents once, in id order.
    for page_size in [1, 2, 3, 50] {
        assert_eq!(
            list_all(&server, v1::DocumentFilter::default(), page_size).await,
            sorted
        );
    }
    // By source.
    let even = list_all(
        &server,
        v1::DocumentFilter {
            source: "even".into(),
            ..Default::default()
        },
        1,
    )
    .await;
    assert_eq!(even, vec!["a0".to_owned(), "a2".to_owned()]);
    // By entity.
    let isis = list_all(
        &server,
        v1::DocumentFilter {
            entity_id: "org/isis".into(),
            ..Default::default()
        },
        1,
    )
    .await;
    assert!(!isis.is_empty() && isis.len() < ids.len(), "{isis:?}");
    // By type.
    let gpe = list_all(
        &server,
        v1::DocumentFilter {
            entity_type: v1::EntityType::Gpe as i32,
            ..Default::default()
        },
        2,
    )
    .await;
    assert_eq!(gpe, sorted, "every example names a place");
    // By time: [day 1, day 3).
    let window = list_all(
        &server,
        v1::DocumentFilter {
            published_after: Some(prost_types::Timestamp {
                seconds: 1_700_000_000 + 86_400,
                nanos: 0,
            }),
            published_before: Some(prost_types::Timestamp {
                seconds: 1_700_000_000 + 3 * 86_400,
                nanos: 0,
            }),
            ..Default::default()
        },
        1,
    )
    .await;
    assert_eq!(window, vec!["a1".to_owned(), "a2".to_owned()]);
    // Combined.
    let combined = list_all(
        &server,
        v1::DocumentFilter {
            source: "even".into(),
            entity_id: "org/isis".into(),
            ..Default::default()
        },
        1,
    )
    .await;
    assert!(combined
        .iter()
        .all(|id| even.contains(id) && isis.contains(id)));
    server.stop().await;
}

#[tokio::test]
async fn bad_list_requests_are_rejected_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_page_size: 10,
        default_page_size: 5,
        max_batch_items: 2,
        ..Limits::default()
    };
    let server = TestServer::start_with(dir.path(), limits).await;
    store_examples_two(&server).await;
    let mut client = server.documents();

    let status = client
        .list_documents(v1::ListDocumentsRequest {
            page_size: 11,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "page_size");

    let status = client
        .list_documents(v1::ListDocumentsRequest {
            page_token: "garbage!".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "page_token");

    // A token from one filter is refused for another.
    let page = client
        .list_documents(v1::ListDocumentsRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!page.next_page_token.is_empty());
    let status = client
        .list_documents(v1::ListDocumentsRequest {
            page_size: 1,
            page_token: page.next_page_token,
            filter: Some(v1::DocumentFilter {
                source: "even".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "page_token");

    let status = client
        .list_documents(v1::ListDocumentsRequest {
            filter: Some(v1::DocumentFilter {
                entity_type: 555,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "filter.entity_type");

    let status = client
        .create_document(create("bad id with spaces", "نص", "s", None))
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "document_id");

    let status = client
        .batch_create_documents(v1::BatchCreateDocumentsRequest {
            requests: vec![
                create("x1", "نص", "s", None),
                create("x2", "نص", "s", None),
                create("x3", "نص", "s", None),
            ],
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::ResourceExhausted, "requests");

    // One bad item fails alone.
    let response = client
        .batch_create_documents(v1::BatchCreateDocumentsRequest {
            requests: vec![
                create("y1", "نص عن داعش", "s", None),
                create("y2", "", "s", None),
            ],
        })
        .await
        .unwrap()
        .into_inner();
    use v1::batch_create_documents_result::Result as R;
    assert!(matches!(response.results[0].result, Some(R::Response(_))));
    match &response.results[1].result {
        Some(R::Error(e)) => {
            assert_eq!(e.code, Code::InvalidArgument as i32);
            assert!(e.message.contains("requests[1].text"), "{}", e.message);
        }
        other => panic!("expected an error, got {other:?}"),
    }

    let status = client
        .delete_document(v1::DeleteDocumentRequest {
            document_id: "missing".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);

    // Nothing but y1 was added.
    let all = list_all(&server, v1::DocumentFilter::default(), 10).await;
    assert_eq!(all, vec!["a0".to_owned(), "a1".to_owned(), "y1".to_owned()]);
    server.stop().await;
}

async fn store_examples_two(server: &TestServer) {
    let articles = example_articles();
    let requests = articles
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, (_, text))| create(&format!("a{i}"), text, "s", None))
        .collect();
    server
        .documents()
        .batch_create_documents(v1::BatchCreateDocumentsRequest { requests })
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_removes_the_document_from_every_index() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    store_examples(&server).await;
    let mut documents = server.documents();
    let before = get_entity(&server, "org/isis").await;
    let with_isis = list_all(
        &server,
        v1::DocumentFilter {
            entity_id: "org/isis".into(),
            ..Default::default()
        },
        10,
    )
    .await;
    let victim = with_isis[0].clone();
    documents
        .delete_document(v1::DeleteDocumentRequest {
            document_id: victim.clone(),
        })
        .await
        .unwrap();
    let status = documents
        .get_document(v1::GetDocumentRequest {
            document_id: victim.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    for filter in [
        v1::DocumentFilter::default(),
        v1::DocumentFilter {
            entity_id: "org/isis".into(),
            ..Default::default()
        },
        v1::DocumentFilter {
            entity_type: v1::EntityType::Org as i32,
            ..Default::default()
        },
        v1::DocumentFilter {
            source: "even".into(),
            ..Default::default()
        },
    ] {
        assert!(!list_all(&server, filter, 10).await.contains(&victim));
    }
    let hits = documents
        .search_documents(v1::SearchDocumentsRequest {
            query: "داعش".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(hits
        .hits
        .iter()
        .all(|h| h.document.as_ref().unwrap().document_id != victim));
    let after = get_entity(&server, "org/isis").await;
    assert_eq!(after.document_count, before.document_count - 1);
    assert!(after.mention_count < before.mention_count);
    server.stop().await;
}

#[tokio::test]
async fn search_ranks_filters_pages_and_highlights() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let ids = store_examples(&server).await;
    let mut client = server.documents();

    // Clitics are folded: «لداعش» in a query finds «داعش» in the text.
    let response = client
        .search_documents(v1::SearchDocumentsRequest {
            query: "لداعش".into(),
            offset_unit: OffsetUnit::CodePoint as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(response.total_hits >= 2, "{response:?}");
    let mut last_score = f64::INFINITY;
    for hit in &response.hits {
        assert!(hit.score <= last_score);
        last_score = hit.score;
        assert!(!hit.highlights.is_empty());
        assert!(!hit.snippet.is_empty());
        let doc = get_document(&server, &hit.document.as_ref().unwrap().document_id).await;
        for h in &hit.highlights {
            let covered: String = doc
                .text
                .chars()
                .skip(h.start as usize)
                .take((h.end - h.start) as usize)
                .collect();
            // Decorations («دا.عــش») are inside the highlight; the letters are the query's.
            let letters: String = covered
                .chars()
                .filter(|c| c.is_alphabetic() && *c != 'ـ')
                .collect();
            assert!(letters.ends_with("داعش"), "highlight {covered:?}");
        }
    }

    // Pages of one hit each walk all hits once.
    let mut seen = BTreeSet::new();
    let mut token = String::new();
    loop {
        let page = client
            .search_documents(v1::SearchDocumentsRequest {
                query: "داعش".into(),
                page_size: 1,
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        for hit in page.hits {
            assert!(seen.insert(hit.document.unwrap().document_id));
        }
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen.len() as u64, response.total_hits);

    // A phrase must occur as written; a filter narrows.
    let phrase = client
        .search_documents(v1::SearchDocumentsRequest {
            query: "\"قوات سوريا الديمقراطية\"".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(phrase.total_hits >= 1);
    let reversed = client
        .search_documents(v1::SearchDocumentsRequest {
            query: "\"الديمقراطية سوريا قوات\"".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reversed.total_hits, 0);
    let filtered = client
        .search_documents(v1::SearchDocumentsRequest {
            query: "داعش".into(),
            filter: Some(v1::DocumentFilter {
                source: "odd".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(filtered
        .hits
        .iter()
        .all(|h| h.document.as_ref().unwrap().source == "odd"));
    assert!(filtered.total_hits < response.total_hits || ids.len() < 2);

    let status = client
        .search_documents(v1::SearchDocumentsRequest {
            query: "   ".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "query");
    server.stop().await;
}

#[tokio::test]
async fn a_time_range_alone_lists_by_publication_time() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (_, text) = &example_articles()[0];
    batch_create(
        &server,
        vec![
            create("a-newest", text, "s", Some(1_700_300_000)),
            create("m-undated", text, "s", None),
            create("z-oldest", text, "s", Some(1_700_100_000)),
            create("b-middle", text, "s", Some(1_700_200_000)),
        ],
    )
    .await;
    let since = v1::DocumentFilter {
        published_after: Some(prost_types::Timestamp {
            seconds: 1_700_000_000,
            nanos: 0,
        }),
        ..Default::default()
    };
    for page_size in [1, 2, 10] {
        assert_eq!(
            list_all(&server, since.clone(), page_size).await,
            vec!["z-oldest", "b-middle", "a-newest"]
        );
    }
    server.stop().await;
}
