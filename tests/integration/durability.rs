//! A server killed with SIGKILL in the middle of a stream of BatchCreateDocuments loses nothing
//! it acknowledged, leaves no half-written document, and its counts agree with its documents.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::{Arc, Mutex};

use rasd_proto::v1::{self, batch_create_documents_result::Result as Item};
use rasd_tests::{
    example_articles, get_document, get_entity, list_all, spawn_server_process, TestServer,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_batch_writes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || spawn_server_process(&dir)
    })
    .await
    .unwrap();
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let articles = Arc::new(example_articles());
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let (enough_tx, enough_rx) = tokio::sync::watch::channel(false);

    // Four writers stream batches until the server dies under them.
    let mut writers = Vec::new();
    for writer in 0..4 {
        let mut client = v1::document_service_client::DocumentServiceClient::new(channel.clone());
        let (articles, acknowledged, enough_tx) =
            (articles.clone(), acknowledged.clone(), enough_tx.clone());
        writers.push(tokio::spawn(async move {
            for batch in 0..500 {
                let requests = (0..8)
                    .map(|i| {
                        let (_, text) = &articles[(batch + i) % articles.len()];
                        v1::CreateDocumentRequest {
                            document_id: format!("w{writer}-b{batch}-{i}"),
                            text: format!("{text}\n({writer}/{batch}/{i})"),
                            source: format!("writer-{writer}"),
                            ..Default::default()
                        }
                    })
                    .collect();
                let Ok(response) = client
                    .batch_create_documents(v1::BatchCreateDocumentsRequest { requests })
                    .await
                else {
                    return;
                };
                let mut acked = acknowledged.lock().unwrap();
                for result in response.into_inner().results {
                    if let Some(Item::Response(r)) = result.result {
                        acked.insert(r.document.unwrap().document_id);
                    }
                }
                if acked.len() >= 400 {
                    let _ = enough_tx.send(true);
                }
            }
        }));
    }
    // Kill the server while the writers are still sending.
    let mut enough = enough_rx;
    enough.wait_for(|e| *e).await.unwrap();
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    let _ = child.wait();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 400);

    // Restart on the same directory.
    let server = TestServer::start(dir.path()).await;
    let stored: BTreeSet<String> = list_all(&server, v1::DocumentFilter::default(), 1000)
        .await
        .into_iter()
        .collect();
    let missing: Vec<&String> = acknowledged.difference(&stored).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged documents lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );

    // Every stored document is whole: its record, its mentions, its place in the indexes.
    let mut isis_documents = 0;
    let mut isis_mentions = 0;
    for id in &stored {
        let doc = get_document(&server, id).await;
        assert!(
            !doc.mentions.is_empty() && doc.mention_count as usize == doc.mentions.len(),
            "{id}"
        );
        let isis = doc
            .mentions
            .iter()
            .filter(|m| m.entity_id == "org/isis")
            .count();
        isis_mentions += isis;
        isis_documents += usize::from(isis > 0);
    }
    // Counts agree with the documents.
    let entity = get_entity(&server, "org/isis").await;
    assert_eq!(entity.document_count as usize, isis_documents);
    assert_eq!(entity.mention_count as usize, isis_mentions);
    let by_entity = list_all(
        &server,
        v1::DocumentFilter {
            entity_id: "org/isis".into(),
            ..Default::default()
        },
        1000,
    )
    .await;
    assert_eq!(by_entity.len(), isis_documents);
    let by_source: usize = {
        let mut total = 0;
        for writer in 0..4 {
            total += list_all(
                &server,
                v1::DocumentFilter {
                    source: format!("writer-{writer}"),
                    ..Default::default()
                },
                1000,
            )
            .await
            .len();
        }
        total
    };
    assert_eq!(by_source, stored.len());
    server.stop().await;
}
