//! Everything stored survives a restart on the same data directory; a second server cannot
//! open a directory in use.

use rasd_proto::v1;
use rasd_server::ServerConfig;
use rasd_tests::{get_entity, ingest_examples, TestServer};

#[tokio::test]
async fn documents_and_indexes_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let count = ingest_examples(&server, |_| "examples".to_owned())
        .await
        .len();
    let isis = get_entity(&server, "org/isis").await;
    let search = |server: &TestServer| {
        let mut client = server.documents();
        async move {
            client
                .search_documents(v1::SearchDocumentsRequest {
                    query: "داعش".into(),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
        }
    };
    let hits_before = search(&server).await;
    assert!(hits_before.total_hits > 0);
    server.stop().await;

    let server = TestServer::start(dir.path()).await;
    let listed = server
        .documents()
        .list_documents(v1::ListDocumentsRequest {
            page_size: 100,
            filter: Some(v1::DocumentFilter {
                source: "examples".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.documents.len(), count);
    let again = get_entity(&server, "org/isis").await;
    assert_eq!(again.document_count, isis.document_count);
    assert_eq!(again.mention_count, isis.mention_count);
    let hits_after = search(&server).await;
    assert_eq!(hits_after, hits_before);
    server.stop().await;
}

#[tokio::test]
async fn an_unusable_data_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ServerConfig {
        listen: listener.local_addr().unwrap(),
        data_dir: file,
        ..ServerConfig::default()
    };
    let error = rasd_server::start(config, listener)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("cannot open the data directory") && error.contains("not-a-dir"),
        "{error}"
    );
}

#[tokio::test]
async fn a_data_directory_in_use_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ServerConfig {
        listen: listener.local_addr().unwrap(),
        data_dir: dir.path().to_path_buf(),
        ..ServerConfig::default()
    };
    let error = rasd_server::start(config, listener)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("in use by another process"), "{error}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_on_a_stopped_store_keeps_every_answer() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    ingest_examples(&server, |i| format!("s{}", i % 2)).await;
    let before = get_entity(&server, "org/isis").await;
    server.stop().await;

    let output = std::process::Command::new(rasd_tests::rasd_binary())
        .args(["reindex", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("reindexed 4 documents"), "{stdout}");

    let server = TestServer::start(dir.path()).await;
    assert_eq!(get_entity(&server, "org/isis").await, before);
    server.stop().await;
}
