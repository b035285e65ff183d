//! `rasd serve`: configuration from a file, `RASD_*` variables and flags, then the server until
//! SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use rasd_server::{LogFormat, ServerConfig};
use tracing_subscriber::EnvFilter;

/// Flags of `rasd serve`; each overrides the config file and has a `RASD_*` variable.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// TOML configuration file (keys as in the README's configuration table).
    #[arg(long, env = "RASD_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:50051].
    #[arg(long, env = "RASD_LISTEN")]
    listen: Option<SocketAddr>,
    /// Data directory of the embedded store [default: ./rasd-data].
    #[arg(long, env = "RASD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Log format: text or json [default: text].
    #[arg(long, env = "RASD_LOG_FORMAT")]
    log_format: Option<LogFormat>,
    /// sled page cache in bytes [default: 1073741824].
    #[arg(long, env = "RASD_CACHE_CAPACITY_BYTES")]
    cache_capacity_bytes: Option<u64>,
    /// Requests whose CPU-bound part runs at once, the others waiting in line [default: 0, one
    /// per CPU].
    #[arg(long, env = "RASD_WORK_THREADS")]
    work_threads: Option<usize>,
    /// Largest gRPC message in bytes [default: 16777216].
    #[arg(long, env = "RASD_MAX_MESSAGE_BYTES")]
    max_message_bytes: Option<usize>,
    /// Largest text of one document or request in bytes [default: 1048576].
    #[arg(long, env = "RASD_MAX_TEXT_BYTES")]
    max_text_bytes: Option<usize>,
    /// Most items in one batch request [default: 100].
    #[arg(long, env = "RASD_MAX_BATCH_ITEMS")]
    max_batch_items: Option<usize>,
    /// Largest page_size [default: 1000].
    #[arg(long, env = "RASD_MAX_PAGE_SIZE")]
    max_page_size: Option<usize>,
    /// page_size when a request leaves it at 0 [default: 50].
    #[arg(long, env = "RASD_DEFAULT_PAGE_SIZE")]
    default_page_size: Option<usize>,
    /// Largest search query in bytes [default: 4096].
    #[arg(long, env = "RASD_MAX_QUERY_BYTES")]
    max_query_bytes: Option<usize>,
}

impl ServeArgs {
    /// The configuration: defaults, then the file, then variables and flags.
    fn config(&self) -> Result<ServerConfig> {
        let mut config = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read the configuration file {}", path.display())
                })?;
                toml::from_str(&text)
                    .with_context(|| format!("invalid configuration file {}", path.display()))?
            }
            None => ServerConfig::default(),
        };
        macro_rules! set {
            ($($field:ident).+ <- $value:expr) => {
                if let Some(value) = $value.clone() {
                    config.$($field).+ = value;
                }
            };
        }
        set!(listen <- self.listen);
        set!(data_dir <- self.data_dir);
        set!(log_format <- self.log_format);
        set!(cache_capacity_bytes <- self.cache_capacity_bytes);
        set!(work_threads <- self.work_threads);
        set!(limits.max_message_bytes <- self.max_message_bytes);
        set!(limits.max_text_bytes <- self.max_text_bytes);
        set!(limits.max_batch_items <- self.max_batch_items);
        set!(limits.max_page_size <- self.max_page_size);
        set!(limits.default_page_size <- self.default_page_size);
        set!(limits.max_query_bytes <- self.max_query_bytes);
        config.validate()?;
        Ok(config)
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("RASD_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// What stops the server: SIGINT or SIGTERM. The handlers are installed by [`ShutdownSignal::
/// install`], before the server starts: a signal that arrives once the server has said it is
/// serving must stop it cleanly, not kill it with the default action.
struct ShutdownSignal {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    fn install() -> Result<ShutdownSignal> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(ShutdownSignal {
                term: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(ShutdownSignal {})
        }
    }

    async fn received(mut self) -> Result<&'static str> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Ok("SIGINT"),
                _ = self.term.recv() => Ok("SIGTERM"),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await?;
            Ok("Ctrl-C")
        }
    }
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let config = args.config()?;
    init_logging(config.log_format);
    let stop = ShutdownSignal::install()?;
    let server = rasd_server::bind_and_start(config).await?;
    let signal = stop.received().await?;
    tracing::info!(signal, "shutting down");
    server.shutdown().await?;
    Ok(())
}
