//! `rasd`: the server and its command-line client in one binary.

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

mod client;
mod ingest;
mod offline;
mod output;
mod serve;

/// Rasd turns Arabic news into linked, searchable entities, served over gRPC.
#[derive(Debug, Parser)]
#[command(name = "rasd", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How client commands print results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// One JSON object per result, for programs.
    Json,
}

/// Options shared by the commands that call a server.
#[derive(Debug, clap::Args)]
pub struct ClientArgs {
    /// URL of the Rasd server.
    #[arg(long, env = "RASD_SERVER", default_value = "http://127.0.0.1:50051")]
    pub server: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gRPC server with its embedded store.
    Serve(serve::ServeArgs),
    /// Normalize text from standard input to standard output (offline).
    Normalize(offline::NormalizeArgs),
    /// Extract entity mentions from files (through a server, or offline with --offline or
    /// --input/--output).
    Extract(offline::ExtractArgs),
    /// Store documents: a folder of .txt files (the file name is the id) or a JSON-lines file.
    Ingest(ingest::IngestArgs),
    /// Show one stored document with its mentions.
    Get {
        /// Document id.
        id: String,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Delete one stored document.
    Delete {
        /// Document id.
        id: String,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Search stored documents.
    Search(client::SearchArgs),
    /// List the entities of stored documents, most documents first.
    Entities(client::EntitiesArgs),
    /// Rebuild every index of a data directory from its documents (the server must be stopped).
    Reindex {
        /// Data directory of the store.
        #[arg(long, env = "RASD_DATA_DIR", default_value = "./rasd-data")]
        data_dir: std::path::PathBuf,
    },
    /// Show one entity with its counts and related entities.
    Entity {
        /// Entity id, such as org/isis.
        id: String,
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// glibc's allocator keeps the memory the store's write batches free in per-thread arenas and
/// hands little of it back, so the server's resident memory grew with every batch; mimalloc
/// reuses and returns it. It is built without transparent huge pages (`no_thp`): memory it
/// returns and takes again would otherwise come back as 2 MiB pages the kernel zeroes whole,
/// which took a fifth of the server's CPU under search load and tripled GetDocument's p99.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Normalize(args) => offline::normalize(args),
        Command::Extract(args) => offline::extract(args).await,
        Command::Ingest(args) => ingest::run(args).await,
        Command::Get { id, client } => client::get(&id, &client).await,
        Command::Delete { id, client } => client::delete(&id, &client).await,
        Command::Search(args) => client::search(args).await,
        Command::Entities(args) => client::entities(args).await,
        Command::Entity { id, client } => client::entity(&id, &client).await,
        Command::Reindex { data_dir } => reindex(data_dir).await,
    }
}

async fn reindex(data_dir: std::path::PathBuf) -> Result<()> {
    let store = rasd_store::Store::open(&rasd_store::StoreConfig::new(&data_dir))?;
    let report = store.reindex().await?;
    store.close();
    println!(
        "reindexed {} documents: {} index entries removed, {} written",
        report.documents, report.keys_deleted, report.keys_written
    );
    Ok(())
}

/// Paths given on the command line, with `-` meaning standard input.
pub fn is_stdin(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
}
