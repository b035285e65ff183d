//! Starting and stopping the server: services, health, reflection, storage.

use std::net::SocketAddr;
use std::sync::Arc;

use rasd_extract::{Extractor, KbError, KnowledgeBase};
use rasd_proto::v1::document_service_server::DocumentServiceServer;
use rasd_proto::v1::entity_service_server::EntityServiceServer;
use rasd_proto::v1::extraction_service_server::ExtractionServiceServer;
use rasd_store::{Store, StoreConfig, StoreError};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::server::NamedService;
use tonic::transport::server::TcpIncoming;
use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;

use crate::config::{ConfigError, ServerConfig};
use crate::documents::DocumentApi;
use crate::entities::EntityApi;
use crate::extraction::ExtractionApi;
use crate::knowledge;
use crate::oversize::OversizeLayer;
use crate::state::AppState;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the knowledge base cannot be loaded: {0}")]
    KnowledgeBase(#[from] KbError),
    #[error("cannot listen on {addr}: {detail}")]
    Bind { addr: String, detail: String },
    #[error("gRPC transport failed: {0}")]
    Transport(String),
    #[error("startup task failed: {0}")]
    Startup(String),
}

/// A server that is serving; stop it with [`RunningServer::shutdown`].
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
    state: Arc<AppState>,
}

/// Binds `config.listen` and starts the server (see [`start`]).
pub async fn bind_and_start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| ServerError::Bind {
            addr: config.listen.to_string(),
            detail: e.to_string(),
        })?;
    start(config, listener).await
}

const SERVICE_NAMES: [&str; 4] = [
    "",
    <ExtractionServiceServer<ExtractionApi> as NamedService>::NAME,
    <DocumentServiceServer<DocumentApi> as NamedService>::NAME,
    <EntityServiceServer<EntityApi> as NamedService>::NAME,
];

async fn set_health(reporter: &HealthReporter, status: ServingStatus) {
    for name in SERVICE_NAMES {
        reporter.set_service_status(name, status).await;
    }
}

/// Starts serving on `listener` at once, with health `NOT_SERVING`; opens the store and builds
/// the extraction pipeline; then reports `SERVING` and returns. If the store cannot be opened
/// (locked by another process, unreadable), the server stops and the error says why.
pub async fn start(
    config: ServerConfig,
    listener: TcpListener,
) -> Result<RunningServer, ServerError> {
    config.validate()?;
    let addr = listener.local_addr().map_err(|e| ServerError::Bind {
        addr: config.listen.to_string(),
        detail: e.to_string(),
    })?;
    let state = Arc::new(AppState::new(
        config.limits.clone(),
        config.resolved_work_threads(),
    ));
    let (reporter, health) = tonic_health::server::health_reporter();
    set_health(&reporter, ServingStatus::NotServing).await;

    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(rasd_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(|e| ServerError::Startup(e.to_string()))?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(rasd_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .map_err(|e| ServerError::Startup(e.to_string()))?;

    let max = config.limits.max_message_bytes;
    let extraction = ExtractionServiceServer::new(ExtractionApi {
        state: state.clone(),
    })
    .max_decoding_message_size(max)
    .max_encoding_message_size(max);
    let documents = DocumentServiceServer::new(DocumentApi {
        state: state.clone(),
    })
    .max_decoding_message_size(max)
    .max_encoding_message_size(max);
    let entities = EntityServiceServer::new(EntityApi {
        state: state.clone(),
    })
    .max_decoding_message_size(max)
    .max_encoding_message_size(max);

    let (shutdown, shutdown_signal) = oneshot::channel::<()>();
    let task = tokio::spawn(
        tonic::transport::Server::builder()
            .layer(OversizeLayer { limit: max })
            .add_service(health)
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha)
            .add_service(extraction)
            .add_service(documents)
            .add_service(entities)
            .serve_with_incoming_shutdown(
                // Without TCP_NODELAY a small response waits for the client's delayed
                // acknowledgement (Nagle), about 40 ms a call.
                TcpIncoming::from(listener).with_nodelay(Some(true)),
                async {
                    let _ = shutdown_signal.await;
                },
            ),
    );
    let mut server = RunningServer {
        addr,
        shutdown: Some(shutdown),
        task,
        state: state.clone(),
    };

    let store_config = StoreConfig {
        path: config.data_dir.clone(),
        cache_capacity_bytes: config.cache_capacity_bytes,
    };
    let opening = tokio::task::spawn_blocking(move || Store::open(&store_config));
    let loading = tokio::task::spawn_blocking(KnowledgeBase::builtin);
    let opened = opening
        .await
        .map_err(|e| ServerError::Startup(e.to_string()));
    let loaded = loading
        .await
        .map_err(|e| ServerError::Startup(e.to_string()));
    // The built-in knowledge base plus the additions stored through the API.
    let ready = async {
        let (store, mut kb) = (opened??, loaded??);
        for user in store.user_entities()? {
            knowledge::apply(&mut kb, &user);
        }
        let extractor = tokio::task::spawn_blocking(move || Extractor::new(kb))
            .await
            .map_err(|e| ServerError::Startup(e.to_string()))?;
        Ok::<_, ServerError>((store, extractor))
    }
    .await;
    match ready {
        Ok((store, extractor)) => {
            state.set_store(Arc::new(store));
            state.set_extractor(Arc::new(extractor));
            set_health(&reporter, ServingStatus::Serving).await;
            tracing::info!(%addr, data_dir = %config.data_dir.display(), "serving");
            Ok(server)
        }
        Err(error) => {
            server.stop_transport().await;
            Err(error)
        }
    }
}

impl RunningServer {
    /// The address the server listens on (the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    async fn stop_transport(&mut self) -> Option<Result<(), ServerError>> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match (&mut self.task).await {
            Ok(Ok(())) => Some(Ok(())),
            Ok(Err(e)) => Some(Err(ServerError::Transport(e.to_string()))),
            Err(e) => Some(Err(ServerError::Transport(e.to_string()))),
        }
    }

    /// Stops accepting calls, lets calls in flight finish, then flushes and closes the store.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        let result = self.stop_transport().await.unwrap_or(Ok(()));
        if let Some(store) = self.state.store_if_open() {
            store.flush().await?;
            tokio::task::spawn_blocking(move || store.close())
                .await
                .map_err(|e| ServerError::Startup(e.to_string()))?;
        }
        tracing::info!(addr = %self.addr, "stopped");
        result
    }
}
