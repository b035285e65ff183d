//! Test support: a real Rasd server started in-process on `127.0.0.1:0` over a real sled store
//! in a temporary directory, and generated clients connected to the address it got.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rasd_proto::v1::document_service_client::DocumentServiceClient;
use rasd_proto::v1::entity_service_client::EntityServiceClient;
use rasd_proto::v1::extraction_service_client::ExtractionServiceClient;
use rasd_server::{Limits, RunningServer, ServerConfig};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_client::HealthClient;

/// A running server and a channel to it.
#[derive(Debug)]
pub struct TestServer {
    server: Option<RunningServer>,
    pub addr: SocketAddr,
    pub channel: Channel,
    pub data_dir: PathBuf,
}

impl TestServer {
    /// A server over a fresh store in `dir`, with default limits.
    pub async fn start(dir: &Path) -> TestServer {
        Self::start_with(dir, Limits::default()).await
    }

    /// A server over the store in `dir` with these limits.
    pub async fn start_with(dir: &Path, limits: Limits) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let config = ServerConfig {
            listen: listener.local_addr().expect("local addr"),
            data_dir: dir.to_path_buf(),
            limits,
            ..ServerConfig::default()
        };
        let server = rasd_server::start(config, listener)
            .await
            .expect("server starts");
        let addr = server.local_addr();
        let channel = Endpoint::from_shared(format!("http://{addr}"))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect");
        TestServer {
            server: Some(server),
            addr,
            channel,
            data_dir: dir.to_path_buf(),
        }
    }

    /// Stops the server gracefully (the store is flushed and closed).
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn extraction(&self) -> ExtractionServiceClient<Channel> {
        ExtractionServiceClient::new(self.channel.clone())
    }

    pub fn documents(&self) -> DocumentServiceClient<Channel> {
        DocumentServiceClient::new(self.channel.clone())
    }

    pub fn entities(&self) -> EntityServiceClient<Channel> {
        EntityServiceClient::new(self.channel.clone())
    }

    pub fn health(&self) -> HealthClient<Channel> {
        HealthClient::new(self.channel.clone())
    }
}

/// The repository root (the parent of this crate's folder).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The shared folder beside the repository, if present (`../shared`).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = repo_root().join("../shared");
    dir.is_dir().then_some(dir)
}

/// The example articles kept in the project: (file name, text).
pub fn example_articles() -> Vec<(String, String)> {
    let dir = repo_root().join("examples/articles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/articles exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .expect("utf-8 name")
                .to_owned();
            (name, std::fs::read_to_string(&p).expect("read article"))
        })
        .collect()
}

/// Asserts a gRPC error: its code and the field its `BadRequest` detail names.
pub fn assert_bad_field(status: &tonic::Status, code: tonic::Code, field: &str) {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), code, "unexpected status: {status:?}");
    let details = status.get_error_details();
    let bad = details
        .bad_request()
        .unwrap_or_else(|| panic!("no BadRequest detail in {status:?}"));
    assert!(
        bad.field_violations.iter().any(|v| v.field == field),
        "no violation for {field:?} in {:?}",
        bad.field_violations
    );
    let info = details
        .error_info()
        .unwrap_or_else(|| panic!("no ErrorInfo detail in {status:?}"));
    assert_eq!(info.domain, rasd_proto::ERROR_DOMAIN);
}

/// Creates documents through BatchCreateDocuments and checks that each one succeeded; returns
/// their ids.
pub async fn batch_create(
    server: &TestServer,
    requests: Vec<rasd_proto::v1::CreateDocumentRequest>,
) -> Vec<String> {
    use rasd_proto::v1;
    let ids = requests.iter().map(|r| r.document_id.clone()).collect();
    let response = server
        .documents()
        .batch_create_documents(v1::BatchCreateDocumentsRequest { requests })
        .await
        .expect("batch create")
        .into_inner();
    for result in response.results {
        assert!(
            matches!(
                result.result,
                Some(v1::batch_create_documents_result::Result::Response(_))
            ),
            "{result:?}"
        );
    }
    ids
}

/// Stores the example articles, the file name as id, through BatchCreateDocuments; `source`
/// picks each one's source from its position.
pub async fn ingest_examples(server: &TestServer, source: impl Fn(usize) -> String) -> Vec<String> {
    let requests = example_articles()
        .into_iter()
        .enumerate()
        .map(|(i, (name, text))| rasd_proto::v1::CreateDocumentRequest {
            document_id: name,
            text,
            source: source(i),
            ..Default::default()
        })
        .collect();
    batch_create(server, requests).await
}

/// The `rasd` binary built beside the test binaries (`cargo build -p rasd` builds it).
pub fn rasd_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let path = dir.join(format!("rasd{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p rasd` before the tests",
        path.display()
    );
    path
}

/// `rasd serve` in its own process on 127.0.0.1:0 over `dir`, logging JSON; returns the child
/// and the address it logged. The rest of its log is drained on a thread.
pub fn spawn_server_process(dir: &Path) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(rasd_binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data-dir",
        ])
        .arg(dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn rasd serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let serving = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("\"serving\""))
        .expect("the server logs that it is serving");
    std::thread::spawn(move || lines.for_each(drop));
    let event: serde_json::Value = serde_json::from_str(&serving).expect("a JSON log line");
    let addr = event["fields"]["addr"]
        .as_str()
        .expect("an addr field")
        .to_owned();
    (child, addr)
}

/// One entity through GetEntity.
pub async fn get_entity(server: &TestServer, id: &str) -> rasd_proto::v1::Entity {
    server
        .entities()
        .get_entity(rasd_proto::v1::GetEntityRequest {
            entity_id: id.to_owned(),
        })
        .await
        .expect("get entity")
        .into_inner()
        .entity
        .expect("an entity")
}

/// One document through GetDocument, in the FULL view with offsets in code points.
pub async fn get_document(server: &TestServer, id: &str) -> rasd_proto::v1::Document {
    server
        .documents()
        .get_document(rasd_proto::v1::GetDocumentRequest {
            document_id: id.to_owned(),
            ..Default::default()
        })
        .await
        .expect("get document")
        .into_inner()
        .document
        .expect("a document")
}

/// Every document id that passes `filter`, walking pages of `page_size`.
pub async fn list_all(
    server: &TestServer,
    filter: rasd_proto::v1::DocumentFilter,
    page_size: i32,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token = String::new();
    loop {
        let page = server
            .documents()
            .list_documents(rasd_proto::v1::ListDocumentsRequest {
                page_size,
                page_token: token.clone(),
                filter: Some(filter.clone()),
                ..Default::default()
            })
            .await
            .expect("list documents")
            .into_inner();
        assert!(page.documents.len() <= page_size as usize);
        ids.extend(page.documents.into_iter().map(|d| d.document_id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        token = page.next_page_token;
    }
}
