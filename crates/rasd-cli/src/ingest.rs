//! `rasd ingest`: stores a folder of `.txt` files or a JSON-lines file through the server, with
//! concurrent batch requests and a progress bar. Ids come from file names (or the `id` field, or
//! the file stem and line number), so running it again skips what is already stored.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rasd_proto::v1::{self, batch_create_documents_result::Result as ItemResult};
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::client::{connect, documents, status_error};
use crate::{ClientArgs, Format};

/// Flags of `rasd ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// A folder of .txt files (the file name is the document id) or a .jsonl file with `text` and
    /// optional `id`, `title`, `source`, `url`, `published` (RFC 3339).
    path: PathBuf,
    /// Documents per BatchCreateDocuments request.
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    #[command(flatten)]
    client: ClientArgs,
}

fn parse_time(value: &str, at: &str) -> Result<prost_types::Timestamp> {
    let t = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .with_context(|| format!("{at}: published {value:?} is not an RFC 3339 time"))?;
    Ok(prost_types::Timestamp {
        seconds: t.unix_timestamp(),
        nanos: t.nanosecond() as i32,
    })
}

fn field(row: &Value, name: &str) -> String {
    row.get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn read_jsonl(path: &Path) -> Result<Vec<v1::CreateDocumentRequest>> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("doc")
        .to_owned();
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-:~@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut requests = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let at = format!("{}:{}", path.display(), n + 1);
        let line = line.with_context(|| format!("{at}: not UTF-8"))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: Value =
            serde_json::from_str(&line).with_context(|| format!("{at}: not a JSON object"))?;
        let text = field(&row, "text");
        if text.is_empty() {
            bail!("{at}: no \"text\"");
        }
        let id = match row.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => format!("{stem}-{}", n + 1),
        };
        let published = match row.get("published").and_then(Value::as_str) {
            Some(p) if !p.is_empty() => Some(parse_time(p, &at)?),
            _ => None,
        };
        requests.push(v1::CreateDocumentRequest {
            document_id: id,
            text,
            title: field(&row, "title"),
            source: field(&row, "source"),
            url: field(&row, "url"),
            published_time: published,
            language: field(&row, "language"),
            offset_unit: 0,
            // Only whether each was created is read: no text or mentions sent back.
            view: v1::DocumentView::Basic as i32,
        });
    }
    Ok(requests)
}

fn read_dir(path: &Path) -> Result<Vec<v1::CreateDocumentRequest>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot read the folder {}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt") && p.is_file())
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            Ok(v1::CreateDocumentRequest {
                document_id: file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_owned(),
                text,
                view: v1::DocumentView::Basic as i32,
                ..Default::default()
            })
        })
        .collect()
}

pub async fn run(args: IngestArgs) -> Result<()> {
    let requests = if args.path.is_dir() {
        read_dir(&args.path)?
    } else {
        read_jsonl(&args.path)?
    };
    if requests.is_empty() {
        bail!("no documents found in {}", args.path.display());
    }
    let channel = connect(&args.client.server).await?;
    let bar = ProgressBar::new(requests.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} documents {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let permits = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut batches = Vec::new();
    let mut iter = requests.into_iter().peekable();
    while iter.peek().is_some() {
        batches.push(
            iter.by_ref()
                .take(args.batch_size.max(1))
                .collect::<Vec<_>>(),
        );
    }
    for batch in batches {
        let permit = permits.clone().acquire_owned().await?;
        let mut client = documents(channel.clone());
        let bar = bar.clone();
        tasks.spawn(async move {
            let ids: Vec<String> = batch.iter().map(|r| r.document_id.clone()).collect();
            let response = client
                .batch_create_documents(v1::BatchCreateDocumentsRequest { requests: batch })
                .await;
            drop(permit);
            bar.inc(ids.len() as u64);
            (ids, response)
        });
    }
    let (mut created, mut skipped, mut failed) = (0u64, 0u64, Vec::new());
    while let Some(joined) = tasks.join_next().await {
        let (ids, response) = joined?;
        match response {
            Ok(response) => {
                for (id, result) in ids.iter().zip(response.into_inner().results) {
                    match result.result {
                        Some(ItemResult::Response(r)) if r.created => created += 1,
                        Some(ItemResult::Response(_)) => skipped += 1,
                        Some(ItemResult::Error(e)) => failed.push((id.clone(), e.message)),
                        None => failed.push((id.clone(), "no result".to_owned())),
                    }
                }
            }
            Err(status) => {
                let error = status_error(status).to_string();
                failed.extend(ids.into_iter().map(|id| (id, error.clone())));
            }
        }
    }
    bar.finish_and_clear();
    match args.client.format {
        Format::Json => println!(
            "{}",
            json!({"created": created, "skipped": skipped, "failed": failed.iter().map(|(id, e)| json!({"id": id, "error": e})).collect::<Vec<_>>()})
        ),
        Format::Table => {
            println!(
                "created {created}, already stored {skipped}, failed {}",
                failed.len()
            );
            for (id, error) in &failed {
                println!("  {id}: {error}");
            }
        }
    }
    if !failed.is_empty() {
        bail!("{} documents were not stored", failed.len());
    }
    Ok(())
}
